"""The workshop room's pages in AppTest: joining by link (a name with markup stays text), a bad code,
leaving, the host's board behind the host key, a pushed setup with Apply, a challenge's notice."""

from __future__ import annotations

import time

import pytest

from binclf_core.config import RunConfig
from binclf_core.figures.formats import metric_text
from binclf_core.rooms import Challenge
from tests.pages.conftest import app_session


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The app's store, on a fresh SQLite file in tmp_path (the process's shared store, reset)."""
    from ui import room_news

    monkeypatch.setenv("BINCLF_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(room_news, "_shared", {})
    monkeypatch.setattr(room_news, "_seats", {})
    monkeypatch.setattr(room_news, "_hosts", {})
    monkeypatch.setattr(room_news, "_room_news", {})
    return room_news.shared_store()


def sidebar_texts(at) -> list[str]:
    return [m.value for m in at.sidebar.markdown]


def join(app, code: str, name: str):
    app.query_params["room"] = code
    app.run()
    app.sidebar.text_input(key="room_name").input(name)
    app.button(key="room_join").click().run()
    return app


def test_an_attendee_joins_by_link_and_a_name_with_markup_stays_text(app, store):
    code, _ = store.create_room()
    join(app, code, "<b>Ann</b> [x](y)")
    assert not app.exception
    assert f"You are in room **{code}** as **\\<b\\>Ann\\</b\\> \\[x\\]\\(y\\)**." in sidebar_texts(app)
    assert app.query_params["room"] == code and len(app.query_params["seat"]) > 20
    assert [row.name for row in store.board(code)] == ["<b>Ann</b> [x](y)"]
    app.button(key="room_leave").click().run()
    assert store.board(code) == [] and "seat" not in app.query_params


def test_a_bad_code_gets_a_clear_notice(app, store):
    app.query_params["room"] = "QQQQ"
    app.run()
    assert not app.exception
    assert any("no open room with the code QQQQ" in w.value for w in app.sidebar.warning)


def host_page(app, code: str, key: str):
    app.switch_page("pages/room.py")
    app.query_params["room"], app.query_params["host"] = code, key
    return app.run()


def board_mounts(at) -> list:
    return [c for c in at.get("bidi_component") if "room_board" in c.proto.id]


def test_only_the_host_key_opens_the_board(app, store):
    code, key = store.create_room()
    host_page(app, code, key + "x")
    assert any("does not open a room" in e.value for e in app.error)
    assert board_mounts(app) == [] and not [b for b in app.button if b.key == "room_push"]


def test_a_pushed_setup_reaches_an_attendee_as_a_notice_and_apply_sets_the_controls(app, store):
    code, key = store.create_room()
    attendee = join(app_session(), code, "Ann")
    host_page(app, code, key)
    assert len(board_mounts(app)) == 1
    app.selectbox(key="room_setup_source").select("Moons, part 2: BCE").run()
    app.button(key="room_push").click().run()
    assert store.state(code).setup["config"]["dataset"] == "moons"
    attendee.run()
    assert any("The host sent a setup:" in m.value for m in attendee.markdown)
    assert attendee.session_state["dataset"] == "blobs"  # nothing changes before Apply
    attendee.button(key="room_apply").click().run()
    assert attendee.session_state["dataset"] == "moons" and attendee.session_state["hidden"] == "16,16"
    assert not any("The host sent a setup:" in m.value for m in attendee.markdown)


def test_an_attendee_sees_the_challenge_and_why_their_settings_would_not_enter(app, store):
    code, _ = store.create_room()
    store.start_challenge(code, Challenge.on(RunConfig(dataset="blobs"), max_parameters=2, started_at=time.time()))
    join(app, code, "Ann")
    assert any("Challenge:" in m.value for m in app.markdown)
    assert any("its model has 3 parameters, the rules allow at most 2" in c.value for c in app.caption)


def completed(accuracy: float, config: RunConfig):
    """A finished run's summary, as the writer enters it."""
    import numpy as np

    from binclf_core.rooms import Summary
    from binclf_core.rooms.summary import quantise

    return Summary(config.epochs, config.epochs, "completed", accuracy, config, quantise(np.zeros((8, 8), np.uint8)),
                   time.time())


def room_with_a_challenge(store, accuracy: float = 0.5625) -> tuple[str, str, RunConfig]:
    """A room whose challenge (on the spiral, started 75 s ago) has one entry, Bob's: (code, host key, data)."""
    code, key = store.create_room()
    spiral = RunConfig(dataset="spiral")
    store.start_challenge(code, Challenge.on(spiral, started_at=time.time() - 75))
    bob, _ = store.join(code, "Bob")
    store.enter(bob, completed(accuracy, spiral))
    return code, key, spiral


