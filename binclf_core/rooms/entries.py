"""A challenge's entries: finished runs entered (or refused with the rule they break), the leaderboard,
the end of the challenge and the revealed winner.

A challenge ends when the host ends it or reveals the winner; from then on no run enters, so the
leaderboard stays as it was and a revealed winner stays the winner. Entering, ending and revealing
each take the room's row first, in one transaction: an entry either comes before the end (and is on
the board the reveal ranks) or is refused, on every replica, in SQLite and PostgreSQL alike.
A part of RoomStore (binclf_core/rooms/store.py), whose `state` (the room's challenge) it reads.
"""

from __future__ import annotations

import json
import time

from binclf_core.figures.formats import metric_text
from binclf_core.rooms.challenge import Entry, rank_entries
from binclf_core.rooms.database import Database
from binclf_core.rooms.identity import Attendee, normal_code
from binclf_core.rooms.summary import Summary

# The entries of the room's current challenge (an earlier challenge's stay in the table, unseen).
CURRENT_ENTRIES = ("entries e JOIN rooms r ON r.code = e.room AND r.challenge_version = e.challenge_version "
                   "WHERE e.room = ?")
ENDED_NOTE = "Not entered: your run finished after the challenge had ended."


def entered_note(summary: Summary) -> str:
    return (f"Entered: {metric_text('test_accuracy', summary.test_accuracy)} test accuracy with "
            f"{summary.parameters} parameters in {summary.epoch} epochs.")


class EntryQueries(Database):
    def enter(self, attendee: Attendee, summary: Summary, now: float | None = None) -> str | None:
        """Enter a finished run in the room's challenge: the note the attendee sees (entered, refused with
        the rule it breaks, or refused as the challenge had ended); None if the room has no challenge (or a
        new one started meanwhile) or the run is not finished."""
        now = time.time() if now is None else now
        if summary.status != "completed" or summary.test_accuracy is None:
            return None
        state = self.state(attendee.room, now)
        if state is None or state.challenge is None:
            return None
        broken = state.challenge.breaks(summary.config, summary.epoch)
        with self._transaction(write=True) as cursor:
            # The room's row first (as post_summaries and leave take it): an end or a reveal under way
            # finishes before this reads whether the challenge still runs.
            room = cursor.execute("UPDATE rooms SET last_active = ? WHERE code = ? AND challenge_version = ? "
                                  "RETURNING challenge_ended_at", (now, attendee.room, state.challenge_version)
                                  ).fetchone()
            if room is None:
                return None
            if room[0] is not None:
                note = ENDED_NOTE
            elif broken is None:
                note = entered_note(summary)
                _insert_entry(cursor, attendee, summary, state.challenge_version,
                              max(0.0, now - state.challenge.started_at))
            else:
                note = f"Not entered in the challenge: {broken}."
            cursor.execute("UPDATE attendees SET entry_note = ?, entry_version = ? WHERE id = ?",
                           (note, state.challenge_version, attendee.id))
        return note

    def entry_note(self, attendee: int, challenge_version: int) -> str | None:
        """What became of the attendee's last finished run in the current challenge, in their words."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT entry_note FROM attendees WHERE id = ? AND entry_version = ?",
                                 (attendee, challenge_version)).fetchone()
        return row[0] if row else None

    def leaderboard(self, code: str) -> list[Entry]:
        """The current challenge's entries, each attendee's best, ranked (see challenge.rank_entries)."""
        with self._transaction() as cursor:
            return _leaderboard(cursor, normal_code(code))

    def end_challenge(self, code: str, now: float | None = None) -> bool:
        """End the running challenge without revealing a winner: no run enters after this. False if no
        challenge runs."""
        now = time.time() if now is None else now
        with self._transaction(write=True) as cursor:
            cursor.execute("UPDATE rooms SET challenge_ended_at = ?, last_active = ? WHERE code = ? AND "
                           "challenge IS NOT NULL AND challenge_ended_at IS NULL", (now, now, normal_code(code)))
            return cursor.rowcount == 1

    def reveal_winner(self, code: str, now: float | None = None) -> dict | None:
        """Show the leader's settings to everyone and end the challenge (if it still runs): the winner stays
        the winner. The winner revealed already, if any; None (nothing revealed, the challenge runs on)
        while no entry has come."""
        now, code = time.time() if now is None else now, normal_code(code)
        with self._transaction(write=True) as cursor:
            room = cursor.execute("UPDATE rooms SET last_active = ? WHERE code = ? AND challenge IS NOT NULL "
                                  "RETURNING winner", (now, code)).fetchone()
            if room is None or room[0] is not None:
                return json.loads(room[0]) if room else None
            board = _leaderboard(cursor, code)
            if not board:
                return None
            best = board[0]
            winner = {"name": best.name, "test_accuracy": best.test_accuracy, "parameters": best.parameters,
                      "epochs": best.epochs, "config": best.config}
            cursor.execute("UPDATE rooms SET winner = ?, challenge_ended_at = COALESCE(challenge_ended_at, ?) "
                           "WHERE code = ?", (json.dumps(winner, sort_keys=True), now, code))
        return winner


def _insert_entry(cursor, attendee: Attendee, summary: Summary, challenge_version: int, seconds: float) -> None:
    """The run as an entry; the same run (settings and epochs) again adds none."""
    config = summary.config_json()
    cursor.execute(
        "INSERT INTO entries (room, challenge_version, attendee, name, test_accuracy, parameters, epochs, seconds, "
        "config, run_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (room, challenge_version, attendee, run_key) DO NOTHING",
        (attendee.room, challenge_version, attendee.id, attendee.name, summary.test_accuracy, summary.parameters,
         summary.epoch, seconds, config, f"{config}@{summary.epoch}"))


def _leaderboard(cursor, code: str) -> list[Entry]:
    rows = cursor.execute("SELECT e.attendee, e.name, e.test_accuracy, e.parameters, e.epochs, e.seconds, e.config "
                          f"FROM {CURRENT_ENTRIES}", (code,)).fetchall()
    return rank_entries([Entry(a, n, acc, p, ep, s, json.loads(c)) for a, n, acc, p, ep, s, c in rows])
