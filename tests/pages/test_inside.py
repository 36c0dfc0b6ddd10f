"""The sidebar's input features and regularization (issue 14): widgets, the run, the URL, bad values."""

import json

import pytest

from binclf_core.data.features import FEATURES
from tests.pages.test_playground import widget
from ui.inside_controls import PICKER_KEY


def picker(at) -> dict:
    """What the page sent to the feature picker (ui/feature_picker.js) on its last run."""
    mounts = [c for c in at.sidebar.get("bidi_component") if PICKER_KEY in c.proto.id]
    return json.loads(mounts[-1].proto.json)


def pick(at, features: str):
    """What a click on a feature's switch does: the picker's trigger hands the page the features now chosen."""
    at.session_state["features"] = features
    return at.run()


def test_a_switch_per_feature_with_its_picture_and_x1_x2_on_by_default(app):
    app.run()
    assert not app.exception
    sent = picker(app)
    assert [f["label"] for f in sent["features"]] == list(FEATURES.values())
    assert all(f["picture"].startswith("data:image/png;base64,") for f in sent["features"])
    assert sent["chosen"] == ["x1", "x2"]
    assert widget(app, "scale").label == "Feature scaling" and widget(app, "regularization").label == "Regularization"


def test_picking_features_starts_a_run_on_them_and_the_url_follows(app):
    app.run()
    pick(app, "x1,x2,x1_x2")
    pick(app, "x1,x1_x2")
    run = app.session_state["run"]
    assert run.config.features == ("x1", "x1_x2") and run.model.layers[0].in_features == 2
    assert app.query_params["features"] == "x1,x1_x2" and picker(app)["chosen"] == ["x1", "x1_x2"]
    widget(app, "scale").set_value("standard").run()
    assert app.session_state["run"].config.scale == "standard" and app.query_params["scale"] == "standard"


def test_a_preset_moves_the_switches(app):
    app.run()
    widget(app, "preset").set_value("features_or_depth").run()
    assert picker(app)["chosen"] == list(app.session_state["run"].config.features) != ["x1", "x2"]


def test_no_feature_at_all_is_an_error_that_keeps_the_run(app):
    app.run()
    pick(app, "x2")
    pick(app, "")
    assert not app.exception
    assert "at least one input feature" in app.error[0].value
    assert app.session_state["run"].config.features == ("x2",)  # the last valid run goes on
    assert picker(app)["chosen"] == []  # the switches show what was clicked, all off


def test_regularization_shows_its_rate_which_applies_to_the_running_run(app):
    app.run()
    assert not [w for w in app.number_input if w.key == "reg_rate"]
    widget(app, "regularization").set_value("l1").run()
    run = app.session_state["run"]
    assert widget(app, "reg_rate").label == "Regularization rate"
    assert any("penalty is left out" in c.value for c in app.caption)
    app.button(key="step").click().run()
    widget(app, "reg_rate").set_value(0.05).run()
    assert app.session_state["run"] is run and run.config.reg_rate == 0.05  # live, the run goes on
    assert app.query_params["regularization"] == "l1" and app.query_params["reg_rate"] == "0.05"


def test_features_and_regularization_travel_in_the_url(app):
    for key, value in {"features": "x1_squared,x2_squared", "scale": "standard", "regularization": "l2",
                       "reg_rate": "0.01", "activation": "gelu", "model": "mlp"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception and not app.info
    config = app.session_state["run"].config
    assert (config.features, config.scale, config.regularization, config.reg_rate, config.activation) == (
        ("x1_squared", "x2_squared"), "standard", "l2", 0.01, "gelu")
    assert picker(app)["chosen"] == ["x1_squared", "x2_squared"]


@pytest.mark.parametrize("params", [{"features": "x1,x9"}, {"features": ""}, {"scale": "minmax"},
                                    {"regularization": "l3"}, {"reg_rate": "-1"}, {"reg_rate": "lots"}])
def test_bad_feature_or_regularization_values_fall_back_with_a_notice(app, params):
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception and not app.error
    assert len(app.info) == 1 and next(iter(params)) in app.info[0].value
    assert app.session_state["run"].config.features == ("x1", "x2")


def test_a_preset_link_sets_the_feature_switches(app):
    app.query_params["preset"] = "l1_features"
    app.run()
    assert not app.exception
    assert picker(app)["chosen"] == list(FEATURES)
    config = app.session_state["run"].config
    assert config.regularization == "l1" and config.scale == "standard"
