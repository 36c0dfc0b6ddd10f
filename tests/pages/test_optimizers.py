"""The optimizer, momentum and schedule controls, their URL keys, and the Compare page's paths on one landscape."""

from tests.pages.test_compare import COMPARE
from tests.pages.test_playground import widget


def test_every_optimizer_and_schedule_is_offered_and_momentum_shows_where_it_applies(app):
    app.run()
    assert widget(app, "optimizer").options == ["SGD", "SGD + momentum", "SGD + Nesterov momentum", "RMSprop",
                                                "Adam", "AdamW"]
    assert widget(app, "schedule").label == "Schedule" and widget(app, "schedule").value == "constant"
    assert not [w for w in app.number_input if w.key == "momentum"]  # plain SGD has none
    widget(app, "optimizer").set_value("nesterov").run()
    assert widget(app, "momentum").label == "Momentum" and widget(app, "momentum").value == 0.9
    widget(app, "momentum").set_value(0.5).run()
    widget(app, "schedule").set_value("cosine").run()
    assert not app.exception
    config = app.session_state["run"].config
    assert (config.optimizer, config.momentum, config.schedule) == ("nesterov", 0.5, "cosine")
    assert app.query_params["optimizer"] == "nesterov" and app.query_params["momentum"] == "0.5"
    assert app.query_params["schedule"] == "cosine"


def test_a_link_rebuilds_the_optimizer_and_schedule(app):
    app.query_params.update({"optimizer": "momentum", "momentum": "0.8", "schedule": "warmup_cosine"})
    app.run()
    assert not app.exception and not app.info
    config = app.session_state["run"].config
    assert (config.optimizer, config.momentum, config.schedule) == ("momentum", 0.8, "warmup_cosine")


def test_a_bad_optimizer_in_a_link_is_ignored_with_a_notice(app):
    app.query_params.update({"optimizer": "lbfgs", "schedule": "sometimes"})
    app.run()
    assert not app.exception
    assert len(app.info) == 2 and app.session_state["run"].config.optimizer == "sgd"


def test_compare_races_two_optimizers_on_one_landscape(app):
    app.run()
    app.button(key="step").click().run()
    widget(app, "optimizer").set_value("adam").run()  # a new run on the same surface: the SGD one is kept
    app.button(key="step").click().run()
    app.switch_page(COMPARE).run()
    assert not app.exception
    charts = [c for c in app.get("plotly_chart") if "compare_landscape" in c.proto.id]
    assert len(charts) == 1
    figure = charts[0].proto.spec
    assert "#1 blobs · logistic · bce · lr 0.1" in figure and "#2 blobs · logistic · bce · adam lr 0.1" in figure
