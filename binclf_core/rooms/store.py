"""The room's one data-access module: rooms, attendees, their latest summaries and challenge entries.

Plain DB-API, not SQLAlchemy: the room needs a dozen short statements that SQLite and PostgreSQL
both understand as written (`?` becomes psycopg's `%s`, two column types differ), so a query
builder or an ORM would add a dependency and a layer for nothing; sqlite3 ships with Python and
psycopg is the one driver added. Connections are pooled here (a few, shared by the threads).

SQLite is the default: `rooms.sqlite3` in BINCLF_DATA_DIR (default `data/` beside app.py), in WAL
mode, so the replicas of deploy/ on one host share it. BINCLF_DATABASE_URL = `postgresql://...`
uses PostgreSQL instead. The schema is created on start and versioned (table `schema_version`);
a room silent for 24 h is deleted with everything in it.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from binclf_core.rooms.challenge import Challenge, Entry, rank_entries
from binclf_core.rooms.identity import (
    MAX_ATTENDEES,
    RoomError,
    clean_name,
    key_hash,
    new_join_code,
    new_key,
    normal_code,
    same_key,
)
from binclf_core.rooms.summary import BoardRow, Summary, grid_text

ROOM_LIFETIME_SECONDS = 24 * 3600  # of silence
IDLE_SECONDS = 15  # an attendee's tab not heard from for this long shows as idle
PURGE_EVERY_SECONDS = 600
POOL_SIZE = 4
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"

# Each migration brings the schema from its index to the next version. {real} and {serial} differ by dialect.
MIGRATIONS: list[list[str]] = [[
    """CREATE TABLE rooms (
        code TEXT PRIMARY KEY, host_hash TEXT NOT NULL,
        created_at {real} NOT NULL, last_active {real} NOT NULL,
        setup TEXT, setup_version INTEGER NOT NULL DEFAULT 0,
        challenge TEXT, challenge_version INTEGER NOT NULL DEFAULT 0, winner TEXT)""",
    "CREATE INDEX rooms_last_active ON rooms (last_active)",
    """CREATE TABLE attendees (
        id {serial}, room TEXT NOT NULL REFERENCES rooms (code) ON DELETE CASCADE,
        seat_hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
        joined_at {real} NOT NULL, seen_at {real} NOT NULL, left_at {real},
        entry_note TEXT, entry_version INTEGER)""",
    "CREATE INDEX attendees_room ON attendees (room)",
    """CREATE TABLE summaries (
        attendee INTEGER PRIMARY KEY REFERENCES attendees (id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL, epochs INTEGER NOT NULL, status TEXT NOT NULL, test_accuracy {real},
        config TEXT NOT NULL, parameters INTEGER NOT NULL, grid TEXT NOT NULL,
        posted_at {real} NOT NULL, written_at {real} NOT NULL)""",
    """CREATE TABLE entries (
        id {serial}, room TEXT NOT NULL REFERENCES rooms (code) ON DELETE CASCADE,
        challenge_version INTEGER NOT NULL,
        attendee INTEGER NOT NULL REFERENCES attendees (id) ON DELETE CASCADE,
        name TEXT NOT NULL, test_accuracy {real} NOT NULL, parameters INTEGER NOT NULL, epochs INTEGER NOT NULL,
        seconds {real} NOT NULL, config TEXT NOT NULL, run_key TEXT NOT NULL,
        UNIQUE (room, challenge_version, attendee, run_key))""",
]]
SCHEMA_VERSION = len(MIGRATIONS)
TYPES = {"sqlite": {"real": "REAL", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
         "postgresql": {"real": "DOUBLE PRECISION", "serial": "BIGSERIAL PRIMARY KEY"}}
SUMMARY_COLUMNS = "epoch, epochs, status, test_accuracy, config, parameters, grid, posted_at, written_at"


@dataclass(frozen=True)
class Attendee:
    id: int
    room: str
    name: str


@dataclass(frozen=True)
class RoomState:
    """What an attendee's page follows: the pushed setup, the challenge and the revealed winner."""

    code: str
    setup: dict | None
    setup_version: int
    challenge: Challenge | None
    challenge_version: int
    winner: dict | None


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


class RoomStore:
    """Thread-safe: each call takes a pooled connection for one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite:///") else "postgresql"
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._last_purge = 0.0
        self._create_schema()
        self.purge_expired()

    # ---- connections ------------------------------------------------------------------------
    def _connect(self):
        if self.dialect == "sqlite":
            connection = sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=10,
                                         isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode = WAL")  # readers never wait for the writer
            connection.execute("PRAGMA synchronous = NORMAL")  # consistent in WAL; a power cut may lose a second
            connection.execute("PRAGMA foreign_keys = ON")
            return connection
        import psycopg  # only when PostgreSQL is asked for

        return psycopg.connect(self.url, connect_timeout=10)

    @contextmanager
    def _transaction(self, write: bool = False) -> Iterator[Any]:
        """A cursor in one transaction, committed on success. SQLite writes take the lock at once
        (BEGIN IMMEDIATE), so two writers wait for each other instead of failing on upgrade."""
        try:
            connection = self._idle.get_nowait()
        except queue.Empty:
            connection = self._connect()
        healthy = False
        try:
            cursor = connection.cursor()
            if self.dialect == "sqlite":
                cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield _Cursor(cursor, self.dialect)
            connection.commit() if self.dialect == "postgresql" else cursor.execute("COMMIT")
            healthy = True
        finally:
            if not healthy:
                healthy = self._roll_back(connection)
            if healthy and self._idle.qsize() < POOL_SIZE:
                self._idle.put(connection)
            else:
                connection.close()

    def _roll_back(self, connection) -> bool:
        """Roll back after a failure; False if the connection itself is broken (e.g. the server restarted)."""
        try:
            connection.rollback() if self.dialect == "postgresql" else connection.execute("ROLLBACK")
            return True
        except Exception:
            return False

    def close(self) -> None:
        while not self._idle.empty():
            self._idle.get_nowait().close()

    # ---- schema -----------------------------------------------------------------------------
    def _create_schema(self) -> None:
        """Bring the schema to SCHEMA_VERSION, one migration at a time, in one transaction (replicas
        starting together wait for each other: an advisory lock in PostgreSQL, the write lock in SQLite)."""
        with self._transaction(write=True) as cursor:
            if self.dialect == "postgresql":
                cursor.execute("SELECT pg_advisory_xact_lock(16016)")
            cursor.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = cursor.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise RoomError(f"the rooms database has schema version {version}, newer than this app's "
                                f"{SCHEMA_VERSION}: update the app")
            for migration in MIGRATIONS[version:]:
                for statement in migration:
                    cursor.execute(statement.format(**TYPES[self.dialect]))
            if row is None:
                cursor.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            else:
                cursor.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

    def schema_version(self) -> int:
        with self._transaction() as cursor:
            return cursor.execute("SELECT version FROM schema_version").fetchone()[0]

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

    def touch(self, code: str, now: float | None = None) -> None:
        with self._transaction(write=True) as cursor:
            now = time.time() if now is None else now
            cursor.execute("UPDATE rooms SET last_active = ? WHERE code = ?", (now, code))

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
            row = cursor.execute("SELECT setup, setup_version, challenge, challenge_version, winner FROM rooms "
                                 "WHERE code = ? AND last_active > ?",
                                 (normal_code(code), now - ROOM_LIFETIME_SECONDS)).fetchone()
        if row is None:
            return None
        setup, setup_version, challenge, challenge_version, winner = row
        return RoomState(normal_code(code), json.loads(setup) if setup else None, setup_version,
                         Challenge.from_json(challenge) if challenge else None, challenge_version,
                         json.loads(winner) if winner else None)

    def push_setup(self, code: str, setup: dict, now: float | None = None) -> int:
        """Send `setup` ({"title", "config"}) to the room; its new setup version."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as cursor:
            cursor.execute("UPDATE rooms SET setup = ?, setup_version = setup_version + 1, last_active = ? "
                           "WHERE code = ?", (json.dumps(setup, sort_keys=True), now, code))
            return cursor.execute("SELECT setup_version FROM rooms WHERE code = ?", (code,)).fetchone()[0]

    def start_challenge(self, code: str, challenge: Challenge, now: float | None = None) -> int:
        """Start `challenge` (replacing any earlier one, whose winner is hidden again); its version."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as cursor:
            cursor.execute("UPDATE rooms SET challenge = ?, challenge_version = challenge_version + 1, winner = NULL, "
                           "last_active = ? WHERE code = ?", (challenge.to_json(), now, code))
            return cursor.execute("SELECT challenge_version FROM rooms WHERE code = ?", (code,)).fetchone()[0]

    def reveal_winner(self, code: str, now: float | None = None) -> dict | None:
        """Show the leader's settings to everyone; None (nothing revealed) while no entry has come."""
        board = self.leaderboard(code)
        if not board:
            return None
        best = board[0]
        winner = {"name": best.name, "test_accuracy": best.test_accuracy, "parameters": best.parameters,
                  "epochs": best.epochs, "config": best.config}
        with self._transaction(write=True) as cursor:
            cursor.execute("UPDATE rooms SET winner = ?, last_active = ? WHERE code = ?",
                           (json.dumps(winner, sort_keys=True), time.time() if now is None else now, code))
        return winner

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
            cursor.execute("UPDATE rooms SET last_active = ? WHERE code = ?", (now, code))
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
            cursor.execute("UPDATE attendees SET left_at = ? WHERE id = ?", (now, attendee))

    def entry_note(self, attendee: int, challenge_version: int) -> str | None:
        """What became of the attendee's last finished run in the current challenge, in their words."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT entry_note FROM attendees WHERE id = ? AND entry_version = ?",
                                 (attendee, challenge_version)).fetchone()
        return row[0] if row else None

    # ---- summaries and the board --------------------------------------------------------------
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

    def summary_config(self, code: str, attendee: int) -> dict | None:
        """The settings of one attendee's run (for the host's big view)."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT s.config FROM summaries s JOIN attendees a ON a.id = s.attendee "
                                 "WHERE a.room = ? AND a.id = ?", (normal_code(code), attendee)).fetchone()
        return json.loads(row[0]) if row else None

    def news(self, code: str, attendee: int, now: float | None = None) -> str:
        """A short token of everything an attendee's notices show (the setup and challenge versions, the
        winner, their entry's note, the leaderboard): when it changes, their page draws the notices again."""
        now = time.time() if now is None else now
        with self._transaction() as cursor:
            room = cursor.execute("SELECT setup_version, challenge_version, winner IS NOT NULL FROM rooms "
                                  "WHERE code = ? AND last_active > ?",
                                  (normal_code(code), now - ROOM_LIFETIME_SECONDS)).fetchone()
            if room is None:
                return "closed"
            note = cursor.execute("SELECT entry_note, entry_version FROM attendees WHERE id = ?",
                                  (attendee,)).fetchone()
            board = cursor.execute("SELECT COUNT(*), MAX(e.id) FROM entries e JOIN rooms r ON r.code = e.room "
                                   "AND r.challenge_version = e.challenge_version WHERE e.room = ?",
                                   (normal_code(code),)).fetchone()
        return hashlib.sha1(repr((tuple(room), note and tuple(note), tuple(board))).encode()).hexdigest()[:16]

    # ---- the challenge ----------------------------------------------------------------------
    def enter(self, attendee: Attendee, summary: Summary, now: float | None = None) -> str | None:
        """Enter a finished run in the room's challenge: the note the attendee sees (entered, or
        refused with the rule it breaks); None if the room has no challenge or the run is not finished."""
        now = time.time() if now is None else now
        if summary.status != "completed" or summary.test_accuracy is None:
            return None
        state = self.state(attendee.room, now)
        if state is None or state.challenge is None:
            return None
        challenge = state.challenge
        broken = challenge.breaks(summary.config, summary.epoch)
        with self._transaction(write=True) as cursor:
            if broken is None:
                note = (f"Entered: {summary.test_accuracy:.1%} test accuracy with {summary.parameters} parameters "
                        f"in {summary.epoch} epochs.")
                run_key = f"{summary.config_json()}@{summary.epoch}"
                cursor.execute(
                    "INSERT INTO entries (room, challenge_version, attendee, name, test_accuracy, parameters, epochs, "
                    "seconds, config, run_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (room, challenge_version, attendee, run_key) DO NOTHING",
                    (attendee.room, state.challenge_version, attendee.id, attendee.name, summary.test_accuracy,
                     summary.parameters, summary.epoch, max(0.0, now - challenge.started_at), summary.config_json(),
                     run_key))
            else:
                note = f"Not entered in the challenge: {broken}."
            cursor.execute("UPDATE attendees SET entry_note = ?, entry_version = ? WHERE id = ?",
                           (note, state.challenge_version, attendee.id))
        return note

    def leaderboard(self, code: str) -> list[Entry]:
        """The current challenge's entries, each attendee's best, ranked (see challenge.rank_entries)."""
        with self._transaction() as cursor:
            rows = cursor.execute(
                "SELECT e.attendee, e.name, e.test_accuracy, e.parameters, e.epochs, e.seconds, e.config "
                "FROM entries e JOIN rooms r ON r.code = e.room AND r.challenge_version = e.challenge_version "
                "WHERE e.room = ?", (normal_code(code),)).fetchall()
        return rank_entries([Entry(a, n, acc, p, ep, s, json.loads(c)) for a, n, acc, p, ep, s, c in rows])


def no_room_message(code: str) -> str:
    return (f"There is no open room with the code {code or '(empty)'}: check the code with the host. A room "
            "closes after 24 hours without activity.")


def _board_row(row: tuple, now: float) -> BoardRow:
    attendee, name, seen_at, epoch, epochs, status, accuracy, config, parameters, grid, posted_at, _ = row
    if now - seen_at > IDLE_SECONDS:
        status = "idle"
    elif status is None:
        status = "joined"
    return BoardRow(attendee, name, status, epoch, epochs, accuracy, json.loads(config) if config else None,
                    parameters, grid, posted_at)


class _Cursor:
    """A DB-API cursor that takes `?` placeholders in either dialect and returns itself from execute."""

    def __init__(self, cursor, dialect: str):
        self._cursor, self._postgres = cursor, dialect == "postgresql"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._postgres else sql

    def execute(self, sql: str, params: tuple | list = ()) -> _Cursor:
        self._cursor.execute(self._sql(sql), params)
        return self

    def executemany(self, sql: str, rows: list) -> None:
        if rows:
            self._cursor.executemany(self._sql(sql), rows)

    def fetchone(self):
        return self._cursor.fetchone()

    def fetchall(self):
        return self._cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount
