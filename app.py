"""The binary-classification playground: `streamlit run app.py`.

Streamlit serves router.py (page setup and routing) as the app, plus routes of our own: the
WebSocket that streams each tab's live frames (ui/frames.py; the wire format is FRAMES.md) and the
frame producer's counters, which the benches read, and the workshop room's news and board feed
(ui/room_news.py).
Its lifespan turns Nagle's algorithm off on the server's socket (ui/tcp.py).
"""

import streamlit as st
from starlette.routing import Route, WebSocketRoute

from ui import room_news
from ui.frames import PATH, STATS_PATH, frame_socket, frame_stats
from ui.tcp import no_delay_lifespan

app = st.App("router.py", routes=[WebSocketRoute(PATH, frame_socket), Route(STATS_PATH, frame_stats),
                                  Route(room_news.NEWS_PATH, room_news.room_news),
                                  Route(room_news.BOARD_PATH, room_news.room_board),
                                  Route(room_news.STATS_PATH, room_news.room_stats)],
             lifespan=no_delay_lifespan)
