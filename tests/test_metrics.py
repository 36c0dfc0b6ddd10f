import numpy as np
import pytest

from binclf_core.model.metrics import threshold_metrics


def test_metrics_match_a_hand_counted_confusion_matrix():
    probs = np.array([0.9, 0.6, 0.4, 0.2, 0.7, 0.1])
    targets = np.array([1, 0, 1, 0, 1, 0])
    m = threshold_metrics(probs, targets, threshold=0.5)
    # predicted 1 1 0 0 1 0 -> TP 2, FP 1, FN 1, TN 2
    assert m["confusion_matrix"] == [[2, 1], [1, 2]]
    assert m["accuracy"] == pytest.approx(4 / 6)
    assert m["precision"] == pytest.approx(2 / 3) and m["recall"] == pytest.approx(2 / 3)
    assert m["f1"] == pytest.approx(2 / 3)
    assert m["roc_auc"] == pytest.approx(8 / 9)  # 8 of the 9 positive/negative pairs are ordered right


def test_threshold_moves_the_predictions():
    probs, targets = np.array([0.3, 0.6]), np.array([1, 0])
    assert threshold_metrics(probs, targets, 0.2)["confusion_matrix"] == [[0, 1], [0, 1]]
    assert threshold_metrics(probs, targets, 0.7)["confusion_matrix"] == [[1, 0], [1, 0]]


def test_roc_auc_is_none_when_only_one_class_is_present_and_nothing_raises():
    m = threshold_metrics(np.array([0.2, 0.8]), np.array([0, 0]), 0.5)
    assert m["roc_auc"] is None and m["precision"] == 0.0


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("threshold", [0.1, 0.5, 0.97])
def test_every_metric_equals_scikit_learns_own_function(seed, threshold):
    from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score

    rng = np.random.default_rng(seed)
    targets = rng.integers(0, 2, 50)
    probs = np.clip(targets * 0.3 + rng.random(50) * 0.7, 0, 1)
    predicted = (probs >= threshold).astype(int)
    m = threshold_metrics(probs, targets, threshold)
    assert m["accuracy"] == pytest.approx(accuracy_score(targets, predicted))
    assert m["precision"] == pytest.approx(precision_score(targets, predicted, zero_division=0))
    assert m["recall"] == pytest.approx(recall_score(targets, predicted, zero_division=0))
    assert m["f1"] == pytest.approx(f1_score(targets, predicted, zero_division=0))
    assert m["roc_auc"] == pytest.approx(roc_auc_score(targets, probs))
