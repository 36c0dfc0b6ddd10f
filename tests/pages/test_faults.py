"""A fault raised inside a timer tick is contained: a message in the user's words, the run paused and
kept, no exception element, and Train works again."""

from __future__ import annotations

from binclf_core.training import TrainingRun
from tests.pages.conftest import epoch_text


def test_an_error_inside_a_tick_shows_a_message_pauses_and_keeps_the_run(app, monkeypatch):
    app.run()
    app.button(key="step").click().run()
    run = app.session_state["run"]
    app.button(key="train").click().run()

    def broken(self, seconds, max_epochs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(TrainingRun, "step_for", broken)
    monkeypatch.setattr("ui.session.is_timer_tick", lambda: True)
    app.run()
    assert not app.exception
    assert any("Training stopped at epoch 5" in e.value and "Press Train" in e.value for e in app.error)
    assert app.session_state["playing"] is False and app.session_state["run"] is run and run.epoch == 5
    monkeypatch.undo()
    app.button(key="train").click().run()
    monkeypatch.setattr("ui.session.is_timer_tick", lambda: True)
    app.run()
    assert not app.error and epoch_text(app) != "**Epoch 5 / 300**"
