"""A fault raised while the frame producer trains a tab is contained: a message in the user's words,
the run paused and kept, no exception element, and Train works again."""

from __future__ import annotations

from binclf_core.training import TrainingRun
from tests.pages.conftest import epoch_text, produce_frame, tab


def test_an_error_while_producing_a_frame_shows_a_message_pauses_and_keeps_the_run(app, monkeypatch):
    app.run()
    app.button(key="step").click().run()
    run = app.session_state["run"]
    app.button(key="train").click().run()

    def broken(self, seconds, max_epochs):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(TrainingRun, "step_for", broken)
    frame = produce_frame(app)
    assert frame["header"]["fault"].startswith("Training stopped at epoch 5") and not frame["header"]["playing"]
    app.run()  # what the charts' `stopped` trigger does
    assert not app.exception
    assert any("Training stopped at epoch 5" in e.value and "Press Train" in e.value for e in app.error)
    assert tab(app).playing is False and app.session_state["run"] is run and run.epoch == 5
    monkeypatch.undo()
    app.button(key="train").click().run()
    produce_frame(app)
    app.run()
    assert not app.error and epoch_text(app) != "**Epoch 5 / 300**"