def texts(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_the_host_ends_the_challenge_and_the_page_says_it_ended_with_no_running_clock(app, store):
    code, key, _ = room_with_a_challenge(store)
    host_page(app, code, key)
    assert any(text.startswith("**Running for 1:1") for text in texts(app))
    app.button(key="room_challenge_end").click().run()
    assert not app.exception and not store.state(code).challenge_running and store.state(code).winner is None
    assert any(text.startswith("**The challenge ended after 1:1") for text in texts(app))
    assert not any("Running for" in text for text in texts(app))
    assert [b.key for b in app.button if b.key == "room_challenge_end"] == []  # nothing left to end
    app.button(key="room_challenge_start").click().run()  # a new challenge runs
    assert store.state(code).challenge_running and any(text.startswith("**Running for 0:0") for text in texts(app))
    app.button(key="room_challenge_end").click().run()
    app.button(key="room_reveal").click().run()  # no run entered this one
    assert [w.value for w in app.warning] == ["No run entered before the end: there is no winner to reveal."]


def test_the_reveal_ends_the_challenge_on_the_host_page(app, store):
    code, key, _ = room_with_a_challenge(store)
    host_page(app, code, key)
    app.button(key="room_reveal").click().run()
    assert any("Revealed to everyone: Bob's settings." in s.value for s in app.success)
    assert any(text.startswith("**The challenge ended after") for text in texts(app))
    assert not any("Running for" in text for text in texts(app))
    assert not [b for b in app.button if b.key in ("room_reveal", "room_challenge_end")]


def test_an_attendee_sees_the_ended_challenge_in_one_short_notice_and_a_late_run_is_not_entered(app, store):
    code, _, spiral = room_with_a_challenge(store)
    join(app, code, "Ann")
    store.reveal_winner(code)
    ann = store.attendee(code, app.query_params["seat"])
    store.enter(ann, completed(0.99, spiral))  # Ann's run finishes after the reveal
    app.run()
    assert not app.exception
    assert any(text.startswith(":material/trophy: **The challenge has ended. The winner: Bob** with 56.2 % test "
                               "accuracy") for text in texts(app))
    assert [b.label for b in app.button if b.key == "room_apply_winner"] == ["Apply the winner's settings"]
    [details] = [e for e in app.expander if "the leaderboard" in e.label]
    assert details.label == "The winner's settings, your entry, the leaderboard (1)" and not details.proto.expanded
    assert [e.value for e in details.error] == ["Not entered: your run finished after the challenge had ended."]
    assert not [b for b in app.button if b.key == "room_apply_challenge"]
    app.button(key="room_apply_winner").click().run()
    assert app.session_state["dataset"] == "spiral"


def test_an_attendee_sees_a_challenge_ended_without_a_winner(app, store):
    code, _, _ = room_with_a_challenge(store)
    join(app, code, "Ann")
    store.end_challenge(code)
    app.run()
    assert any(text.startswith(":material/flag: **The challenge has ended:**") for text in texts(app))
    assert not [b for b in app.button if b.key == "room_apply_winner"]


def test_the_leaderboard_writes_accuracy_in_the_apps_one_format(app, store):
    code, _, _ = room_with_a_challenge(store, accuracy=0.5625)
    join(app, code, "Ann")
    [table] = [frame.value for frame in app.dataframe]
    assert list(table["Test accuracy"]) == [metric_text("test_accuracy", 0.5625)] == ["56.2 %"]


def frame_summary(status: str, epoch: int) -> dict:
    import numpy as np

    return {"epoch": epoch, "epochs": 300, "status": status, "test_accuracy": 0.75, "test_loss": 0.5,
            "config": RunConfig(), "grid": np.zeros((60, 60), dtype=np.uint8)}


def test_the_frame_listener_hands_every_frame_of_an_attendees_tab_to_the_writer(monkeypatch):
    """The writer keeps the newest and writes it as soon as the rate limit allows (tests/test_rooms_store.py)."""
    from ui import room
    from ui.frames import FrameTab

    offered = []

    class Writer:
        def offer(self, attendee, summary, posted_at):
            offered.append((attendee, summary["epoch"], summary["status"], posted_at))

    monkeypatch.setattr(room, "summary_writer", Writer)
    stranger, attendee = FrameTab(), FrameTab()
    attendee.meta["room"] = "an attendee"
    before = time.time()
    for epoch in range(1, 11):  # ten frames in a blink
        room.on_frame(stranger, frame_summary("training", epoch))
        room.on_frame(attendee, frame_summary("training", epoch))
    room.on_frame(attendee, frame_summary("completed", 300))
    assert [(who, epoch, status) for who, epoch, status, _ in offered] == (
        [("an attendee", epoch, "training") for epoch in range(1, 11)] + [("an attendee", 300, "completed")])
    times = [posted_at for *_, posted_at in offered]
    assert before <= times[0] and times == sorted(times) and times[-1] <= time.time()


def test_the_news_route_answers_an_attendee_only_and_changes_with_the_room(store):
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from ui.room_news import NEWS_PATH, room_news

    code, _ = store.create_room()
    _, seat = store.join(code, "Ann")
    client = TestClient(Starlette(routes=[Route(NEWS_PATH, room_news)]))
    first = client.get(NEWS_PATH, params={"room": code, "seat": seat})
    assert first.status_code == 200
    assert client.get(NEWS_PATH, params={"room": code, "seat": seat}).json() == first.json()
    refused = client.get(NEWS_PATH, params={"room": code, "seat": seat + "x"})
    assert refused.status_code == 403 and refused.json() == {"news": None}
    store.push_setup(code, {"title": "x", "config": RunConfig().to_dict()})
    assert client.get(NEWS_PATH, params={"room": code, "seat": seat}).json() != first.json()


def test_the_board_feed_answers_the_host_only_at_once_on_news_and_sends_only_what_changed(store, monkeypatch):
    import numpy as np
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from binclf_core.rooms import Summary
    from binclf_core.rooms.summary import quantise
    from ui import room_news

    monkeypatch.setattr(room_news, "BOARD_WAIT_SECONDS", 0.4)
    code, key = store.create_room()
    ann, _ = store.join(code, "Ann")
    bob, _ = store.join(code, "<b>Bob</b>")
    client = TestClient(Starlette(routes=[Route(room_news.BOARD_PATH, room_news.room_board)]))

    def feed(since=-1, host=key):
        started = time.monotonic()
        answer = client.get(room_news.BOARD_PATH, params={"room": code, "host": host, "since": since})
        return answer, time.monotonic() - started

    assert feed(host=key + "x")[0].status_code == 403
    summary = Summary(12, 300, "training", 0.75, RunConfig(), quantise(np.zeros((60, 60), np.uint8)), time.time())
    store.post_summaries([(ann, summary)])
    answer, seconds = feed()
    first = answer.json()
    assert answer.status_code == 200 and seconds < 0.3
    assert [(row["name"], row["status"], row.get("epoch")) for row in first["rows"]] == [
        ("Ann", "training", 12), ("<b>Bob</b>", "joined", None)]
    assert first["rows"][0]["summary"] == "blobs · logistic · bce" and first["rows"][0]["grid"]
    answer, seconds = feed(since=first["version"])  # nothing new: the feed waits, then answers anyway
    assert seconds >= 0.35 and answer.json()["version"] == first["version"] and answer.json()["rows"] == [
        {"id": ann.id, "name": "Ann", "status": "training"}, {"id": bob.id, "name": "<b>Bob</b>", "status": "joined"}]
    store.post_summaries([(bob, summary)])
    answer, seconds = feed(since=first["version"])
    rows = answer.json()["rows"]
    assert seconds < 0.3 and "grid" not in rows[0] and rows[1]["epoch"] == 12 and rows[1]["grid"]


def test_a_news_request_that_knows_the_news_waits_for_new_ones_or_a_while(store, monkeypatch):
    import threading

    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.testclient import TestClient

    from ui import room_news

    monkeypatch.setattr(room_news, "NEWS_WAIT_SECONDS", 0.6)
    monkeypatch.setattr(room_news, "NEWS_CHECK_SECONDS", 0.05)
    code, _ = store.create_room()
    _, seat = store.join(code, "Ann")
    client = TestClient(Starlette(routes=[Route(room_news.NEWS_PATH, room_news.room_news)]))
    known = client.get(room_news.NEWS_PATH, params={"room": code, "seat": seat}).json()["news"]

    def ask() -> tuple[str, float]:
        started = time.monotonic()
        answer = client.get(room_news.NEWS_PATH, params={"room": code, "seat": seat, "news": known})
        return answer.json()["news"], time.monotonic() - started

    attendee = store.attendee(code, seat)
    room_news._room_news[code] = (time.monotonic(), {attendee.id: "older news"})  # another request's old read
    news, seconds = ask()  # nothing happens: the same news, after the wait (never older ones)
    assert news == known and seconds >= 0.55
    push = threading.Timer(0.2, store.push_setup, (code, {"title": "x", "config": RunConfig().to_dict()}))
    push.start()
    news, seconds = ask()  # the host pushes a setup meanwhile: the answer comes with it
    push.join()
    assert news != known and 0.2 <= seconds < 0.55
