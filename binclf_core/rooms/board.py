"""The room's summaries and the host's board: each attendee's latest run summary, written and read.

A part of RoomStore (binclf_core/rooms/store.py), on the tables of binclf_core/rooms/database.py.
"""

from __future__ import annotations

import json
import time

from binclf_core.rooms.database import Database
from binclf_core.rooms.identity import Attendee, normal_code
from binclf_core.rooms.summary import BoardRow, Summary, grid_text

IDLE_SECONDS = 15  # an attendee's tab not heard from for this long shows as idle
SUMMARY_COLUMNS = "epoch, epochs, status, test_accuracy, config, parameters, grid, posted_at, written_at"


class BoardQueries(Database):
    def post_summaries(self, posts: list[tuple[Attendee, Summary | None]], now: float | None = None) -> int:
        """Write each attendee's latest summary (None: only a sign of life) in one transaction; attendees
        who left are skipped. Returns how many summaries were written."""
        now = time.time() if now is None else now
        if not posts:
            return 0
        with self._transaction(write=True) as cursor:
            ids = [attendee.id for attendee, _ in posts]
            marks = ", ".join("?" * len(ids))
            present = {row[0] for row in cursor.execute(
                f"SELECT id FROM attendees WHERE left_at IS NULL AND id IN ({marks})", ids).fetchall()}
            rows = [(attendee.id, s.epoch, s.epochs, s.status, s.test_accuracy, s.config_json(), s.parameters,
                     grid_text(s.grid), s.posted_at, now)
                    for attendee, s in posts if s is not None and attendee.id in present]
            if rows:
                updates = ", ".join(f"{c} = excluded.{c}" for c in SUMMARY_COLUMNS.split(", "))
                cursor.executemany(f"INSERT INTO summaries (attendee, {SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, "
                                   f"?, ?, ?, ?, ?) ON CONFLICT (attendee) DO UPDATE SET {updates}", rows)
            cursor.executemany("UPDATE attendees SET seen_at = ? WHERE id = ?", [(now, i) for i in sorted(present)])
            rooms = sorted({attendee.room for attendee, _ in posts})
            cursor.executemany("UPDATE rooms SET last_active = ? WHERE code = ?", [(now, code) for code in rooms])
        return len(rows)

    def board(self, code: str, now: float | None = None) -> list[BoardRow]:
        """Every attendee in the room with their latest summary, in joining order (for the host only)."""
        now = time.time() if now is None else now
        with self._transaction() as cursor:
            rows = cursor.execute(
                f"SELECT a.id, a.name, a.seen_at, s.{', s.'.join(SUMMARY_COLUMNS.split(', '))} FROM attendees a "
                "LEFT JOIN summaries s ON s.attendee = a.id WHERE a.room = ? AND a.left_at IS NULL ORDER BY a.id",
                (normal_code(code),)).fetchall()
        return [_board_row(row, now) for row in rows]


def _board_row(row: tuple, now: float) -> BoardRow:
    attendee, name, seen_at, epoch, epochs, status, accuracy, config, parameters, grid, posted_at, _ = row
    if now - seen_at > IDLE_SECONDS:
        status = "idle"
    elif status is None:
        status = "joined"
    return BoardRow(attendee, name, status, epoch, epochs, accuracy, json.loads(config) if config else None,
                    parameters, grid, posted_at)
