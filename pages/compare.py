"""Compare strategies side by side, and one configuration as each library would run it."""

from functools import partial

import numpy as np
import streamlit as st

from ui import compare, presets, share, widgets
from ui.figures import Trace, difference_figure, mark_points, schedule_figure, small_multiples
from ui.router import ensure_router
from warmup_core import from_dict

ensure_router()

P = "compare"
KEY = f"{P}.strategies"

def seed_from_link(prefix, data):
    items = compare.validate_strategies(data.get("strategies"))  # raises before anything changes
    share.seed_state(prefix, {"view": data.get("view", {})})
    st.session_state[KEY] = items


if KEY not in st.session_state:
    st.session_state[KEY] = compare.default_strategies()
show = share.load_page_state(P, seed=seed_from_link, extra_controls=("strategies",))
if f"{P}.selected" not in st.session_state:
    st.session_state[f"{P}.selected"] = st.session_state[KEY][0]["name"]
    widgets.seed(f"{P}.edit", from_dict(st.session_state[KEY][0]["schedule"]))

strategies = st.session_state[KEY]
names = [s["name"] for s in strategies]


def select(name):
    st.session_state[f"{P}.selected"] = name
    widgets.seed(f"{P}.edit", from_dict(next(s for s in strategies if s["name"] == name)["schedule"]))


def on_pick():
    select(st.session_state[f"{P}.pick"])


def edit(action, *args):
    """Run a list edit from ui.compare; a refusal is shown next to the controls."""
    try:
        select(action(strategies, *args))
        st.session_state.pop(f"{P}.edit_error", None)
    except ValueError as e:
        st.session_state[f"{P}.edit_error"] = str(e)


def add_preset():
    label = st.session_state.get(f"{P}.add_preset")
    if label and label in presets.PRESETS:
        edit(compare.add, presets.preset(label).to_dict(), label.split(":")[0])
        st.session_state[f"{P}.add_preset"] = "—"


def rename():
    edit(compare.rename, st.session_state[f"{P}.selected"], st.session_state[f"{P}.new_name"])
    st.session_state[f"{P}.new_name"] = ""


st.title("Compare strategies")
tab_mine, tab_libs = st.tabs(["Your strategies", "Same settings, different libraries"])

with st.sidebar:
    if st.session_state[f"{P}.selected"] not in names:
        st.session_state[f"{P}.selected"] = names[0]
    st.session_state[f"{P}.pick"] = st.session_state[f"{P}.selected"]
    if show("strategies") or any(show(c) for c in widgets.CONTROLS):
        st.markdown("**Strategies**")
        st.selectbox("edit strategy", names, key=f"{P}.pick", on_change=on_pick)
    if show("strategies"):
        c1, c2 = st.columns(2)
        c1.button("Duplicate", on_click=lambda: edit(compare.duplicate, st.session_state[f"{P}.selected"]),
                  key=f"{P}.dup", width="stretch")
        c2.button("Delete", on_click=lambda: edit(compare.delete, st.session_state[f"{P}.selected"]),
                  key=f"{P}.del", disabled=len(strategies) <= 1, width="stretch")
        st.text_input("rename to", key=f"{P}.new_name", on_change=rename, placeholder="new name, then Enter")
        st.selectbox("add from a library", ["—"] + list(presets.PRESETS), key=f"{P}.add_preset",
                     on_change=add_preset)
        if st.session_state.get(f"{P}.edit_error"):
            st.error(st.session_state[f"{P}.edit_error"])
        st.divider()
    schedule, errors = widgets.schedule_controls(f"{P}.edit", visible=show)
    if schedule is not None:
        for s in strategies:
            if s["name"] == st.session_state[f"{P}.selected"]:
                s["schedule"] = schedule.to_dict()
    st.divider()
    view = share.view_controls(P, show)

share.save_page_state(P, view=view, extra={"strategies": strategies})

