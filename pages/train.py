"""Train: short jobs under several schedules, side by side, live."""

from functools import partial

import streamlit as st

from ui import train as T
from ui.router import ensure_router
from warmup_core.training import OPTIMIZERS, TASKS, RunConfig
from warmup_core.training.device import describe, pick_device
from warmup_core.training.jobs import QueueFullError

ensure_router()

P = "train"
mgr = T.manager()
me = T.owner()
DEMO = {"task": "charlm", "optimizer": "adam", "lr": 3e-2, "steps": 300, "batch": 32, "seed": 0, "warmup": 100,
        "factor": 0.1, "schedules": ["no warmup", "linear warmup", "constant warmup"]}


def set_demo():
    for k, v in DEMO.items():
        st.session_state[f"{P}.{k}"] = v
    st.session_state[f"{P}.start_demo"] = True


def on_task():
    t = TASKS[st.session_state[f"{P}.task"]]
    st.session_state[f"{P}.optimizer"], st.session_state[f"{P}.lr"] = t.optimizer, min(
        T.LR_CHOICES, key=lambda v: abs(v - t.lr))
    st.session_state[f"{P}.batch"], st.session_state[f"{P}.steps"] = t.batch_size, t.steps


for k, v in {"task": "mlp", "optimizer": "sgd", "lr": 0.05, "steps": 300, "batch": 64, "seed": 0, "warmup": 100,
             "factor": 0.1, "schedules": ["no warmup", "linear warmup", "constant warmup"]}.items():
    st.session_state.setdefault(f"{P}.{k}", v)

st.title("Train with different warmups")
try:
    device = pick_device("auto")
except ValueError as e:
    st.error(str(e))
    st.stop()
st.caption(f"Runs on **{describe(device)}**. Every schedule starts from the same initial weights and sees the "
           "same batches in the same order (one seed), so the curves differ only by the schedule.")

with st.sidebar:
    st.button("▶ Teaching demo: warmup vs none", on_click=set_demo, key=f"{P}.demo", type="primary",
              help=f"{TASKS['charlm'].title}, Adam at lr 0.03: three schedules, about 20 s on a laptop CPU.")
    st.selectbox("task", list(TASKS), key=f"{P}.task", format_func=lambda n: TASKS[n].title, on_change=on_task,
                 help=" · ".join(f"**{t.title}**: {t.description}" for t in TASKS.values()))
    st.selectbox("optimizer", list(OPTIMIZERS), key=f"{P}.optimizer",
                 help="GI-Adam initialises Adam's second moment from the first gradient.")
    st.select_slider("target learning rate", T.LR_CHOICES, key=f"{P}.lr", format_func=lambda v: f"{v:g}")
    c1, c2 = st.columns(2)
    c1.number_input("steps", 10, 20_000, key=f"{P}.steps", step=50)
    c2.number_input("batch size", 1, 4096, key=f"{P}.batch")
    st.number_input("seed", 0, 2**31 - 1, key=f"{P}.seed")
    strategies = st.session_state.get("compare.strategies", [])
    options = ["no warmup", "linear warmup", "constant warmup", "untuned linear (Adam β₂)"] + \
        [f"Compare: {s['name']}" for s in strategies]
    st.multiselect("schedules to compare", options, key=f"{P}.schedules",
                   help="Strategies from the Compare page run at this target lr and length.")
    st.slider("warmup steps (linear / constant)", 0, 5_000, key=f"{P}.warmup", step=10)
    st.slider("constant warmup factor", 0.01, 1.0, key=f"{P}.factor", step=0.01)
    start = st.button("Start", key=f"{P}.start", type="secondary", width="stretch")

ss = st.session_state
if start or ss.pop(f"{P}.start_demo", False):
    task = TASKS[ss[f"{P}.task"]]
    chosen = T.run_schedules(ss[f"{P}.schedules"], ss[f"{P}.lr"], int(ss[f"{P}.steps"]),
                             min(int(ss[f"{P}.warmup"]), int(ss[f"{P}.steps"])), ss[f"{P}.factor"], strategies)
    if not chosen:
        st.error("Pick at least one schedule to run.")
    else:
        try:
            configs = [RunConfig(task=task.name, schedule=s.to_dict(), optimizer=ss[f"{P}.optimizer"],
                                 steps=int(ss[f"{P}.steps"]), batch_size=int(ss[f"{P}.batch"]),
                                 seed=int(ss[f"{P}.seed"]), name=name) for name, s in chosen]
            ids = mgr.submit(me, configs)
            ss[f"{P}.shown"] = ids
        except (ValueError, QueueFullError) as e:
            st.error(str(e))

mine = mgr.store.runs(owner=me)
if "train.shown" not in ss and mine:
    last_group = mine[-1]["group_id"]
    ss[f"{P}.shown"] = [r["id"] for r in mine if r["group_id"] == last_group]
