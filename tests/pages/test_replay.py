import math

import numpy as np

from tests.pages.conftest import epoch_text
from tests.pages.test_playground import live_data, widget
from ui.replay import replay_epochs
from ui.session import REPLAY_FRAMES, replay_stride


def replay_slider(app, animating: bool = False):
    """The Replay epoch slider (while animating: the disabled one the animation moves)."""
    return next((s for s in app.select_slider if s.label == "Replay epoch" and s.disabled == animating), None)


def boundary_picture(app) -> str:
    return live_data(app)["boundary"]["layout"]["images"][0]["source"]


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
    assert boundary_picture(app) != latest
    assert live_data(app)["curves"]["layout"]["shapes"][0]["x0"] == 1
    assert app.session_state["run"].epoch == 4
    replay_slider(app).set_value(4).run()
    assert boundary_picture(app) == latest and "shapes" not in live_data(app)["curves"]["layout"]


def test_the_replayed_picture_is_the_one_a_run_stopped_there_shows(app):
    stepped(app)
    replay_slider(app).set_value(2).run()
    replayed = boundary_picture(app)
    other = stepped(type(app).from_file(app._script_path, default_timeout=60), times=1)
    assert boundary_picture(other) == replayed


def test_training_hides_the_slider_and_new_epochs_bring_it_back_to_the_latest(app):
    stepped(app)
    replay_slider(app).set_value(1).run()
    app.button(key="train").click().run()
    assert replay_slider(app) is None
    app.button(key="pause").click().run()
    app.button(key="step").click().run()
    assert replay_slider(app).value == 6


def test_play_replay_starts_the_animation_from_the_start_and_pause_stops_it(app):
    stepped(app)
    app.button(key="play_replay").click().run()
    assert not app.exception and app.session_state["replaying"] is True
    frame = replay_slider(app, animating=True)  # the animation's own slider: what the browser sends back is ignored
    assert frame.value == 0 and replay_slider(app) is None
    app.button(key="stop_replay").click().run()
    assert app.session_state["replaying"] is False and replay_slider(app).value == 0
    app.button(key="play_replay").click().run()
    app.button(key="pause").click().run()
    assert app.session_state["replaying"] is False


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
