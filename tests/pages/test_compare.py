import json

from binclf_core.explore.runs import MAX_RUNS
from tests.pages.conftest import epoch_text, produce_frame
from tests.pages.test_playground import widget

COMPARE, PLAYGROUND = "pages/compare.py", "pages/playground.py"


def train_two_runs(app) -> None:
    """A BCE run and a hinge run on the Playground, 5 epochs each (the hinge one still the current run)."""
    app.run()
    app.button(key="step").click().run()
    widget(app, "loss").set_value("hinge").run()  # a new run: the BCE one is kept
    app.button(key="step").click().run()


def test_no_runs_yet_says_where_to_train_them(app):
    app.switch_page(COMPARE).run()
    assert not app.exception
    assert len(app.info) == 1 and "No runs yet" in app.info[0].value
    assert not app.dataframe and not app.get("plotly_chart")


def test_two_runs_trained_in_the_playground_show_with_their_difference(app):
    train_two_runs(app)
    app.switch_page(COMPARE).run()
    assert not app.exception
    assert app.multiselect(key="compare_runs").value == [1, 2]
    table = app.dataframe[0].value
    assert list(table["run"]) == ["#1", "#2"]  # by number: the settings that differ have their own columns
    assert list(table["loss"]) == ["bce", "hinge"] and "lr" not in table.columns
    assert list(table["epochs trained"]) == [5, 5]
    assert len(app.get("plotly_chart")) == 2  # the curves, the boundaries


def test_choosing_no_run_asks_for_one(app):
    train_two_runs(app)
    app.switch_page(COMPARE).run()
    app.multiselect(key="compare_runs").set_value([]).run()
    assert not app.exception and len(app.info) == 1 and not app.dataframe


def test_open_in_playground_sets_the_controls_and_continues_the_run(app):
    train_two_runs(app)
    app.switch_page(COMPARE).run()
    app.button(key="open_run_1").click().run()
    assert not app.exception
    assert widget(app, "loss").value == "bce" and epoch_text(app) == "**Epoch 5 / 300**"
    assert app.session_state["run"].config.loss == "bce" and app.session_state["run"].epoch == 5
    assert not [s for s in app.select_slider if s.label == "Replay epoch"]  # its replay starts anew, at epoch 5
    app.switch_page(PLAYGROUND)  # AppTest's next runs would run the page it last switched to itself
    app.button(key="step").click().run()
    assert epoch_text(app) == "**Epoch 10 / 300**"
    app.switch_page(COMPARE).run()
    app.multiselect(key="compare_runs").set_value([1, 2, 3]).run()
    assert list(app.dataframe[0].value["epochs trained"]) == [5, 5, 10]  # #1 stays; its continuation is #3


def test_the_oldest_run_is_dropped_with_a_notice(app):
    app.run()
    for _ in range(MAX_RUNS + 1):
        app.button(key="step").click().run()
        app.button(key="reset").click().run()
    assert not app.exception
    assert len(app.toast) == 1 and "#1 " in app.toast[0].value
    app.switch_page(COMPARE).run()
    assert app.multiselect(key="compare_runs").options[0].startswith("#2 ")


def test_the_table_formats_metrics_as_the_metrics_strip_does(app):
    train_two_runs(app)
    app.switch_page(COMPARE).run()
    table = app.dataframe[0]
    run = app.session_state["run"]
    assert table.value["test accuracy"].iloc[-1] == 100 * run.history[-1]["test_accuracy"]  # shown as 99.0 %
    formats = {column: spec["type_config"]["format"] for column, spec in json.loads(table.proto.columns).items()
               if "format" in spec.get("type_config", {})}
    assert formats["test accuracy"] == "%.1f %%" and formats["train loss"] == "%.4f" and formats["test F1"] == "%.3f"


def test_the_playground_shows_the_very_numbers_compare_shows_for_the_same_run(app):
    app.run()
    app.button(key="step").click().run()
    header = produce_frame(app)["header"]  # what the page's tiles and the line under them show
    line, tiles = header["losses"], header["metrics"]
    app.switch_page(COMPARE).run()
    row = app.dataframe[0].value.iloc[-1]
    assert (row["train loss"], row["test loss"]) == (line["train_loss"], line["test_loss"])
    assert (row["train accuracy"], row["test accuracy"]) == (100 * line["train_accuracy"], 100 * line["test_accuracy"])
    assert row["test accuracy"] == 100 * tiles["accuracy"]
    assert (row["test F1"], row["test ROC AUC"]) == (tiles["f1"], tiles["roc_auc"])
