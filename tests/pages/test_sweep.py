"""The Sweep page through AppTest: a small sweep runs and shows its results; bad lists show an error."""

import base64
import csv
import io
import json
import time

from ui.sweep_views import results_csv


def open_sweep(app):
    app.run()
    app.switch_page("pages/sweep.py")
    app.run()
    return app


def fill_small_sweep(app):
    """The Sweep page set to 2 learning rates × 3 seeds of 30 epochs, not yet run."""
    open_sweep(app)
    app.number_input(key="epochs").set_value(30)
    app.radio(key="sweep_mode_1_lr").set_value("List")
    app.run()
    app.text_input(key="sweep_values_1_lr").set_value("0.01,0.1")
    app.text_input(key="sweep_values_2_seed").set_value("1,2,3")
    app.run()


def run_to_the_end(app):
    """Press Run sweep, wait for the background sweep to end, and draw the page as its fragment's
    rerun would (AppTest runs no fragment timers)."""
    app.button(key="run_sweep").click().run()
    assert app.session_state["sweep_job"].runner.wait(120)
    return app.run()


def small_sweep(app):
    fill_small_sweep(app)
    return run_to_the_end(app)


def test_a_small_sweep_shows_boundaries_heatmap_curves_and_a_csv(app):
    small_sweep(app)
    assert not app.exception and not app.error
    charts = app.get("plotly_chart")
    assert len(charts) == 3
    boundaries = json.loads(charts[0].proto.spec)["layout"]
    assert len(boundaries["images"]) == 6 and boundaries["images"][0]["source"].startswith("data:image/png;base64")
    assert [a["text"] for a in boundaries["annotations"]][::5] == ["lr 0.01<br>seed 1", "lr 0.1<br>seed 3"]
    assert app.get("download_button")[0].proto.label == "Download results (CSV)"
    result = app.session_state["sweep_result"]
    assert [(r["lr"], r["seed"]) for r in result["rows"]] == [(lr, s) for lr in (0.01, 0.1) for s in (1, 2, 3)]
    assert all(r["epochs_trained"] == 30 and r["status"] == "completed" for r in result["rows"])
    table = list(csv.DictReader(io.StringIO(results_csv(result["rows"]))))
    assert len(table) == 6 and {"lr", "seed", "test_accuracy", "status"} <= set(table[0])


def test_the_base_run_is_the_playgrounds_settings(app):
    app.run()
    app.selectbox(key="dataset").set_value("moons").run()
    app.switch_page("pages/sweep.py")
    app.run()
    app.number_input(key="epochs").set_value(10).run()
    run_to_the_end(app)
    runs = app.session_state["sweep_result"]["runs"]
    assert {run.config.dataset for run in runs} == {"moons"} and len(runs) == 64


def test_a_bad_list_shows_what_to_fix_and_the_page_keeps_working(app):
    open_sweep(app)
    app.radio(key="sweep_mode_1_lr").set_value("List").run()
    app.text_input(key="sweep_values_1_lr").set_value("0.1,fast").run()
    assert not app.exception
    assert "'fast' is not a number" in app.error[0].value
    assert app.button(key="run_sweep").disabled
    app.text_input(key="sweep_values_1_lr").set_value("0.1,-1").run()
    assert "lr must be a number above 0" in app.error[0].value
    app.text_input(key="sweep_values_1_lr").set_value("0.1").run()
    assert not app.error and not app.button(key="run_sweep").disabled


def test_varying_the_same_setting_twice_is_refused(app):
    open_sweep(app)
    app.selectbox(key="sweep_field_2").set_value("lr").run()
    assert "two different settings" in app.error[0].value


