"""The room's database: connections, transactions and the versioned schema (SQLite or PostgreSQL).

Plain DB-API, not SQLAlchemy: the room needs a dozen short statements that SQLite and PostgreSQL
both understand as written (`?` becomes psycopg's `%s`, two column types differ), so a query
builder or an ORM would add a dependency and a layer for nothing; sqlite3 ships with Python and
psycopg is the one driver added. Connections are pooled here (a few, shared by the threads).

SQLite is the default: `rooms.sqlite3` in BINCLF_DATA_DIR (default `data/` beside app.py), in WAL
mode, so the replicas of deploy/ on one host share it. BINCLF_DATABASE_URL = `postgresql://...`
uses PostgreSQL instead. The schema is created on start and versioned (table `schema_version`).
The queries live by concern: `store` (rooms and attendees), `board` (summaries and the host's
board), `entries` (a challenge's entries and its leaderboard).
"""

from __future__ import annotations

import queue
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from binclf_core.rooms.identity import RoomError

POOL_SIZE = 4

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
], [  # 2: the host's board follows the room's board version (ui/room_news.py's board feed)
    "ALTER TABLE rooms ADD COLUMN board_version INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE summaries ADD COLUMN version INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE summaries ADD COLUMN changed_at {real}",
], [  # 3: a challenge ends (by the host, or at the reveal): entries close, the leaderboard stays as it was
    "ALTER TABLE rooms ADD COLUMN challenge_ended_at {real}",
    # A winner revealed before this version ended its challenge too; when is not known, the room's last activity
    # stands in for it.
    "UPDATE rooms SET challenge_ended_at = last_active WHERE winner IS NOT NULL",
]]
SCHEMA_VERSION = len(MIGRATIONS)
TYPES = {"sqlite": {"real": "REAL", "serial": "INTEGER PRIMARY KEY AUTOINCREMENT"},
         "postgresql": {"real": "DOUBLE PRECISION", "serial": "BIGSERIAL PRIMARY KEY"}}


class Database:
    """Thread-safe: each call takes a pooled connection for one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.dialect = "sqlite" if url.startswith("sqlite:///") else "postgresql"
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._create_schema()

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
