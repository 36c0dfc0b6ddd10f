"""Take-home files: the weights load back into an equal model, the CSV and JSON round-trip, the HTML stands alone."""

import csv
import io
import json

import torch

from binclf_core.config import RunConfig
from binclf_core.model.networks import build_model
from binclf_core.model.training import TrainingRun
from binclf_core.teach.take_home import charts_html, config_json, history_csv, weights_bytes


def trained_run() -> TrainingRun:
    run = TrainingRun(RunConfig(dataset="moons", model="mlp", hidden=(8, 4), epochs=15))
    run.step(15)
    return run


def test_the_weights_load_back_into_an_equal_model():
    run = trained_run()
    state = torch.load(io.BytesIO(weights_bytes(run)), weights_only=True)
    model = build_model("mlp", (8, 4), "relu", seed=99)  # other initial weights
    model.load_state_dict(state)
    x = run.dataset.x_all
    assert torch.equal(model(x), run.evaluate(x))
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), run.model.state_dict().values(),
                                                  strict=True))


def test_the_history_csv_has_one_row_per_epoch():
    run = trained_run()
    rows = list(csv.DictReader(io.StringIO(history_csv(run.history))))
    assert len(rows) == 15 and float(rows[-1]["train_loss"]) == run.history[-1]["train_loss"]


def test_the_config_json_rebuilds_the_config():
    run = trained_run()
    values = json.loads(config_json(run))
    assert values.pop("changes") == [] and RunConfig.from_dict(values) == run.config


def test_the_config_json_holds_the_first_settings_and_the_changes_made_while_training():
    run = TrainingRun(RunConfig(lr=0.01, epochs=40))
    run.step(27)
    run.update_live(lr=0.05)
    run.step(40)
    values = json.loads(config_json(run))
    assert values.pop("changes") == [{"epoch": 27, "lr": 0.05}]
    assert RunConfig.from_dict(values) == RunConfig(lr=0.01, epochs=40)


def test_the_charts_html_carries_plotly_and_both_charts():
    html = charts_html(trained_run(), grid_size=20)
    assert html.count('class="plotly-graph-div"') == 2
    assert "<script src=" not in html and len(html) > 3_000_000  # plotly.js inline, no network needed
