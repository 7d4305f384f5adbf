"""The Train page's pieces: settings and defaults, the owner key, the shared job manager, what each
run shows (progress, time left), live metrics read incrementally, and the charts.

The page (``pages/train.py``) only wires widgets to these; nothing here but :func:`manager`,
:func:`owner` and the small session helpers touches ``st``.
"""

from __future__ import annotations

import functools
import html
import importlib.util
import io
import os
import re
import uuid
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from warmup_core import Decay, LRSchedule, Schedule, Warmup, from_dict
from warmup_core.downsample import downsample_indices
from warmup_core.pairs import with_base_lr, with_total_steps
from warmup_core.training.store import LIVE, METRICS, NotOwnerError, StoreError

from .figures import PALETTE, style
from .live_charts import live_charts  # noqa: F401  (the page draws the live charts through ui.train)

P = "train"
LR_CHOICES = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 0.5, 1.0, 3.0]
SCHEDULE_CHOICES = ["no warmup", "linear warmup", "constant warmup", "untuned linear (Adam β₂)",
                    "GI-Adam, no warmup"]
MAX_POINTS = 400  # per trace on a live chart: the browser redraws four charts every refresh
OWNER_PARAM, VIEW_PARAM, COOKIE = "owner", "view", "warmup_lab_owner"
_HEX32, _RUN_ID = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{12}")


# --- settings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Settings:
    """What the sidebar sets: one comparison's task, optimizer, target lr, length and schedules."""

    task: str = "digits"
    optimizer: str = "sgd"
    lr: float = 1.0
    steps: int = 300
    batch: int = 64
    seed: int = 0
    warmup: int = 100
    factor: float = 0.1
    schedules: tuple = ("no warmup", "linear warmup", "constant warmup")
    sharp: bool = False
    sharp_every: int = 10
    backend: str = "local"  # where the runs train: this server ("local") or Ray tasks ("ray")

    @staticmethod
    def key(name: str) -> str:
        """The session-state / widget key of a field (a typo is an error, not a new key)."""
        if name not in _FIELDS:
            raise KeyError(f"Settings has no field {name!r}")
        return f"{P}.{name}"

    @classmethod
    def from_state(cls, state) -> Settings:
        values = {f: state[cls.key(f)] for f in _FIELDS}
        values["schedules"] = tuple(values["schedules"])
        return cls(**values)

    def to_state(self, state) -> None:
        for f in _FIELDS:
            v = getattr(self, f)
            state[self.key(f)] = list(v) if f == "schedules" else v

    def configs(self, strategies: list[dict] | None = None) -> list:
        """The runs of this comparison; ValueError when there is nothing to run."""
        from warmup_core.training import RunConfig

        steps = int(self.steps)
        chosen = run_schedules(list(self.schedules), self.lr, steps, min(int(self.warmup), steps), self.factor,
                               strategies)
        if not chosen:
            raise ValueError("Pick at least one schedule to run.")
        return [RunConfig(task=self.task, schedule=s, optimizer=opt or self.optimizer, steps=steps,
                          batch_size=int(self.batch), seed=int(self.seed), name=name,
                          sharpness_every=int(self.sharp_every) if self.sharp else 0).validate()
                for name, s, opt in chosen]


_FIELDS = tuple(f.name for f in fields(Settings))
# The page's defaults: the digits CNN at SGD lr 1.0 learns under all three schedules, best with a linear
# warmup, worse without, and worst with the constant 0.1 → 1.0 jump: three distinct learning curves.
DEFAULTS = Settings()
# The teaching demo: the Post-LN transformer at Adam lr 0.03, where warmup decides whether it learns. 3 x 160
# steps of 24 sequences show it on seeds 0-9 (scripts/demo_seeds.py; tests/test_training.py checks 0-2) and take
# about 20 s of one core, so the demo fits in 40 s in the browser (bench/bench_browser_train.py).
DEMO = Settings(task="charlm", optimizer="adam", lr=3e-2, steps=160, batch=24, warmup=80)
K_DEMO, K_START, K_START_NOW, K_SHOWN, K_OPEN = f"{P}.demo", f"{P}.start", f"{P}.start_demo", f"{P}.shown", \
    f"{P}.open"
