"""Close the loop in the lab: fit the multi-power law on two runs of the character transformer (constant
and cosine), predict a third schedule (WSD) before training it, train it, and compare.

    python scripts/predict_lab_loop.py [--steps 400] [--out docs/predict_lab_loop]

The figure (<out>.html, plotly inline) is written to artifacts/ (not committed); <out>.png is its picture.

Writes ``<out>.json`` (the numbers) and ``<out>.html`` (the overlay figure); README quotes the numbers
whatever they are. CPU, one thread, a few minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from warmup_core import Decay, Warmup, WarmupDecay  # noqa: E402
from warmup_core.predict import fit_multi_power_law, predict_loss, runs  # noqa: E402
from warmup_core.training.engine import RunConfig, train  # noqa: E402


def schedules(steps, peak=3e-3):
    warm = Warmup("linear", steps // 10)
    return {
        "constant": WarmupDecay(peak, warm, Decay("constant"), "prepend", steps),
        "cosine": WarmupDecay(peak, warm, Decay("cosine", floor=0.1), "prepend", steps),
        "wsd": WarmupDecay(peak, warm, Decay("wsd", decay=steps // 5, shape="linear", floor=0.1), "prepend", steps),
    }


def run(name, s, steps, seed):
    cfg = RunConfig(task="charlm", schedule=s.to_dict(), optimizer="adam", steps=steps, batch_size=32, seed=seed,
                    log_every=2, eval_every=10 * steps, options={"norm": "post", "corpus_bytes": 400_000})
    rows = []
    t0 = time.perf_counter()
    result = train(cfg, rows.append)
    print(f"{name}: {result.status} in {time.perf_counter() - t0:.0f} s, final loss {result.final_loss:.4f}")
    return runs.from_rows(name, s(np.arange(steps, dtype=np.float64)), rows)


def smooth(y, k=9):
    pad = np.pad(y, (k // 2, k // 2), mode="edge")
    return np.convolve(pad, np.ones(k) / k, mode="valid")


def png(html: Path, out: str):
    """A picture of the figure, taken with the Chromium the browser tests use (skipped without it)."""
    from tests.browser import ARGS, chromium_path

    if not chromium_path():
        print("no Chromium: PNG not written")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 540})
        page.goto(html.resolve().as_uri())
        page.wait_for_selector(".main-svg")
        page.screenshot(path=out)
        browser.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="docs/predict_lab_loop")
    a = ap.parse_args()
    torch.set_num_threads(1)
    sch = schedules(a.steps)
    fitted = {n: run(n, sch[n], a.steps, a.seed) for n in ("constant", "cosine")}
    params = fit_multi_power_law([r.curve for r in fitted.values()])
    wsd_lrs = sch["wsd"](np.arange(a.steps, dtype=np.float64))
    first = 10  # the law needs some training behind it; the first steps are the init's loss
    pred = predict_loss(wsd_lrs, np.arange(first, a.steps), params)  # predicted before the WSD run exists
    actual = run("wsd", sch["wsd"], a.steps, a.seed)
    at = np.searchsorted(pred.steps, actual.steps)
    ok = (actual.steps >= first)
    p_at = pred.loss[at[ok]]
    mae_raw = float(np.mean(np.abs(p_at - actual.losses[ok])))
    sm = smooth(actual.losses)[ok]
    mae_smooth = float(np.mean(np.abs(p_at - sm)))
    tail = actual.steps[ok] >= int(0.8 * a.steps)  # the decay phase, where WSD differs from the fitted runs
    out = {
        "steps": a.steps, "seed": a.seed, "params": dict(params), "fit_train_mae": params.train_mae,
        "wsd_mae_vs_logged_loss": mae_raw, "wsd_mae_vs_smoothed_loss": mae_smooth,
        "wsd_mae_in_decay_vs_smoothed": float(np.mean(np.abs(p_at[tail] - sm[tail]))),
        "predicted_final": float(pred.loss[-1]), "actual_final_smoothed": float(sm[-1]),
        "extrapolation": list(pred.extrapolation),
        "curves": {n: {"steps": r.steps.tolist(), "loss": r.losses.tolist()}
                   for n, r in {**fitted, "wsd": actual}.items()},
        "prediction": {"steps": pred.steps.tolist(), "loss": pred.loss.tolist()},
    }
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out + ".json").write_text(json.dumps(out, indent=1))
    from ui.predict import lab_loop_figure

    html = Path("artifacts") / (Path(a.out).name + ".html")
    html.parent.mkdir(exist_ok=True)
    lab_loop_figure(out).write_html(html, include_plotlyjs=True)
    png(html, a.out + ".png")
    print(json.dumps({k: v for k, v in out.items() if k not in ("curves", "prediction")}, indent=1))


if __name__ == "__main__":
    main()