shown = ss.get(f"{P}.shown", [])
active = any(r["status"] in ("queued", "running") for r in mine if r["id"] in shown)

if not shown:
    st.info("Choose a task and schedules in the sidebar and press **Start**, or run the **teaching demo**: at a "
            "deliberately large learning rate, a transformer trained without warmup gets stuck while the same "
            "model with warmup learns.")
else:
    c1, c2 = st.columns([3, 1])
    smoothing = c1.slider("smoothing", 0.0, 0.99, 0.6, 0.01, key=f"{P}.smooth",
                          help="TensorBoard-style debiased moving average; the raw curve stays faint behind.")
    log_y = c2.toggle("log-scale loss", key=f"{P}.logy")

    @st.fragment(run_every=0.5 if active else None)
    def live():
        runs = {r["id"]: r for r in mgr.store.runs(owner=None) if r["id"] in shown}
        for rid in shown:
            r = runs.get(rid)
            if r is None:
                continue
            frac = 0.0 if r["status"] == "queued" else min(1.0, (r["step"] + 1) / r["steps"])
            label = f"**{r['name']}** — {r['status']}" + (f": {r['message']}" if r["message"] else "")
            cols = st.columns([5, 1])
            cols[0].progress(frac, text=label)
            if r["status"] in ("queued", "running"):
                cols[1].button("Cancel", key=f"{P}.cancel.{rid}", on_click=mgr.cancel, args=(rid,))
        series = T.frames(mgr, shown)
        g1, g2 = st.columns(2)
        g1.plotly_chart(T.metric_figure(series, "loss", "Training loss", "loss", smoothing, log_y),
                        key=f"{P}.loss")
        if not any(f["eval_acc"].notna().any() for _, f in series):  # a regression task: no accuracy
            g2.plotly_chart(T.metric_figure(series, "eval_loss", "Held-out loss", "loss", 0.0, log_y), key=f"{P}.ev")
        else:
            g2.plotly_chart(T.metric_figure(series, "eval_acc", "Held-out accuracy", "accuracy (fraction)"),
                            key=f"{P}.acc")
        g3, g4 = st.columns(2)
        g3.plotly_chart(T.metric_figure(series, "lr", "Learning rate the optimizer applied", "learning rate"),
                        key=f"{P}.lr_fig")
        g4.plotly_chart(T.metric_figure(series, "grad_norm", "Gradient norm", "‖g‖", smoothing, True),
                        key=f"{P}.gn")
        still = any(r["status"] in ("queued", "running") for r in runs.values())
        if active and not still:
            st.rerun()  # everything ended: stop polling, refresh the table

    live()
    if not active and any(mgr.store.run(r) and mgr.store.run(r)["name"] == "no warmup" for r in shown) and \
            ss.get(f"{P}.task") == "charlm":
        st.caption("What you see: without warmup, the first large Adam updates push the Post-LN transformer into a "
                   "region it does not leave within the run (its loss stalls near that of predicting letter "
                   "frequencies); with warmup the same model at the same target rate keeps learning.")

st.subheader("Your runs")
if mine:
    table = T.runs_table(mine)
    st.dataframe(table, hide_index=True, key=f"{P}.table")
    c1, c2, c3 = st.columns([3, 1, 1])
    pick = c1.multiselect("show runs", [r["id"] for r in mine], default=[r for r in shown if r in table["id"].values],
                          format_func=lambda rid: next(f"{r['name']} ({rid})" for r in mine if r["id"] == rid),
                          key=f"{P}.pick")
    if c2.button("Show", key=f"{P}.show"):
        ss[f"{P}.shown"] = pick
        st.rerun()
    if c3.button("Delete", key=f"{P}.delete", disabled=not pick,
                 help="Delete the selected runs (running ones are cancelled first)."):
        for rid in pick:
            mgr.cancel(rid)
            mgr.store.delete(rid)
        ss[f"{P}.shown"] = [r for r in shown if r not in pick]
        st.rerun()
    st.download_button("Download the shown runs' metrics (CSV)", partial(T.metrics_csv, mgr, list(shown)),
                       "runs.csv", "text/csv", key=f"{P}.csv", on_click="ignore", disabled=not shown)
else:
    st.caption("No runs yet in this browser session. Runs are kept in a local database, so a refresh loses nothing.")
with st.expander("Open a run by id"):
    rid = st.text_input("run id", key=f"{P}.open", placeholder="e.g. 3f2a9c1b7d0e")
    if rid:
        if mgr.store.run(rid.strip()):
            ss[f"{P}.shown"] = list(dict.fromkeys([*shown, rid.strip()]))
            st.success("Added to the charts above.")
        else:
            st.error(f"There is no run with id {rid.strip()!r}.")