K_PRESET, K_CACHE, K_NOTICE, K_OPENED = f"{P}.preset", f"{P}.cache", f"{P}.notice", f"{P}.opened"
K_COOKIE, K_RENDER, K_SHARED, K_DRAWN = f"{P}.cookie", f"{P}.render_s", f"{P}.shared_shown", f"{P}.drawn"


def init_state(state) -> None:
    """Defaults once per session, then a preset sent by the Learn page's "run it yourself" buttons
    (``train.preset``: a dict of Settings fields, ``train.start_demo``: start it at once)."""
    for f in _FIELDS:
        if Settings.key(f) not in state:
            state[Settings.key(f)] = list(DEFAULTS.schedules) if f == "schedules" else getattr(DEFAULTS, f)
    preset = state.pop(K_PRESET, None)
    if preset:
        for k, v in preset.items():
            state[f"{P}.{k}"] = v


def on_task(state) -> None:
    """A new task brings its own optimizer, lr (nearest on the slider), batch size and length."""
    from warmup_core.training import TASKS

    t = TASKS[state[Settings.key("task")]]
    cur = Settings.from_state(state)
    replace(cur, optimizer=t.optimizer, lr=min(LR_CHOICES, key=lambda v: abs(v - t.lr)), batch=t.batch_size,
            steps=t.steps).to_state(state)


def set_demo(state) -> None:
    DEMO.to_state(state)
    state[K_START_NOW] = True


def run_schedules(choice: list[str], lr: float, steps: int, warmup: int, factor: float,
                  strategies=None) -> list[tuple[str, LRSchedule, str | None]]:
    """``(name, schedule, optimizer override)`` for each choice, all at the same target lr and length.
    "GI-Adam, no warmup" swaps Adam for GI-Adam (Kalra & Barkeshli 2024) instead of adding a warmup.
    Compare-page strategies are rescaled to this lr (every part by the same factor) and length (a
    composite keeps its parts' own step counts: :func:`~warmup_core.pairs.with_total_steps`)."""
    cos = Decay("cosine")
    made = {
        "no warmup": (Schedule(lr, Warmup(), cos, "prepend", steps), None),
        "linear warmup": (Schedule(lr, Warmup("linear", warmup), cos, "prepend", steps), None),
        "constant warmup": (Schedule(lr, Warmup("constant", warmup, factor=factor), cos, "prepend", steps), None),
        "untuned linear (Adam β₂)": (Schedule(lr, Warmup("untuned_linear", beta2=0.999), cos, "multiply", steps),
                                     None),
        "GI-Adam, no warmup": (Schedule(lr, Warmup(), cos, "prepend", steps), "gi-adam"),
    }
    for name, s in compare_schedules(strategies):
        made[f"Compare: {name}"] = (with_total_steps(with_base_lr(s, lr), steps), None)
    return [(name, *made[name]) for name in choice if name in made]


def compare_schedules(strategies) -> list[tuple[str, LRSchedule]]:
    """``(name, schedule)`` of each Compare strategy: ``ui.compare.Strategy`` values, or the dicts of an
    older session."""
    out = []
    for item in strategies or []:
        name, s = (item["name"], item["schedule"]) if isinstance(item, dict) else (item.name, item.schedule)
        out.append((name, from_dict(s) if isinstance(s, dict) else s))
    return out


def schedule_choices(strategies) -> list[str]:
    """The sidebar's schedules: the built-in ones, then each Compare strategy."""
    return SCHEDULE_CHOICES + [f"Compare: {name}" for name, _ in compare_schedules(strategies)]


