"""The Predict page's logic, tables and figures: predicted loss curves (with the authors' real curves as
ground truth), the convex-bound ranking, the AdamW lens, the optimiser and fitting your own runs.
Figures are pure functions of plain values; Streamlit appears only in the cached wrappers."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ui import safe
from warmup_core import Decay, Warmup, WarmupDecay, from_json
from warmup_core import predict as P
from warmup_core.predict import data as paper
from warmup_core.predict import fit as fitting
from warmup_core.predict import runs as R
from warmup_core.predict.domain import warmup_steps

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000", "#999999"]
POINTS = 400  # predicted points per curve
TITLE_CHARS = 44  # a title line that fits a phone's plot (390 px wide)
MAX_STEPS = 2_000_000  # a strategy longer than this is not predicted on the page


def style(fig: go.Figure, title: str, x_title: str, y_title: str, height: int = 460, log_y: bool = False,
          log_x: bool = False):
    """Title top-left, wrapped to fit a phone (390 px); legend below the plot: it never covers the title or
    the curves."""
    lines = textwrap.wrap(title, TITLE_CHARS)
    fig.update_layout(title={"text": "<br>".join(lines), "x": 0.01, "xanchor": "left", "font": {"size": 15}},
                      template="plotly_white",
                      legend={"orientation": "h", "yanchor": "top", "y": -0.22, "xanchor": "left", "x": 0},
                      margin={"l": 70, "r": 20, "t": 36 + 22 * len(lines), "b": 40}, height=height + 22 * len(lines),
                      hovermode="closest")
    fig.update_xaxes(title_text=x_title, showgrid=True, type="log" if log_x else "linear")
    fig.update_yaxes(title_text=y_title, showgrid=True, type="log" if log_y else "linear")
    return fig


# --- strategies --------------------------------------------------------------------------------------
def paper_strategies(peak=paper.PEAK_LR, total=24_000, warmup=paper.WARMUP) -> tuple:
    """Four shapes in the authors' setup (their peak lr and warmup): the defaults of the page, as
    Compare's :class:`ui.compare.Strategy` values."""
    from ui.compare import Strategy

    w = Warmup("linear", warmup)
    shapes = {
        "constant": Decay("constant"),
        "cosine to 10%": Decay("cosine", floor=0.1),
        "WSD (last 20% linear to 10%)": Decay("wsd", decay=(total - warmup) // 5, shape="linear", floor=0.1),
        "linear to 0": Decay("linear"),
    }
    return tuple(Strategy(n, WarmupDecay(peak, w, d, "prepend", total)) for n, d in shapes.items())


@st.cache_data(max_entries=32, show_spinner=False)
def lrs_of(schedule_json: str) -> np.ndarray:
    s = from_json(schedule_json)
    if s.total_steps is None or s.total_steps > MAX_STEPS:
        raise ValueError(f"a strategy needs total_steps of at most {MAX_STEPS:,} to be predicted")
    return np.asarray(s(np.arange(s.total_steps, dtype=np.float64)), dtype=np.float64)


def strategy_lrs(strategies) -> tuple[dict, dict]:
    """``({name: lrs}, {name: why})`` of Compare-style strategies (``.name``, ``.schedule``); a strategy that
    cannot be evaluated is left out of the first dict, its reason is in the second."""
    out, errors = {}, {}
    for item in strategies:
        try:
            out[item.name] = lrs_of(item.schedule.to_json())
        except ValueError as e:
            errors[item.name] = str(e)
    return out, errors


# --- constants ---------------------------------------------------------------------------------------
def constants_table(params: dict) -> pd.DataFrame:
    return pd.DataFrame({"constant": list(P.KEYS), "value": [params[k] for k in P.KEYS]})


def resolve_constants(choice: str, fitted):
    """``(params, domain, label)`` for a constants choice ("Published 400M", ..., "Fitted on your runs")."""
    if choice.startswith("Published "):
        size = choice.split()[-1]
        return paper.PUBLISHED[size], paper.published_domain(size), f"the authors' {size} constants"
    if fitted is None:
        raise ValueError("no fitted constants yet: fit them on the 'Your runs' tab")
    return dict(fitted), fitted.domain, "the constants fitted on your runs"


# --- loss curves -------------------------------------------------------------------------------------
@st.cache_data(max_entries=16, show_spinner=False)
def _predict(lrs_bytes: bytes, params_items: tuple, domain_items: tuple | None):
    lrs = np.frombuffer(lrs_bytes, dtype=np.float64)
    domain = P.Domain(**dict(domain_items)) if domain_items else None
    # from the end of the warmup: before it the law's S1 is tiny and its loss huge (the data start there too)
    start = max(warmup_steps(lrs), 1)
    steps = np.unique(np.linspace(start, lrs.size - 1, POINTS).round().astype(np.int64))
    return P.predict_loss(lrs, steps, params=dict(params_items), domain=domain)


def predictions(lrs_by_name: dict, params: dict, domain) -> dict:
    """``{name: Prediction or error text}``."""
    dom = tuple(domain.to_dict().items()) if domain is not None else None
    out = {}
    for name, lrs in lrs_by_name.items():
        try:
            out[name] = _predict(lrs.tobytes(), tuple(params.items()), dom)
        except ValueError as e:
            out[name] = str(e)
    return out


def prediction_figure(preds: dict, title: str, real: dict | None = None) -> go.Figure:
    """Predicted loss (solid) per strategy; real curves (thin, pale) where there are any; an extrapolated
    prediction is drawn dashed and named so."""
    fig = go.Figure()
    for i, (name, p) in enumerate(preds.items()):
        if isinstance(p, str):
            continue
        color = PALETTE[i % len(PALETTE)]
        if real and name in real:
            steps, loss = real[name]
            fig.add_trace(go.Scatter(x=steps, y=loss, name=f"{safe.plotly(name)} — real", mode="lines", opacity=0.45,
                                     line={"color": color, "width": 1}, legendgroup=name,
                                     hovertemplate="step %{x}: %{y:.4f}<extra>real</extra>"))
        label = f"{safe.plotly(name)} — predicted" + (" (extrapolation)" if p.is_extrapolation else "")
        fig.add_trace(go.Scatter(x=p.steps, y=p.loss, name=label, mode="lines", legendgroup=name,
                                 line={"color": color, "width": 2.2, "dash": "dash" if p.is_extrapolation else "solid"},
                                 hovertemplate="step %{x}: %{y:.4f}<extra>predicted</extra>"))
    return style(fig, title, "step (optimizer updates)", "training loss", height=480)


def prediction_table(preds: dict) -> pd.DataFrame:
    rows = []
    for name, p in preds.items():
        if isinstance(p, str):
            rows.append({"strategy": name, "predicted final loss": np.nan, "extrapolation": "cannot predict: " + p,
                         "error bound": np.nan})
            continue
        rows.append({"strategy": name, "predicted final loss": p.final,
                     "extrapolation": "; ".join(p.extrapolation) if p.extrapolation else "no (inside the data)",
                     "error bound": float(p.error_bound.max())})
    return pd.DataFrame(rows).sort_values("predicted final loss", na_position="last")


@st.cache_data(max_entries=4, show_spinner=False)
def paper_view(size: str, params_items: tuple, domain_items: tuple | None):
    """The authors' nine real curves of one size with the law's predictions at their logged steps."""
    params = dict(params_items)
    domain = P.Domain(**dict(domain_items)) if domain_items else None
    preds, real, rows = {}, {}, []
    for name in paper.CURVES:
        lrs, steps, loss = paper.curve(size, name)
        p = P.predict_loss(lrs, steps, params=params, domain=domain)
        preds[name], real[name] = p, (steps, loss)
        rows.append({"schedule": name, "role": "fitted on" if name in paper.TRAIN else "held out",
                     "real final loss": float(loss[-1]), "predicted final loss": p.final,
                     "mean abs. error": float(np.mean(np.abs(p.loss - loss))),
                     "extrapolation": "; ".join(p.extrapolation) if p.extrapolation else "no"})
    return preds, real, pd.DataFrame(rows)


# --- the bound ---------------------------------------------------------------------------------------
BOUND_IS = ("What it is: the worst-case bound on the last iterate of SGD on a convex, G-Lipschitz problem "
            "(Defazio et al. 2023, Thm 10), which Schaipp et al. (2025) found to track real LLM loss curves "
            "surprisingly well — a ranking of shapes and a best peak lr per shape, in units of D and G. What it "
            "is not: a loss prediction for your network (its peak lr scales with D/G, which you rarely know).")
BOUND_COLUMNS = ("best peak lr", "bound at its best peak lr", "peak lr as set", "bound as set")


@st.cache_data(max_entries=64, show_spinner=False)
def _bound_row(lrs_bytes: bytes, D: float, G: float) -> dict:
    lrs = np.frombuffer(lrs_bytes, dtype=np.float64)
    base = float(lrs.max())
    m, b = P.optimal_base_lr(lrs / base, D=D, G=G)
    return {"bound at its best peak lr": b, "best peak lr": m, "peak lr as set": base,
            "bound as set": P.convex_bound(lrs, D=D, G=G)}


def bound_table(lrs_by_name: dict, D: float, G: float) -> pd.DataFrame:
    """Rank (by the bound at each shape's best peak lr), the best peak lr, and the bound as set."""
    rows = [{"strategy": name, **_bound_row(lrs.tobytes(), float(D), float(G))} for name, lrs in lrs_by_name.items()]
    df = pd.DataFrame(rows, columns=["strategy", *BOUND_COLUMNS]).sort_values("bound at its best peak lr")
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df


def compare_section(strategies, key: str = "compare.bound") -> None:
    """Compare's "Rank by theory" expander (one call from pages/compare.py): every strategy's convex bound
    (D = G = 1), its rank and its shape's best peak lr; the Predict page has the rest."""
    with st.expander("Rank by theory: the convex bound and each shape's best peak lr"):
        lrs_by_name, bad = strategy_lrs(strategies)
        if lrs_by_name:
            st.dataframe(bound_table(lrs_by_name, 1.0, 1.0), hide_index=True, key=key,
                         column_config={c: st.column_config.NumberColumn(format="%.4g") for c in BOUND_COLUMNS})
        for name, why in bad.items():
            st.caption(f"{safe.md(name)}: not ranked ({safe.md(why)})")
        st.caption(BOUND_IS + " Here D = G = 1; set them, and see the predicted loss, on the Predict page.")


def bound_figure(lrs_by_name: dict, D: float, G: float) -> go.Figure:
    fig, lo, hi = go.Figure(), np.inf, 0.0
    for i, (name, lrs) in enumerate(lrs_by_name.items()):
        shape = lrs / lrs.max()
        m, _ = P.optimal_base_lr(shape, D=D, G=G)
        steps, b = P.bound_over_run(m * shape, D=D, G=G, points=80)
        fig.add_trace(go.Scatter(x=steps, y=b, name=safe.plotly(name), mode="lines",
                                 line={"color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate="step %{x}: %{y:.4g}<extra>bound</extra>"))
        lo, hi = min(lo, float(b.min())), max(hi, float(b[steps >= 0.1 * steps[-1]].max()))
    fig = style(fig, "Convex bound on f(x_t) − f* if training stopped at step t (each shape at its best peak lr)",
                "step (optimizer updates)", "bound (units of D·G)", log_y=True, height=440)
    if 0 < lo < hi:  # the first tenth of the run (huge bounds) runs off the top: the end is what ranks
        fig.update_yaxes(range=[np.log10(lo) - 0.05, np.log10(hi) + 0.05])
    return fig


# --- the AdamW lens ----------------------------------------------------------------------------------
def adamw_figure(lrs_by_name: dict, weight_decay: float) -> go.Figure:
    fig = go.Figure()
    for i, (name, lrs) in enumerate(lrs_by_name.items()):
        lens = P.adamw_lens(lrs, weight_decay)
        idx = np.unique(np.linspace(0, lrs.size - 1, 600).round().astype(np.int64))
        fig.add_trace(go.Scatter(x=idx, y=lens.weights[idx], name=safe.plotly(name), mode="lines",
                                 line={"color": PALETTE[i % len(PALETTE)]},
                                 hovertemplate="update %{x}: %{y:.3g}<extra></extra>"))
    fig = style(fig, f"How much each update counts in AdamW's final weights (λ = {weight_decay:g})",
                "step of the update", "weight c_T,t (fraction of the final weights)", height=440)
    return fig.update_yaxes(exponentformat="e")


def adamw_table(lrs_by_name: dict, weight_decay: float) -> pd.DataFrame:
    rows = []
    for name, lrs in lrs_by_name.items():
        lens = P.adamw_lens(lrs, weight_decay)
        rows.append({"strategy": name, "initial weights left": lens.initial_share,
                     "timescale at peak (steps)": float(lens.timescale.min()),
                     "timescale at the end (steps)": float(lens.timescale[-1]),
                     "updates holding half the weight": lens.effective_updates})
    return pd.DataFrame(rows)


# --- the optimiser -----------------------------------------------------------------------------------
def optimise(peak, total, warmup, params, predictor, n_knots, D=1.0, G=1.0, max_seconds=60.0):
    return P.optimise_schedule(float(peak), int(total), int(warmup), params if predictor == "law" else None,
                               predictor=predictor, D=D, G=G, n_knots=int(n_knots), max_seconds=max_seconds)


def optimised_figure(result, others: dict) -> go.Figure:
    fig = go.Figure()
    for i, (name, lrs) in enumerate(others.items()):
        idx = np.unique(np.linspace(0, lrs.size - 1, 600).round().astype(np.int64))
        fig.add_trace(go.Scatter(x=idx, y=lrs[idx], name=name, mode="lines",
                                 line={"color": PALETTE[(i + 1) % len(PALETTE)], "width": 1.2}))
    idx = np.unique(np.r_[np.linspace(0, result.lrs.size - 1, 800).round().astype(np.int64), result.knots])
    fig.add_trace(go.Scatter(x=idx, y=result.lrs[idx], name="optimised", mode="lines",
                             line={"color": PALETTE[0], "width": 3}))
    fig = style(fig, "The optimised schedule and the usual shapes (same peak, length and warmup)",
                "step (optimizer updates)", "learning rate", height=440)
    return fig.update_yaxes(exponentformat="e")


def optimised_table(result, others: dict, params, predictor, D=1.0, G=1.0) -> pd.DataFrame:
    def final(lrs):
        if predictor == "bound":
            return P.convex_bound(lrs, D=D, G=G)
        return float(P.multi_power_law(lrs, [lrs.size - 1], **params)[0])

    rows = [{"schedule": "optimised", "predicted final": result.final}]
    rows += [{"schedule": n, "predicted final": final(lrs)} for n, lrs in others.items()]
    return pd.DataFrame(rows).sort_values("predicted final")


def reference_shapes(peak, total, warmup) -> dict:
    return strategy_lrs(paper_strategies(peak, total, warmup))[0]


def keep_in_compare(session, schedule, name="optimised") -> str:
    """Add the schedule to Compare's strategies (created with Compare's defaults if absent); its name there
    (made unique). Raises ValueError when Compare is full."""
    from ui import compare

    new, name = compare.add(compare.session_strategies(session) or compare.default_strategies(),
                            compare.Strategy(name, schedule))
    session[compare.SESSION_KEY] = new
    return name


# --- your runs ---------------------------------------------------------------------------------------
def read_upload(name: str, content: bytes) -> R.Run:
    """A run from an uploaded CSV or TensorBoard event file."""
    if name.lower().endswith(".csv"):
        return R.read_csv(content, name=Path(name).stem)
    if "tfevents" not in name:
        raise ValueError(f"{name}: upload a CSV (step, lr, loss) or a TensorBoard file (events.out.tfevents...)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.out.tfevents.upload"
        path.write_bytes(content)
        return R.read_tensorboard(path, name=Path(name).name.split(".")[0] or "run")


def fit_runs(run_list: list, max_seconds: float = 30.0):
    """``(params, hold-one-out table or None)`` for the user's runs."""
    names = [r.name for r in run_list]
    if len(set(names)) != len(names):  # two uploads called the same
        run_list = [R.Run(f"{r.name} ({i + 1})", r.lrs, r.steps, r.losses, r.note) for i, r in enumerate(run_list)]
    params = P.fit_multi_power_law([r.curve for r in run_list], max_seconds=max_seconds)
    table = None
    if len(run_list) >= 2:
        held = fitting.hold_one_out({r.name: r.curve for r in run_list}, max_seconds=max_seconds)
        table = pd.DataFrame([{"held-out run": n, "mean abs. error when fitted on the others":
                               v if isinstance(v, float) else np.nan,
                               "note": "" if isinstance(v, float) else v} for n, v in held.items()])
    return params, table


def runs_figure(run_list: list, params) -> go.Figure:
    fig = go.Figure()
    for i, r in enumerate(run_list):
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=r.steps, y=r.losses, name=f"{safe.plotly(r.name)} — logged", mode="lines",
                                 opacity=0.5, line={"color": color, "width": 1}))
        pred = P.multi_power_law(r.lrs, r.steps, **params)
        fig.add_trace(go.Scatter(x=r.steps, y=pred, name=f"{safe.plotly(r.name)} — fitted law", mode="lines",
                                 line={"color": color, "width": 2.2}))
    return style(fig, "Your runs and the law fitted to them", "step (optimizer updates)", "training loss")


def lab_loop_figure(out: dict) -> go.Figure:
    """The lab loop: the two fitted runs, the WSD run, and the WSD curve predicted before it was trained."""
    fig = go.Figure()
    for i, (name, c) in enumerate(out["curves"].items()):
        role = "trained, fitted on" if name != "wsd" else "trained after the prediction"
        fig.add_trace(go.Scatter(x=c["steps"], y=c["loss"], name=f"{name} ({role})", mode="lines",
                                 line={"color": PALETTE[i], "width": 1.2}, opacity=0.7))
    p = out["prediction"]
    fig.add_trace(go.Scatter(x=p["steps"], y=p["loss"], name="wsd (predicted before training)", mode="lines",
                             line={"color": "#000000", "width": 2.5, "dash": "dash"}))
    title = (f"Character transformer: WSD predicted from constant + cosine runs, MAE "
             f"{out['wsd_mae_vs_smoothed_loss']:.3f} nats (vs the smoothed logged loss)")
    return style(fig, title, "step (optimizer updates)", "training loss (nats/char)", height=500)


def compare_defaults():
    from ui import compare

    return compare.default_strategies()


def train_runs() -> dict:
    """``{run id: label}`` of the finished Train-page runs in the store (all owners: fitting only reads)."""
    import os

    from warmup_core.training.store import Store

    try:
        store = Store(os.environ.get("WARMUP_LAB_DB") or None)
        return {r["id"]: f"{r['name']} ({r['task']}, {r['steps']} steps)" for r in R.store_runs(store)}
    except Exception:  # noqa: BLE001 - no database yet, or an unreadable one: nothing to pick
        return {}


def collect_runs(files, run_ids) -> list:
    import os

    from warmup_core.training.store import Store

    out = [read_upload(f.name, f.getvalue()) for f in files]
    if run_ids:
        store = Store(os.environ.get("WARMUP_LAB_DB") or None)
        out += [R.from_store(store, rid) for rid in run_ids]
    if not out:
        raise ValueError("upload a file or pick a Train-page run first")
    return out
