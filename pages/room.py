"""Room: the host's board of every attendee's run, pushing a setup, and the challenge."""

import streamlit as st

from ui import room, room_host, session
from ui.controls import sidebar_controls

session.start_session()
room.room_sidebar()
settings, _ = sidebar_controls(session.is_presenting())
session.sync_url()
st.title("Workshop room")
with room.database_problems():
    host = room.hosting()
if host is None:
    if "host" in session.room_params():
        st.error("This host link does not open a room: its key is wrong, or the room closed after 24 hours "
                 "without activity. Start a new room from the sidebar.", icon="🔒")
    else:
        st.info("This is the board of a workshop room's host. Start a room from the sidebar (Workshop room), or "
                "open your host link. Attendees: open the join link the host gives you.")
    st.stop()
code = host["code"]
session.set_room_params(room=code, host=host["key"])  # a reload or a server restart opens the board again
st.caption(f"Room **{code}** · join link: {room.join_link(code)}")
room_host.board(code, host["key"])
room_host.push_setup(code, settings)
room_host.challenge(code, settings)
