import math

import numpy as np

from tests.pages.conftest import app_session, epoch_text, produce_frame, tab
from tests.pages.test_playground import widget
from ui.replay import replay_epochs
from ui.session import REPLAY_FRAMES, replay_stride


def replay_slider(app):
    """The Replay epoch slider."""
    return next((s for s in app.select_slider if s.label == "Replay epoch"), None)


def boundary_picture(app) -> bytes:
    """The probability grid of the frame the producer sends this tab now."""
    return produce_frame(app)["grid"].tobytes()


def stepped(app, times: int = 2):
    app.run()
    widget(app, "epochs").set_value(100).run()  # Step trains 2 epochs at a time
    for _ in range(times):
        app.button(key="step").click().run()
    return app


def test_no_replay_before_the_run_trained(app):
    app.run()
    assert replay_slider(app) is None and not [b for b in app.button if b.key == "play_replay"]


def test_the_slider_offers_the_kept_epochs_and_starts_at_the_latest(app):
    stepped(app)
    slider = replay_slider(app)
    assert slider.label == "Replay epoch" and slider.options == ["0", "1", "2", "3", "4"] and slider.value == 4
    assert app.button(key="play_replay").label == "Play replay"


def test_scrubbing_back_draws_that_epoch_and_marks_it_on_the_curves(app):
    stepped(app)
    latest = boundary_picture(app)
    replay_slider(app).set_value(1).run()
    assert not app.exception
    assert epoch_text(app) == "**Epoch 4 / 100**"  # the run itself is where it was
    frame = produce_frame(app)
    assert frame["grid"].tobytes() != latest
    assert frame["header"]["replay"] == 1 and frame["header"]["epoch"] == 4  # the header: "showing epoch 1"
    assert app.session_state["run"].epoch == 4
    replay_slider(app).set_value(4).run()
    frame = produce_frame(app)
    assert frame["grid"].tobytes() == latest and frame["header"]["replay"] is None


def test_the_replayed_picture_is_the_one_a_run_stopped_there_shows(app):
    stepped(app)
    replay_slider(app).set_value(2).run()
    replayed = boundary_picture(app)
    other = stepped(app_session(), times=1)
    assert boundary_picture(other) == replayed


def test_training_hides_the_slider_and_new_epochs_bring_it_back_to_the_latest(app):
    stepped(app)
    replay_slider(app).set_value(1).run()
    app.button(key="train").click().run()
    assert replay_slider(app) is None
    app.button(key="pause").click().run()
    app.button(key="step").click().run()
    assert replay_slider(app).value == 6


def test_play_replay_animates_from_the_slider_or_from_the_start_and_pause_stops_it(app):
    stepped(app)
    app.button(key="play_replay").click().run()  # the slider at the end: from the start
    assert not app.exception and tab(app).animation == [0, 1, 2, 3, 4] and replay_slider(app) is None
    assert [produce_frame(app)["header"]["replay"] for _ in range(2)] == [0, 1]
    app.button(key="stop_replay").click().run()
    assert not tab(app).animation and replay_slider(app).value == 1  # where it stood
    replay_slider(app).set_value(2).run()
    app.button(key="play_replay").click().run()  # from the slider's epoch
    assert tab(app).animation == [2, 3, 4]
    shown = [produce_frame(app)["header"] for _ in range(3)]
    assert [h["replay"] for h in shown] == [2, 3, None] and shown[-1]["animating"] is False  # 4 is the run itself
    app.run()  # what the charts' `stopped` trigger does: the slider comes back where the animation ended
    assert replay_slider(app).value == 4
    app.button(key="play_replay").click().run()
    app.button(key="pause").click().run()
    assert not tab(app).animation


def test_an_animated_replay_takes_at_most_replay_frames_frames():
    assert replay_stride(list(range(4))) == 1
    for n in (4, 50, 51, 100, 101):
        assert math.ceil(n / replay_stride(list(range(n)))) <= REPLAY_FRAMES


def test_the_slider_ends_at_the_runs_own_epoch(app):
    stepped(app)
    run = app.session_state["run"]
    run.step(3)
    assert replay_epochs(run)[-1] == run.epoch == 7
    assert np.all(np.diff(replay_epochs(run)) > 0)
