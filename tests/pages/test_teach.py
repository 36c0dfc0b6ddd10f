"""The Playground's teaching features: presets, the bug switch, Take it home and presenter mode."""

from binclf_core.model.bugs import BUGS
from binclf_core.teach.presets import PRESETS
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
    assert [PRESETS["circles_mlp"].watch in text for text in watch_texts(app)] == [True]
    widget(app, "lr").set_value(0.02).run()  # the widgets left the preset: the URL no longer claims it
    assert "preset" not in app.query_params


def test_a_preset_url_opens_the_scenario(app):
    app.query_params["preset"] = "lr_too_high"
    app.run()
    assert app.session_state["run"].config == PRESETS["lr_too_high"].config()
    assert epoch_text(app) == "**Epoch 0 / 2000**" and app.session_state["speed"] == "Slow"  # paced for the lesson


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


def watch_texts(app) -> list[str]:
    return [info.value for info in app.info if info.value.startswith("**What to watch:**")]


def test_a_change_that_leaves_the_preset_empties_its_box(app):
    app.run()
    app.selectbox(key="preset").set_value("moons_hinge").run()
    assert watch_texts(app) == [f"**What to watch:** {PRESETS['moons_hinge'].watch}"]
    widget(app, "loss").set_value("bce").run()  # moons with BCE: no longer the preset (though another one)
    assert app.selectbox(key="preset").value is None and not watch_texts(app) and "preset" not in app.query_params


def test_open_in_playground_shows_the_preset_of_the_opened_run_not_the_last_one(app):
    app.run()
    app.selectbox(key="preset").set_value("circles_logistic").run()
    app.button(key="step").click().run()
    app.selectbox(key="preset").set_value("moons_bce").run()  # the circles run is kept, moons trains now
    app.button(key="step").click().run()
    app.switch_page("pages/compare.py").run()
    app.button(key="open_run_1").click().run()
    assert app.session_state["run"].config == PRESETS["circles_logistic"].config()
    assert app.selectbox(key="preset").value == "circles_logistic"
    assert watch_texts(app) == [f"**What to watch:** {PRESETS['circles_logistic'].watch}"]
    assert app.query_params["preset"] == "circles_logistic"


def test_a_kept_run_of_no_preset_opens_with_an_empty_preset_box(app):
    app.run()
    widget(app, "lr").set_value(0.3).run()
    app.button(key="step").click().run()
    app.selectbox(key="preset").set_value("moons_bce").run()
    app.button(key="step").click().run()
    app.switch_page("pages/compare.py").run()
    app.button(key="open_run_1").click().run()
    assert app.session_state["run"].config.lr == 0.3
    assert app.selectbox(key="preset").value is None and not watch_texts(app)


def test_the_too_high_lessons_own_button_keeps_the_lesson_on_the_page(app):
    app.query_params["preset"] = "lr_too_high"
    app.run()
    text, changes = PRESETS["lr_too_high"].action
    button = app.button(key="lesson_action")
    assert button.label == text == "Lower the learning rate to 1"
    app.button(key="step").click().run()
    run = app.session_state["run"]
    app.button(key="lesson_action").click().run()
    assert app.session_state["run"] is run and run.config.lr == changes["lr"] == 1.0  # applied live, same run
    assert app.selectbox(key="preset").value == "lr_too_high"  # the lesson's own change stays in the lesson
    assert watch_texts(app) == [f"**What to watch:** {PRESETS['lr_too_high'].watch}"]
    assert app.query_params["preset"] == "lr_too_high" and app.query_params["lr"] == "1"
    widget(app, "lr").set_value(0.5).run()  # any other change still leaves it
    assert app.selectbox(key="preset").value is None and not watch_texts(app)


def test_the_per_element_weight_bug_says_which_setup_shows_it_and_sets_it(app):
    app.run()
    widget(app, "bug").set_value("weight_for_pos_weight").run()
    hints = [i.value for i in app.info if i.value.startswith("This bug shows with Weighted BCE on imbalanced data")]
    assert len(hints) == 1
    app.button(key="bug_setup").click().run()
    config = app.session_state["run"].config
    assert (config.bug, config.loss, config.positive_fraction, config.dataset) == (
        "weight_for_pos_weight", "weighted_bce", 0.1, "moons")
    assert not [i for i in app.info if i.value.startswith("This bug shows with")]


def test_never_zeroing_the_gradients_on_separable_blobs_says_where_it_shows_and_sets_it(app):
    app.run()
    widget(app, "bug").set_value("no_zero_grad").run()
    hints = [i.value for i in app.info if i.value.startswith("This bug shows with moons and a logistic regression")]
    assert len(hints) == 1 and "default blobs" in hints[0]
    app.button(key="bug_setup").click().run()
    config = app.session_state["run"].config
    assert (config.bug, config.dataset, config.model) == ("no_zero_grad", "moons", "logistic")
    assert BUGS["no_zero_grad"].symptom in app.warning[0].value
    assert not [i for i in app.info if i.value.startswith("This bug shows with")]


def test_a_kept_run_whose_lesson_button_was_pressed_reopens_in_its_lesson(app):
    app.query_params["preset"] = "lr_too_high"
    app.run()
    app.button(key="step").click().run()
    app.button(key="lesson_action").click().run()
    app.selectbox(key="preset").set_value("moons_bce").run()  # the lowered run is kept, moons trains now
    app.button(key="step").click().run()
    app.switch_page("pages/compare.py").run()
    app.button(key="open_run_1").click().run()
    assert app.session_state["run"].config.lr == 1.0
    assert app.selectbox(key="preset").value == "lr_too_high"
    assert watch_texts(app) == [f"**What to watch:** {PRESETS['lr_too_high'].watch}"]
