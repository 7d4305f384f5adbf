"""Train: short jobs under several schedules, side by side, live."""

from functools import partial

import streamlit as st

from ui import train as T
from ui.router import ensure_router
from warmup_core.training import OPTIMIZERS, TASKS
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
             "factor": 0.1, "schedules": ["no warmup", "linear warmup", "constant warmup"], "sharp": False,
             "sharp_every": 10}.items():
    st.session_state.setdefault(f"{P}.{k}", v)
preset = st.session_state.pop(f"{P}.preset", None)  # sent by a "run it yourself" button on the Learn page
if preset:
    for k, v in preset.items():
        st.session_state[f"{P}.{k}"] = v

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
    options = T.SCHEDULE_CHOICES + [f"Compare: {s['name']}" for s in strategies]
    st.multiselect("schedules to compare", options, key=f"{P}.schedules",
                   help="Strategies from the Compare page run at this target lr and length.")
    st.slider("warmup steps (linear / constant)", 0, 5_000, key=f"{P}.warmup", step=10)
    st.slider("constant warmup factor", 0.01, 1.0, key=f"{P}.factor", step=0.01)
    st.toggle("track sharpness (top Hessian eigenvalue)", key=f"{P}.sharp",
              help="Power iteration with Hessian-vector products on a fixed batch. On the CPU it is measured less "
                   "often when it would more than double the run time.")
    if st.session_state[f"{P}.sharp"]:
        st.number_input("measure every k steps", 1, 10_000, key=f"{P}.sharp_every")
    start = st.button("Start", key=f"{P}.start", type="secondary", width="stretch")

ss = st.session_state
if start or ss.pop(f"{P}.start_demo", False):
    try:
        settings = {k: ss[f"{P}.{k}"] for k in T.SETTINGS}
        ss[f"{P}.shown"] = mgr.submit(me, T.make_configs(settings, strategies))
    except (ValueError, QueueFullError) as e:
        st.error(str(e))

mine = mgr.store.runs(owner=me)
if f"{P}.shown" not in ss and mine:
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
        if any(f["sharpness"].notna().any() for _, f in series):
            adam = any(mgr.store.config(rid).get("optimizer", "sgd") != "sgd" for rid in shown)
            st.plotly_chart(T.sharpness_figure(series, adam), key=f"{P}.sharpfig")
            st.caption("Training is stable only while the sharpness stays below its limit (dashed). Kalra & "
                       "Barkeshli (2024): during warmup the limit falls as η grows, and the network either reduces "
                       "its sharpness to stay below it (sharpness reduction) or sharpens towards it "
                       "(progressive sharpening); warmup gives it time to do so.")
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

st.divider()
st.header("The learning-rate × warmup map")
st.markdown("Train the teacher-student MLP on a grid of target learning rates and warmup lengths (SGD with "
            "momentum, 200 steps, cosine decay; the same weights and batches everywhere). Kalra & Barkeshli (2024): "
            "longer warmups keep larger target rates trainable. The whole grid trains at once as one vectorised "
            "ensemble (`torch.func.vmap`), on the GPU when there is one.")
big = device.type == "cuda"
lr_grid = [0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.2, 1.6, 2.0] if big else [0.05, 0.1, 0.2, 0.4, 0.6, 0.8]
w_grid = [0, 10, 25, 50, 100, 150, 200, 300] if big else [0, 25, 50, 100, 200]
if st.button("Compute the map", key=f"{P}.map_go") or ss.pop(f"{P}.map_now", False):
    with st.spinner(f"training {len(lr_grid) * len(w_grid)} small networks at once…"):
        ss[f"{P}.map"] = T.sweep_map(lr_grid, w_grid, str(device), int(ss[f"{P}.seed"]))
if f"{P}.map" in ss:
    res = ss[f"{P}.map"]
    c1, c2 = st.columns(2)
    c1.plotly_chart(T.map_figure(res), key=f"{P}.mapfig")
    c2.plotly_chart(T.sensitivity_figure(res), key=f"{P}.sensfig")
    st.caption(f"{res.final_loss.size} runs in {res.seconds:.1f} s. ✕ marks runs that diverged (loss NaN/inf or "
               "20× its start).")

st.header("Choose the learning rate: a range test")
st.markdown("Raise the learning rate geometrically over 100 updates and watch the loss (fastai's `lr_find`). "
            "The *valley* is a good target learning rate; where the loss turns up, training starts to overshoot, "
            "and for SGD `2/λ₀` (the sharpness at initialisation) is where plain gradient descent stops being "
            "stable. A warmup can start near that point rather than at 0 (Kalra & Barkeshli 2024).")
if st.button(f"Run the range test on {TASKS[ss[f'{P}.task']].title}", key=f"{P}.rt_go"):
    with st.spinner("probing…"):
        ss[f"{P}.rt"] = T.range_test(ss[f"{P}.task"], ss[f"{P}.optimizer"], int(ss[f"{P}.seed"]))
if f"{P}.rt" in ss:
    rt = ss[f"{P}.rt"]
    st.plotly_chart(T.range_test_figure(rt), key=f"{P}.rtfig")
    parts = [f"suggested target lr (valley): **{rt.valley:.3g}**" if rt.valley else "no valley found"]
    if rt.spike_lr:
        parts.append(f"the loss turns up at **{rt.spike_lr:.3g}**")
    if rt.eta_2_over_lambda:
        eta0, target = rt.eta_2_over_lambda, ss[f"{P}.lr"]
        parts.append(f"2/λ₀ = **{eta0:.3g}**" + (f", a warmup factor of about {eta0 / target:.2g} for your target "
                                                  f"{target:g}" if eta0 < target else ""))
        parts.append("the sharpness usually changes in the first steps (track it above), so take 2/λ₀ as where a "
                     "warmup can start, not as a guarantee")
    st.markdown(" · ".join(parts))
