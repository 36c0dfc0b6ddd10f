"""The export script's data section for points no generator can rebuild: a CSV's rows, drawn points.

The script carries the run's own split, training points then test points, each value written so that
Python reads it back as the very float32 the run trained on; `make_data` then returns the same
tensors the run holds, so the script trains the same run.
"""

from __future__ import annotations

from string import Template

import numpy as np

from binclf_core.data.generators import Dataset

OWN_DATA = Template('''

# ---- data: $source, as the playground split them -----------------------------------------
# One row per point: $columns, label (1: $positive, 0: $negative).
TRAIN_POINTS = [
$train]
TEST_POINTS = [
$test]


def make_data():
    """(x_train, y_train, x_test, y_test) as float32 tensors: x (N, 2), y (N,) holding 0.0 or 1.0."""
    train, test = (torch.tensor(points, dtype=torch.float64) for points in (TRAIN_POINTS, TEST_POINTS))
    return train[:, :2].float(), train[:, 2].float(), test[:, :2].float(), test[:, 2].float()
''')


def own_data_section(dataset: Dataset, source: str) -> str:
    """The script's data section holding `dataset`'s split; `source` says where the points came from."""
    negative, positive = dataset.class_names
    columns = ", ".join(map(repr, dataset.feature_names or ("x1", "x2")))  # repr: a name cannot end the comment
    return OWN_DATA.substitute(source=source, columns=columns, negative=repr(negative), positive=repr(positive),
                               train=_rows(dataset.x_train, dataset.y_train),
                               test=_rows(dataset.x_test, dataset.y_test))


def _rows(x, y) -> str:
    """One `(x1, x2, label),` line per point; x (N, 2) float32, y (N,) 0.0/1.0."""
    values = np.asarray(x, dtype=np.float32)
    return "".join(f"    ({_number(a)}, {_number(b)}, {int(label)}),\n"
                   for (a, b), label in zip(values, np.asarray(y), strict=True))


def _number(value: np.float32) -> str:
    """The shortest text that reads back as this float32 through a Python float, else the exact float64."""
    short = str(value)
    return short if np.float32(float(short)) == value else repr(float(value))
