"""The one number format of the metrics: percent with one decimal, losses with four, F1 and AUC with three."""

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from binclf_core.cli.main import result, summary
from binclf_core.config import RunConfig
from binclf_core.explore.compare import curves_overlay
from binclf_core.explore.runs import RunRecord
from binclf_core.figures.formats import metric_label, metric_text, printf_format
from binclf_core.model.training import TrainingRun


def test_each_kind_of_metric_has_its_one_format_with_or_without_its_split():
    assert metric_text("accuracy", 0.99) == metric_text("test_accuracy", 0.99) == "99.0 %"
    assert metric_text("recall", 0.5351) == "53.5 %" and metric_text("train_precision", 1.0) == "100.0 %"
    assert metric_text("test_loss", 0.064551) == "0.0646" and metric_text("f1", 0.99) == "0.990"
    assert metric_text("roc_auc", None) == "n/a" and metric_text("test_f1", math.nan) == "n/a"


def test_table_columns_get_the_same_format_and_names_in_words():
    assert printf_format("test_accuracy") == "%.1f %%" and printf_format("train_loss") == "%.4f"
    assert metric_label("test_roc_auc") == "test ROC AUC" and metric_label("train_accuracy") == "train accuracy"
    assert metric_label("f1") == "F1"


def trained(epochs: int = 8) -> TrainingRun:
    run = TrainingRun(RunConfig(epochs=epochs))
    run.step(epochs)
    return run


def test_the_cli_summary_writes_every_metric_in_the_one_format():
    out = result(trained())
    text, final = summary(out), out["final"]
    for key, words in (("train_loss", "train"), ("test_accuracy", "test"), ("test_precision", "precision"),
                       ("test_f1", "F1"), ("test_roc_auc", "ROC AUC")):
        assert f"{words} {metric_text(key, final[key])}" in text


def test_compares_curves_hover_with_the_one_format():
    record = RunRecord.of(1, trained())
    accuracy = next(trace for trace in curves_overlay([record])["data"]
                    if trace["yaxis"] == "y2" and trace["line"]["dash"] == "solid")  # the train accuracy
    assert accuracy["text"][-1] == metric_text("train_accuracy", record.history["train_accuracy"][-1])
    assert accuracy["text"][-1].endswith(" %") and "%{text}" in accuracy["hovertemplate"]


LIVE_CHART_JS = Path(__file__).resolve().parents[1] / "ui" / "live_chart.js"


def js_function(source: str, name: str) -> str:
    return re.search(rf"^function {name}\(.*?^}}$", source, re.S | re.M).group(0)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_players_metric_text_writes_every_number_as_python_does_halves_included():
    source = LIVE_CHART_JS.read_text()
    accuracies = sorted({k / n for n in range(1, 401) for k in range(n + 1)})  # k of n: 45/80 (56.25 %) among them
    rng = np.random.default_rng(0)
    cases = ([("test_accuracy", v) for v in accuracies] + [("train_loss", float(v)) for v in rng.random(500)]
             + [("train_loss", k / 20_000) for k in range(200)] + [("f1", k / 2_000) for k in range(2_001)]
             + [("roc_auc", -0.0125), ("train_loss", 12.34565)])
    script = "\n".join([
        "const PERCENT_METRICS = new Set(['accuracy', 'precision', 'recall']);",
        "const DECIMALS = { loss: 4, f1: 3, roc_auc: 3 };",
        js_function(source, "metricText"), js_function(source, "fixed"),
        f"const cases = {json.dumps(cases)};",
        "console.log(JSON.stringify(cases.map(([key, value]) => metricText(key, value))));",
    ])
    output = subprocess.run(["node", "-"], input=script, capture_output=True, text=True, check=True, timeout=30)
    players = json.loads(output.stdout)
    differing = [(key, value, got, metric_text(key, value))
                 for (key, value), got in zip(cases, players, strict=True) if got != metric_text(key, value)]
    assert not differing, differing[:5]
    assert metric_text("test_accuracy", 45 / 80) == "56.2 %"  # a half, rounded to even, the case that differed