# --- the manager, the owner key, the runs shown ----------------------------------------------------

@st.cache_resource(show_spinner=False)
def _manager(path: str):
    from warmup_core.training.jobs import JobManager, torch_threads
    from warmup_core.training.store import Store

    workers = int(os.environ.get("WARMUP_LAB_WORKERS", "1"))
    return JobManager(Store(path), max_workers=workers, max_queued=12, threads=torch_threads(), isolate=True)


def manager():
    """One job manager per server process and database (thread-safe). StoreError (not cached: the
    next rerun tries again) when the database cannot be used; its message says how to fix it."""
    from warmup_core.training.store import default_path

    return _manager(str(default_path()))


def owner(state, query_params, cookies) -> str:
    """This browser's owner key: kept in the session, in the address (``?owner=``) so a refresh,
    a reopened link or a restarted server finds the runs again, and in a cookie for visits that
    arrive without it. A malformed value is ignored (a new key is made)."""
    key = f"{P}.owner"
    if key not in state:
        for candidate in (query_params.get(OWNER_PARAM), cookies.get(COOKIE)):
            if isinstance(candidate, str) and _HEX32.fullmatch(candidate):
                state[key] = candidate
                break
        else:
            state[key] = uuid.uuid4().hex
    if query_params.get(OWNER_PARAM) != state[key]:
        query_params[OWNER_PARAM] = state[key]
    return state[key]


def cookie_script(token: str) -> str:
    """JavaScript that keeps the owner key in a cookie for a year (same site, not sent elsewhere)."""
    return (f"<script>document.cookie = '{COOKIE}={token}; max-age=31536000; path=/; SameSite=Strict';"
            "</script>")


def shared_ids(query_params) -> list[str]:
    """Run ids from a read-only share link (``?view=id,id``); anything malformed is dropped."""
    raw = query_params.get(VIEW_PARAM) or ""
    ids = [p for p in str(raw)[:400].split(",") if _RUN_ID.fullmatch(p)]
    return list(dict.fromkeys(ids))[:12]


def share_link(base_url: str | None, run_ids: list[str]) -> str:
    """A read-only link to these runs' results (no owner key in it)."""
    base = (base_url or "").split("?")[0].rstrip("/")
    return f"{base}?{VIEW_PARAM}={','.join(run_ids)}"


def any_live(runs: list[dict]) -> bool:
    return any(r["status"] in LIVE for r in runs)


def show_shared(state, query_params) -> None:
    """A share link's runs go on the charts once per visit (then the viewer may pick others)."""
    ids = shared_ids(query_params)
    if ids and not state.get(K_SHARED):
        show(state, ids)
        state[K_SHARED] = True


def demo_result_shown(runs: list[dict], task: str) -> bool:
    """The demo's explanation fits: its transformer comparison, with a no-warmup run, has ended."""
    return task == "charlm" and not any_live(runs) and any(r["name"] == "no warmup" for r in runs)


def shown(state, mine: list[dict]) -> list[str]:
    """The runs on the charts: as chosen, else this browser's latest comparison."""
    if K_SHOWN not in state and mine:
        last = mine[-1]["group_id"]
        state[K_SHOWN] = [r["id"] for r in mine if r["group_id"] == last]
    return list(state.get(K_SHOWN, []))


def show(state, run_ids) -> None:
    state[K_SHOWN] = list(dict.fromkeys(run_ids))
    state.pop(K_DRAWN, None)  # new charts: poll faster until their first line (refresh_seconds)


def start(mgr, me: str, settings: Settings, strategies, state) -> str | None:
    """Queue a comparison and show it; the error to display, if any."""
    from warmup_core.training.jobs import QueueFullError

    try:
        if settings.backend == "ray" and not ray_available():
            raise ValueError(BACKEND_MISSING)
        show(state, mgr.submit(me, settings.configs(strategies), backend=settings.backend))
    except (ValueError, QueueFullError, StoreError) as e:
        return str(e)
    return None


