"""The sidebar's controls of issue 14: input features, their scaling, and regularization.

Features are picked as TensorFlow Playground picks them: a toggle per feature (key
`features_<name>`), each beside its own small picture over the plane. The run's setting is the
session key `features` (the field, a text like `x1,x2,x1_x2`, the one the URL holds); the toggles'
callback writes it, and when a preset, a link or Open in Playground sets it, the toggles follow.
"""

from __future__ import annotations

import base64
from functools import cache

import numpy as np
import streamlit as st
import torch

from binclf_core.features import FEATURES, SCALES, input_features, parse_features
from binclf_core.figures import unit_images
from binclf_core.regularization import REGULARIZATIONS

PLANE = 6.0  # the pictures cover [-6, 6]², TF Playground's plane
PICTURE_SIZE = 24
MAX_REG_RATE = 10.0
PENALTY_NOTE = "The loss curves show the data loss: the penalty is left out of them, so runs compare."


def toggle_key(name: str) -> str:
    return f"features_{name}"


@cache
def feature_pictures() -> dict[str, bytes]:
    """Each feature over the plane as a small PNG: white at 0, orange above, blue below (as the boundary)."""
    ticks = torch.linspace(-PLANE, PLANE, PICTURE_SIZE)
    mesh_y, mesh_x = torch.meshgrid(ticks, ticks, indexing="ij")  # rows along y
    columns = input_features(torch.stack([mesh_x.ravel(), mesh_y.ravel()], 1), tuple(FEATURES)).numpy()
    values = columns.T.reshape(len(FEATURES), PICTURE_SIZE, PICTURE_SIZE)
    values = 0.5 + 0.5 * values / np.abs(values).max(axis=(1, 2), keepdims=True)
    return {name: base64.b64decode(url.split(",", 1)[1]) for name, url in zip(FEATURES, unit_images(values),
                                                                               strict=True)}


def _chosen_by_toggles() -> str:
    return ",".join(name for name in FEATURES if st.session_state.get(toggle_key(name)))


def _on_toggle() -> None:
    st.session_state["features"] = _chosen_by_toggles()


def _toggles_follow_the_setting() -> None:
    """A preset, a link or a kept run set `features`: turn the toggles to match (only when they differ, so a
    click the user just made is never overwritten)."""
    text = st.session_state.get("features", "x1,x2")
    if _chosen_by_toggles() == text:
        return
    try:
        chosen = set(parse_features(text))
    except ValueError:
        chosen = set()
    for name in FEATURES:
        st.session_state[toggle_key(name)] = name in chosen


def feature_controls(present: bool) -> None:
    """A toggle per feature beside its picture, and the scaling select (hidden in presenter mode)."""
    _toggles_follow_the_setting()
    pictures = feature_pictures()
    st.caption("Input features: what the first layer sees, computed from each point's x1 and x2.")
    for name in FEATURES:
        picture, toggle = st.columns([1, 5], vertical_alignment="center", gap="small")
        picture.image(pictures[name], width=28)
        toggle.toggle(FEATURES[name], key=toggle_key(name), on_change=_on_toggle, persist_state="session",
                      help=f"Feature {name}: on to give the model this input.")
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
