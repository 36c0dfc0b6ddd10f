"""The Playground's teaching features: presets, the bug switch, Take it home and presenter mode."""

from binclf_core.bugs import BUGS
from binclf_core.presets import PRESETS
from tests.pages.conftest import epoch_text, produce_frame
from tests.pages.test_playground import widget


def test_a_preset_sets_every_control_and_the_url_in_one_click(app):
    app.run()
    widget(app, "lr").set_value(0.5).run()  # a leftover change the preset must undo
    app.selectbox(key="preset").set_value("circles_mlp").run()
    assert not app.exception
    config = PRESETS["circles_mlp"].config()
    assert app.session_state["run"].config == config
    assert app.query_params["preset"] == "circles_mlp" and app.query_params["hidden"] == "100"
    assert PRESETS["circles_mlp"].watch in app.info[0].value
    widget(app, "lr").set_value(0.02).run()  # the widgets left the preset: the URL no longer claims it
    assert "preset" not in app.query_params


def test_a_preset_url_opens_the_scenario(app):
    app.query_params["preset"] = "lr_too_high"
    app.run()
    assert app.session_state["run"].config == PRESETS["lr_too_high"].config()
    assert epoch_text(app) == "**Epoch 0 / 300**"


def test_the_bug_switch_shows_its_symptom_and_the_correct_run_behind_it(app):
    app.run()
    bug = app.selectbox(key="bug")
    assert bug.label == "Training-loop bug" and bug.options[0] == BUGS["none"].label
    bug.set_value("no_step").run()
    assert BUGS["no_step"].symptom in app.warning[0].value and app.query_params["bug"] == "no_step"
    app.button(key="step").click().run()
    frame = produce_frame(app)
    names = [trace["name"] for trace in frame["reset"]["figures"]["curves"]["data"]]
    assert names[0] == "train loss without the bug" and frame["reset"]["reference"] is True
    app.button(key="step").click().run()
    frame = produce_frame(app)  # the correct run follows the buggy one, epoch for epoch
    assert frame["reference"][:, 0].tolist() == frame["curves"][:, 0].tolist() == [6, 7, 8, 9, 10]
    assert frame["reference"][-1, 1] < frame["curves"][-1, 1]  # without optimizer.step() the loss stands still


def test_take_it_home_offers_the_script_and_the_files(app):
    app.run()
    assert not app.get("download_button")  # drawn only on demand
    app.toggle(key="take_home").set_value(True).run()
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["Script (Python)", "History (CSV)", "Configuration (JSON)", "Weights (state_dict)",
                      "Charts (HTML)"]
    app.toggle(key="show_script").set_value(True).run()
    code = app.code[0]
    assert code.language == "python" and "def make_data():" in code.value and "torch.optim.SGD" in code.value


def test_presenter_mode_hides_the_secondary_controls_and_stays_in_the_url(app):
    app.query_params["present"] = "1"
    app.run()
    assert not app.exception and not app.info  # present is accepted: no notice
    keys = {w.key for kind in ("slider", "number_input", "selectbox") for w in getattr(app, kind)}
    assert {"noise", "n_samples", "test_fraction", "seed", "batch_size"}.isdisjoint(keys)
    assert {"dataset", "positive_fraction", "lr", "epochs", "loss"} <= keys
    assert any("font-size" in h.proto.body for h in app.get("html"))
    widget(app, "lr").set_value(0.5).run()
    assert app.query_params["present"] == "1" and app.query_params["lr"] == "0.5"
    assert app.session_state["run"].config.seed == 2  # hidden controls keep their values