def sharpness_help() -> str:
    from warmup_core.training.sharpness import MAX_MEASUREMENTS, MIN_MEASUREMENTS

    return ("Power iteration with Hessian-vector products on a fixed batch, every k steps as asked, but at least "
            f"{MIN_MEASUREMENTS} and at most {MAX_MEASUREMENTS} times a run: the interval is chosen before the run "
            "starts and the run says so when it differs.")


BACKENDS = ("local", "ray")
BACKEND_MISSING = ("Ray is not installed on this server, so the runs can only train here: pip install ray==2.60.0 "
                   "(an optional extra), then restart the app.")


def ray_available() -> bool:
    """Whether Ray is installed in this server. Found, not imported (``import ray`` takes seconds): a
    broken install is refused at Start with ``import ray``'s message."""
    return importlib.util.find_spec("ray") is not None


def backend_label(name: str) -> str:
    if name == "local":
        return "this server"
    return "Ray (a task per run)" if ray_available() else "Ray: not installed"


def cancel(mgr, run_id: str, me: str, state) -> None:
    """A button callback: cancel, or leave the refusal for the page to show."""
    try:
        mgr.cancel(run_id, me)
    except (NotOwnerError, KeyError, StoreError) as e:
        state[K_NOTICE] = str(e)


def delete(mgr, run_ids, me: str, state) -> None:
    """A button callback: delete the runs (cancelled first); refusals are shown, the rest go."""
    refused = []
    for rid in run_ids:
        try:
            mgr.delete(rid, me)
        except (NotOwnerError, KeyError, StoreError) as e:
            refused.append(str(e))
    show(state, [r for r in state.get(K_SHOWN, []) if r not in run_ids or refused])
    if refused:
        state[K_NOTICE] = "; ".join(refused)


def open_run(store, state) -> None:
    """The run-id box's callback: show that run alone on the charts, and say so (or why not)."""
    text = str(state.get(K_OPEN) or "").strip()
    rid = text.lower()
    if not text:
        return
    if not _RUN_ID.fullmatch(rid) or store.run(rid) is None:
        state[K_OPENED] = (False, f"There is no run with id {text[:40]!r} (ids are 12 letters 0-9 a-f).", None)
        return
    show(state, [rid])
    state[K_OPENED] = (True, f"Run {rid} is on the charts above.", rid)


def opened_message(state, shown_ids) -> tuple[bool, str] | None:
    """What the run-id box said, while it is still true (the opened run still on the charts)."""
    said = state.get(K_OPENED)
    if not said or (said[0] and said[2] not in shown_ids):
        return None
    return said[0], said[1]


# --- what each run shows ---------------------------------------------------------------------------

