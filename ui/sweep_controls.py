"""The Sweep page's controls: one or two settings to vary, each over a list or a log range, and the
Run sweep button, which starts them training in the background (ui/sweep_job.py), with the
estimated time said before it is pressed.

Widget keys start with `sweep_`; the finished sweep lives under the session key `sweep_result`.
"""

from __future__ import annotations

import streamlit as st

from binclf_core.config import ConfigError, RunConfig
from binclf_core.explore.sweep import (
    SWEEPABLE,
    combinations,
    fitting_base,
    log_range,
    parse_values,
)
from binclf_core.explore.sweep_runner import SHARE, estimate_seconds
from ui import sweep_job
from ui.sweep_job import RESULT, duration_text

NOTHING = "nothing"
DEFAULT_LISTS = {"lr": "0.001,0.01,0.1,1", "loss": "bce,weighted_bce,hinge", "hidden": "4;8;8,8;16,16",
                 "pos_weight": "0.5,1,2,5", "batch_size": "0,16,64", "noise": "0.5,1,1.5,2",
                 "seed": "1,2,3,4,5,6,7,8", "optimizer": "sgd,momentum,nesterov,rmsprop,adam,adamw",
                 "schedule": "constant,step,cosine,warmup_cosine",
                 "features": "x1,x2;x1_squared,x2_squared;x1,x2,x1_x2", "scale": "none,standard",
                 "regularization": "none,l1,l2", "reg_rate": "0,0.001,0.01,0.1"}
DEFAULT_RANGES = {"lr": (0.001, 1.0), "pos_weight": (0.25, 8.0), "noise": (0.1, 2.0), "reg_rate": (0.0001, 0.1)}
DEFAULT_STEPS = 8


def _label(field: str) -> str:
    return NOTHING if field == NOTHING else SWEEPABLE[field].label


def _values(axis: int, field: str) -> list:
    """The values one axis asks for, from a list or a log range (ConfigError if they do not parse)."""
    spec = SWEEPABLE[field]
    mode = "List"
    if spec.log_scale:
        mode = st.radio("Values as", ["Log range", "List"], key=f"sweep_mode_{axis}_{field}", horizontal=True,
                        index=0 if field == "lr" else 1)
    if mode == "List":
        text = st.text_input("Values", DEFAULT_LISTS[field], key=f"sweep_values_{axis}_{field}",
                             help=f"Separated by {spec.separator!r}, like {spec.example}.")
        return parse_values(field, text)
    low, high = DEFAULT_RANGES[field]
    start, stop, steps = st.columns(3)
    low = start.number_input("From", min_value=0.0, value=low, format="%g", key=f"sweep_from_{axis}_{field}")
    high = stop.number_input("To", min_value=0.0, value=high, format="%g", key=f"sweep_to_{axis}_{field}")
    count = steps.number_input("Steps", 2, 20, DEFAULT_STEPS, key=f"sweep_steps_{axis}_{field}")
    return log_range(low, high, int(count))


def sweep_axes() -> dict[str, list] | None:
    """Draw the two axis pickers side by side; {field: values}, or None with the reason shown."""
    first_column, second_column = st.columns(2)
    fields = list(SWEEPABLE)
    with first_column:
        first = st.selectbox("Vary", fields, format_func=_label, key="sweep_field_1")
    with second_column:
        second = st.selectbox("And vary", [NOTHING, *fields], format_func=_label, key="sweep_field_2",
                              index=1 + fields.index("seed"))
    try:
        with first_column:
            axes = {first: _values(1, first)}
        if second != NOTHING:
            if second == first:
                raise ConfigError("choose two different settings to vary, or nothing as the second")
            with second_column:
                axes[second] = _values(2, second)
    except ConfigError as error:
        st.error(f"{error}.")
        return None
    return axes


def plan(base: RunConfig, axes: dict[str, list]) -> list[RunConfig] | None:
    """The combinations to train, with a note for any model or loss the sweep had to pick; None if invalid."""
    base, notes = fitting_base(base, axes)
    for note in notes:
        st.info(note, icon="ℹ️")
    try:
        return combinations(base, axes)
    except ConfigError as error:
        st.error(f"{error}.")
        return None


def show_plan(base: RunConfig, configs: list[RunConfig]) -> None:
    """How many combinations will train, and how long they will take, before Run sweep is pressed."""
    st.markdown(f"**{len(configs)} combination{'s' if len(configs) > 1 else ''}** will train, "
                f"{base.epochs:,} epochs each.")
    try:
        alone, shared = estimate_seconds(configs, 1.0), estimate_seconds(configs, SHARE)
    except ConfigError as error:
        st.error(f"{error}.")
        return
    now = f"about {duration_text(shared if sweep_job.others_training() else alone)}"
    st.caption(f"Estimated time: {now} ({duration_text(alone)} while no other tab trains, "
               f"{duration_text(shared)} while others do). Beside a training tab a sweep takes at most {SHARE:.0%} "
               "of one of the server's cores, so that the others keep theirs; one sweep trains at a time.")


def run_button(configs: list[RunConfig] | None, axes: dict[str, list] | None) -> None:
    """Run sweep, which starts training in the background (disabled while this tab's sweep trains)."""
    if st.button("Run sweep", key="run_sweep", type="primary", disabled=configs is None or sweep_job.running()):
        sweep_job.start(configs, [field for field, values in axes.items() if len(values) > 1] or list(axes))
        st.rerun()  # the page again, drawn as it is while the sweep trains: Run sweep disabled, Cancel sweep


def last_result() -> dict | None:
    """The last finished sweep of this tab: its runs, varied fields and result rows."""
    return st.session_state.get(RESULT)
