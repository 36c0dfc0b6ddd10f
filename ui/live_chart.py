"""The live charts component: a player of the frame stream (FRAMES.md), drawn by the page's own JS.

`st.plotly_chart` re-creates its chart on every update (a blank frame, the zoom lost); this
component keeps its graph divs for the life of the page and updates them in place with the
frames it reads from the tab's socket (ui/frames.py). A script run only tells it which tab it is.
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
# which a shadow root would keep away from the charts. The player (live_chart.js) and the panels'
# painters (live_panels.js) are one module: the panels use the player's helpers and it calls theirs.
_component = st.components.v2.component(
    "binclf.live_charts",
    js=(HERE / "live_chart.js").read_text() + "\n" + (HERE / "live_panels.js").read_text(),
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


def live_charts(data: dict, on_click: Callable[[], None] | None = None,
                on_stopped: Callable[[], None] | None = None, on_drawn: Callable[[], None] | None = None) -> None:
    """Mount (or tell) the player: {"token", "path", "run", "epoch", "epochs", "playing", "clickable",
    "presenting", "first_view"}, or {"static": {"boundary": figure, "curves": figure}, "epochs"} for charts
    without a run. "run" names the run as the frames' reset message does (FRAMES.md).

    With "first_view": True, the trigger `drawn` runs the page again (calling `on_drawn`) once both charts
    are drawn, or once they cannot be (plotly.js failed to load, or no frame came within 3 s).

    With "clickable": True, a click on the boundary chart sends its data coordinates as the trigger
    `click` ({"x", "y"}), read by `on_click` from st.session_state[KEY]["click"]. When the frames show
    the producer stopped on its own (a run ended, a replay's animation ended, a fault), the trigger
    `stopped` runs the page again and calls `on_stopped`; so does `stale`, sent when the server no
    longer knows the page's token (it restarted: the page run gets a new session's token).
    """
    _component(key=KEY, data=data, on_click_change=on_click, on_stopped_change=on_stopped,
               on_stale_change=on_stopped, on_drawn_change=on_drawn)
