"""Compare strategies side by side, and one configuration as each library would run it."""

import streamlit as st

from ui import compare, share, widgets
from ui.compare_page import Editor
from ui.router import ensure_router

ensure_router(reads_link=True)

P = "compare"
ed = Editor(P)
show = share.load_page_state(P, seed=ed.seed_from_link, extra_controls=("strategies",))

st.title("Compare strategies")
tab_mine, tab_libs = st.tabs(["Your strategies", "Same settings, different libraries"])
with tab_mine:
    mode = st.segmented_control("view", compare.MODES, default=compare.MODES[0], key=f"{P}.mode") or compare.MODES[0]
    chart, main = st.container(), st.container()

view = ed.sidebar(show, main)
share.save_page_state(P, view=view, extra={"strategies": [s.to_dict() for s in ed.strategies()]})

with tab_mine:
    with chart:
        ed.chart(mode, view)
    st.markdown("**Key numbers**")
    st.dataframe(compare.summary_table(ed.strategies()), hide_index=True, key=f"{P}.table",
                 column_config={c: st.column_config.NumberColumn(format="%.4g") for c in compare.NUMBER_COLUMNS})
    ed.downloads()
    with st.expander("Share this comparison"):
        share.share_box(P, widgets.CONTROLS + ("view", "strategies"), ("warmup_steps", "warmup_method"),
                        labels={"strategies": "the strategy list (duplicate, delete, rename, add)"})

with tab_libs:
    st.markdown("The same words — *linear warmup of W steps, then cosine to a minimum over N steps* — passed to "
                "each library's parameters of that name. They do not produce the same curve: where the decay clock "
                "starts, what the step-0 lr is and what happens after N differ.")
    ed.libraries(view)
    st.caption("Shaded cells differ from the value most libraries give. Every curve is computed by warmup_core's "
               "compat layer, which is checked against the real libraries step by step.")
