"""Compare: the runs this session trained, their curves overlaid, their metrics and boundaries side by side."""

import streamlit as st

from binclf_core.explore.compare import (
    FINAL_COLUMNS,
    boundaries_side_by_side,
    comparison_rows,
    curves_overlay,
    landscape_overlay,
    percent_scaled,
)
from binclf_core.figures.formats import printf_format
from ui import runs, session
from ui.teach import chart_font_size

SHORT_TITLES = {"train accuracy": "train acc", "test accuracy": "test acc", "test ROC AUC": "test AUC"}

current = session.existing_run()
if current is not None:
    runs.keep(current)  # the Playground's run as it is now, if it trained

st.title("Compare runs")
kept = runs.records()
if not kept:
    st.info("No runs yet: train one in the Playground, and every run you train is kept here to compare.",
            icon="🗂️")
    st.stop()

chosen = runs.choose(kept)
if not chosen:
    st.info("Choose one or more runs above to compare them.")
    st.stop()

st.plotly_chart(curves_overlay(chosen), key="compare_curves", config={"displaylogo": False})
# Within the page's width: the run by its number (its settings that differ have columns of their own),
# the metrics in narrow columns under short titles (the full name on hover), in the one number format
# (binclf_core/figures/formats.py).
table = [{**row, "run": row["run"].split(" ")[0]} for row in percent_scaled(comparison_rows(chosen))]
st.dataframe(table, hide_index=True, key="compare_table", width="stretch",
             column_config={"run": st.column_config.TextColumn(width=44, help="The run's number, as in Runs above"),
                            "epochs trained": st.column_config.NumberColumn("epochs", width=60, help="epochs trained"),
                            "status": st.column_config.TextColumn(width=64),
                            **{title: st.column_config.NumberColumn(SHORT_TITLES.get(title, title), width="small",
                                                                    format=printf_format(key), help=title)
                               for key, title in FINAL_COLUMNS.items()}})
st.plotly_chart(boundaries_side_by_side(chosen), key="compare_boundaries", config={"displaylogo": False})

landscape, left_out = landscape_overlay(chosen, font_size=chart_font_size())
if landscape is not None and len(chosen) - len(left_out) >= 2:
    st.plotly_chart(landscape, key="compare_landscape", config={"displaylogo": False})
    if left_out:
        st.caption(f"Not on this landscape: {', '.join(r.label for r in left_out)} (other data, model, loss or "
                   "seed: another loss surface).")
else:
    st.caption("Paths on one landscape: train the same settings with another optimizer, learning rate or "
               "schedule, and choose both runs first, to race them on one loss surface.")

st.caption("Open a run in the Playground to continue it where it stopped, or to vary its settings.")
columns = st.columns(min(len(chosen), 4))
for index, record in enumerate(chosen):
    with columns[index % len(columns)]:
        st.markdown(f"**{record.label}**  \n{record.epoch} epochs, {record.status}")
        if st.button("Open in Playground", key=f"open_run_{record.number}", icon="🎛️"):
            session.open_run(runs.opened(record))
            st.switch_page("pages/playground.py")
