"""The binary-classification playground: `streamlit run app.py`.

Streamlit serves router.py (page setup and routing) as the app, plus routes of our own: the
WebSocket that streams each tab's live frames (ui/frames.py; the wire format is FRAMES.md) and the
frame producer's counters, which the benches read.
"""

import streamlit as st
from starlette.routing import Route, WebSocketRoute

from ui.frames import PATH, STATS_PATH, frame_socket, frame_stats

app = st.App("router.py", routes=[WebSocketRoute(PATH, frame_socket), Route(STATS_PATH, frame_stats)])
