"""The room's data-access module against a real SQLite file and a real PostgreSQL server.

PostgreSQL comes from BINCLF_TEST_DATABASE_URL (.ci/run starts one with deploy/local_postgres.sh);
without it those tests skip, except under BINCLF_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from contextlib import contextmanager

import numpy as np
import pytest

from binclf_core.config import RunConfig
from binclf_core.rooms.board import IDLE_SECONDS
from binclf_core.rooms.challenge import Challenge
from binclf_core.rooms.database import SCHEMA_VERSION
from binclf_core.rooms.identity import MAX_ATTENDEES, RoomError
from binclf_core.rooms.store import ROOM_LIFETIME_SECONDS, RoomStore, open_store
from binclf_core.rooms.summary import Summary, grid_text, quantise
from binclf_core.rooms.writer import SummaryWriter

TABLES = ("entries", "summaries", "attendees", "rooms", "schema_version")


def postgres_url() -> str:
    url = os.environ.get("BINCLF_TEST_DATABASE_URL", "")
    if not url:
        reason = ("no PostgreSQL server for the tests: start one with `bash deploy/local_postgres.sh start DIR` "
                  "and set BINCLF_TEST_DATABASE_URL to the URL it prints")
        if os.environ.get("BINCLF_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (required: BINCLF_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(reason)
    return url


def empty_postgres(url: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP TABLE IF EXISTS {', '.join(TABLES)} CASCADE")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rooms.sqlite3'}"
    return empty_postgres(postgres_url())


@pytest.fixture
def store(url):
    store = RoomStore(url)
    yield store
    store.close()


def summary(epoch=10, status="training", accuracy=0.8, config=None, posted_at=None) -> Summary:
    config = config or RunConfig()
    grid = np.full((60, 60), 128, dtype=np.uint8)
    return Summary(epoch, config.epochs, status, accuracy, config, quantise(grid),
                   time.time() if posted_at is None else posted_at)


def test_the_schema_is_created_on_start_and_versioned(store, url):
    assert store.schema_version() == SCHEMA_VERSION
    again = RoomStore(url)  # a second start (or a replica) finds it and migrates nothing
    assert again.schema_version() == SCHEMA_VERSION
    again.close()


def test_a_database_from_a_newer_app_is_refused(store, url):
    with store._transaction(write=True) as cursor:
        cursor.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(RoomError, match="newer than this app"):
        RoomStore(url)


def test_sqlite_runs_in_wal_mode(tmp_path):
    store = open_store({"BINCLF_DATA_DIR": str(tmp_path / "data")})
    path = tmp_path / "data" / "rooms.sqlite3"
    assert path.exists()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_a_database_url_must_name_postgresql():
    with pytest.raises(RoomError, match="postgresql://"):
        open_store({"BINCLF_DATABASE_URL": "mysql://somewhere/db"})


def test_only_the_host_key_opens_the_room(store):
    code, key = store.create_room()
    assert store.room_exists(code)
    assert store.is_host(code, key) and store.is_host(code.lower(), key)
    assert not store.is_host(code, key[:-1] + ("A" if key[-1] != "A" else "B"))
    assert not store.is_host(code, None) and not store.is_host("XXXX", key)
    with store._transaction() as cursor:  # the key itself is nowhere in the database
        assert key not in repr(cursor.execute("SELECT * FROM rooms").fetchall())


def test_attendees_join_with_clean_unique_names_and_a_secret_seat(store):
    code, _ = store.create_room()
    ann, seat = store.join(code, "  <b>Ann</b> ")
    assert ann.name == "<b>Ann</b>" and ann.room == code
    assert store.attendee(code, seat) == ann
    assert store.attendee(code, "not-the-seat") is None
    with pytest.raises(RoomError, match="already called"):
        store.join(code, "<B>ANN</B>")
    with pytest.raises(RoomError, match="no open room with the code QQQQ"):
        store.join("QQQQ", "Bob")


def test_a_room_holds_at_most_100_attendees(store):
    code, _ = store.create_room()
    for number in range(MAX_ATTENDEES):
        store.join(code, f"attendee {number}")
    with pytest.raises(RoomError, match="full"):
        store.join(code, "one too many")


def test_a_room_silent_for_24_hours_is_deleted_with_everything_in_it(store):
    start = 1_000_000.0
    code, _ = store.create_room(now=start)
    ann, _ = store.join(code, "Ann", now=start)
    store.post_summaries([(ann, summary())], now=start + 10)
    assert store.room_exists(code, now=start + 10 + ROOM_LIFETIME_SECONDS - 1)
    assert not store.room_exists(code, now=start + 10 + ROOM_LIFETIME_SECONDS)
    assert store.purge_expired(now=start + 10 + ROOM_LIFETIME_SECONDS) == 1
    with store._transaction() as cursor:
        assert [cursor.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES[:4]] == [0, 0, 0, 0]


def test_the_board_shows_each_attendees_latest_summary_and_status(store):
    code, _ = store.create_room()
    ann, _ = store.join(code, "Ann")
    store.join(code, "Bob")
    now = time.time()
    store.post_summaries([(ann, summary(epoch=5))], now)
    store.post_summaries([(ann, summary(epoch=7, status="paused", accuracy=0.9))], now)
    rows = {row.name: row for row in store.board(code, now)}
    assert rows["Ann"].epoch == 7 and rows["Ann"].status == "paused" and rows["Ann"].test_accuracy == 0.9
    assert rows["Ann"].parameters == 3 and rows["Ann"].config["dataset"] == "blobs" and len(rows["Ann"].grid) > 600
    assert rows["Bob"].status == "joined" and rows["Bob"].epoch is None
    later = {row.name: row.status for row in store.board(code, now + IDLE_SECONDS + 1)}
    assert later == {"Ann": "idle", "Bob": "idle"}


def test_an_attendee_who_left_is_off_the_board_and_gets_no_summary(store):
    code, _ = store.create_room()
    ann, seat = store.join(code, "Ann")
    store.leave(ann.id)
    assert store.post_summaries([(ann, summary())]) == 0
    assert store.board(code) == [] and store.attendee(code, seat) is None
    store.join(code, "Ann")  # the name is free again


def test_a_pushed_setup_and_a_challenge_reach_the_room_state(store):
    code, _ = store.create_room()
    assert store.state(code).setup_version == 0
    setup = {"title": "Moons", "config": RunConfig(dataset="moons").to_dict()}
    assert store.push_setup(code, setup) == 1
    challenge = Challenge.on(RunConfig(dataset="spiral"), max_parameters=300, started_at=time.time())
    assert store.start_challenge(code, challenge) == 1
    state = store.state(code.lower())
    assert state.setup == setup and state.challenge == challenge and state.winner is None
    assert store.state("QQQQ") is None


def test_finished_runs_that_keep_the_rules_enter_and_the_others_are_refused_with_the_reason(store):
    code, _ = store.create_room()
    spiral = RunConfig(dataset="spiral", model="mlp", hidden=(8, 8), epochs=200)
    store.start_challenge(code, Challenge.on(spiral, max_parameters=120, started_at=time.time()))
    ann, _ = store.join(code, "Ann")
    bob, _ = store.join(code, "Bob")
    cat, _ = store.join(code, "Cat")
    assert store.enter(ann, summary(200, "training", 0.9, spiral)) is None  # not finished yet
    assert store.enter(ann, summary(200, "completed", 0.90, spiral)).startswith("Entered: 90.0 % test accuracy")
    assert store.enter(bob, summary(200, "completed", 0.95, spiral)).startswith("Entered")
    big = spiral.with_changes(hidden=(32, 32))
    note = store.enter(cat, summary(200, "completed", 0.99, big))
    assert note == "Not entered in the challenge: its model has 1185 parameters, the rules allow at most 120."
    assert store.entry_note(cat.id, 1) == note
    assert store.enter(ann, summary(200, "completed", 0.90, spiral))  # the same run again: still one entry
    board = store.leaderboard(code)
    assert [(e.name, e.test_accuracy) for e in board] == [("Bob", 0.95), ("Ann", 0.90)]
    winner = store.reveal_winner(code)
    assert winner["name"] == "Bob" and winner["config"]["hidden"] == [8, 8]
    assert store.state(code).winner == winner
    store.start_challenge(code, Challenge.on(spiral, started_at=time.time()))  # a new challenge starts empty
    assert store.leaderboard(code) == [] and store.state(code).winner is None


def challenge_with_entries(store, *accuracies: float) -> tuple[str, RunConfig, list]:
    """A room with a running challenge on the spiral and one attendee per accuracy, each with an entry."""
    code, _ = store.create_room()
    spiral = RunConfig(dataset="spiral")
    store.start_challenge(code, Challenge.on(spiral, started_at=time.time() - 30))
    people = [store.join(code, name)[0] for name in ("Ann", "Bob", "Cat")[:len(accuracies)]]
    for person, accuracy in zip(people, accuracies, strict=True):
        store.enter(person, summary(300, "completed", accuracy, spiral))
    return code, spiral, people


def test_a_revealed_winner_stays_the_winner_as_the_reveal_ends_the_challenge(store):
    code, spiral, (_, bob) = challenge_with_entries(store, 0.80, 0.70)
    winner = store.reveal_winner(code)
    state = store.state(code)
    assert winner["name"] == "Ann" and state.winner == winner
    assert not state.challenge_running and state.challenge_ended_at >= state.challenge.started_at + 30
    # Bob's better run finishes after the reveal: refused with a sentence saying so, and the board stays.
    note = store.enter(bob, summary(300, "completed", 0.99, spiral.with_changes(lr=0.5)))
    assert note == "Not entered: your run finished after the challenge had ended."
    assert store.entry_note(bob.id, state.challenge_version) == note
    assert [(e.name, e.test_accuracy) for e in store.leaderboard(code)] == [("Ann", 0.80), ("Bob", 0.70)]
    assert store.reveal_winner(code) == winner and store.state(code) == state  # a second reveal changes nothing


def test_the_host_ends_a_challenge_without_a_winner_and_no_run_enters_after_it(store):
    code, spiral, (ann, bob) = challenge_with_entries(store, 0.80, 0.70)
    news = store.news(code, ann.id)
    assert store.end_challenge(code.lower())
    state = store.state(code)
    assert state.winner is None and not state.challenge_running and state.challenge_ended_at is not None
    assert store.news(code, ann.id) != news  # attendees' pages learn of it
    assert not store.end_challenge(code)  # ended already: nothing to end
    assert store.enter(bob, summary(300, "completed", 0.99, spiral.with_changes(lr=0.5))).startswith("Not entered")
    assert [e.name for e in store.leaderboard(code)] == ["Ann", "Bob"]
    assert store.reveal_winner(code)["name"] == "Ann"  # the host may still reveal the leader at the end
    assert store.state(code).challenge_ended_at == state.challenge_ended_at
    assert not store.end_challenge("QQQQ") and not store.end_challenge(store.create_room()[0])  # no challenge


def test_a_new_challenge_after_an_ended_one_runs_and_takes_entries(store):
    code, _, (ann,) = challenge_with_entries(store, 0.80)
    store.reveal_winner(code)
    moons = RunConfig(dataset="moons")
    version = store.start_challenge(code, Challenge.on(moons, started_at=time.time()))
    state = store.state(code)
    assert state.challenge_running and state.winner is None and state.challenge_version == version == 2
    assert store.leaderboard(code) == [] and store.entry_note(ann.id, version) is None
    assert store.enter(ann, summary(300, "completed", 0.6, moons)).startswith("Entered")
    assert [e.name for e in store.leaderboard(code)] == ["Ann"]


def test_a_run_finishing_while_the_challenge_is_replaced_is_not_entered_in_the_new_one(store, monkeypatch):
    code, spiral, (ann,) = challenge_with_entries(store, 0.80)
    old_state = store.state(code)
    store.start_challenge(code, Challenge.on(RunConfig(dataset="moons"), started_at=time.time()))
    monkeypatch.setattr(store, "state", lambda *args: old_state)  # the run was checked against the old one
    assert store.enter(ann, summary(300, "completed", 0.9, spiral)) is None
    monkeypatch.undo()
    assert store.leaderboard(code) == []


def test_entries_racing_the_reveal_on_another_replica_never_overtake_the_winner(url):
    import threading

    host_side, attendee_side = RoomStore(url), RoomStore(url)
    code, _ = host_side.create_room()
    spiral = RunConfig(dataset="spiral")
    host_side.start_challenge(code, Challenge.on(spiral, started_at=time.time()))
    people = [host_side.join(code, f"attendee {n}")[0] for n in range(40)]
    attendee_side.enter(people[0], summary(300, "completed", 0.5, spiral))
    started = threading.Event()

    def enter_better_and_better() -> None:
        for number, person in enumerate(people[1:], start=1):
            started.set()
            attendee_side.enter(person, summary(300, "completed", 0.5 + number / 100, spiral))

    thread = threading.Thread(target=enter_better_and_better)
    thread.start()
    started.wait()
    winner = host_side.reveal_winner(code)
    thread.join()
    board = host_side.leaderboard(code)
    assert board[0].name == winner["name"] == host_side.state(code).winner["name"]
    host_side.close()
    attendee_side.close()


def test_everything_is_still_there_after_a_restart(url):
    first = RoomStore(url)
    code, key = first.create_room()
    ann, seat = first.join(code, "Ann")
    spiral = RunConfig(dataset="spiral")
    first.start_challenge(code, Challenge.on(spiral, started_at=time.time()))
    first.enter(ann, summary(300, "completed", 0.7, spiral))
    first.end_challenge(code)
    first.close()
    second = RoomStore(url)  # a new process on the same database
    assert second.is_host(code, key) and second.attendee(code, seat) == ann
    assert [e.name for e in second.leaderboard(code)] == ["Ann"]
    assert not second.state(code).challenge_running
    second.close()


def test_a_challenge_ended_on_one_replica_takes_no_entry_on_the_other(url):
    host_side, attendee_side = RoomStore(url), RoomStore(url)
    code, _ = host_side.create_room()
    spiral = RunConfig(dataset="spiral")
    host_side.start_challenge(code, Challenge.on(spiral, started_at=time.time()))
    ann, _ = attendee_side.join(code, "Ann")
    host_side.end_challenge(code)
    assert attendee_side.enter(ann, summary(300, "completed", 0.7, spiral)).startswith("Not entered")
    assert host_side.leaderboard(code) == []
    host_side.close()
    attendee_side.close()


def test_two_stores_on_one_database_see_each_others_attendees(url):
    """Two replicas: a host on one sees the attendees of the other."""
    host_side, attendee_side = RoomStore(url), RoomStore(url)
    code, _ = host_side.create_room()
    ann, _ = attendee_side.join(code, "Ann")
    attendee_side.post_summaries([(ann, summary(epoch=42))])
    assert [(row.name, row.epoch) for row in host_side.board(code)] == [("Ann", 42)]
    host_side.close()
    attendee_side.close()


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextmanager
def writer_for_ann(store, min_interval: float):
    """A room with Ann in it and a SummaryWriter on the store, stopped afterwards."""
    code, _ = store.create_room()
    ann, _ = store.join(code, "Ann")
    writer = SummaryWriter(store, min_interval=min_interval)
    try:
        yield code, ann, writer
    finally:
        writer.stop()


def test_the_writer_keeps_the_newest_summary_and_writes_an_attendee_at_most_once_a_second(store):
    with writer_for_ann(store, min_interval=1.0) as (code, ann, writer):
        started = time.monotonic()
        for epoch in range(1, 31):  # 30 summaries in ~0.3 s
            writer.offer(ann, summary(epoch=epoch))
            time.sleep(0.01)
        wait_until(lambda: writer.idle() and store.board(code)[0].epoch == 30)
        assert time.monotonic() - started >= 1.0  # the newest waited for its slot
        assert writer.written == 2  # the first at once, the newest a second later; none between


def test_the_writer_enters_a_finished_run_even_if_a_newer_summary_replaced_it(store):
    code, _ = store.create_room()
    spiral = RunConfig(dataset="spiral")
    store.start_challenge(code, Challenge.on(spiral, started_at=time.time()))
    ann, _ = store.join(code, "Ann")
    writer = SummaryWriter(store)
    try:
        writer.offer(ann, summary(epoch=1, config=spiral))
        writer.offer(ann, summary(epoch=300, status="completed", accuracy=0.8, config=spiral))
        writer.offer(ann, summary(epoch=0, status="paused", accuracy=0.5, config=spiral))  # Reset at once
        wait_until(lambda: writer.idle() and store.leaderboard(code))
        assert store.leaderboard(code)[0].test_accuracy == 0.8
    finally:
        writer.stop()


def test_an_attendees_news_changes_with_a_push_an_entry_and_the_winner(store):
    code, _ = store.create_room()
    ann, _ = store.join(code, "Ann")
    seen = [store.news(code, ann.id)]
    assert store.news(code, ann.id) == seen[0]  # nothing happened: the same news
    store.push_setup(code, {"title": "x", "config": RunConfig().to_dict()})
    seen.append(store.news(code, ann.id))
    spiral = RunConfig(dataset="spiral")
    store.start_challenge(code, Challenge.on(spiral, started_at=time.time()))
    seen.append(store.news(code, ann.id))
    store.enter(ann, summary(300, "completed", 0.7, spiral))
    seen.append(store.news(code, ann.id))
    store.reveal_winner(code)
    seen.append(store.news(code, ann.id))
    assert len(set(seen)) == 5
    assert store.news("QQQQ", ann.id) == "closed"


def test_a_database_of_schema_version_1_is_migrated_and_its_summaries_stay_on_the_board(url, monkeypatch):
    from binclf_core.rooms import database

    monkeypatch.setattr(database, "MIGRATIONS", database.MIGRATIONS[:1])
    monkeypatch.setattr(database, "SCHEMA_VERSION", 1)
    old = database.Database(url)  # as the app before the board feed left it
    with old._transaction(write=True) as cursor:
        cursor.execute("INSERT INTO rooms (code, host_hash, created_at, last_active) VALUES ('KQ7M', 'x', ?, ?)",
                       (time.time(), time.time()))
        ann = cursor.execute("INSERT INTO attendees (room, seat_hash, name, joined_at, seen_at) VALUES "
                             "('KQ7M', 'y', 'Ann', ?, ?) RETURNING id", (time.time(), time.time())).fetchone()[0]
        cursor.execute("INSERT INTO summaries (attendee, epoch, epochs, status, test_accuracy, config, parameters, "
                       "grid, posted_at, written_at) VALUES (?, 7, 300, 'paused', 0.5, ?, 3, 'AAAA', 1.0, 2.0)",
                       (ann, json.dumps(RunConfig().to_dict())))
    old.close()
    monkeypatch.undo()
    store = RoomStore(url)
    assert store.schema_version() == SCHEMA_VERSION == 3
    [row] = store.board("KQ7M")
    assert (row.name, row.epoch, row.version, row.changed_at) == ("Ann", 7, 0, None)
    feed = store.board_feed("KQ7M")
    assert feed["version"] == 0 and feed["rows"][0]["summary"] == "blobs · logistic · bce"
    store.close()


def test_a_database_of_schema_version_2_is_migrated_and_a_revealed_winner_ended_its_challenge(url, monkeypatch):
    from binclf_core.rooms import database

    monkeypatch.setattr(database, "MIGRATIONS", database.MIGRATIONS[:2])
    monkeypatch.setattr(database, "SCHEMA_VERSION", 2)
    old = database.Database(url)  # as the app before a challenge could end left it
    challenge = Challenge.on(RunConfig(dataset="spiral"), started_at=100.0).to_json()
    with old._transaction(write=True) as cursor:
        for code, winner in (("KQ7M", '{"name": "Ann"}'), ("KQ7N", None)):
            cursor.execute("INSERT INTO rooms (code, host_hash, created_at, last_active, challenge, challenge_version, "
                           "winner) VALUES (?, 'x', 100.0, ?, ?, 1, ?)", (code, time.time(), challenge, winner))
    old.close()
    monkeypatch.undo()
    store = RoomStore(url)
    assert store.schema_version() == SCHEMA_VERSION
    revealed, running = store.state("KQ7M"), store.state("KQ7N")
    assert revealed.winner == {"name": "Ann"} and not revealed.challenge_running
    assert running.challenge_running and running.challenge_ended_at is None
    store.close()


def test_the_board_version_counts_up_with_summaries_joins_and_leaves_and_rows_carry_theirs(store):
    code, _ = store.create_room()
    assert store.board_version(code) == 0 and store.board_version("QQQQ") is None
    ann, _ = store.join(code, "Ann")
    bob, _ = store.join(code, "Bob")
    assert store.board_version(code) == 2
    store.post_summaries([(ann, None)])  # a sign of life changes no tile
    assert store.board_version(code) == 2
    first = summary(epoch=5, posted_at=100.0)
    store.post_summaries([(ann, first), (bob, summary(epoch=6))])  # one transaction: one version
    assert store.board_version(code) == 3
    assert [(row.name, row.version, row.epoch) for row in store.board(code)] == [("Ann", 3, 5), ("Bob", 3, 6)]
    assert store.board(code)[0].posted_at == store.board(code)[0].changed_at == 100.0  # nothing held back
    held = Summary(9, 300, "training", 0.9, RunConfig(), first.grid, posted_at=101.0, changed_at=100.5)
    store.post_summaries([(ann, held)])
    assert [(row.name, row.version, row.epoch) for row in store.board(code)] == [("Ann", 4, 9), ("Bob", 3, 6)]
    assert (store.board(code)[0].posted_at, store.board(code)[0].changed_at) == (101.0, 100.5)
    store.leave(bob.id)
    assert store.board_version(code) == 5 and [row.name for row in store.board(code)] == ["Ann"]


def test_the_board_feed_brings_in_full_only_the_attendees_written_after_the_version_asked(store):
    code, _ = store.create_room()
    ann, _ = store.join(code, "Ann")
    bob, _ = store.join(code, "Bob")
    cat, _ = store.join(code, "Cat")
    store.post_summaries([(ann, summary(epoch=5)), (bob, summary(epoch=6))])
    everything = store.board_feed(code)
    assert everything["version"] == 4
    assert [(row["name"], row["status"], row.get("epoch")) for row in everything["rows"]] == [
        ("Ann", "training", 5), ("Bob", "training", 6), ("Cat", "joined", None)]
    assert all(row["grid"] and row["summary"] == "blobs · logistic · bce" for row in everything["rows"][:2])
    store.post_summaries([(bob, summary(epoch=7, status="paused"))])
    news = store.board_feed(code, since=everything["version"])
    assert news["version"] == 5 and news["rows"] == [
        {"id": ann.id, "name": "Ann", "status": "training"},
        {**everything["rows"][1], "epoch": 7, "status": "paused", "posted_at": news["rows"][1]["posted_at"],
         "changed_at": news["rows"][1]["changed_at"], "written_at": news["rows"][1]["written_at"]},
        {"id": cat.id, "name": "Cat", "status": "joined"}]
    assert store.board_feed("QQQQ") is None


def written(store, code, epoch, timeout=10.0) -> float:
    """Wait until the board shows `epoch`: when the writer wrote it (its written_at)."""
    wait_until(lambda: store.board(code) and store.board(code)[0].epoch == epoch, timeout)
    return store.board(code)[0].written_at


def test_a_change_after_a_quiet_second_is_written_at_once(store):
    with writer_for_ann(store, min_interval=0.5) as (code, ann, writer):
        writer.offer(ann, summary(epoch=1))
        written(store, code, 1)
        time.sleep(0.6)  # longer than the rate limit's interval: nothing holds the next change back
        offered = time.time()
        writer.offer(ann, summary(epoch=2))
        assert written(store, code, 2) - offered < 0.4  # not held for an interval (0.5 s)


def test_a_change_within_the_second_waits_for_the_rest_of_it_only_and_says_when_it_happened(store):
    frame_grid = np.tile(np.linspace(0, 255, 60, dtype=np.uint8), (60, 1))
    frame = {"epoch": 0, "epochs": 300, "status": "training", "test_accuracy": 0.6, "config": RunConfig(),
             "grid": frame_grid}
    with writer_for_ann(store, min_interval=0.5) as (code, ann, writer):
        writer.offer(ann, {**frame, "epoch": 1}, time.time())  # the frame listener's dicts
        first = written(store, code, 1)
        changed = time.time()
        writer.offer(ann, {**frame, "epoch": 2}, changed)
        time.sleep(0.1)
        newest = time.time()
        writer.offer(ann, {**frame, "epoch": 3}, newest)
        third = written(store, code, 3)
        # when the interval was over (counted from the take, a moment before the write), not a full one later
        assert first + 0.45 <= third < first + 0.8
        row = store.board(code)[0]
        assert (row.changed_at, row.posted_at) == (changed, newest)  # epoch 2 waited since `changed`
        assert row.grid == grid_text(quantise(frame_grid)) and writer.written == 2


def test_signs_of_life_never_hold_a_summary_back(store):
    with writer_for_ann(store, min_interval=1.0) as (code, ann, writer):
        writer.offer(ann, None)  # the tab asked for news
        wait_until(writer.idle)
        offered = time.time()
        writer.offer(ann, summary(epoch=4))
        assert written(store, code, 4) - offered < 0.5  # not held for an interval (1 s)


def test_attendees_leaving_while_summaries_are_written_never_deadlock(url):
    """Two replicas' transactions at once: each takes the room's row before attendees' rows."""
    import threading

    writer_side, leaving_side = RoomStore(url), RoomStore(url)
    code, _ = writer_side.create_room()
    people = [writer_side.join(code, f"attendee {n}")[0] for n in range(40)]
    failures = []

    def write() -> None:
        try:
            for epoch in range(60):
                writer_side.post_summaries([(person, summary(epoch=epoch)) for person in people])
        except Exception as error:
            failures.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    try:
        for person in people:
            leaving_side.leave(person.id)
    except Exception as error:
        failures.append(error)
    thread.join()
    writer_side.close()
    leaving_side.close()
    assert failures == [] and writer_side.board(code) == []