def plain(text: str) -> str:
    """User text (a run name) safe inside Streamlit Markdown: shown literally, never as markup."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$])", r"\\\1", str(text))


def done_steps(run: dict) -> int:
    return 0 if run["status"] == "queued" else min(run["step"] + 1, run["steps"])


def eta_seconds(run: dict, wall: float | None) -> float | None:
    """Time left for a running run at its pace so far (``wall``: seconds at its last logged step)."""
    done = done_steps(run)
    if run["status"] != "running" or not wall or done < 2:
        return None
    return wall / done * (run["steps"] - done)


@dataclass(frozen=True)
class Progress:
    run_id: str
    fraction: float
    label: str  # Markdown with the user's text escaped
    live: bool
    mine: bool


def progress(run: dict, me: str, wall: float | None = None) -> Progress:
    done = done_steps(run)
    frac = 1.0 if run["status"] == "finished" else done / max(run["steps"], 1)
    label = f"**{plain(run['name'])}** — {run['status']} {done}/{run['steps']}"
    eta = eta_seconds(run, wall)
    if eta is not None:
        label += f" · about {eta:.0f} s left"
    if run["message"]:
        label += f": {plain(run['message'])}"
    return Progress(run["id"], min(max(frac, 0.0), 1.0), label, run["status"] in LIVE, run["owner"] == me)


def runs_table(runs: list[dict], me: str | None = None) -> pd.DataFrame:
    rows = [{"run": r["name"], "id": r["id"], "status": r["status"], "progress": f"{done_steps(r)}/{r['steps']}",
             "device": r["device"] or "", "note": r["message"] or ""} for r in runs]
    return pd.DataFrame(rows, columns=["run", "id", "status", "progress", "device", "note"])


def lines_drawn(series: list[tuple[str, pd.DataFrame]]) -> bool:
    """Whether a chart has a line yet: a run with two logged steps (one step draws only a marker)."""
    return any(len(frame) >= 2 for _, frame in series)


def refresh_seconds(render_seconds: float, drawn: bool = True) -> float:
    """How often the live charts redraw: every second until a line is drawn (:func:`lines_drawn`; every half
    second was slower: Chromium fell behind redrawing four charts), then every two
    seconds, slower when building the charts costs the server more, so that it takes at most an eighth
    of a core (training runs in a process of its own, but on the same cores). Not faster: each refresh
    makes the browser update four charts (in place, ui/live_charts.py: Chromium then uses about a third of
    one core during the demo), and on a laptop the browser shares the cores with training
    (bench/bench_browser_train.py)."""
    if not drawn:
        return 1.0
    return float(min(5.0, max(2.0, 8 * render_seconds)))


# --- live metrics, read incrementally -------------------------------------------------------------

class LiveMetrics:
    """Each shown run's metric rows, read from the store only past the last step already held
    (``Store.metrics(since_step)``), so a refresh costs the new rows, not the whole run."""

    def __init__(self):
        self._frames: dict[str, pd.DataFrame] = {}

    def update(self, store, runs: list[dict]) -> list[tuple[str, pd.DataFrame]]:
        out = []
        for r in runs:
            rid = r["id"]
            have = self._frames.get(rid)
            last = int(have["step"].iloc[-1]) if have is not None and len(have) else -1
            new = store.metrics(rid, since_step=last)
            if new or have is None:
                fresh = pd.DataFrame(new, columns=list(METRICS), dtype=float)
                have = fresh if have is None or not len(have) else pd.concat([have, fresh], ignore_index=True)
                self._frames[rid] = have
            out.append((r["name"], have))
        for gone in set(self._frames) - {r["id"] for r in runs}:
            del self._frames[gone]
        return out


def live_metrics(state) -> LiveMetrics:
    if K_CACHE not in state:
        state[K_CACHE] = LiveMetrics()
    return state[K_CACHE]


def last_wall(frame: pd.DataFrame) -> float | None:
    w = frame["wall"].dropna()
    return float(w.iloc[-1]) if len(w) else None


def metrics_csv(store, run_ids) -> bytes:
    parts = []
    for r in store.runs(ids=list(run_ids)):
        f = pd.DataFrame(store.metrics(r["id"]), columns=list(METRICS))
        f.insert(0, "run", r["name"])
        f.insert(1, "run_id", r["id"])
        parts.append(f)
    buf = io.StringIO()
    (pd.concat(parts) if parts else pd.DataFrame(columns=["run", "run_id", *METRICS])).to_csv(buf, index=False)
    return buf.getvalue().encode()


# --- charts ----------------------------------------------------------------------------------------

def ema(values, weight: float) -> np.ndarray:
    """TensorBoard's debiased exponential moving average; non-finite points pass through."""
    values = np.asarray(values, dtype=np.float64)
    out = np.full_like(values, np.nan)
    acc, n = 0.0, 0
    for i, v in enumerate(values):
        if not np.isfinite(v):
            out[i] = v
            continue
        acc = acc * weight + (1 - weight) * v
        n += 1
        out[i] = acc / (1 - weight**n) if weight > 0 else v
    return out


