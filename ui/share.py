"""Sharing the page: a **Copy link** button (in presenter mode also **Copy student link**, the same
link without `present=1`), and links with plain commas.

Streamlit writes the URL's query with `urllib.parse.urlencode`, which turns `hidden=16,16` into
`hidden=16%2C16`; it reads both back alike (`parse_qs`). The component's JS (ui/share.js) passes
the browser's history.pushState/replaceState, through which Streamlit's frontend writes every URL,
a copy with `%2C` written back as `,`, so the address bar and the copied links read as typed.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
KEY = "share_link"

_component = st.components.v2.component(
    "binclf.share", js=(HERE / "share.js").read_text(), css=(HERE / "share.css").read_text(), isolate_styles=False,
)


def share_buttons(presenting: bool) -> None:
    """Copy link (and, presenting, Copy student link with the link shown for the room to type)."""
    _component(key=KEY, data={"presenting": presenting})
