"""The Playground's views inside the network (issue 14), registered as live panels (ui/panels.py).

**Network**: every unit's picture over the plane, the edges by sign and size; hovering a unit shows
its picture on the boundary chart and its formula under the charts, clicking it keeps them. **Hidden
space** (an MLP): the training points and a grid of the plane as two units of a hidden layer see
them. Both are the engine's (binclf_core/figures/network.py), built on the frame producer's thread;
the options' widgets (keys `hidden_space_layer`, `hidden_space_unit_a`, `hidden_space_unit_b`) are
drawn by the page.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.config import RunConfig
from binclf_core.explore.network_view import hidden_layers
from binclf_core.figures.network import hidden_space_choice, hidden_space_panel, network_panel
from binclf_core.model.training import TrainingRun
from ui.panels import Panel, figure_feed, register

# While training, seconds between two drawings: the page paints one in ~1-2 ms on a canvas (a network of
# 6x8: ~50 kB, ~2 ms of server CPU), where a Plotly.react of the whole figure had cost 15-58 ms.
NETWORK_EVERY = 0.2
HIDDEN_SPACE_EVERY = 0.2


def _is_mlp(config: RunConfig) -> bool:
    return config.model == "mlp"


def _select(label: str, options: list[int], key: str, default: int, format_func) -> int:
    """A selectbox whose remembered value may no longer exist (a smaller network): then the default."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    return st.selectbox(label, options, key=key, format_func=format_func)


def hidden_space_options(run: TrainingRun) -> dict:
    """The layer and the two units the Hidden space shows (the last hidden layer's first two by default)."""
    sizes = hidden_layers(run)
    layer_column, a_column, b_column = st.columns(3)
    with layer_column:
        layer = _select("Hidden layer", list(range(1, len(sizes) + 1)), "hidden_space_layer", len(sizes),
                        lambda index: f"{index} ({sizes[index - 1]} units)")
    units = list(range(sizes[layer - 1]))
    with a_column:
        unit_a = _select("Unit across", units, "hidden_space_unit_a", 0, lambda u: f"h{layer},{u + 1}")
    with b_column:
        unit_b = _select("Unit up", units, "hidden_space_unit_b", min(1, len(units) - 1),
                         lambda u: f"h{layer},{u + 1}")
    chosen_layer, (a, b) = hidden_space_choice(run, {"layer": layer, "unit_a": unit_a, "unit_b": unit_b})
    return {"layer": chosen_layer, "unit_a": a, "unit_b": b}


register(Panel("network", "Network", figure_feed(network_panel), every_seconds=NETWORK_EVERY))
register(Panel("hidden_space", "Hidden space", figure_feed(hidden_space_panel), every_seconds=HIDDEN_SPACE_EVERY,
               available=_is_mlp, options=hidden_space_options))
