"""The one number format of the metrics: percent with one decimal, losses with four, F1 and AUC with three."""

import math

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
