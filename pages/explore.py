"""Explore one schedule: controls from the registry, the curve, its formula and key numbers."""

from functools import partial

import streamlit as st

from ui import presets, share, widgets
from ui.explore import curve_trace, formula_block, full_curve_csv, full_curve_json, summary_metrics
from ui.figures import schedule_figure
from ui.router import ensure_router

ensure_router()

P = "explore"
show = share.load_page_state(P)

st.title("Explore a schedule")
st.caption("Pick a warmup and a decay, or start from a library's schedule. Every change redraws the exact curve.")

with st.sidebar:
    if show("library"):
        st.selectbox("start from a library", ["—"] + list(presets.PRESETS), key=f"{P}.preset",
                     on_change=share.apply_preset, args=(P,),
                     help="Fills the controls with what that library or paper runs.")
    schedule, errors = widgets.schedule_controls(P, visible=show)
    view = share.view_controls(P, show)

if schedule is None:
    st.info("Fix the highlighted setting in the sidebar to see the curve.")
    st.stop()

share.save_page_state(P, schedule, view)
n = schedule.total_steps
trace, summary = curve_trace(schedule, n, "learning rate")
fig = schedule_figure([trace], title=f"{schedule.warmup.entry.title} warmup → {schedule.decay.entry.title} decay "
                      f"({schedule.convention})", log_y=view["log_y"], x_unit=view["x_unit"],
                      steps_per_epoch=view["steps_per_epoch"])
st.plotly_chart(fig, key=f"{P}.chart", config={"displaylogo": False})
summary_metrics(summary)

tab_formula, tab_export, tab_share = st.tabs(["Formula", "Download & code", "Share"])
with tab_formula:
    formula_block(schedule)
with tab_export:
    c1, c2 = st.columns(2)
    # the files are built only when a button is clicked: a 10M-step curve is hundreds of MB as text
    c1.download_button("Download the full curve (CSV)", partial(full_curve_csv, schedule, n, view["steps_per_epoch"]),
                       "schedule.csv", "text/csv", key=f"{P}.csv", on_click="ignore")
    c2.download_button("Download the full curve (JSON)", partial(full_curve_json, schedule, n), "schedule.json",
                       "application/json", key=f"{P}.json", on_click="ignore")
    share.code_export(schedule, P)
with tab_share:
    share.share_box(P)
