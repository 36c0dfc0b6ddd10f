"""The app's page script (app.py serves it): page setup and routing only; pages do the work."""

import streamlit as st

from ui.live_chart import preload_plotly

# Presenter mode (?present=1) opens with the sidebar folded away: the charts get the projector's width.
st.set_page_config(page_title="Binary-classification playground", page_icon="🎯", layout="wide",
                   initial_sidebar_state="collapsed" if st.query_params.get("present") == "1" else "auto")
preload_plotly()  # first, so the browser loads plotly.js while the imports below take seconds

from ui.share import share_buttons  # noqa: E402
from ui.startup import prepare_process  # noqa: E402 - imports torch and scikit-learn

prepare_process()
PAGES = [
    st.Page("pages/playground.py", title="Playground", icon=":material/tune:", default=True),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/sweep.py", title="Sweep", icon=":material/grid_view:"),
    st.Page("pages/losses.py", title="Loss explorer", icon=":material/show_chart:", url_path="loss-explorer"),
    st.Page("pages/room.py", title="Room", icon=":material/groups:", url_path="room"),
]
# The menu is drawn here rather than by Streamlit: its own menu listed the files of pages/
# (app, compare, losses, ...) for the seconds the first page spends importing torch.
page = st.navigation(PAGES, position="hidden")
with st.sidebar:
    for entry in PAGES:
        st.page_link(entry)
    share_buttons(st.query_params.get("present") == "1")
    st.divider()
page.run()
