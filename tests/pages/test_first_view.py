"""A new tab's first view (ui/session.py first_view_settings): the Playground's title, buttons and charts
first, the sidebar's controls with the run the charts' `drawn` trigger causes."""

from tests.pages.conftest import live_data, new_tab
from ui.session import CHARTS_DRAWN


def controls(at) -> list[str]:
    return [w.key for kind in ("selectbox", "slider", "number_input") for w in getattr(at.sidebar, kind)]


def test_the_first_run_draws_the_charts_and_buttons_and_asks_to_hear_when_they_are_drawn():
    at = new_tab()
    at.query_params["dataset"] = "moons"
    at.query_params["lr"] = "0.3"
    at.run()
    assert not at.exception
    assert controls(at) == []  # no sidebar controls yet
    assert [b.key for b in at.button if b.key in ("train", "pause", "step", "reset")] == ["train", "pause", "step",
                                                                                          "reset"]
    data = live_data(at)
    assert data["first_view"] is True and data["epochs"] == 300
    assert data["run"] == id(at.session_state["run"])  # as the frames' reset message names it
    config = at.session_state["run"].config
    assert (config.dataset, config.lr) == ("moons", 0.3)  # the run is the URL's, controls drawn or not


def test_once_the_charts_are_drawn_the_same_run_gets_its_controls():
    at = new_tab()
    at.query_params["dataset"] = "circles"
    at.run()
    run = at.session_state["run"]
    at.session_state[CHARTS_DRAWN] = True  # what the `drawn` trigger's callback, charts_drawn, sets
    at.run()
    assert not at.exception and at.session_state["run"] is run  # the run goes on: nothing changed
    assert {"dataset", "lr", "epochs", "loss"} <= set(controls(at))
    assert at.selectbox(key="dataset").value == "circles"
    assert live_data(at)["first_view"] is False


def test_own_data_never_waits_for_charts():
    at = new_tab()
    at.run()
    at.session_state["dataset"] = "drawn"  # drawn points: a canvas to click, no chart to say it was drawn
    at.run()
    assert not at.exception
    assert "dataset" in controls(at) and at.selectbox(key="dataset").value == "drawn"


def test_the_url_s_notices_stay_until_the_controls_are_there_too():
    at = new_tab()
    at.query_params["lr"] = "abc"
    at.run()
    assert len(at.info) == 1 and "lr=abc" in at.info[0].value
    at.session_state[CHARTS_DRAWN] = True
    at.run()
    assert len(at.info) == 1 and "lr=abc" in at.info[0].value  # not gone 0.1 s after it showed
    at.run()
    assert not at.info
