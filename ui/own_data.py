"""Your own data in the Playground: a CSV upload, or points drawn by clicking on the chart.

Everything lives under one session key, `own_data` (an OwnData). The engine parses the CSV
(csv_data), holds the drawn points (drawn) and splits both (datasets.dataset_from_arrays); this
module only turns widgets and chart clicks into those calls, and their errors into messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from binclf_core.config import DRAWN, ConfigError, RunConfig
from binclf_core.data.csv_file import MAX_CSV_BYTES, CsvData, CsvError, check_size, parse_csv
from binclf_core.data.drawn import CANVAS, MAX_POINTS, DrawnPoints
from binclf_core.data.generators import Dataset, dataset_from_arrays
from binclf_core.figures.run import FONT_SIZE, curves_figure, drawing_figure
from ui.live_chart import KEY as CHART_KEY
from ui.live_chart import live_charts

OWN_DATA = {"csv": "CSV upload", DRAWN: "Drawn points"}  # Dataset choices beyond the generators
KEY = "own_data"
CLASSES = ("negative", "positive")  # the "Class to add" options; their index is the label
NOT_IN_LINK = "Your own data stays in this tab: a shared link keeps the other settings, not these points."
CSV_HELP = ("Two numeric feature columns and a label column (named `label`, else the last) with two distinct "
            "values; the one that sorts second is the positive class. The first row is the header, unless its "
            "first two cells are numbers (and none says `label`): then it is data, and the columns are named "
            "column 1, 2, 3.")
GUARD_KEY = "csv_size_guard"
# The uploader's limit, said in words: Streamlit's uploader refuses a bigger file in the browser with a red
# icon only, and keeps the previous file (ui/upload_guard.js tells the server).
_upload_guard = st.components.v2.component(
    "binclf.upload_guard", js=(Path(__file__).parent / "upload_guard.js").read_text(), isolate_styles=False,
)


@dataclass
class OwnData:
    """The session's own data: the last CSV uploaded (or why it was refused) and the drawn points."""

    csv_name: str | None = None
    csv: CsvData | None = None
    csv_error: str | None = None
    points: DrawnPoints = field(default_factory=DrawnPoints)
    csv_refused: str | None = None  # a file too big to upload while the previous one stays in use
    notice: str | None = None  # a click that could not add a point says why on the next run
    toast: str | None = None  # a click that reset a trained run says so when the sidebar is drawn
    split_error: str | None = None  # why the chosen data could not be split (a test fraction too big, ...)
    split_cache: tuple[tuple, Dataset] | None = None  # ((source, test_fraction, seed), split)


def _own() -> OwnData:
    return st.session_state.setdefault(KEY, OwnData())


def choice() -> str:
    return st.session_state.get("dataset", "")


# ---- the CSV --------------------------------------------------------------------------------
def _on_upload(max_rows: int) -> None:
    """Parse a new upload once, refusing a file over the limit by its size before reading it."""
    own, uploaded = _own(), st.session_state.get("csv_file")
    own.csv_name, own.csv, own.csv_error, own.csv_refused, own.split_cache = None, None, None, None, None
    if not hasattr(uploaded, "getvalue"):  # None, or a DeletedFile whose bytes the server no longer holds
        return
    try:
        check_size(uploaded.size)
        own.csv, own.csv_name = parse_csv(uploaded.getvalue(), max_rows), uploaded.name
    except CsvError as error:
        own.csv_error = f"{uploaded.name}: {error}."


def _on_too_big() -> None:
    """A file the uploader refused for its size: say so; with no good file in use, Train waits for one."""
    sentence, own = _too_big_sentence(), _own()
    if sentence is None:
        return
    if own.csv is None:
        own.csv_error = sentence
    else:
        own.csv_refused = own.toast = f"{sentence} Still training on {own.csv_name}."


def _too_big_sentence() -> str | None:
    """What the browser reported (name, size), as the sentence check_size says it, or None."""
    big = (st.session_state.get(GUARD_KEY) or {}).get("too_big")
    try:
        name, size = str(big["name"]), int(big["size"])
    except (KeyError, TypeError, ValueError):
        return None
    try:
        check_size(size)
    except CsvError as error:
        return f"{name}: {error}, so it was not loaded."
    return None  # within the limit: the uploader takes it, and _on_upload reads it