def thin(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS):
    """At most ``max_points`` points of a line, keeping its ends and the envelope of the rest."""
    if len(y) <= max_points:
        return x, y
    idx = downsample_indices(np.nan_to_num(y, nan=0.0, posinf=0.0, neginf=0.0), max_points=max_points)
    return x[idx], y[idx]


def waiting(fig: go.Figure, text="waiting for the first logged step…") -> go.Figure:
    """No empty −1…1 axes while a run starts: a note instead."""
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper",
                       font={"size": 14, "color": "#666"})
    return fig


def metric_figure(series: list[tuple[str, pd.DataFrame]], column: str, title: str, y_title: str, smoothing=0.0,
                  log_y=False, steps: int | None = None) -> go.Figure:
    """One line per run (at most MAX_POINTS points each); with smoothing, the raw curve faint behind.
    ``steps``: the runs' length, so the x axis spans the whole run from the first point (the lines
    race across a fixed axis) and a lone first point shows as a marker, not as empty axes.

    Redrawn every refresh while runs are live, so it is built in one go from plain trace dicts and a
    cached layout: Plotly's per-property updates cost 3x more, in the thread that serves the page."""
    traces = []
    for i, (name, frame) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        d = frame[["step", column]].dropna()
        if d.empty:
            continue
        x, y = d["step"].to_numpy(), d[column].to_numpy(dtype=np.float64)
        label = html.escape(name)  # Plotly reads a little HTML in names: show the user's text as text
        if smoothing > 0:
            tx, ty = thin(x, y)
            traces.append({"type": "scatter", "x": tx, "y": ty, "mode": "lines", "line": {"color": color, "width": 1},
                           "opacity": 0.3, "showlegend": False, "hoverinfo": "skip", "name": f"{label} (raw)"})
            y = ema(y, smoothing)
        x, y = thin(x, y)
        traces.append({"type": "scatter", "x": x, "y": y, "mode": "lines+markers" if len(x) <= 12 else "lines",
                       "name": label, "line": {"color": color, "width": 2}, "marker": {"size": 5},
                       "hovertemplate": "%{y:.4~g}<extra>" + label + "</extra>"})
    layout = _metric_layout(title, y_title, bool(log_y), int(steps or 0))
    return go.Figure(data=traces, layout=layout) if traces else waiting(go.Figure(layout=layout))


@functools.lru_cache(maxsize=64)
def _metric_layout(title: str, y_title: str, log_y: bool, steps: int) -> go.Layout:
    fig = style(go.Figure(), title, "step (optimizer updates)", y_title, log_y, height=370, legend_below=True)
    # the legend at the figure's foot, clear of the axis title (below the plot by paper fraction it met it)
    fig.update_layout(legend={"yref": "container", "y": 0.01, "yanchor": "bottom"},
                      margin={"l": 70, "r": 20, "t": 80, "b": 100})
    if steps:
        fig.update_xaxes(range=[0, max(steps - 1, 1)])
    return fig.layout  # read-only by convention: go.Figure(layout=...) copies it


def preview_figure(settings: Settings, strategies=None) -> go.Figure | None:
    """Before a start: the learning rate each chosen schedule will apply, over the run's steps (None
    when no schedule is chosen, or one cannot be made: Start then says why). Also what makes the browser
    load its chart library before the click, so the live charts draw without that wait."""
    steps = int(settings.steps)
    try:
        chosen = run_schedules(list(settings.schedules), settings.lr, steps, min(int(settings.warmup), steps),
                               settings.factor, strategies)
    except ValueError:
        return None
    if not chosen:
        return None
    x = np.arange(steps)
    traces = []
    for i, (name, schedule, _) in enumerate(chosen):
        tx, ty = thin(x, np.asarray(schedule(x), dtype=np.float64))
        label = html.escape(name)
        traces.append({"type": "scatter", "x": tx, "y": ty, "mode": "lines", "name": label,
                       "line": {"color": PALETTE[i % len(PALETTE)], "width": 2},
                       "hovertemplate": "%{y:.4~g}<extra>" + label + "</extra>"})
    return go.Figure(data=traces, layout=_metric_layout("The learning rates these runs will apply", "learning rate",
                                                        False, steps))


