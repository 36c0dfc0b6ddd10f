"""One number format for the metrics, wherever the app shows them (the live metrics strip, the losses line,
the Compare table, the Sweep heatmap): accuracy, precision and recall as percentages with one decimal
(99.0 %), losses with four decimals (0.0645), F1 and ROC AUC with three (0.990)."""

from __future__ import annotations

PERCENT = ("accuracy", "precision", "recall")
DECIMALS = {"loss": 4, "f1": 3, "roc_auc": 3}
NAMES = {"f1": "F1", "roc_auc": "ROC AUC"}


def _base(name: str) -> str:
    """'test_accuracy' -> 'accuracy': the metric without its split."""
    return name.split("_", 1)[1] if name.startswith(("train_", "test_")) else name


def is_percent(name: str) -> bool:
    return _base(name) in PERCENT


def metric_text(name: str, value: float | None) -> str:
    """`value` of metric `name` (with or without its split, like test_accuracy) as the app writes it."""
    if value is None or value != value:  # None, or NaN: a metric not defined here (ROC AUC of one class)
        return "n/a"
    if is_percent(name):
        return f"{100 * value:.1f} %"
    return f"{value:.{DECIMALS.get(_base(name), 3)}f}"


def printf_format(name: str) -> str:
    """The same format for a table column (st.column_config.NumberColumn); percent columns hold value × 100."""
    return "%.1f %%" if is_percent(name) else f"%.{DECIMALS.get(_base(name), 3)}f"


def metric_label(name: str) -> str:
    """'test_roc_auc' -> 'test ROC AUC': a metric's key in the words of the page."""
    base = _base(name)
    split = name[: -len(base) - 1] if base != name else ""
    return " ".join(part for part in (split, NAMES.get(base, base.replace("_", " "))) if part)
