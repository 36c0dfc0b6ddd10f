"""The live charts component: Streamlit sends figure dicts, the page's own JS draws them in place.

`st.plotly_chart` re-creates its chart on every update (a blank frame, the zoom lost); this
component keeps two graph divs for the life of the page and calls `Plotly.react` on them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import plotly
import streamlit as st

HERE = Path(__file__).parent
STATIC = HERE.parent / "static"  # served by Streamlit at app/static/ (server.enableStaticServing)
PLOTLY_JS = "plotly.min.js"
KEY = "live_charts"

# Registered once at import. isolate_styles=False: plotly.js puts its CSS in document.head,
# which a shadow root would keep away from the charts.
_component = st.components.v2.component(
    "binclf.live_charts",
    js=(HERE / "live_chart.js").read_text(),
    css=(HERE / "live_chart.css").read_text(),
    isolate_styles=False,
)


def publish_plotly_js() -> None:
    """Copy the plotly package's own plotly.min.js to ./static, where the browser can cache it."""
    source = Path(plotly.__file__).parent / "package_data" / PLOTLY_JS
    target = STATIC / PLOTLY_JS
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        STATIC.mkdir(exist_ok=True)
        shutil.copy2(source, target)  # keeps the old mtime: browsers then cache it for longer


def preload_plotly() -> None:
    """Mount the component without charts, so the browser fetches plotly.js while the server imports torch."""
    publish_plotly_js()
    _component(key="plotly_preload", data={"preload": True})


def live_charts(figures: dict[str, dict]) -> None:
    """Draw {"boundary": figure, "curves": figure}; the stable key keeps the same element each tick."""
    _component(key=KEY, data=figures)
