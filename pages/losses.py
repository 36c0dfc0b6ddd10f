"""Loss explorer: BCE, weighted BCE and hinge against the margin y·s, with their gradients, and a point of
the Playground's run under each."""

import streamlit as st

from binclf_core.figures import boundary_figure
from binclf_core.loss_curves import CURVES, loss_curves, margin_range, point_report, readable
from binclf_core.teach_figures import loss_explorer_figure, picked_point, with_marked_point
from ui import session

session.start_session()
run = session.current_run(None)
snapshot = run.snapshot(60)
n_points = len(run.dataset.y_all)
if st.session_state.get("explorer_point", 0) >= n_points:  # the Playground's data shrank since the last pick
    st.session_state["explorer_point"] = 0

st.title("Loss explorer")
st.caption("Every loss here is a function of the margin y·s: the label y = ±1 times the raw score s. "
           "A positive margin is a correct prediction; the larger it is, the more confident.")
weight, point = st.columns(2)
weight.slider("Positive weight (weighted BCE)", 0.1, 20.0, 5.0, step=0.1, key="explorer_pos_weight",
              help="How much more a positive point counts than a negative one.")
point.number_input(f"Point of the Playground's run (0 to {n_points - 1})", 0, n_points - 1, step=1,
                   key="explorer_point", help="Or click a point on the boundary chart below.")
pos_weight, index = st.session_state["explorer_pos_weight"], st.session_state["explorer_point"]

scores = run.evaluate(run.dataset.x_all).numpy()  # (N,) every point's raw score: the margins to range over
targets = run.dataset.y_all.numpy()
score, target = float(scores[index]), float(targets[index])
rows = [{key: readable(value) if isinstance(value, float) else value for key, value in row.items()}
        for row in point_report(score, target, pos_weight)]
margins = (2 * targets - 1) * scores
curves, boundary = st.columns([3, 2])
curves.plotly_chart(loss_explorer_figure(loss_curves(pos_weight, margins_from_to=margin_range(margins)),
                                         rows[0]["margin y·s"]), key="explorer_curves")


def pick() -> None:
    picked = picked_point(st.session_state["explorer_boundary"].selection.points, snapshot, run.dataset)
    if picked is not None:
        st.session_state["explorer_point"] = picked


chosen = run.dataset.x_all[index].tolist()
boundary.plotly_chart(with_marked_point(boundary_figure(snapshot, run.dataset), chosen, f"point {index}"),
                      key="explorer_boundary", on_select=pick, selection_mode="points")
boundary.markdown(f"Point {index}: a **{'positive' if target else 'negative'}** "
                  f"{'training' if index < len(run.dataset.y_train) else 'test'} point, raw score s = {score:.3f}, "
                  f"at epoch {run.epoch} of the Playground's run.")
st.dataframe(rows, hide_index=True, key="explorer_table")
for curve in CURVES:
    st.markdown(f"**{curve.label}.** {curve.meaning}")
