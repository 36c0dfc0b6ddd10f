"""The workshop room: a host sees every attendee's run and runs a challenge (issue 16).

Pure Python, no Streamlit: `identity` makes join codes, secret keys and clean display names;
`summary` turns an attendee's run summary into a small row (a quantised boundary picture);
`challenge` holds a challenge's rules, checks a run against them and ranks the entries;
`store` is the one data-access module (SQLite by default, PostgreSQL by URL); `writer` is the
thread that posts attendees' summaries to the store, coalesced and rate-limited.
"""

from binclf_core.rooms.challenge import Challenge, rank_entries
from binclf_core.rooms.identity import RoomError, clean_name, new_join_code
from binclf_core.rooms.store import RoomStore, open_store
from binclf_core.rooms.summary import BoardRow, Summary
from binclf_core.rooms.writer import SummaryWriter

__all__ = ["BoardRow", "Challenge", "RoomError", "RoomStore", "Summary", "SummaryWriter", "clean_name",
           "new_join_code", "open_store", "rank_entries"]
