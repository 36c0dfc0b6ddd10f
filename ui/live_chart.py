"""The live charts component: Streamlit sends figure dicts, the page's own JS draws them in place.

`st.plotly_chart` re-creates its chart on every update (a blank frame, the zoom lost); this
component keeps two graph divs for the life of the page and calls `Plotly.react` on them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
KEY = "live_charts"
# The frontend's code for the widgets of the first page, e.g. Selectbox.7rsxE6LC.js: see preload_plotly.
FRONTEND_JS = Path(st.__file__).parent / "static" / "static" / "js"
FIRST_PAGE_WIDGETS = ("PageLink", "Selectbox", "Slider", "NumberInput", "Button", "DownloadButton", "Checkbox")

# Registered once at import. isolate_styles=False: plotly.js puts its CSS in document.head,
# which a shadow root would keep away from the charts.
_component = st.components.v2.component(
    "binclf.live_charts",
    js=(HERE / "live_chart.js").read_text(),
    css=(HERE / "live_chart.css").read_text(),
    isolate_styles=False,
)


def preload_plotly() -> None:
    """Mount the component without charts, so the browser fetches plotly.js and the code of the first
    page's widgets while the server imports torch.

    plotly.js is ./static/plotly-basic.min.js (served by server.enableStaticServing), plotly.js's
    own basic bundle at the version plotly.py ships, MIT licensed (static/plotly-basic.LICENSE).
    """
    _component(key="plotly_preload", data={"preload": True, "modules": _widget_modules()})


def _widget_modules() -> list[str]:
    """File names of the frontend's widget modules (their names carry a build hash); none if not found."""
    names = {path.name.split(".")[0]: path.name for path in FRONTEND_JS.glob("*.js")}
    return [names[widget] for widget in FIRST_PAGE_WIDGETS if widget in names]


def live_charts(figures: dict[str, dict], on_click: Callable[[], None] | None = None,
                on_stalled: Callable[[], None] | None = None) -> None:
    """Draw {"boundary": figure, "curves": figure}; the stable key keeps the same element each tick.

    With "clickable": True in `figures`, a click on the boundary chart sends its data coordinates
    as the trigger `click` ({"x", "y"}), read by `on_click` from st.session_state[KEY]["click"].
    With "ticking": True, the page expects a new frame every tick: after a few seconds without
    one (STALL_MS in live_chart.js) it sends the trigger `stalled`, and `on_stalled` is called.
    """
    _component(key=KEY, data=figures, on_click_change=on_click, on_stalled_change=on_stalled)
