"""Your own data: a CSV of two numeric feature columns and a label column.

The contract (the same in the CLI and the app): exactly three columns; a header row, unless the
first row's two feature cells (the first two) are both numbers and none of its cells is `label`:
then that row is data and the columns are named by position (`column 1`, ...); the label column
is the one named `label`, else the last; labels are any two distinct values and the one that
sorts second is the positive class (numerically when both are numbers, else as text); features
are finite numbers within ±1e15. The app also caps the rows (`max_rows`). Anything else is
refused with one sentence that says what to fix.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from binclf_core.errors import ConfigError

MAX_CSV_BYTES = 5 * 1024 * 1024
MIN_ROWS_PER_CLASS = 4  # two for training and two for testing
# The model computes in float32 (up to ~3.4e38) and the input features square values (x1², x1·x2): at
# 1e15 every feature still trains once standardised, at 1e18 the squares' spread overflows.
MAX_FEATURE_MAGNITUDE = 1e15
LABEL = "label"


class CsvError(ConfigError):
    """A CSV the app cannot train on; the message says what to fix."""


@dataclass(frozen=True, eq=False)
class CsvData:
    x: np.ndarray  # (N, 2) float64
    y: np.ndarray  # (N,) int64, 1 for the positive class
    feature_names: tuple[str, str]
    class_names: tuple[str, str]  # (negative, positive) as written in the file


def read_csv_file(path: str | Path) -> CsvData:
    """Read and check a CSV file from disk, refusing big files before reading them."""
    path = Path(path)
    if not path.is_file():
        raise CsvError(f"no CSV file at {str(path)!r}: check the path")
    check_size(path.stat().st_size)
    return parse_csv(path.read_bytes())


def parse_csv(raw: bytes, max_rows: int | None = None) -> CsvData:
    """Check and parse CSV bytes (UTF-8, BOM and Windows line endings allowed), of at most `max_rows` rows."""
    check_size(len(raw))
    rows = _rows(_decode(raw))
    if not rows:
        raise CsvError("the CSV file is empty: it needs a header row and data rows")
    if len(rows[0]) != 3:
        raise CsvError(f"the CSV needs exactly 3 columns (two features and a label), but its first row has "
                       f"{len(rows[0])}")
    has_header = not _is_data(rows[0])
    header, body = (rows[0], rows[1:]) if has_header else (POSITION_NAMES, rows)
    if not body:
        raise CsvError("the CSV has a header but no data rows")
    if max_rows is not None and len(body) > max_rows:
        raise CsvError(f"the CSV has {len(body):,} data rows and this server trains on at most {max_rows:,} "
                       f"points: keep a sample of at most {max_rows:,} rows")
    label_col = _label_column(header)
    feature_cols = [i for i in range(3) if i != label_col]
    names = tuple(header[i].strip() for i in feature_cols)
    first_line = 2 if has_header else 1
    x = np.array([[_feature(row, i, n, header[i].strip()) for i in feature_cols]
                  for n, row in enumerate(body, start=first_line)])
    labels = [row[label_col].strip() for row in body]
    y, class_names = _encode_labels(labels)
    _check_class_sizes(y, class_names)
    return CsvData(x, y, names, class_names)


POSITION_NAMES = ["column 1", "column 2", "column 3"]  # a file without a header row: its label is the last


def _is_data(first_row: list[str]) -> bool:
    """The headerless rule: the first row is data when its first two cells are numbers and none says `label`."""
    if any(cell.strip().lower() == LABEL for cell in first_row):
        return False
    try:
        [float(cell) for cell in first_row[:2]]
    except ValueError:
        return False
    return True


def check_size(n_bytes: int) -> None:
    """Refuse a file by its size alone, before its bytes are read or parsed."""
    if n_bytes > MAX_CSV_BYTES:  # the size in MB of 10^6 bytes, as Streamlit's uploader lists it beside the file
        raise CsvError(f"the CSV is {n_bytes / 1e6:.1f} MB; the limit is {MAX_CSV_BYTES // 2**20} MB")


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise CsvError("this file is not a text CSV (it holds binary bytes)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvError("this file is not a UTF-8 text CSV") from None


def _rows(text: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise CsvError(f"this file is not a readable CSV ({exc})") from None
    return [row for row in rows if any(cell.strip() for cell in row)]


def _label_column(header: list[str]) -> int:
    names = [h.strip().lower() for h in header]
    return names.index(LABEL) if LABEL in names else 2


def _feature(row: list[str], column: int, line: int, name: str) -> float:
    if len(row) != 3:
        raise CsvError(f"line {line} has {len(row)} values; every row needs 3 (two features and a label)")
    text = row[column].strip()
    try:
        value = float(text) if text else math.nan
    except ValueError:
        raise CsvError(f"line {line} has {text!r} where a number is needed") from None
    if not math.isfinite(value):
        raise CsvError(f"line {line} has a missing or infinite value ({text!r}); every feature must be a finite number")
    if abs(value) > MAX_FEATURE_MAGNITUDE:
        raise CsvError(f"column {name!r} holds {text} on line {line}, too large to train on (the model computes "
                       f"in 32-bit floats and squares its inputs): divide that column by a power of ten so every "
                       f"value lies within ±1e15")
    return value


def _sort_key(labels: set[str]):
    """Numbers sort numerically when every label is one, else labels sort as text."""
    try:
        numbers = {label: float(label) for label in labels}
    except ValueError:
        return lambda label: label
    return numbers.__getitem__


def _encode_labels(labels: list[str]) -> tuple[np.ndarray, tuple[str, str]]:
    distinct = set(labels)
    if "" in distinct:
        raise CsvError("some rows have an empty label; every row needs one of two labels")
    if len(distinct) != 2:
        shown = ", ".join(sorted(distinct)[:5])
        raise CsvError(f"the label column needs exactly 2 distinct values, but has {len(distinct)} ({shown})")
    negative, positive = sorted(distinct, key=_sort_key(distinct))
    return np.array([label == positive for label in labels], dtype=np.int64), (negative, positive)


def _check_class_sizes(y: np.ndarray, class_names: tuple[str, str]) -> None:
    for value, name in enumerate(class_names):
        count = int((y == value).sum())
        if count < MIN_ROWS_PER_CLASS:
            raise CsvError(f"label {name!r} has only {count} row{'' if count == 1 else 's'}; each label needs at least "
                           f"{MIN_ROWS_PER_CLASS} to split into training and test points")
