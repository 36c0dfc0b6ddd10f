"""The sidebar controls: one table of fields, each a widget, a URL query parameter and a config value.

Like TensorFlow Playground's `PROPS`, the table turns every field to and from the URL, so a
shared link rebuilds the same run, seed included. Widget keys are the RunConfig field names
(and `speed`); the labels are a public contract that tools and tests find the widgets by.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from binclf_core.config import (
    ACTIVATIONS,
    FIELD_NAMES,
    LOSSES,
    MAX_LAYERS,
    MAX_UNITS,
    MODELS,
    OPTIMIZERS,
    SCHEDULES,
    ConfigError,
    RunConfig,
    parse_hidden,
    parse_pos_weight,
)
from binclf_core.data.drawn import MAX_POINTS as MAX_DRAWN_POINTS
from binclf_core.data.features import SCALES, parse_features
from binclf_core.data.generators import DATASETS
from binclf_core.explore.sweep import MAX_SWEEP_COMBINATIONS
from binclf_core.model.bugs import BUGS
from binclf_core.model.optim import USES_MOMENTUM
from binclf_core.model.regularization import REGULARIZATIONS
from binclf_core.teach.presets import PRESETS
from ui import own_data
from ui.inside_controls import MAX_REG_RATE, feature_controls, regularization_controls
from ui.pacing import DEFAULT_SPEED, SPEEDS

DEFAULTS = RunConfig()
HIDDEN_PRESETS = ["4", "8", "8,8", "16,16", "32,32", "64,64", "100", "8,8,8"]
POS_WEIGHT_PRESETS = ["balanced", "0.5", "1", "2", "5", "10", "20"]
UI_MAX_SAMPLES, UI_MAX_EPOCHS = 2000, 20_000
CONTROLS_PAGE = "controls_page"  # the page whose run last drew the sidebar
# A select's dropdown is as wide as the select (the sidebar's ~240 px) and cuts longer options
# ("Per-element weight instead of a class w…"); its rows have a fixed height, so they cannot wrap.
WIDE_OPTIONS_CSS = """<style>
[data-testid="stSelectboxVirtualDropdown"], [data-testid="stSelectboxVirtualDropdown"] [role="listbox"] {
  min-width: 24rem !important; }
</style>"""


@dataclass(frozen=True)
class Field:
    """One shareable control: its URL text turns into the widget's value with `parse`."""

    key: str
    default: Any
    parse: Callable[[str], Any]


def _choice(options) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return text
    return parse


def _number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise ValueError(f"{text!r} is not {'a whole number' if kind is int else 'a number'}") from None
        if not low <= value <= high:
            raise ValueError(f"the control takes {low:g} to {high:g}")
        return value
    return parse


def _hidden_text(text: str) -> str:
    return ",".join(map(str, parse_hidden(text)))


def _pos_weight_text(text: str) -> str:
    value = parse_pos_weight(text)
    return value if value == "balanced" else f"{value:g}"


FIELDS: dict[str, Field] = {f.key: f for f in [
    Field("dataset", DEFAULTS.dataset, _choice(tuple(DATASETS))),
    Field("n_samples", DEFAULTS.n_samples, _number(int, 20, UI_MAX_SAMPLES)),
    Field("noise", DEFAULTS.noise, _number(float, 0.0, max(s.max_noise for s in DATASETS.values()))),
    Field("positive_fraction", DEFAULTS.positive_fraction, _number(float, 0.05, 0.95)),
    Field("test_fraction", DEFAULTS.test_fraction, _number(float, 0.1, 0.9)),
    Field("seed", DEFAULTS.seed, _number(int, 0, 2**31 - 1)),
    Field("model", DEFAULTS.model, _choice(tuple(MODELS))),
    Field("hidden", ",".join(map(str, DEFAULTS.hidden)), _hidden_text),
    Field("activation", DEFAULTS.activation, _choice(ACTIVATIONS)),
    Field("loss", DEFAULTS.loss, _choice(tuple(LOSSES))),
    Field("pos_weight", DEFAULTS.pos_weight, _pos_weight_text),
    Field("optimizer", DEFAULTS.optimizer, _choice(tuple(OPTIMIZERS))),
    Field("momentum", DEFAULTS.momentum, _number(float, 0.0, 0.99)),
    Field("schedule", DEFAULTS.schedule, _choice(tuple(SCHEDULES))),
    Field("lr", DEFAULTS.lr, _number(float, 1e-6, 1e6)),
    Field("epochs", DEFAULTS.epochs, _number(int, 1, UI_MAX_EPOCHS)),
    Field("batch_size", DEFAULTS.batch_size, _number(int, 0, UI_MAX_SAMPLES)),
    Field("threshold", DEFAULTS.threshold, _number(float, 0.01, 0.99)),
    Field("bug", DEFAULTS.bug, _choice(tuple(BUGS))),
    Field("speed", DEFAULT_SPEED, _choice(tuple(SPEEDS))),
]}


