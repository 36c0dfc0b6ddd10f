"""A challenge's entries: finished runs entered (or refused with the rule they break), the leaderboard,
the revealed winner.

A part of RoomStore (binclf_core/rooms/store.py), whose `state` (the room's challenge) it reads.
"""

from __future__ import annotations

import json
import time

from binclf_core.rooms.challenge import Entry, rank_entries
from binclf_core.rooms.database import Database
from binclf_core.rooms.identity import Attendee, normal_code
from binclf_core.rooms.summary import Summary

# The entries of the room's current challenge (an earlier challenge's stay in the table, unseen).
CURRENT_ENTRIES = ("entries e JOIN rooms r ON r.code = e.room AND r.challenge_version = e.challenge_version "
                   "WHERE e.room = ?")


class EntryQueries(Database):
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

    def entry_note(self, attendee: int, challenge_version: int) -> str | None:
        """What became of the attendee's last finished run in the current challenge, in their words."""
        with self._transaction() as cursor:
            row = cursor.execute("SELECT entry_note FROM attendees WHERE id = ? AND entry_version = ?",
                                 (attendee, challenge_version)).fetchone()
        return row[0] if row else None

    def leaderboard(self, code: str) -> list[Entry]:
        """The current challenge's entries, each attendee's best, ranked (see challenge.rank_entries)."""
        with self._transaction() as cursor:
            rows = cursor.execute(
                "SELECT e.attendee, e.name, e.test_accuracy, e.parameters, e.epochs, e.seconds, e.config "
                f"FROM {CURRENT_ENTRIES}", (normal_code(code),)).fetchall()
        return rank_entries([Entry(a, n, acc, p, ep, s, json.loads(c)) for a, n, acc, p, ep, s, c in rows])

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
