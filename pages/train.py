"""Train: short jobs under several schedules, side by side, live."""

import time
from functools import partial

import streamlit as st

from ui import compare
from ui import train as T
from ui.router import ensure_router
from warmup_core.training import OPTIMIZERS, TASKS
from warmup_core.training.device import describe, pick_device
from warmup_core.training.store import StoreError

ensure_router()

ss = st.session_state
key = T.Settings.key
T.init_state(ss)

st.title("Train with different warmups")
try:
    device = pick_device("auto")
    mgr = T.manager()
except (ValueError, StoreError) as e:
    st.error(str(e))
    st.caption("The other pages (Explore, Compare, Learn) work without the run database.")
    st.stop()
me = T.owner(ss, st.query_params, st.context.cookies)
cookie = st.empty()  # a slot on every run: the elements below keep their places (a chart moved is drawn anew)
if not ss.get(T.K_COOKIE):
    cookie.html(T.cookie_script(me), unsafe_allow_javascript=True)
    ss[T.K_COOKIE] = True
st.caption(f"Runs on **{describe(device, mgr.threads)}**. Every schedule starts from the same initial weights and "
           "sees the same batches in the same order (one seed), so the curves differ only by the schedule. Runs are "
           "kept in a database and this page's address holds your key, so a refresh, a closed tab or a restarted "
           "server loses nothing.")
st.button("▶ Teaching demo: warmup vs none", on_click=T.set_demo, args=(ss,), key=T.K_DEMO, type="primary",
          help=f"{TASKS[T.DEMO.task].title}, Adam at lr {T.DEMO.lr:g}: three schedules of {T.DEMO.steps} steps, "
               "training together; the progress bars show the time left.")

with st.sidebar:
    st.selectbox("task", list(TASKS), key=key("task"), format_func=lambda n: TASKS[n].title, on_change=T.on_task,
                 args=(ss,), help=" · ".join(f"**{t.title}**: {t.description}" for t in TASKS.values()))
    st.selectbox("optimizer", list(OPTIMIZERS), key=key("optimizer"),
                 help="GI-Adam initialises Adam's second moment from the first gradient.")
    st.select_slider("target learning rate", T.LR_CHOICES, key=key("lr"), format_func=lambda v: f"{v:g}")
    c1, c2 = st.columns(2)
    c1.number_input("steps", 10, 20_000, key=key("steps"), step=50)
    c2.number_input("batch size", 1, 4096, key=key("batch"))
    st.number_input("seed", 0, 2**31 - 1, key=key("seed"))
    strategies = compare.session_strategies(ss) or ()
    st.multiselect("schedules to compare", T.schedule_choices(strategies), key=key("schedules"),
                   help="Strategies from the Compare page run at this target lr and length (one built from "
                        "parts, e.g. an imported config, keeps its parts' own step counts).")
    st.slider("warmup steps (linear / constant)", 0, 5_000, key=key("warmup"), step=10)
    st.slider("constant warmup factor", 0.01, 1.0, key=key("factor"), step=0.01)
    st.toggle("track sharpness (top Hessian eigenvalue)", key=key("sharp"),
              help=T.sharpness_help())
    if ss[key("sharp")]:
        st.number_input("measure every k steps", 1, 10_000, key=key("sharp_every"))
    st.radio("train on", T.BACKENDS, key=key("backend"), format_func=T.backend_label, horizontal=True,
             help="Ray runs each schedule as a Ray task on a local Ray (started by the first such run), writing "
                  "to the same database: same seeds, same numbers. Its runs are tasks of their own, not trained "
                  "in lock step." if T.ray_available() else T.BACKEND_MISSING)
    if ss[key("backend")] == "ray" and not T.ray_available():
        st.caption(T.BACKEND_MISSING)
    start = st.button("Start", key=T.K_START, type="secondary", width="stretch")

if start or ss.pop(T.K_START_NOW, False):
    if error := T.start(mgr, me, T.Settings.from_state(ss), strategies, ss):
        st.error(error)
if notice := ss.pop(T.K_NOTICE, None):
    st.error(notice)

T.show_shared(ss, st.query_params)
mine = mgr.store.runs(owner=me)
shown = T.shown(ss, mine)
active = T.any_live(mgr.store.runs(ids=shown))

head = st.container()  # what to do before a start; the charts' controls once runs are shown
if not shown:
    head.info("Choose a task and schedules in the sidebar and press **Start**, or run the **teaching demo**: at a "
              "deliberately large learning rate, a transformer trained without warmup gets stuck while the same "
              "model with warmup learns.")
    smoothing, log_y = 0.0, False
else:
    c1, c2 = head.columns([3, 1])
    smoothing = c1.slider("smoothing", 0.0, 0.99, 0.6, 0.01, key=f"{T.P}.smooth",
                          help="TensorBoard-style debiased moving average; the raw curve stays faint behind.")
    log_y = c2.toggle("log-scale loss", key=f"{T.P}.logy")
drawn = ss.get(T.K_DRAWN, False)


