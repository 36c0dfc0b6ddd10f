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
SUMMARY_COLUMNS = ("epoch, epochs, status, test_accuracy, config, parameters, grid, posted_at, changed_at, version, "
                   "written_at")


class BoardQueries(Database):
    def post_summaries(self, posts: list[tuple[Attendee, Summary | None]], now: float | None = None) -> int:
        """Write each attendee's latest summary (None: only a sign of life) in one transaction; attendees
        who left are skipped. A room with new summaries counts its board version up, and they carry it.
        Returns how many summaries were written."""
        now = time.time() if now is None else now
        if not posts:
            return 0
        with self._transaction(write=True) as cursor:
            ids = [attendee.id for attendee, _ in posts]
            marks = ", ".join("?" * len(ids))
            present = {row[0] for row in cursor.execute(
                f"SELECT id FROM attendees WHERE left_at IS NULL AND id IN ({marks})", ids).fetchall()}
            written = [(attendee, s) for attendee, s in posts if s is not None and attendee.id in present]
            versions = self._touch_rooms(cursor, {attendee.room for attendee, _ in posts},
                                         {attendee.room for attendee, _ in written}, now)
            rows = [(attendee.id, s.epoch, s.epochs, s.status, s.test_accuracy, s.config_json(), s.parameters,
                     grid_text(s.grid), s.posted_at, s.posted_at if s.changed_at is None else s.changed_at,
                     versions[attendee.room], now) for attendee, s in written]
            if rows:
                updates = ", ".join(f"{c} = excluded.{c}" for c in SUMMARY_COLUMNS.split(", "))
                cursor.executemany(f"INSERT INTO summaries (attendee, {SUMMARY_COLUMNS}) VALUES (?, ?, ?, ?, ?, "
                                   f"?, ?, ?, ?, ?, ?, ?) ON CONFLICT (attendee) DO UPDATE SET {updates}", rows)
            cursor.executemany("UPDATE attendees SET seen_at = ? WHERE id = ?", [(now, i) for i in sorted(present)])
        return len(rows)

    @staticmethod
    def _touch_rooms(cursor, rooms: set[str], changed: set[str], now: float) -> dict[str, int]:
        """Mark the rooms active; count the board version of the `changed` ones up. Their board versions."""
        versions = {}
        for code in sorted(rooms):
            bump = ", board_version = board_version + 1" if code in changed else ""
            row = cursor.execute(f"UPDATE rooms SET last_active = ?{bump} WHERE code = ? RETURNING board_version",
                                 (now, code)).fetchone()
            versions[code] = row[0] if row else 0
        return versions

    def board(self, code: str, now: float | None = None) -> list[BoardRow]:
        """Every attendee in the room with their latest summary, in joining order (for the host only)."""
        now = time.time() if now is None else now
        with self._transaction() as cursor:
            return _board_rows(cursor, normal_code(code), now)

    def board_version(self, code: str) -> int | None:
        """The room's board version: it counts up with every summary written, join and leave (None: no room)."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT board_version FROM rooms WHERE code = ?", (normal_code(code),)).fetchone()
        return row[0] if row else None

    def board_feed(self, code: str, since: int = -1, now: float | None = None) -> dict | None:
        """The board feed's answer (ui/room_news.py), JSON-able: {"version": the room's board version,
        "rows": the full tile of each attendee written after version `since`, and the id, name and
        status of the others}; None if there is no such room. Every row written up to that version
        is in it (with PostgreSQL a newer one may be too, and comes again in full next time)."""
        now = time.time() if now is None else now
        code = normal_code(code)
        with self._transaction() as cursor:
            row = cursor.execute("SELECT board_version FROM rooms WHERE code = ?", (code,)).fetchone()
            if row is None:
                return None
            rows = _board_rows(cursor, code, now, since)
        return {"version": row[0], "rows": [_feed_row(board_row, since) for board_row in rows]}


def _feed_row(row: BoardRow, since: int) -> dict:
    """An attendee in the feed: their full tile if written after version `since`, else what changes
    without a summary (the status: idle, back from idle)."""
    if row.version is not None and row.version > since:
        return row.tile()
    return {"id": row.attendee, "name": row.name, "status": row.status}


def _board_rows(cursor, code: str, now: float, since: int | None = None) -> list[BoardRow]:
    """The board's rows; with `since`, the settings and picture only of the rows written after it (the
    others' are None: the board has them)."""
    columns = [f"s.{column}" for column in SUMMARY_COLUMNS.split(", ")]
    params: list = [code]
    if since is not None:
        for heavy in ("config", "grid"):
            columns[columns.index(f"s.{heavy}")] = f"CASE WHEN s.version > ? THEN s.{heavy} END"
        params = [since, since, code]
    rows = cursor.execute(
        f"SELECT a.id, a.name, a.seen_at, {', '.join(columns)} FROM attendees a "
        "LEFT JOIN summaries s ON s.attendee = a.id WHERE a.room = ? AND a.left_at IS NULL ORDER BY a.id",
        params).fetchall()
    return [_board_row(row, now) for row in rows]


def _board_row(row: tuple, now: float) -> BoardRow:
    attendee, name, seen_at, epoch, epochs, status, accuracy, config, parameters, grid, posted_at, changed_at, \
        version, written_at = row
    if now - seen_at > IDLE_SECONDS:
        status = "idle"
    elif status is None:
        status = "joined"
    return BoardRow(attendee, name, status, epoch, epochs, accuracy, json.loads(config) if config else None,
                    parameters, grid, posted_at, changed_at, written_at, version)
