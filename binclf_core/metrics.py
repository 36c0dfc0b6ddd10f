"""Classification metrics at a probability threshold, computed by scikit-learn."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support, roc_auc_score


def threshold_metrics(probabilities: np.ndarray, targets: np.ndarray, threshold: float) -> dict:
    """Accuracy, precision, recall, F1, ROC AUC and the confusion matrix [[TN, FP], [FN, TP]].

    A point is predicted positive when its probability is at or above the threshold. ROC AUC
    is None when the targets hold one class only (it is undefined there).
    """
    targets = np.asarray(targets).astype(np.int64)
    predicted = (np.asarray(probabilities) >= threshold).astype(np.int64)
    precision, recall, f1, _ = precision_recall_fscore_support(
        targets, predicted, average="binary", zero_division=0)
    both_classes = len(np.unique(targets)) == 2
    return {
        "accuracy": float(accuracy_score(targets, predicted)),
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "roc_auc": float(roc_auc_score(targets, probabilities)) if both_classes else None,
        "confusion_matrix": confusion_matrix(targets, predicted, labels=[0, 1]).tolist(),
    }
