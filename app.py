"""Warmup Lab: explore, compare and learn learning-rate warmup schedules.

    streamlit run app.py
"""

import streamlit as st

st.set_page_config(page_title="Warmup Lab", page_icon=":material/show_chart:", layout="wide")

PAGES = [
    st.Page("pages/explore.py", title="Explore", icon=":material/tune:", default=True),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/learn.py", title="Learn", icon=":material/school:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/predict.py", title="Predict", icon=":material/query_stats:"),
]

st.navigation(PAGES).run()
