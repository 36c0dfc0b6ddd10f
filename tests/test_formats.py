"""The one number format of the metrics: percent with one decimal, losses with four, F1 and AUC with three."""

import math

from binclf_core.formats import metric_label, metric_text, printf_format


def test_each_kind_of_metric_has_its_one_format_with_or_without_its_split():
    assert metric_text("accuracy", 0.99) == metric_text("test_accuracy", 0.99) == "99.0 %"
    assert metric_text("recall", 0.5351) == "53.5 %" and metric_text("train_precision", 1.0) == "100.0 %"
    assert metric_text("test_loss", 0.064551) == "0.0646" and metric_text("f1", 0.99) == "0.990"
    assert metric_text("roc_auc", None) == "n/a" and metric_text("test_f1", math.nan) == "n/a"


def test_table_columns_get_the_same_format_and_names_in_words():
    assert printf_format("test_accuracy") == "%.1f %%" and printf_format("train_loss") == "%.4f"
    assert metric_label("test_roc_auc") == "test ROC AUC" and metric_label("train_accuracy") == "train accuracy"
    assert metric_label("f1") == "F1"
