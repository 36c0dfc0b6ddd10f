import pytest

from tests.pages.conftest import epoch_text, live_data, produce_frame, tab

LABELS = {"dataset": "Dataset", "model": "Model", "loss": "Loss", "lr": "Learning rate", "epochs": "Epochs",
          "threshold": "Threshold", "speed": "Speed", "noise": "Noise", "n_samples": "Samples",
          "positive_fraction": "Positive fraction", "test_fraction": "Test fraction", "seed": "Seed",
          "optimizer": "Optimizer", "batch_size": "Batch size"}


def widget(at, key):
    for kind in ("selectbox", "number_input", "slider", "select_slider"):
        found = [w for w in getattr(at, kind) if w.key == key]
        if found:
            return found[0]
    raise KeyError(key)


def test_page_loads_with_every_control_and_no_exception(app):
    app.run()
    assert not app.exception
    assert epoch_text(app) == "**Epoch 0 / 300**"
    for key, label in LABELS.items():
        assert widget(app, key).label == label
    assert [b.label for b in app.main.button] == ["Train", "Pause", "Step", "Reset"]
    assert widget(app, "dataset").options == ["Blobs", "Classification", "Circles", "Moons", "XOR", "Spiral",
                                              "Gaussian", "CSV upload", "Drawn points"]
    assert widget(app, "model").options == ["Logistic regression", "MLP"]
    assert widget(app, "loss").options == ["BCE", "Weighted BCE", "Hinge"]


def test_the_charts_get_this_tabs_stream_and_its_frames_carry_the_test_metrics(app):
    app.run()
    data = live_data(app)
    assert data["token"] == tab(app).token and len(data["token"]) >= 32 and data["path"] == "/binclf/frames"
    assert data["clickable"] is False and data["playing"] is False  # only drawn points take clicks
    frame = produce_frame(app)
    metrics = frame["header"]["metrics"]
    assert {"accuracy", "precision", "recall", "f1", "roc_auc", "confusion_matrix"} <= set(metrics)
    assert sum(map(sum, metrics["confusion_matrix"])) == len(app.session_state["run"].dataset.y_test)


def test_train_starts_playing_and_only_the_producer_trains(app):
    app.run()
    app.button(key="train").click().run()
    assert tab(app).playing is True and live_data(app)["playing"] is True
    app.run()  # a page run only tells the tab what to show
    assert epoch_text(app) == "**Epoch 0 / 300**"
    first = produce_frame(app)["header"]["epoch"]
    second = produce_frame(app)["header"]["epoch"]
    assert 0 < first < second  # every frame shows a newer state than the last
    app.button(key="pause").click().run()
    assert tab(app).playing is False and live_data(app)["playing"] is False
    assert produce_frame(app)["header"]["epoch"] == second  # paused: a frame, no training


def test_a_run_that_ends_stops_playing_on_the_producer(app):
    app.run()
    widget(app, "epochs").set_value(3).run()
    app.button(key="train").click().run()
    while tab(app).playing:
        header = produce_frame(app)["header"]
    assert header["epoch"] == 3 and header["status"] == "completed" and header["playing"] is False
    app.run()  # what the charts' `stopped` trigger does
    assert epoch_text(app) == "**Epoch 3 / 3**" and not app.exception


def test_step_advances_and_reset_returns_to_zero(app):
    app.run()
    app.button(key="step").click().run()
    assert epoch_text(app) == "**Epoch 5 / 300**"
    frame = produce_frame(app)  # the first frame comes after the reset message, which holds the curves so far
    assert frame["header"]["epoch"] == 5 and frame["reset"]["figures"]["curves"]["data"][0]["x"]["bdata"]
    app.button(key="step").click().run()
    assert epoch_text(app) == "**Epoch 10 / 300**"
    frame = produce_frame(app)  # a Step sends one frame, with the new curve points
    assert frame["reset"] is None and frame["curves"][:, 0].tolist() == [6, 7, 8, 9, 10]
    app.button(key="reset").click().run()
    assert epoch_text(app) == "**Epoch 0 / 300**"


def test_learning_rate_threshold_and_epochs_apply_to_the_running_run(app):
    app.run()
    app.button(key="step").click().run()
    run = app.session_state["run"]
    widget(app, "lr").set_value(0.5).run()
    widget(app, "threshold").set_value(0.7).run()
    widget(app, "epochs").set_value(400).run()
    assert app.session_state["run"] is run and run.epoch == 5
    assert run.optimizer.param_groups[0]["lr"] == 0.5 and run.config.threshold == 0.7
    assert epoch_text(app) == "**Epoch 5 / 400**"


def test_a_mid_run_learning_rate_change_is_recorded_replayed_by_the_script_and_left_out_of_the_link(app):
    app.run()
    widget(app, "lr").set_value(0.01).run()  # before training: the run simply starts with it
    app.button(key="step").click().run()
    widget(app, "lr").set_value(0.05).run()
    app.button(key="step").click().run()
    run = app.session_state["run"]
    assert run.changes == [{"epoch": 5, "lr": 0.05}] and run.initial_config.lr == 0.01
    assert app.query_params["lr"] == "0.05"  # the link holds the settings as they are now, and the page says so
    note = next(c.value for c in app.caption if c.value.startswith("Copy link shares"))
    assert "from epoch 0" in note and "after epoch 5, lr 0.05" in note
    app.toggle(key="take_home").set_value(True).run()
    app.toggle(key="show_script").set_value(True).run()
    script = app.code[0].value
    assert "'lr': 0.01," in script and "{'epoch': 5, 'lr': 0.05}," in script


