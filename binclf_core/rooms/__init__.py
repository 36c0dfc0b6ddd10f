"""The workshop room: a host sees every attendee's run and runs a challenge (issue 16).

Pure Python, no Streamlit: `identity` makes join codes, secret keys and clean display names;
`summary` turns an attendee's run summary into a small row (a quantised boundary picture);
`challenge` holds a challenge's rules, checks a run against them and ranks the entries;
`database` holds the connections and the versioned schema (SQLite by default, PostgreSQL by URL), and
`store`'s RoomStore is the one data-access object: rooms and attendees, with `board` (summaries and
the host's board) and `entries` (a challenge's entries, the leaderboard) mixed in; `writer` is the
thread that posts attendees' summaries to the store, coalesced and rate-limited.
"""

from binclf_core.rooms.challenge import Challenge, rank_entries
from binclf_core.rooms.identity import RoomError, clean_name, new_join_code
from binclf_core.rooms.store import RoomStore, open_store
from binclf_core.rooms.summary import BoardRow, Summary
from binclf_core.rooms.writer import SummaryWriter

__all__ = ["BoardRow", "Challenge", "RoomError", "RoomStore", "Summary", "SummaryWriter", "clean_name",
           "new_join_code", "open_store", "rank_entries"]
