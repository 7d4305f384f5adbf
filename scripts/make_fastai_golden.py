"""Write tests/golden/fastai.json from fastai's schedules (fastai/callback/schedule.py, fastai/callback/core.py).

fastai pulls torchvision, spaCy and more, so it is not a test dependency. This script downloads the pinned
wheel with ``pip download --no-deps`` and takes the real annealers out of ``fastai/callback/schedule.py``
with ``ast`` (``sched_*``, ``Sched*``, ``_Annealer``, ``combine_scheds``, ``combined_cos``); ``fit_one_cycle`` and
``fit_flat_cos`` are Learner methods, so their two schedule lines are restated here as written in fastai.
The position is the one ``TrainEvalCallback`` feeds ``ParamScheduler.before_batch``: ``epoch / n_epoch`` at each
epoch's start, plus ``1 / (n_iter · n_epoch)`` after every batch.

    python scripts/make_fastai_golden.py            # regenerate the fixture
"""

from __future__ import annotations

import ast
import functools
import json
import math
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

FASTAI_VERSION = "2.8.12"
NAMES = ("_Annealer", "sched_lin", "sched_cos", "sched_no", "SchedLin", "SchedCos", "SchedNo", "combine_scheds",
         "combined_cos")
OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "fastai.json"
sys.path.insert(0, str(OUT.parent))

from fastai_cases import CASES  # noqa: E402  (tests/golden/fastai_cases.py)


def _store_attr(names, self=None):  # fastcore.store_attr for _Annealer.__init__
    frame = sys._getframe(1)
    for n in names.split(","):
        setattr(frame.f_locals["self"], n, frame.f_locals[n])


def load_schedule_module():
    import torch

    tmp = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", f"fastai=={FASTAI_VERSION}",
                    "-d", str(tmp)], check=True)
    wheel = next(tmp.glob("fastai-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        src = z.read("fastai/callback/schedule.py").decode()
    ns = {"math": math, "functools": functools, "torch": torch, "tensor": torch.tensor, "L": list,
          "store_attr": _store_attr}
    for node in ast.parse(src).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in NAMES:
            exec(ast.get_source_segment(src, node), ns)
    return ns


def positions(n_epoch, n_iter):
    """TrainEvalCallback: pct_train = epoch / n_epoch before each epoch, += 1 / (n_iter · n_epoch) per batch."""
    out = []
    for epoch in range(n_epoch):
        pct = epoch / n_epoch
        for _ in range(n_iter):
            out.append(pct)
            pct += 1. / (n_iter * n_epoch)
    return out


def fastai_lrs(ns, fn, lr, kw):
    kw = dict(kw)
    n_epoch, n_iter = kw.pop("n_epoch"), kw.pop("n_iter")
    if fn == "fit_one_cycle":  # Learner.fit_one_cycle's schedule line
        lr_max = np.array([kw.get("lr_max") or lr])
        div, div_final, pct_start = kw.get("div", 25.), kw.get("div_final", 1e5), kw.get("pct_start", 0.25)
        sched = ns["combined_cos"](pct_start, lr_max / div, lr_max, lr_max / div_final)
    elif fn == "fit_flat_cos":  # Learner.fit_flat_cos's schedule line
        lr_ = np.array([kw.get("lr") or lr])
        sched = ns["combined_cos"](kw.get("pct_start", 0.75), lr_, lr_, lr_ / kw.get("div_final", 1e5))
    else:
        sched = ns["combine_scheds"](kw["pcts"], [ns[name](**p) for name, p in kw["scheds"]])
    return [float(np.asarray(sched(p)).ravel()[0]) for p in positions(n_epoch, n_iter)]


def main():
    ns = load_schedule_module()
    cases = [{"function": fn, "lr": lr, "kwargs": kw, "lrs": fastai_lrs(ns, fn, lr, kw)} for fn, lr, kw in CASES]
    body = ",\n".join(json.dumps(c) for c in cases)
    OUT.write_text(f'{{"fastai_version": "{FASTAI_VERSION} (callback/schedule.py from the wheel)", '
                   f'"cases": [\n{body}\n]}}\n')
    print(f"wrote {len(cases)} cases from fastai {FASTAI_VERSION} to {OUT}")


if __name__ == "__main__":
    main()
