"""Sweep: vary one or two settings of the Playground's run, train every combination at once, compare."""

import streamlit as st

from ui import session
from ui.controls import sidebar_controls
from ui.own_data import OWN_DATA
from ui.sweep_controls import last_result, plan, run_button, show_plan, sweep_axes
from ui.sweep_job import collect, running, show_status
from ui.sweep_views import show_results

session.start_session()
base, _ = sidebar_controls()
st.title("Sweep")
st.caption("The sidebar holds the base run (the Playground's). Pick one or two settings to vary; every "
           "combination trains at once, then their boundaries, a metric heatmap and the loss curves show.")
if base is not None and base.dataset in OWN_DATA:
    st.info("A sweep trains generated data: choose one under Dataset (your own data trains on the Playground).")
    base = None
axes = sweep_axes()
configs = plan(base, axes) if axes is not None and base is not None else None
if configs is not None:
    show_plan(base, configs)
collect()
run_button(configs, axes)
show_status()
result = last_result()
if result is None:
    if not running():
        st.info("Choose what to vary, then press **Run sweep**.")
    st.stop()
show_results(result)
