"""The room's store: rooms and their attendees, on the database of binclf_core/rooms/database.py.

`RoomStore` is the one data-access object the app uses: this module's rooms and attendees, with the
summaries and the board (`board.py`) and a challenge's entries (`entries.py`) mixed in. A room silent
for 24 h is deleted with everything in it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from binclf_core.rooms.board import BoardQueries
from binclf_core.rooms.challenge import Challenge
from binclf_core.rooms.entries import CURRENT_ENTRIES, EntryQueries
from binclf_core.rooms.identity import (
    MAX_ATTENDEES,
    Attendee,
    RoomError,
    clean_name,
    key_hash,
    new_join_code,
    new_key,
    normal_code,
    same_key,
)

__all__ = ["Attendee", "RoomState", "RoomStore", "no_room_message", "open_store"]

ROOM_LIFETIME_SECONDS = 24 * 3600  # of silence
CLOSED = "closed"  # an attendee's news once their room closed or they left it
PURGE_EVERY_SECONDS = 600
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


@dataclass(frozen=True)
class RoomState:
    """What an attendee's page follows: the pushed setup, the challenge (running, or ended at
    `challenge_ended_at`, unix seconds) and the revealed winner."""

    code: str
    setup: dict | None
    setup_version: int
    challenge: Challenge | None
    challenge_version: int
    winner: dict | None
    challenge_ended_at: float | None = None

    @property
    def challenge_running(self) -> bool:
        """A challenge is set and has not ended: finished runs enter it."""
        return self.challenge is not None and self.challenge_ended_at is None


def open_store(environ: dict[str, str] | None = None) -> RoomStore:
    """The store the environment names: BINCLF_DATABASE_URL (PostgreSQL), else SQLite in BINCLF_DATA_DIR."""
    environ = os.environ if environ is None else environ
    url = environ.get("BINCLF_DATABASE_URL", "").strip()
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise RoomError(f"BINCLF_DATABASE_URL must be a postgresql:// URL, not {url.split(':')[0]}://...")
        return RoomStore(url)
    folder = Path(environ.get("BINCLF_DATA_DIR") or DEFAULT_DATA_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    return RoomStore(f"sqlite:///{folder / 'rooms.sqlite3'}")


class RoomStore(BoardQueries, EntryQueries):
    """Thread-safe: each call takes a pooled connection for one transaction."""

    def __init__(self, url: str):
        super().__init__(url)
        self._last_purge = 0.0
        self.purge_expired()

    # ---- rooms ------------------------------------------------------------------------------
    def create_room(self, now: float | None = None) -> tuple[str, str]:
        """A new room: (its join code, its secret host key). The key is kept only as its hash."""
        now = time.time() if now is None else now
        self.purge_expired(now)
        host_key = new_key()
        with self._transaction(write=True) as cursor:
            for _ in range(50):
                code = new_join_code()
                if cursor.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone() is None:
                    cursor.execute("INSERT INTO rooms (code, host_hash, created_at, last_active) VALUES (?, ?, ?, ?)",
                                   (code, key_hash(host_key), now, now))
                    return code, host_key
        raise RoomError("No free join code was found: try again in a moment.")

    def room_exists(self, code: str, now: float | None = None) -> bool:
        return self._host_hash(normal_code(code), now) is not None

    def _host_hash(self, code: str, now: float | None) -> str | None:
        now = time.time() if now is None else now
        with self._transaction() as cursor:
            row = cursor.execute("SELECT host_hash FROM rooms WHERE code = ? AND last_active > ?",
                                 (code, now - ROOM_LIFETIME_SECONDS)).fetchone()
        return row[0] if row else None

    def is_host(self, code: str, host_key: str | None, now: float | None = None) -> bool:
        stored = self._host_hash(normal_code(code), now)
        return stored is not None and same_key(host_key, stored)

    def purge_expired(self, now: float | None = None) -> int:
        """Delete rooms silent for ROOM_LIFETIME_SECONDS, with their attendees, summaries and entries."""
        now = time.time() if now is None else now
        self._last_purge = now
        with self._transaction(write=True) as cursor:
            cutoff = now - ROOM_LIFETIME_SECONDS
            cursor.execute("DELETE FROM rooms WHERE last_active <= ?", (cutoff,))
            return cursor.rowcount

    def purge_if_due(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        if now - self._last_purge >= PURGE_EVERY_SECONDS:
            self.purge_expired(now)

    def state(self, code: str, now: float | None = None) -> RoomState | None:
        """The room's setup, challenge and winner; None if there is no such room (or it expired)."""
        now = time.time() if now is None else now
        with self._transaction() as cursor:
            row = cursor.execute("SELECT setup, setup_version, challenge, challenge_version, winner, "
                                 "challenge_ended_at FROM rooms WHERE code = ? AND last_active > ?",
                                 (normal_code(code), now - ROOM_LIFETIME_SECONDS)).fetchone()
        if row is None:
            return None
        setup, setup_version, challenge, challenge_version, winner, ended_at = row
        return RoomState(normal_code(code), json.loads(setup) if setup else None, setup_version,
                         Challenge.from_json(challenge) if challenge else None, challenge_version,
                         json.loads(winner) if winner else None, ended_at)

    def push_setup(self, code: str, setup: dict, now: float | None = None) -> int:
        """Send `setup` ({"title", "config"}) to the room; its new setup version."""
        return self._publish(code, "setup", json.dumps(setup, sort_keys=True), now)

    def start_challenge(self, code: str, challenge: Challenge, now: float | None = None) -> int:
        """Start `challenge` (replacing any earlier one, running or ended, whose winner is hidden again); its
        version."""
        return self._publish(code, "challenge", challenge.to_json(), now,
                             also=", winner = NULL, challenge_ended_at = NULL")

    def _publish(self, code: str, column: str, value: str, now: float | None, also: str = "") -> int:
        """Set the room's `column` (setup or challenge) and count its version up: attendees' pages follow
        the versions. Returns the new version."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as cursor:
            return cursor.execute(f"UPDATE rooms SET {column} = ?, {column}_version = {column}_version + 1{also}, "
                                  f"last_active = ? WHERE code = ? RETURNING {column}_version",
                                  (value, now, code)).fetchone()[0]

    # ---- attendees --------------------------------------------------------------------------
    def join(self, code: str, name: str, now: float | None = None) -> tuple[Attendee, str]:
        """Join room `code` as `name`: (the attendee, their secret seat key). RoomError says why not."""
        now = time.time() if now is None else now
        code, name = normal_code(code), clean_name(name)
        seat = new_key()
        with self._transaction(write=True) as cursor:
            if cursor.execute("SELECT 1 FROM rooms WHERE code = ? AND last_active > ?",
                              (code, now - ROOM_LIFETIME_SECONDS)).fetchone() is None:
                raise RoomError(no_room_message(code))
            names = [row[0] for row in cursor.execute(
                "SELECT name FROM attendees WHERE room = ? AND left_at IS NULL", (code,)).fetchall()]
            if len(names) >= MAX_ATTENDEES:
                raise RoomError(f"Room {code} is full: it has room for {MAX_ATTENDEES} attendees.")
            if name.casefold() in {n.casefold() for n in names}:
                raise RoomError(f"Someone in room {code} is already called {name}: pick another name.")
            row = cursor.execute("INSERT INTO attendees (room, seat_hash, name, joined_at, seen_at) VALUES "
                                 "(?, ?, ?, ?, ?) RETURNING id", (code, key_hash(seat), name, now, now)).fetchone()
            cursor.execute("UPDATE rooms SET last_active = ?, board_version = board_version + 1 WHERE code = ?",
                           (now, code))
        return Attendee(row[0], code, name), seat

    def attendee(self, code: str, seat: str | None, now: float | None = None) -> Attendee | None:
        """The attendee whose secret seat key is `seat` in room `code`, if still there (e.g. after a restart)."""
        if not seat:
            return None
        now = time.time() if now is None else now
        with self._transaction() as cursor:
            row = cursor.execute(
                "SELECT a.id, a.room, a.name FROM attendees a JOIN rooms r ON r.code = a.room "
                "WHERE a.seat_hash = ? AND a.room = ? AND a.left_at IS NULL AND r.last_active > ?",
                (key_hash(seat), normal_code(code), now - ROOM_LIFETIME_SECONDS)).fetchone()
        return Attendee(*row) if row else None

    def leave(self, attendee: int, now: float | None = None) -> None:
        """The attendee leaves: off the board (their leaderboard entries stay)."""
        with self._transaction(write=True) as cursor:
            now = time.time() if now is None else now
            # The room's row first, as post_summaries takes them: two transactions never wait for each other.
            cursor.execute("UPDATE rooms SET board_version = board_version + 1 WHERE code = "
                           "(SELECT room FROM attendees WHERE id = ?)", (attendee,))
            cursor.execute("UPDATE attendees SET left_at = ? WHERE id = ?", (now, attendee))

    def news(self, code: str, attendee: int, now: float | None = None) -> str:
        """A short token of everything an attendee's notices show (the setup and challenge versions, whether
        the challenge ended, the winner, their entry's note, the leaderboard): when it changes, their page
        draws the notices again. "closed" once the room closed or they left it."""
        return self.room_news(code, now).get(attendee, CLOSED)

    def room_news(self, code: str, now: float | None = None) -> dict[int, str]:
        """Every attendee's news token in the room (see `news`), read at once: {attendee id: token}."""
        now = time.time() if now is None else now
        code = normal_code(code)
        with self._transaction() as cursor:
            room = cursor.execute("SELECT setup_version, challenge_version, challenge_ended_at IS NOT NULL, "
                                  "winner IS NOT NULL FROM rooms WHERE code = ? AND last_active > ?",
                                  (code, now - ROOM_LIFETIME_SECONDS)).fetchone()
            if room is None:
                return {}
            notes = cursor.execute("SELECT id, entry_note, entry_version FROM attendees WHERE room = ? AND "
                                   "left_at IS NULL", (code,)).fetchall()
            board = cursor.execute(f"SELECT COUNT(*), MAX(e.id) FROM {CURRENT_ENTRIES}", (code,)).fetchone()
        return {attendee: hashlib.sha1(repr((tuple(room), (note, version), tuple(board))).encode()).hexdigest()[:16]
                for attendee, note, version in notes}


def no_room_message(code: str) -> str:
    return (f"There is no open room with the code {code or '(empty)'}: check the code with the host. A room "
            "closes after 24 hours without activity.")
