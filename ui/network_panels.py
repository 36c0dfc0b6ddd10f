"""The Playground's views inside the network (issue 14), registered as live panels (ui/panels.py).

**Network**: every unit's picture over the plane, the edges by sign and size; hovering a unit shows
its picture on the boundary chart and its formula under the charts, clicking it keeps them. **Hidden
space** (an MLP): the training points and a grid of the plane as two units of a hidden layer see
them; a unit left at "auto" is the view's choice, the pair that best separates the classes, chosen
again with every drawing (figures/network.py hidden_space_choice). Both are the engine's
(binclf_core/figures/network.py), built on the frame producer's thread; the options' widgets (keys
`hidden_space_layer`, `hidden_space_unit_a`, `hidden_space_unit_b`) are drawn by the page.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.config import RunConfig
from binclf_core.explore.network_view import hidden_layers
from binclf_core.figures.frames import PanelFrame
from binclf_core.figures.network import hidden_space_choice, hidden_space_panel, network_panel
from binclf_core.model.training import TrainingRun
from ui.panels import FigureFeed, Panel, figure_feed, register

# While training, seconds between two drawings: the page paints one in ~1-2 ms on a canvas (a network of
# 6x8: ~50 kB, ~2 ms of server CPU), where a Plotly.react of the whole figure had cost 15-58 ms.
NETWORK_EVERY = 0.2
HIDDEN_SPACE_EVERY = 0.2
AUTO = "auto"  # a unit's select at this: the view picks it


def _is_mlp(config: RunConfig) -> bool:
    return config.model == "mlp"


def _select(label: str, options: list, key: str, default, format_func, help: str | None = None):
    """A selectbox whose remembered value may no longer exist (a smaller network): then the default."""
    if st.session_state.get(key) not in options:
        st.session_state[key] = default
    return st.selectbox(label, options, key=key, format_func=format_func, help=help)


def hidden_space_options(run: TrainingRun) -> dict:
    """The layer (the last hidden one by default) and the two units the Hidden space shows; a unit at
    "auto" (the default) is None: the view picks it."""
    sizes = hidden_layers(run)
    layer_column, a_column, b_column = st.columns(3)
    with layer_column:
        layer = _select("Hidden layer", list(range(1, len(sizes) + 1)), "hidden_space_layer", len(sizes),
                        lambda index: f"{index} ({sizes[index - 1]} units)")
    units = [AUTO, *range(sizes[layer - 1])]

    def name(unit) -> str:
        return "auto" if unit == AUTO else f"h{layer},{unit + 1}"

    picks = "auto: the view picks the unit that best separates the classes with the other"
    with a_column:
        unit_a = _select("Unit across", units, "hidden_space_unit_a", AUTO, name, picks)
    with b_column:
        unit_b = _select("Unit up", units, "hidden_space_unit_b", AUTO, name, picks)
    return {"layer": layer, "unit_a": None if unit_a == AUTO else unit_a, "unit_b": None if unit_b == AUTO else unit_b}


class HiddenSpaceFeed(FigureFeed):
    """The hidden space for one page: it remembers the pair it picked, so that a pair it picks again with
    every drawing stays while it is nearly as good as the best (no hopping between near-equal pairs)."""

    def __init__(self, run: TrainingRun, options: dict, font_size: int):
        super().__init__(self._build, run, options, font_size)
        self._pair: tuple[int, int] | None = None

    def _build(self, run: TrainingRun, options: dict, font_size: int) -> PanelFrame:
        layer, self._pair = hidden_space_choice(run, options, self._pair)
        return hidden_space_panel(run, options, font_size, (layer, self._pair))


register(Panel("network", "Network", figure_feed(network_panel), every_seconds=NETWORK_EVERY))
register(Panel("hidden_space", "Hidden space", HiddenSpaceFeed, every_seconds=HIDDEN_SPACE_EVERY,
               available=_is_mlp, options=hidden_space_options))
