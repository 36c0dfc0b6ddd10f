"""Sweep: vary one or two settings of the Playground's run, train every combination at once, compare."""

import streamlit as st

from ui import session
from ui.controls import sidebar_controls
from ui.own_data import OWN_DATA
from ui.sweep_controls import last_result, plan, run_with_progress, sweep_axes
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
    st.markdown(f"**{len(configs)} combination{'s' if len(configs) > 1 else ''}** will train, "
                f"{base.epochs:,} epochs each.")
if st.button("Run sweep", key="run_sweep", type="primary", disabled=configs is None):
    run_with_progress(configs, [field for field, values in axes.items() if len(values) > 1] or list(axes))
result = last_result()
if result is None:
    st.info("Choose what to vary, then press **Run sweep**.")
    st.stop()
show_results(result)
