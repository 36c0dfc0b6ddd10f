"""Take it home: the run as a script, its history, configuration, weights and charts, as downloads.

The heavy files (weights, ~5 MB of HTML charts) are made only when their button is pressed:
st.download_button calls `data` then, on a thread of its own. The buttons themselves are drawn only
once the "Take it home" toggle is on: on the first page they cost the browser ~0.5 s.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.errors import ConfigError
from binclf_core.model.training import TrainingRun
from binclf_core.teach.export import export_script
from binclf_core.teach.take_home import charts_html, config_json, history_csv, weights_bytes

SCRIPT_NAME = "binclf_run.py"


def take_home(run: TrainingRun) -> None:
    if not st.toggle("Take it home", key="take_home", help="The run as a PyTorch script, and its files"):
        return
    with st.container(border=True):
        _script(run)
        history, config, weights, charts = st.columns(4)
        history.download_button("History (CSV)", lambda: history_csv(run.history), file_name="history.csv",
                                mime="text/csv", key="download_history", on_click="ignore", width="stretch")
        config.download_button("Configuration (JSON)", config_json(run), file_name="config.json",
                               mime="application/json", key="download_config", on_click="ignore", width="stretch")
        weights.download_button("Weights (state_dict)", lambda: weights_bytes(run), file_name="weights.pt",
                                mime="application/octet-stream", key="download_weights", on_click="ignore",
                                width="stretch", help="Load with torch.load('weights.pt', weights_only=True).")
        charts.download_button("Charts (HTML)", lambda: charts_html(run), file_name="charts.html",
                               mime="text/html", key="download_charts", on_click="ignore", width="stretch",
                               help="Both charts in one page that opens offline (plotly.js inside, ~5 MB).")


def _script(run: TrainingRun) -> None:
    """The run as a standalone PyTorch script: a download and, with syntax highlighting, on the page."""
    try:
        script = export_script(run.initial_config, SCRIPT_NAME, run.dataset, changes=run.changes)
    except ConfigError as error:
        st.info(f"No script for this run: {error}.")
        return
    st.download_button("Script (Python)", script, file_name=SCRIPT_NAME, mime="text/x-python",
                       key="download_script", on_click="ignore", type="primary",
                       help=f"Run it with `python {SCRIPT_NAME}`: it trains this run and prints the final metrics.")
    if st.toggle("Show the script", key="show_script"):
        st.code(script, language="python", line_numbers=True)
