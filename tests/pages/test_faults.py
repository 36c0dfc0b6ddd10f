"""A fault raised inside a timer tick is contained: a message in the user's words, the run paused and
kept, no exception element, and Train works again. Plus the shared budget's arithmetic."""

from __future__ import annotations

from binclf_core.training import TrainingRun
from tests.pages.conftest import epoch_text
from ui.budget import MAX_TICK_SECONDS, Budget
from ui.pacing import TICK_SECONDS


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


def test_a_tab_alone_is_paced_as_before_and_many_share_evenly():
    budget = Budget()
    alone = budget.check_in("a", now=0.0)
    assert alone.interval == TICK_SECONDS and alone.train_seconds == float("inf")
    shares = [budget.check_in(f"tab{i}", now=0.1) for i in range(30)]
    last = shares[-1]
    assert last.active_tabs == 31 and TICK_SECONDS <= last.interval <= MAX_TICK_SECONDS
    assert budget.check_in("a", now=0.2) == budget.check_in("tab3", now=0.2)  # the same share for every tab
    assert budget.check_in("z", now=5.0).active_tabs == 1  # tabs that stopped ticking drop out


def test_the_timer_is_set_anew_only_when_the_pace_changed_a_lot():
    assert not Budget.needs_retime(0.2, 0.25) and Budget.needs_retime(0.1, 0.3) and Budget.needs_retime(0.4, 0.1)