def test_the_too_high_lessons_button_is_recorded_as_a_change_of_the_run(app):
    app.query_params["preset"] = "lr_too_high"
    app.run()
    app.button(key="step").click().run()
    app.button(key="lesson_action").click().run()
    run = app.session_state["run"]
    assert run.changes == [{"epoch": run.epoch, "lr": 1.0}] and run.initial_config.lr == 20.0


@pytest.mark.parametrize(("key", "value"), [("dataset", "xor"), ("model", "mlp"), ("loss", "hinge"),
                                            ("seed", 7), ("optimizer", "adam")])
def test_changing_the_data_or_the_model_resets_the_run(app, key, value):
    app.run()
    app.button(key="step").click().run()
    before = app.session_state["run"]
    widget(app, key).set_value(value).run()
    assert not app.exception
    assert app.session_state["run"] is not before and epoch_text(app) == "**Epoch 0 / 300**"


def test_a_new_dataset_starts_at_its_own_noise(app):
    app.run()
    widget(app, "dataset").set_value("moons").run()
    assert widget(app, "noise").value == 0.2


def test_mlp_shows_its_own_controls(app):
    app.run()
    widget(app, "model").set_value("mlp").run()
    assert widget(app, "hidden").label == "Hidden layers" and widget(app, "activation").label == "Activation"
    widget(app, "hidden").set_value("16,16").run()
    assert app.session_state["run"].config.hidden == (16, 16)


def test_settings_that_cannot_make_a_run_show_an_error_and_keep_the_run(app):
    app.run()
    widget(app, "n_samples").set_value(20).run()
    app.button(key="step").click().run()
    run = app.session_state["run"]
    widget(app, "positive_fraction").set_value(0.05).run()  # one positive point: nothing to split
    assert not app.exception
    assert len(app.error) == 1 and "too few to split" in app.error[0].value
    assert app.session_state["run"] is run and epoch_text(app) == "**Epoch 5 / 300**"


def test_weighted_bce_asks_for_a_positive_weight(app):
    app.run()
    widget(app, "loss").set_value("weighted_bce").run()
    assert widget(app, "pos_weight").value == "balanced"
    widget(app, "pos_weight").set_value("5").run()
    assert app.session_state["run"].pos_weight == 5.0


def test_query_parameters_preset_the_widgets(app):
    for key, value in {"dataset": "moons", "model": "mlp", "loss": "hinge", "lr": "0.1", "epochs": "200"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert widget(app, "dataset").value == "moons" and widget(app, "model").value == "mlp"
    assert widget(app, "loss").value == "hinge" and widget(app, "lr").value == 0.1
    assert epoch_text(app) == "**Epoch 0 / 200**"
    config = app.session_state["run"].config
    assert (config.dataset, config.model, config.loss, config.noise) == ("moons", "mlp", "hinge", 0.2)


@pytest.mark.parametrize("params", [{"lr": "abc"}, {"lr": "-1"}, {"dataset": "swirl"}, {"epochs": "1e9"},
                                    {"hidden": "8,x"}, {"foo": "1"}, {"threshold": "2"}, {"speed": "warp"}])
def test_bad_query_parameters_fall_back_with_a_notice(app, params):
    """Unknown keys, unparsable values and values outside the controls' ranges: a notice each, no error."""
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception and not app.error
    assert epoch_text(app) == "**Epoch 0 / 300**"
    assert len(app.info) == 1 and next(iter(params)) in app.info[0].value


def test_a_dataset_and_its_noise_from_the_url_go_together(app):
    app.query_params["noise"] = "0.35"
    app.query_params["dataset"] = "moons"
    app.run()
    assert not app.info and app.session_state["run"].config.noise == 0.35


def test_the_url_follows_the_widgets(app):
    app.run()
    widget(app, "epochs").set_value(120).run()
    widget(app, "dataset").set_value("circles").run()
    assert app.query_params["epochs"] == "120" and app.query_params["dataset"] == "circles"
    widget(app, "epochs").set_value(300).run()
    assert "epochs" not in app.query_params  # back at its default: the URL stays short


def test_a_diverged_run_shows_what_to_change_and_the_page_keeps_working(app):
    app.run()
    widget(app, "model").set_value("mlp").run()
    widget(app, "hidden").set_value("64,64").run()
    widget(app, "lr").set_value(1e6).run()
    app.button(key="step").click().run()
    assert not app.exception
    assert len(app.warning) == 1 and "Lower the learning rate" in app.warning[0].value
    widget(app, "lr").set_value(0.1).run()
    app.button(key="reset").click().run()
    app.button(key="step").click().run()
    assert not app.warning and epoch_text(app) == "**Epoch 5 / 300**"


@pytest.mark.parametrize(("key", "text", "said"), [("lr", "abc", "'abc' is not a number"),
                                                    ("epochs", "2.5", "'2.5' is not a whole number"),
                                                    ("lr", "-1", "the control takes 1e-06 to 1e+06")])
def test_a_bad_url_value_is_refused_in_the_users_words(app, key, text, said):
    app.query_params[key] = text
    app.run()
    notice = app.info[0].value
    default = widget(app, key).value
    assert notice == f"The link's `{key}={text}` was not used: {said}. The default ({default:g}) is shown."
    assert "convert" not in notice and "invalid literal" not in notice  # no Python in the user's face