with tab_mine:
    mode = st.segmented_control("view", ["Overlay", "Small multiples", "Against a baseline"], default="Overlay",
                                key=f"{P}.mode") or "Overlay"
    kw = dict(log_y=view["log_y"], x_unit=view["x_unit"], steps_per_epoch=view["steps_per_epoch"])
    if mode == "Overlay":
        fig = schedule_figure(compare.traces(strategies), title="Learning rate of each strategy",
                              shade_warmup=False, **kw)
    elif mode == "Small multiples":
        fig = small_multiples(compare.traces(strategies), **kw)
    else:
        c1, c2 = st.columns(2)
        baseline = c1.selectbox("baseline", names, key=f"{P}.baseline")
        rel = c2.radio("as", ["ratio", "difference"], horizontal=True, key=f"{P}.rel")
        if len(strategies) < 2:
            st.info("Add a second strategy to compare it with the baseline.")
            st.stop()
        fig = difference_figure(compare.relative_traces(strategies, baseline, rel), baseline, rel,
                                view["x_unit"], view["steps_per_epoch"])
    st.plotly_chart(fig, key=f"{P}.chart", config={"displaylogo": False})
    st.markdown("**Key numbers**")
    st.dataframe(compare.summary_table(strategies), hide_index=True, key=f"{P}.table",
                 column_config={c: st.column_config.NumberColumn(format="%.4g") for c in
                                ("peak lr", "lr at step 0", "lr at end of warmup", "lr at last step", "mean lr",
                                 "area (lr·steps)")})
    c1, c2 = st.columns(2)
    c1.download_button("Download all curves (CSV)", partial(compare.curves_csv, [dict(s) for s in strategies]),
                       "strategies.csv", "text/csv", key=f"{P}.csv", on_click="ignore")
    c2.download_button("Download the strategies (JSON)", share.json_bytes(strategies), "strategies.json",
                       "application/json", key=f"{P}.json", on_click="ignore")
    with st.expander("Share this comparison"):
        share.share_box(P, widgets.CONTROLS + ("view", "strategies"), ("warmup_steps", "warmup_method"))

with tab_libs:
    st.markdown("The same words — *linear warmup of W steps, then cosine to a minimum over N steps* — passed to "
                "each library's parameters of that name. They do not produce the same curve: where the decay clock "
                "starts, what the step-0 lr is and what happens after N differ.")
    c1, c2, c3, c4 = st.columns(4)
    lr = c1.number_input("peak lr", 1e-6, 10.0, 0.1, format="%.3g", key=f"{P}.lib.lr")
    total = c2.number_input("N (training steps)", 10, 1_000_000, 1_000, key=f"{P}.lib.n")
    warm = c3.number_input("W (warmup steps)", 0, 1_000_000, 100, key=f"{P}.lib.w")
    min_lr = c4.number_input("minimum lr", 0.0, 10.0, 0.0, format="%.3g", key=f"{P}.lib.min")
    if warm >= total:
        st.error(f"W ({warm}) must be smaller than N ({total}).")
        st.stop()
    if min_lr >= lr:
        st.error(f"the minimum lr ({min_lr:g}) must be below the peak lr ({lr:g}).")
        st.stop()
    versions = compare.library_versions(lr, int(warm), int(total), min_lr)
    frame = compare.disagreements(versions, int(total))
    after = int(total * 1.2)
    lib_traces = []
    for label, (s, _) in versions.items():
        y = s(np.arange(after + 1, dtype=np.float64))
        idx = np.unique(np.concatenate([compare.reduce_indices(y, s.breakpoints(after)),
                                        [0, total - 1, int(np.argmax(y[:total]))]]))
        lib_traces.append(Trace(label, idx, y[idx]))
    fig = schedule_figure(lib_traces, title=f"Linear warmup {warm} + cosine {total}, as each library runs it",
                          log_y=view["log_y"], x_unit="steps", shade_warmup=False)
    fig.add_vline(x=total, line_dash="dot", line_color="#555", annotation_text="N (end of training)")
    mark_points(fig, lib_traces, [[0, int(p), after] for p in frame["peak step"]], "step 0 / peak / after N")
    st.plotly_chart(fig, key=f"{P}.libchart", config={"displaylogo": False})
    flagged = {c: compare.differs(frame, c) for c in frame.columns if c not in ("library", "call")}
    st.dataframe(frame.style.apply(lambda col: ["background-color: #FFE8CC" if v else "" for v in flagged[col.name]]
                                   if col.name in flagged else [""] * len(col)).format(
                     {c: "{:.4g}" for c in flagged if c != "peak step"}),
                 hide_index=True, key=f"{P}.libtable")
    st.caption("Shaded cells differ from the value most libraries give. Every curve is computed by warmup_core's "
               "compat layer, which is checked against the real libraries step by step.")
