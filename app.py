"""The binary-classification playground: `streamlit run app.py`. Routes only; pages do the work."""

import streamlit as st

from ui.live_chart import preload_plotly

st.set_page_config(page_title="Binary-classification playground", page_icon="🎯", layout="wide")
preload_plotly()  # first, so the browser loads plotly.js while the imports below take seconds

from ui.startup import prepare_process  # noqa: E402 - imports torch and scikit-learn

prepare_process()
st.navigation([
    st.Page("pages/playground.py", title="Playground", icon="🎛️", default=True),
    st.Page("pages/compare.py", title="Compare", icon="🗂️"),
    st.Page("pages/sweep.py", title="Sweep", icon="🧮"),
    st.Page("pages/losses.py", title="Loss explorer", icon="📉", url_path="loss-explorer"),
]).run()
