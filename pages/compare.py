"""Compare strategies side by side, and one configuration as each library would run it."""

import streamlit as st

from ui import compare, share, widgets
from ui.compare_page import Editor
from ui.figures import difference_figure, mark_points, schedule_figure, small_multiples
from ui.router import ensure_router

ensure_router(reads_link=True)

P = "compare"
ed = Editor(P)
show = share.load_page_state(P, seed=ed.seed_from_link, extra_controls=("strategies",))

st.title("Compare strategies")
tab_mine, tab_libs = st.tabs(["Your strategies", "Same settings, different libraries"])

with st.sidebar:
    view = ed.sidebar(show)

strategies = ed.strategies()
share.save_page_state(P, view=view, extra={"strategies": [s.to_dict() for s in strategies]})

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
        baseline = c1.selectbox("baseline", ed.names(), key=f"{P}.baseline")
        rel = c2.radio("as", ["ratio", "difference"], horizontal=True, key=f"{P}.rel")
        if len(strategies) < 2:
            st.info("Add a second strategy to compare it with the baseline.")
            st.stop()
        fig = difference_figure(compare.relative_traces(strategies, baseline, rel), baseline, rel,
                                view["x_unit"], view["steps_per_epoch"])
    st.plotly_chart(fig, key=f"{P}.chart", config={"displaylogo": False})
    st.markdown("**Key numbers**")
    st.dataframe(compare.summary_table(strategies), hide_index=True, key=f"{P}.table",
                 column_config={c: st.column_config.NumberColumn(format="%.4g") for c in compare.NUMBER_COLUMNS})
    ed.downloads()
    with st.expander("Share this comparison"):
        share.share_box(P, widgets.CONTROLS + ("view", "strategies"), ("warmup_steps", "warmup_method"),
                        labels={"strategies": "the strategy list (duplicate, delete, rename, add)"})

with tab_libs:
    st.markdown("The same words — *linear warmup of W steps, then cosine to a minimum over N steps* — passed to "
                "each library's parameters of that name. They do not produce the same curve: where the decay clock "
                "starts, what the step-0 lr is and what happens after N differ.")
    lib = ed.library_inputs()
    if lib is None:
        st.stop()
    lr, warm, total, min_lr = lib
    versions = compare.library_versions(lr, warm, total, min_lr)
    frame = compare.disagreements(versions, total)
    lib_traces = compare.library_traces(versions, total)
    fig = schedule_figure(lib_traces, title=f"Linear warmup {warm:,} + cosine {total:,}, as each library runs it",
                          log_y=view["log_y"], x_unit="steps", shade_warmup=False)
    fig.add_vline(x=total, line_dash="dot", line_color="#555", annotation_text="N (end of training)")
    mark_points(fig, lib_traces, [[0, int(p), int(total * 1.2)] for p in frame["peak step"]], "step 0 / peak / after N")
    st.plotly_chart(fig, key=f"{P}.libchart", config={"displaylogo": False})
    st.dataframe(compare.styled_disagreements(frame), hide_index=True, key=f"{P}.libtable")
    st.caption("Shaded cells differ from the value most libraries give. Every curve is computed by warmup_core's "
               "compat layer, which is checked against the real libraries step by step.")