def _features_text(text: str) -> str:
    return ",".join(parse_features(text))


FIELDS.update({f.key: f for f in [  # issue 14: the input features and regularization (ui/inside_controls.py)
    Field("features", ",".join(DEFAULTS.features), _features_text),
    Field("scale", DEFAULTS.scale, _choice(tuple(SCALES))),
    Field("regularization", DEFAULTS.regularization, _choice(tuple(REGULARIZATIONS))),
    Field("reg_rate", DEFAULTS.reg_rate, _number(float, 0.0, MAX_REG_RATE)),
]})


def config_from_values(values: dict[str, Any]) -> RunConfig:
    """The RunConfig that widget values describe (ConfigError if they do not make a valid run)."""
    settings = {k: v for k, v in values.items() if k in FIELD_NAMES}
    settings["hidden"] = parse_hidden(settings["hidden"])
    settings["pos_weight"] = parse_pos_weight(settings["pos_weight"])
    settings["features"] = parse_features(settings["features"])
    return RunConfig(**settings)


def preset_values(name: str) -> dict[str, Any]:
    """The widget values of a workshop preset: its settings, every other field at its default (Speed kept)."""
    return widget_values(PRESETS[name].config())


def widget_values(config: RunConfig) -> dict[str, Any]:
    """The widget values that describe `config` (the inverse of config_from_values)."""
    values = {key: getattr(config, key) for key in FIELDS if key in FIELD_NAMES}
    values["hidden"] = ",".join(map(str, config.hidden))
    values["pos_weight"] = _pos_weight_text(str(config.pos_weight))
    values["features"] = ",".join(config.features)
    return values