def run_length(runs: list[dict]) -> int:
    return max((int(r["steps"]) for r in runs), default=0)


def optimizer_is_adam(store, run_ids) -> bool:
    return any(c is not None and c.optimizer != "sgd" for c in (store.config(r) for r in run_ids))


SHARPNESS_NOTE = ("Training is stable only while the sharpness stays below its limit (dashed). Kalra & Barkeshli "
                  "(2024): during warmup the limit falls as η grows, and the network either reduces its sharpness to "
                  "stay below it (sharpness reduction) or sharpens towards it (progressive sharpening); warmup gives "
                  "it time to do so.")


def live_figures(series: list[tuple[str, pd.DataFrame]], smoothing: float, log_y: bool, steps: int, store,
                 run_ids) -> tuple[list[go.Figure], tuple[int, ...]]:
    """The live charts, in page order: training loss, held-out accuracy (held-out loss for a regression task),
    learning rate, gradient norm, and the sharpness across the row once a run measures it (its index in
    the second value)."""
    classify = any(f["eval_acc"].notna().any() for _, f in series)
    figures = [metric_figure(series, "loss", "Training loss", "loss", smoothing, log_y, steps),
               metric_figure(series, "eval_acc", "Held-out accuracy", "accuracy (fraction)", steps=steps) if classify
               else metric_figure(series, "eval_loss", "Held-out loss", "loss", 0.0, log_y, steps),
               metric_figure(series, "lr", "Learning rate the optimizer applied", "learning rate", steps=steps),
               metric_figure(series, "grad_norm", "Gradient norm", "‖g‖", smoothing, True, steps)]
    if not any(f["sharpness"].notna().any() for _, f in series):
        return figures, ()
    return [*figures, sharpness_figure(series, optimizer_is_adam(store, run_ids))], (len(figures),)


def sharpness_figure(series: list[tuple[str, pd.DataFrame]], adam: bool) -> go.Figure:
    """Sharpness against its stability limit (2(1+β)/η for SGD with momentum β; 38/η for Adam's
    pre-conditioned sharpness)."""
    fig = go.Figure()
    for i, (name, frame) in enumerate(series):
        d = frame[["step", "sharpness", "sharp_limit"]].dropna(subset=["sharpness"])
        if d.empty:
            continue
        color = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=d["step"], y=d["sharpness"], mode="lines+markers",
                                 name=f"λ_max, {html.escape(name)}", line={"color": color, "width": 2}))
        lim = d["sharp_limit"].where(np.isfinite(d["sharp_limit"]))
        fig.add_trace(go.Scatter(x=d["step"], y=lim, mode="lines", name=f"limit, {html.escape(name)}",
                                 line={"color": color, "width": 1.5, "dash": "dash"}))
    what = "pre-conditioned sharpness vs 38/η (Adam)" if adam else "sharpness vs 2(1+β)/η (SGD, momentum β)"
    style(fig, f"Sharpness: {what}", "step (optimizer updates)", "top Hessian eigenvalue", True, height=380)
    return fig


