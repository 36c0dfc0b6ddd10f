"""The sidebar's controls of issue 14: input features, their scaling, and regularization.

Features are picked as TensorFlow Playground picks them: each feature's small picture over the plane
with a switch (ui/feature_picker.js, one element). The run's setting is the session key `features`
(the field, a text like `x1,x2,x1_x2`, the one the URL holds); a click's trigger writes it, and every
page run shows it, so a preset, a link or Open in Playground move the switches too.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from binclf_core.data.features import FEATURES, SCALES, input_features
from binclf_core.figures.run import unit_images
from binclf_core.model.regularization import REGULARIZATIONS

HERE = Path(__file__).parent
PLANE = 6.0  # the pictures cover [-6, 6]², TF Playground's plane
PICTURE_SIZE = 24
MAX_REG_RATE = 10.0
PENALTY_NOTE = "The loss curves show the data loss: the penalty is left out of them, so runs compare."
PICKER_KEY = "feature_picker"
_picker = st.components.v2.component(
    "binclf.features", js=(HERE / "feature_picker.js").read_text(), css=(HERE / "feature_picker.css").read_text(),
    isolate_styles=False,
)


@cache
def feature_pictures() -> dict[str, str]:
    """Each feature over the plane as a small PNG data URL: white at 0, orange above, blue below (as the boundary)."""
    ticks = torch.linspace(-PLANE, PLANE, PICTURE_SIZE)
    mesh_y, mesh_x = torch.meshgrid(ticks, ticks, indexing="ij")  # rows along y
    columns = input_features(torch.stack([mesh_x.ravel(), mesh_y.ravel()], 1), tuple(FEATURES)).numpy()
    values = columns.T.reshape(len(FEATURES), PICTURE_SIZE, PICTURE_SIZE)
    values = 0.5 + 0.5 * values / np.abs(values).max(axis=(1, 2), keepdims=True)
    return dict(zip(FEATURES, unit_images(values), strict=True))


def chosen_features() -> list[str]:
    """The features the setting `features` names (the known ones, so a bad link's text still shows what it can)."""
    return [name for name in st.session_state.get("features", "x1,x2").split(",") if name in FEATURES]


def _on_pick() -> None:
    st.session_state["features"] = st.session_state[PICKER_KEY]["chosen"]


def feature_controls(present: bool) -> None:
    """The features' pictures with a switch each (one element: 21 widgets and pictures took the browser
    ~0.1 s to draw on a new tab), and the scaling select (hidden in presenter mode)."""
    st.caption("Input features: what the first layer sees, computed from each point's x1 and x2.")
    pictures = feature_pictures()
    features = [{"name": name, "label": label, "picture": pictures[name],
                 "help": f"Feature {name}: on to give the model this input."} for name, label in FEATURES.items()]
    _picker(key=PICKER_KEY, data={"features": features, "chosen": chosen_features()}, on_chosen_change=_on_pick)
    if not present:
        st.selectbox("Feature scaling", list(SCALES), format_func=SCALES.get, key="scale", persist_state="session",
                     help="Standardised: each feature minus its mean, divided by its standard deviation, both "
                          "taken on the training split, so one learning rate suits x1 and x1² alike.")


def regularization_controls() -> None:
    """The penalty and its rate; the rate applies at once, like the learning rate."""
    st.selectbox("Regularization", list(REGULARIZATIONS), format_func=REGULARIZATIONS.get, key="regularization",
                 persist_state="session",
                 help="L2 adds rate × Σw² over the weights (not the biases) to the loss; L1 moves every weight "
                      "lr × rate towards 0 after each update, so useless weights reach exactly 0.")
    if st.session_state["regularization"] != "none":
        st.number_input("Regularization rate", 0.0, MAX_REG_RATE, step=0.001, format="%g", key="reg_rate",
                        persist_state="session", help="Takes effect at once, even while training.")
        st.caption(PENALTY_NOTE)