def url_text(value: Any) -> str:
    """A widget value as it appears in the URL: 0.1 rather than 0.1000, 8,8 as is."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _on_dataset_change() -> None:
    """Each dataset has its own noise scale, so a new dataset starts at its own default noise."""
    if st.session_state["dataset"] in DATASETS:
        st.session_state["noise"] = DATASETS[st.session_state["dataset"]].default_noise


def _dataset_label(key: str) -> str:
    return DATASETS[key].label if key in DATASETS else own_data.OWN_DATA[key]


def _data_controls(present: bool) -> None:
    """In presenter mode only Dataset and Positive fraction show; the others keep their values, out of sight."""
    st.selectbox("Dataset", [*DATASETS, *own_data.OWN_DATA], format_func=_dataset_label, key="dataset",
                 on_change=_on_dataset_change, persist_state="session")
    if st.session_state["dataset"] in own_data.OWN_DATA:
        own_data.controls(UI_MAX_SAMPLES)
    else:
        _generator_controls(DATASETS[st.session_state["dataset"]], present)
    if not present:
        st.slider("Test fraction", 0.1, 0.9, step=0.05, key="test_fraction", persist_state="session",
                  help="Share of points held out for testing, drawn class by class (stratified).")
        st.number_input("Seed", 0, 2**31 - 1, step=1, key="seed", persist_state="session",
                        help="Decides the points, the initial weights and the batch order.")


def _generator_controls(spec, present: bool) -> None:
    if not present:
        st.slider("Noise", 0.0, spec.max_noise, step=spec.max_noise / 100, key="noise", persist_state="session",
                  help=f"For {spec.label}: {spec.noise_meaning}.")
        st.slider("Samples", 20, UI_MAX_SAMPLES, step=10, key="n_samples", persist_state="session")
    st.slider("Positive fraction", 0.05, 0.95, step=0.05, key="positive_fraction", persist_state="session",
              help="Share of points in the positive class: lower it to make the positives a minority.")


def _model_controls(present: bool) -> None:
    st.selectbox("Model", list(MODELS), format_func=MODELS.get, key="model", persist_state="session")
    if st.session_state["model"] == "mlp":
        st.selectbox("Hidden layers", HIDDEN_PRESETS, key="hidden", accept_new_options=True,
                     persist_state="session", help="Units per hidden layer, comma-separated; type your own.")
        if not present:
            st.selectbox("Activation", ACTIVATIONS, key="activation", persist_state="session")
    feature_controls(present)


def _training_controls(present: bool) -> None:
    st.selectbox("Loss", list(LOSSES), format_func=LOSSES.get, key="loss", persist_state="session")
    if st.session_state["loss"] == "weighted_bce":
        st.selectbox("Positive weight", POS_WEIGHT_PRESETS, key="pos_weight", accept_new_options=True,
                     persist_state="session",
                     help="Weight of each positive point in the loss: a number, or balanced = negatives / positives.")
    _optimizer_controls(present)
    st.number_input("Learning rate", 1e-6, 1e6, step=0.01, format="%g", key="lr", persist_state="session",
                    help="Takes effect at once, even while training.")
    st.number_input("Epochs", 1, UI_MAX_EPOCHS, step=100, key="epochs", persist_state="session",
                    help="Passes over the training points. Raise it to continue a finished run.")
    if not present:
        st.number_input("Batch size", 0, UI_MAX_SAMPLES, step=16, key="batch_size", persist_state="session",
                        help="Points per update; 0 trains on all of them at once (full batch).")
    # No help= here: its button's name, "Help for Training-loop bug", would also match a search for "Train".
    st.selectbox("Training-loop bug", list(BUGS), format_func=lambda k: BUGS[k].label, key="bug",
                 persist_state="session")
    regularization_controls()


def _optimizer_controls(present: bool) -> None:
    """Optimizer, its momentum where it has one, and the learning-rate schedule (torch.optim's own)."""
    st.selectbox("Optimizer", list(OPTIMIZERS), format_func=OPTIMIZERS.get, key="optimizer", persist_state="session")
    if st.session_state["optimizer"] in USES_MOMENTUM and not present:
        st.number_input("Momentum", 0.0, 0.99, step=0.05, format="%g", key="momentum", persist_state="session",
                        help="Share of the last step carried into the next: 0.9 rolls along a ravine.")
    st.selectbox("Schedule", list(SCHEDULES), format_func=SCHEDULES.get, key="schedule", persist_state="session",
                 help="The learning rate over the epochs; the Learning rate below is its peak.")


def limits_note() -> None:
    """The caps that keep one tab from taking a shared server, said where the controls are."""
    with st.expander("About these limits"):
        st.markdown(
            f"This server is shared by everyone in the room, so one run stays small: at most "
            f"{UI_MAX_SAMPLES:,} points (a CSV's rows too; {MAX_DRAWN_POINTS} drawn points), "
            f"{UI_MAX_EPOCHS:,} epochs, {MAX_LAYERS} hidden layers of at most "
            f"{MAX_UNITS} units, sweeps of at most {MAX_SWEEP_COMBINATIONS} combinations, and uploads of at "
            f"most {max_upload_mb()} MB. When many tabs train at once, each one's charts update less often "
            "and it trains a little slower, all tabs alike.")


def max_upload_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def _keep_values_across_pages() -> None:
    """Each page draws its own copy of these widgets, and Streamlit drops a widget's value when a page
    without it runs: on a page's first run, hand its widgets the values the last page left.

    Only then: assigning a widget's key on every run sends the value back to the browser, where it
    overwrote a newer value the user had just set (a Threshold keypress lost while training).
    """
    page = get_script_run_ctx().page_script_hash
    if st.session_state.get(CONTROLS_PAGE) == page:
        return
    st.session_state[CONTROLS_PAGE] = page
    for key in FIELDS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def sidebar_controls(present: bool = False) -> tuple[RunConfig | None, str]:
    """Draw the controls (in presenter mode without the secondary ones); return the config they
    describe (None, with an error shown, if invalid)."""
    _keep_values_across_pages()
    with st.sidebar:
        st.html(WIDE_OPTIONS_CSS)
        st.subheader("Data")
        _data_controls(present)
        st.subheader("Model")
        _model_controls(present)
        st.subheader("Training")
        _training_controls(present)
        st.slider("Threshold", 0.01, 0.99, step=0.01, key="threshold", persist_state="session",
                  help="Probability at or above which a point is called positive, for the metrics.")
        st.select_slider("Speed", list(SPEEDS), key="speed", persist_state="session",
                         help="Slow for explaining, Flat out to train as fast as the server can.")
        limits_note()
        if not own_data.ready():  # no good CSV yet: own_data shows why under the uploader
            return None, st.session_state["speed"]
        try:
            return current_settings()
        except ConfigError as error:
            st.error(f"{error}. The current run keeps its settings until this is fixed.")
            return None, st.session_state["speed"]


def current_settings() -> tuple[RunConfig, str]:
    """The run's config and the speed the session holds now, controls drawn or not (ConfigError if invalid)."""
    return config_from_values({**st.session_state, **own_data.config_values()}), st.session_state["speed"]
