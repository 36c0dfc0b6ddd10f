"""Classification metrics at a probability threshold, from scikit-learn's confusion matrix and ROC AUC.

Accuracy, precision, recall and F1 are read off the confusion matrix (the same definitions as
scikit-learn's, with zero_division=0): one sklearn call instead of four keeps a live snapshot
cheap. Tests compare every value with scikit-learn's own functions.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, roc_auc_score


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def threshold_metrics(probabilities: np.ndarray, targets: np.ndarray, threshold: float) -> dict:
    """Accuracy, precision, recall, F1, ROC AUC and the confusion matrix [[TN, FP], [FN, TP]].

    A point is predicted positive when its probability is at or above the threshold. ROC AUC
    is None when the targets hold one class only (it is undefined there).
    """
    targets = np.asarray(targets).astype(np.int64)
    predicted = (np.asarray(probabilities) >= threshold).astype(np.int64)
    (tn, fp), (fn, tp) = confusion_matrix(targets, predicted, labels=[0, 1]).tolist()
    precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    both_classes = 0 < targets.sum() < len(targets)
    return {
        "accuracy": _ratio(tp + tn, len(targets)),
        "precision": precision,
        "recall": recall,
        "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        "roc_auc": float(roc_auc_score(targets, probabilities)) if both_classes else None,
        "confusion_matrix": [[tn, fp], [fn, tp]],
    }