def _csv_controls(own: OwnData, max_rows: int) -> None:
    st.file_uploader("CSV file", type="csv", key="csv_file", on_change=_on_upload, args=(max_rows,),
                     max_upload_size=MAX_CSV_BYTES // 2**20, help=f"At most {max_rows:,} rows. {CSV_HELP}")
    _upload_guard(key=GUARD_KEY, data={"limit": MAX_CSV_BYTES, "uploader": ".st-key-csv_file"},
                  on_too_big_change=_on_too_big)
    if own.csv_error:
        st.error(own.csv_error, icon="🚫")
    elif own.csv is not None:
        if own.csv_refused:
            st.warning(own.csv_refused, icon="⚠️")
        negative, positive = own.csv.class_names
        st.caption(f"Training on **{own.csv_name}**: {len(own.csv.y)} rows, {negative!r} negative and "
                   f"{positive!r} positive.")
    else:
        st.info("Choose a CSV file to train on.")
    _show_toast(own, "⚠️")


# ---- the drawn points -----------------------------------------------------------------------
def _clear_points() -> None:
    own = _own()
    own.points, own.split_cache, own.notice = DrawnPoints(), None, None


def on_chart_click() -> None:
    """The chart's click trigger: add a point of the chosen class where the user clicked."""
    click = (st.session_state.get(CHART_KEY) or {}).get("click")
    if choice() != DRAWN or not isinstance(click, dict):
        return
    own = _own()
    try:
        label = CLASSES.index(st.session_state.get("draw_class", CLASSES[1]))
        own.points = own.points.add(float(click["x"]), float(click["y"]), label)
    except (ConfigError, KeyError, TypeError, ValueError) as error:
        own.notice = f"No point added: {error}."
        return
    run = st.session_state.get("run")
    if run is not None and run.epoch > 0 and run.config.dataset == DRAWN:  # the new data needs a new run
        own.toast = (f"Point added: the data changed, so the run starts over (it had trained {run.epoch} epochs; "
                     "the Compare page keeps it).")


def _drawn_controls(own: OwnData) -> None:
    st.radio("Class to add", CLASSES, key="draw_class", horizontal=True, persist_state="session",
             help="Click on the decision-boundary chart to add a point of this class.")
    st.button("Clear points", key="clear_points", on_click=_clear_points, width="stretch")
    negative, positive = own.points.counts()
    st.caption(f"{negative} negative and {positive} positive points drawn (at most {MAX_POINTS}).")
    if own.notice:
        st.warning(own.notice)
        own.notice = None
    _show_toast(own, "✏️")


def _show_toast(own: OwnData, icon: str) -> None:
    if own.toast:
        st.toast(own.toast, icon=icon)
        own.toast = None


def controls(max_rows: int) -> None:
    """The own-data widgets under the Dataset select, for the chosen kind of own data; a CSV may hold at
    most `max_rows` rows (the page's points limit)."""
    own = _own()
    if choice() == "csv":
        _csv_controls(own, max_rows)
    else:
        _drawn_controls(own)
    st.caption(NOT_IN_LINK)


def config_values() -> dict[str, str]:
    """The config values own data sets beyond the widgets: the CSV's file name."""
    own = _own()
    return {"csv": own.csv_name} if choice() == "csv" and own.csv is not None else {}


def ready() -> bool:
    """Whether the chosen data can make a config (a CSV needs a good file; drawn points always can)."""
    return choice() != "csv" or _own().csv is not None


# ---- the split ------------------------------------------------------------------------------
def _split(own: OwnData, config: RunConfig) -> Dataset:
    """The same Dataset object while the data, test fraction and seed stay the same (so the run stays)."""
    source = own.csv if config.dataset == "csv" else own.points
    key = (id(source), config.test_fraction, config.seed)
    if own.split_cache is None or own.split_cache[0] != key:
        if config.dataset == "csv":
            dataset = dataset_from_arrays(own.csv.x, own.csv.y, config.test_fraction, config.seed,
                                          own.csv.class_names, feature_names=own.csv.feature_names)
        else:
            dataset = own.points.dataset(config.test_fraction, config.seed)
        own.split_cache = (key, dataset)
    return own.split_cache[1]


def own_dataset(config: RunConfig | None) -> tuple[RunConfig | None, Dataset | None]:
    """(config, its split) for own data; (config, None) for a generator; (None, None) when the own data
    cannot be split yet (waiting() then says why, and the current run stays)."""
    if config is None or config.dataset not in OWN_DATA:
        return config, None
    own = _own()
    try:
        own.split_error = None
        return config, _split(own, config)
    except ConfigError as error:
        own.split_error = f"{error}."
        return None, None


def waiting(dataset: Dataset | None) -> tuple[str, str] | None:
    """Why the chosen own data cannot train yet, as (kind, sentence) with kind "error" or "info", to say
    where the charts are (Train stays disabled until then); None when it can, or for generated data."""
    if choice() not in OWN_DATA or dataset is not None:
        return None
    own = _own()
    if choice() == DRAWN and own.points.missing():
        return "info", own.points.missing()
    if choice() == "csv" and own.csv_error:
        return "error", own.csv_error
    if choice() == "csv" and own.csv is None:
        return "info", "Choose a CSV file under Dataset in the sidebar: Train starts once a good file is in."
    return "error", own.split_error or "This data cannot be split into training and test points yet."


def needs_canvas(dataset: Dataset | None) -> bool:
    """Drawn points chosen but not yet a split: the page shows the drawing canvas instead of a run."""
    return choice() == DRAWN and dataset is None


def canvas(epochs: int, font_size: int = FONT_SIZE) -> None:
    """The chart to click on while there are too few points to train: the points in their classes' colours."""
    x, y = _own().points.arrays()
    live_charts({"static": {"boundary": drawing_figure(x, y, CANVAS, CLASSES, font_size),
                            "curves": curves_figure([], epochs, font_size=font_size)},
                 "epochs": epochs, "clickable": True}, on_click=on_chart_click)
