"""Explore one schedule: controls from the registry, the curve, its formula and key numbers."""

import streamlit as st

from ui import explore, picker, share
from ui.router import ensure_router

ensure_router(reads_link=True)

P = "explore"
show = share.load_page_state(P)

st.title("Explore a schedule")
st.caption("Pick a warmup and a decay, or start from a library's schedule. Every change redraws the exact curve.")

chart = st.container()
schedule, view = explore.sidebar(P, show, main=st.container())
if schedule is None:
    chart.info("Fix the highlighted setting to see the curve.")
    st.stop()

share.save_page_state(P, schedule, view)
chart.plotly_chart(explore.figure(schedule, view, picker.current(P)), key=f"{P}.chart", config={"displaylogo": False})
explore.summary_metrics(explore.summary(schedule))

tab_formula, tab_export, tab_share = st.tabs(["Formula", "Download & code", "Share"])
with tab_formula:
    explore.formula_block(schedule)
with tab_export:
    explore.downloads(schedule, view["steps_per_epoch"], P)
    share.code_export(schedule, P)
with tab_share:
    share.share_box(P)