@st.fragment(run_every=T.refresh_seconds(ss.get(T.K_RENDER, 0.0), drawn) if active else None)
def live():
    """The progress rows and the charts. Before a start the same charts element shows the schedules the runs
    will apply: a click on Start or the demo then draws into charts already loaded, in place."""
    t0 = time.perf_counter()
    rows = st.container()  # above the charts, so that the charts keep their place in the page
    if not shown:
        if (preview := T.preview_figure(T.Settings.from_state(ss), strategies)) is not None:
            T.live_charts([preview], key=f"{T.P}.charts", wide=(0,), kind="preview")
        return
    runs = mgr.store.runs(ids=shown)
    series = T.live_metrics(ss).update(mgr.store, runs)
    ss[T.K_DRAWN] = T.lines_drawn(series)
    for r, (_, frame) in zip(runs, series):
        row = T.progress(r, me, T.last_wall(frame))
        cols = rows.columns([5, 1])
        cols[0].progress(row.fraction, text=row.label)
        if row.live:
            cols[1].button("Cancel", key=f"{T.P}.cancel.{r['id']}", on_click=T.cancel,
                           args=(mgr, r["id"], me, ss), disabled=not row.mine,
                           help=None if row.mine else "Only the browser that started this run can cancel it.")
        elif not row.mine:
            cols[1].caption("view only")
    figures, wide = T.live_figures(series, smoothing, log_y, T.run_length(runs), mgr.store, shown)
    T.live_charts(figures, key=f"{T.P}.charts", wide=wide)
    if wide:
        st.caption(T.SHARPNESS_NOTE)
    ss[T.K_RENDER] = time.perf_counter() - t0
    if active and (not T.any_live(runs) or ss[T.K_DRAWN] != drawn):
        st.rerun()  # everything ended: stop polling, refresh the table; or the first line: a slower pace


live()
if shown:
    c1, c2 = st.columns([1, 2])
    c1.download_button("Download these runs' metrics (CSV)", partial(T.metrics_csv, mgr.store, shown), "runs.csv",
                       "text/csv", key=f"{T.P}.csv", on_click="ignore")
    with c2.popover("Share these results (read-only link)"):
        st.code(T.share_link(st.context.url, shown), language=None)
        st.caption("Anyone with this link sees these runs' charts and can download them; only you can cancel "
                   "or delete them. Your own address holds your key: share this link instead.")
    if T.demo_result_shown(mgr.store.runs(ids=shown), ss[key("task")]):
        st.caption("What you see: without warmup, the first large Adam updates push the Post-LN transformer into a "
                   "region it does not leave within the run (its loss stalls near that of predicting letter "
                   "frequencies); with a linear warmup the same model at the same target rate keeps learning. The "
                   "constant warmup usually lands in between (on 7 of seeds 0–9): its sudden jump to the full rate "
                   "undoes part of what the small rate gained (why Goyal et al. raise the rate gradually); on the "
                   "other seeds it ends no better than no warmup.")

st.subheader("Your runs")
if mine:
    st.dataframe(T.runs_table(mine), hide_index=True, key=f"{T.P}.table")
    c1, c2, c3 = st.columns([3, 1, 1])
    names = {r["id"]: f"{r['name']} ({r['id']})" for r in mine}
    pick = c1.multiselect("runs", list(names), default=[r for r in shown if r in names], format_func=names.get,
                          key=f"{T.P}.pick")
    c2.button("Show", key=f"{T.P}.show", on_click=T.show, args=(ss, pick), disabled=not pick)
    c3.button("Delete", key=f"{T.P}.delete", on_click=T.delete, args=(mgr, pick, me, ss), disabled=not pick,
              help="Delete the selected runs (running ones are cancelled first).")
else:
    st.caption("No runs yet from this browser. They are kept in a local database under your key (in this page's "
               "address), so a refresh loses nothing.")
with st.expander("Open a run by id"):
    st.text_input("run id", key=T.K_OPEN, placeholder="e.g. 3f2a9c1b7d0e", max_chars=40, on_change=T.open_run,
                  args=(mgr.store, ss))
    if opened := T.opened_message(ss, shown):
        (st.success if opened[0] else st.error)(opened[1])

st.divider()
st.header("The learning-rate × warmup map")
st.markdown("Train the teacher-student MLP on a grid of target learning rates and warmup lengths (SGD with "
            "momentum, 200 steps, cosine decay; the same weights and batches everywhere). Kalra & Barkeshli (2024): "
            "longer warmups keep larger target rates trainable. The whole grid trains at once as one vectorised "
            "ensemble (`torch.func.vmap`), on the GPU when there is one.")
lr_grid, w_grid = T.map_grid(device.type)
if st.button("Compute the map", key=f"{T.P}.map_go") or ss.pop(f"{T.P}.map_now", False):
    with st.spinner(f"training {len(lr_grid) * len(w_grid)} small networks at once…"):
        ss[f"{T.P}.map"] = T.sweep_map(lr_grid, w_grid, str(device), int(ss[key("seed")]))
if f"{T.P}.map" in ss:
    res = ss[f"{T.P}.map"]
    c1, c2 = st.columns(2)
    c1.plotly_chart(T.map_figure(res), key=f"{T.P}.mapfig")
    c2.plotly_chart(T.sensitivity_figure(res), key=f"{T.P}.sensfig")
    st.caption(f"{res.final_loss.size} runs in {res.seconds:.1f} s. ✕ marks runs that diverged (loss NaN/inf or "
               "20× its start).")

st.header("Choose the learning rate: a range test")
st.markdown("Raise the learning rate geometrically over 100 updates and watch the loss (fastai's `lr_find`). "
            "The *valley* is a good target learning rate; where the loss turns up, training starts to overshoot, "
            "and for SGD `2/λ₀` (the sharpness at initialisation) is where plain gradient descent stops being "
            "stable. A warmup can start near that point rather than at 0 (Kalra & Barkeshli 2024).")
if st.button(f"Run the range test on {TASKS[ss[key('task')]].title}", key=f"{T.P}.rt_go"):
    with st.spinner("probing…"):
        ss[f"{T.P}.rt"] = T.range_test(ss[key("task")], ss[key("optimizer")], int(ss[key("seed")]))
if f"{T.P}.rt" in ss:
    rt = ss[f"{T.P}.rt"]
    st.plotly_chart(T.range_test_figure(rt), key=f"{T.P}.rtfig")
    st.markdown(T.range_test_summary(rt, ss[key("lr")]))