def range_test_figure(rt) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=rt.lrs, y=rt.raw, mode="lines", name="loss (raw)", opacity=0.3,
                             line={"color": PALETTE[0], "width": 1}))
    fig.add_trace(go.Scatter(x=rt.lrs, y=rt.losses, mode="lines", name="loss (smoothed)",
                             line={"color": PALETTE[0], "width": 2.5}))
    marks = [("valley (suggested target lr)", rt.valley, PALETTE[2]), ("steepest descent", rt.steepest, PALETTE[1]),
             ("loss turns up", rt.spike_lr, PALETTE[3]), ("2/λ₀ (SGD stability at init)", rt.eta_2_over_lambda,
                                                          PALETTE[4])]
    for label, lr, color in marks:
        if lr:
            y = float(np.interp(np.log(lr), np.log(rt.lrs), rt.losses)) if rt.lrs[0] <= lr <= rt.lrs[-1] else None
            fig.add_trace(go.Scatter(x=[lr], y=[y if y is not None else float(np.nanmin(rt.losses))], mode="markers",
                                     name=f"{label}: {lr:.3g}", marker={"size": 12, "color": color,
                                                                         "symbol": "diamond"}))
    style(fig, "Learning-rate range test", "learning rate (log scale)", "training loss", False, height=420)
    fig.update_xaxes(type="log")
    body = rt.losses[: max(len(rt.losses) - 5, 3)]  # like fastai's plot, leave the final blow-up off the scale
    lo, hi = float(np.nanmin(body)), float(np.nanmax(body))
    fig.update_yaxes(range=[lo - 0.1 * (hi - lo), hi + 0.3 * (hi - lo)])
    fig.update_layout(hovermode="closest")
    return fig


def map_grid(device_type: str) -> tuple[list[float], list[int]]:
    """Target lrs and warmup lengths of the map: a finer grid on a GPU."""
    if device_type == "cuda":
        return [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.2, 1.6, 2.0], [0, 10, 25, 50, 100, 150, 200, 300]
    return [0.05, 0.1, 0.2, 0.4, 0.6, 0.8], [0, 25, 50, 100, 200]


@st.cache_data(max_entries=8, show_spinner=False)
def sweep_map(lrs, warmups, device="cpu", seed=0):
    from warmup_core.training import sweep

    return sweep.run(list(lrs), list(warmups), steps=200, task="mlp", seed=seed, batched=True, device=device)


@st.cache_data(max_entries=8, show_spinner=False)
def range_test(task, optimizer, seed=0):
    from warmup_core.training.lr_range import lr_range_test

    return lr_range_test(task, optimizer=optimizer, seed=seed, start=1e-5, end=10.0, num_it=100)


def map_figure(res) -> go.Figure:
    from .figures import heatmap_figure

    return heatmap_figure(res.final_loss, res.warmups, [f"{v:g}" for v in res.lrs], "Final held-out loss",
                          "warmup steps", "target learning rate", diverged=res.diverged)


def sensitivity_figure(res) -> go.Figure:
    fig = go.Figure()
    for j, w in enumerate(res.warmups):
        y = np.where(np.isfinite(res.final_loss[:, j]), res.final_loss[:, j], np.nan)
        fig.add_trace(go.Scatter(x=res.lrs, y=y, mode="lines+markers", name=f"warmup {w}",
                                 line={"color": PALETTE[j % len(PALETTE)], "width": 2}))
    style(fig, "Sensitivity to the target learning rate", "target learning rate (log scale)",
           "final held-out loss (gaps: diverged)", True, height=420)
    fig.update_xaxes(type="log")
    fig.update_layout(hovermode="closest")
    return fig


def range_test_summary(rt, target: float) -> str:
    parts = [f"suggested target lr (valley): **{rt.valley:.3g}**" if rt.valley else "no valley found"]
    if rt.spike_lr:
        parts.append(f"the loss turns up at **{rt.spike_lr:.3g}**")
    if rt.eta_2_over_lambda:
        eta0 = rt.eta_2_over_lambda
        parts.append(f"2/λ₀ = **{eta0:.3g}**" + (f", a warmup factor of about {eta0 / target:.2g} for your target "
                                                  f"{target:g}" if eta0 < target else ""))
        parts.append("the sharpness usually changes in the first steps (track it above), so take 2/λ₀ as where a "
                     "warmup can start, not as a guarantee")
    return " · ".join(parts)
