"""The binary-classification playground: `streamlit run app.py`.

Streamlit serves router.py (page setup and routing) as the app, plus one route of our own: the
WebSocket that streams each tab's live frames (ui/frames.py; the wire format is FRAMES.md).
"""

import streamlit as st
from starlette.routing import WebSocketRoute

from ui.frames import PATH, frame_socket

app = st.App("router.py", routes=[WebSocketRoute(PATH, frame_socket)])