def test_a_sweep_may_vary_the_input_features_and_their_scaling(app):
    open_sweep(app)
    app.selectbox(key="dataset").set_value("circles").run()
    app.number_input(key="epochs").set_value(100)
    app.selectbox(key="sweep_field_1").set_value("features")
    app.selectbox(key="sweep_field_2").set_value("scale")
    app.run()
    app.text_input(key="sweep_values_1_features").set_value("x1,x2;x1_squared,x2_squared")
    app.run()
    run_to_the_end(app)
    assert not app.exception and not app.error
    rows = app.session_state["sweep_result"]["rows"]
    assert [(r["features"], r["scale"]) for r in rows] == [
        (features, scale) for features in ("x1,x2", "x1_squared,x2_squared") for scale in ("none", "standard")]
    assert list(csv.DictReader(io.StringIO(results_csv(rows))))[2]["features"] == "x1_squared,x2_squared"
    assert rows[3]["test_accuracy"] >= rows[1]["test_accuracy"] + 0.3  # a ring is a line in (x1², x2²)


def test_the_page_says_how_many_combinations_before_run_sweep(app):
    fill_small_sweep(app)
    assert "**6 combinations** will train, 30 epochs each." in [m.value for m in app.markdown]
    assert "sweep_result" not in app.session_state  # said before anything trained


def test_the_heatmap_and_its_metric_read_in_words_and_the_small_boundaries_show_the_points(app):
    small_sweep(app)
    assert app.selectbox(key="sweep_metric").options[:2] == ["test accuracy", "train accuracy"]
    charts = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    heatmap = charts[1]
    assert heatmap["layout"]["title"]["text"] == "Test accuracy over the grid"
    assert all(text.endswith(" %") for row in heatmap["data"][0]["text"] for text in row)  # 99.0 %, as elsewhere
    run = app.session_state["sweep_result"]["runs"][0]
    cell = [t for t in charts[0]["data"] if t.get("xaxis") == "x"]  # the first cell's traces: one per class
    shown = [len(base64.b64decode(t["x"]["bdata"])) // 4 for t in cell]  # float32 x coordinates
    assert shown == [int((run.dataset.y_all == 0).sum()), int((run.dataset.y_all == 1).sum())]


def fill_heavy_sweep(app):
    """The Sweep page set to 4 learning rates × 8 seeds of an MLP 32,32 on 1,000 spiral points for 20,000
    epochs: many minutes of training."""
    open_sweep(app)
    app.selectbox(key="dataset").set_value("spiral").run()
    app.selectbox(key="model").set_value("mlp").run()
    app.selectbox(key="hidden").set_value("32,32")
    app.slider(key="n_samples").set_value(1000)
    app.number_input(key="epochs").set_value(20000)
    app.radio(key="sweep_mode_1_lr").set_value("List")
    app.run()
    return app


def test_the_page_says_how_long_the_sweep_will_take_before_run_sweep(app):
    fill_small_sweep(app)
    small = next(c.value for c in app.caption if c.value.startswith("Estimated time: about "))
    fill_heavy_sweep(app)
    heavy = next(c.value for c in app.caption if c.value.startswith("Estimated time: about "))
    assert "sweep_result" not in app.session_state and "sweep_job" not in app.session_state  # nothing trained
    assert small != heavy and (" min" in heavy or " h " in heavy)  # 32 × 20,000 epochs of an MLP: minutes at least


def test_run_sweep_returns_at_once_and_cancel_sweep_stops_the_sweep(app):
    fill_heavy_sweep(app)
    started = time.perf_counter()
    app.button(key="run_sweep").click().run()
    assert time.perf_counter() - started < 15  # the page's run did not wait for minutes of training
    runner = app.session_state["sweep_job"].runner
    assert not runner.done and app.button(key="run_sweep").disabled
    bar = app.get("progress")[0].proto.text
    assert bar.startswith("Training 32 combinations… ") and bar.endswith(" left")
    app.button(key="cancel_sweep").click().run()
    assert runner.done and runner.state == "cancelled" and "sweep_job" not in app.session_state
    assert "sweep_result" not in app.session_state
    assert any(info.value.startswith("Sweep cancelled at") for info in app.info)
    assert not app.button(key="run_sweep").disabled and not app.exception
