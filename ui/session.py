"""The only code that touches st.session_state's run keys and st.query_params.

Session keys: `run` (the TrainingRun of this tab), `playing` (whether its timer trains it),
`url_notices` (what the URL asked for that could not be used), `fault` (what stopped the run, shown
until the next Train or Reset), one widget key per field, and the replay's: `replaying` (whether its
timer animates it), `replay_epoch_<n>` (its slider), `replay_of` (the run and epoch the slider was
set up for, n, and its starting epoch), `replay_frame` (the slider shown while animating) and
`replay_frame_at` (the animation's position); `timer_lost` (the charts heard no tick for a while).
Besides the fields, the URL may hold `present=1` (presenter mode) and `preset=NAME` (a workshop
preset, kept in the URL while the widgets still hold its settings), and the workshop room's `room`
(join code), `seat` (an attendee's secret) and `host` (the host key), which ui/room.py owns.
"""

from __future__ import annotations

import math
import time
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from binclf_core.config import ConfigError, RunConfig
from binclf_core.datasets import DATASETS, Dataset
from binclf_core.presets import PRESETS
from binclf_core.training import LIVE_SETTINGS, TrainingRun
from ui import runs
from ui.controls import FIELDS, config_from_values, preset_values, url_text, widget_values
from ui.pacing import epochs_per_step

RUN, PLAYING, NOTICES, STARTED, LAST_TICK = "run", "playing", "url_notices", "session_started", "last_tick"
PAGE_RUN, FAULT, TIMER_LOST = "page_run", "fault", "timer_lost"
PRESENT, PRESET, REFERENCE = "present", "preset", "reference_run"
REPLAYING, REPLAY_EPOCH, REPLAY_OF = "replaying", "replay_epoch", "replay_of"
REPLAY_FRAME, REPLAY_FRAME_AT = "replay_frame", "replay_frame_at"  # the animation's slider, its position
REPLAY_FRAMES = 50  # a whole animated replay, at the timer's 10 ticks a second: about 5 s
ROOM_PARAMS = ("room", "seat", "host")  # the workshop room's URL keys: kept as they are, never notices


def start_session() -> None:
    """On a tab's first script run: widget defaults, then whatever the URL asks for that is valid."""
    if st.session_state.get(STARTED):
        return
    st.session_state[STARTED] = True
    values = {key: field.default for key, field in FIELDS.items()}
    params = {key: value for key, value in st.query_params.items() if key not in ROOM_PARAMS}
    st.session_state[PRESENT] = params.pop(PRESENT, None) == "1"
    preset = params.pop(PRESET, None)
    notices: list[str] = []
    if preset in PRESETS:
        values.update(preset_values(preset))
        st.session_state[PRESET] = preset
    elif preset is not None:
        notices.append(f"`preset={preset}` is not a workshop preset here, so it was ignored.")
    values.update(_url_values(params, values, notices))
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[NOTICES] = notices


def _url_values(params: dict[str, str], defaults: dict[str, Any], notices: list[str]) -> dict[str, Any]:
    """The URL's values that parse and, together, still make a valid run; a notice for each other."""
    accepted: dict[str, Any] = {}
    for key, text in sorted(params.items(), key=lambda item: item[0] != "dataset"):  # dataset first
        if key not in FIELDS:
            notices.append(f"`{key}` is not a setting here, so it was ignored.")
            continue
        try:
            value = FIELDS[key].parse(text)
            # A dataset brings its own default noise, which a noise parameter may then override.
            changes = {key: value, "noise": DATASETS[value].default_noise} if key == "dataset" else {key: value}
            config_from_values({**defaults, **accepted, **changes})
        except (ValueError, ConfigError) as error:
            notices.append(f"`{key}={text}` could not be used ({error}); the default is shown.")
            continue
        accepted.update(changes)
    return accepted


def pop_url_notices() -> list[str]:
    return st.session_state.pop(NOTICES, [])


def sync_url() -> None:
    """Make the URL hold every field whose widget differs from its default, so it can be shared."""
    values = {key: st.session_state[key] for key in FIELDS if key in st.session_state}
    if values.get("dataset") not in DATASETS:  # a CSV or drawn points cannot travel in a link (the page says so)
        values.pop("dataset", None)
    wanted = {key: url_text(values[key]) for key, field in FIELDS.items()
              if key in values and url_text(values[key]) != url_text(field.default)}
    if st.session_state.get(PRESENT):
        wanted[PRESENT] = "1"
    if _preset_still_applies(values):
        wanted[PRESET] = st.session_state[PRESET]
    wanted.update(room_params())
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _preset_still_applies(values: dict[str, Any]) -> bool:
    name = st.session_state.get(PRESET)
    if name not in PRESETS:
        return False
    try:
        return config_from_values(values) == PRESETS[name].config()
    except ConfigError:
        return False


def room_params() -> dict[str, str]:
    """The workshop room's keys in the URL (`room`, `seat`, `host`) that are there."""
    return {key: st.query_params[key] for key in ROOM_PARAMS if key in st.query_params}


def set_room_params(**values: str | None) -> None:
    """Put the room's keys in the URL (None takes one out), so a reload or a server restart keeps them."""
    for key, value in values.items():
        if value is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def is_presenting() -> bool:
    return bool(st.session_state.get(PRESENT))


def apply_preset() -> None:
    """The Preset select's callback: every control to the preset's value (the rest to its default)."""
    name = st.session_state.get(PRESET)
    if name in PRESETS:
        for key, value in preset_values(name).items():
            st.session_state[key] = value


def reference_run(run: TrainingRun) -> TrainingRun:
    """The same run without its bug, trained as far as `run`, on the same data: its loss is drawn faintly."""
    reference: TrainingRun | None = st.session_state.get(REFERENCE)
    correct = run.config.with_changes(bug="none")
    if reference is None or _structure(reference.config) != _structure(correct) or reference.epoch > run.epoch:
        reference = st.session_state[REFERENCE] = TrainingRun(correct, dataset=run.dataset)
    elif reference.config != correct:
        reference.update_live(**{key: getattr(correct, key) for key in LIVE_SETTINGS})
    reference.step(run.epoch - reference.epoch)
    return reference


def current_run(config: RunConfig | None, dataset: Dataset | None = None) -> TrainingRun:
    """This tab's run, made new when the data or the model changed; lr, threshold and epochs apply live.

    `dataset` is the split of the user's own data (a CSV, drawn points), a new object when it changed.
    """
    run: TrainingRun | None = st.session_state.get(RUN)
    if config is None:
        return run if run is not None else _new_run(RunConfig())
    new_data = dataset is not None and run is not None and run.dataset is not dataset
    if run is None or new_data or _structure(run.config) != _structure(config):
        return _new_run(config, dataset)
    live = {key: getattr(config, key) for key in LIVE_SETTINGS if getattr(run.config, key) != getattr(config, key)}
    if live:
        run.update_live(**live)
    return run


def _structure(config: RunConfig) -> dict[str, Any]:
    """The settings that need a new run when they change: all but the live ones."""
    return {k: v for k, v in config.to_dict().items() if k not in LIVE_SETTINGS}


def _new_run(config: RunConfig, dataset: Dataset | None = None) -> TrainingRun:
    return _replace_run(TrainingRun(config, dataset))


def _replace_run(run: TrainingRun) -> TrainingRun:
    """Make `run` this tab's run, paused; the run it replaces is kept for the Compare page."""
    old: TrainingRun | None = st.session_state.get(RUN)
    if old is not None:
        runs.keep(old)
    st.session_state[RUN] = run
    st.session_state[PLAYING] = st.session_state[REPLAYING] = False
    st.session_state.pop(FAULT, None)
    return run


def existing_run() -> TrainingRun | None:
    return st.session_state.get(RUN)


def open_run(run: TrainingRun) -> None:
    """Make `run` (a kept run reopened) this tab's run, with the Playground's widgets set to its settings."""
    set_controls(run.config)
    _replace_run(run)


def set_controls(config: RunConfig) -> None:
    """Every control to `config`'s value (a reopened run, a setup the room's host sent); the page's next
    run follows them (a new run if the data or the model changed)."""
    for key, value in widget_values(config).items():
        st.session_state[key] = value


def is_playing() -> bool:
    return bool(st.session_state.get(PLAYING))


def is_replaying() -> bool:
    return bool(st.session_state.get(REPLAYING))


def needs_timer() -> bool:
    """Whether the live panel's timer should tick: while training or while animating the replay."""
    return is_playing() or is_replaying()


def mark_page_run() -> None:
    """Called by the page before its live fragment: this run draws, it does not train."""
    st.session_state[PAGE_RUN] = True


def is_timer_tick() -> bool:
    """True in a fragment run of the timer, False (once) in the page run that drew the fragment.

    Only ticks train. A page run that trained could still be running when the timer's first tick
    arrives; Streamlit then drops that run's charts and mounts them again (a blank frame).
    """
    return not st.session_state.pop(PAGE_RUN, False)


def report_lost_timer() -> None:
    """The live charts' `stalled` trigger: the tab should be ticking and heard nothing for seconds."""
    st.session_state[TIMER_LOST] = True


def take_lost_timer() -> bool:
    """True once after report_lost_timer: the live fragment then runs the page, which sets its timer anew."""
    return bool(st.session_state.pop(TIMER_LOST, False))


def tab_id() -> str:
    """This tab's Streamlit session id, the key of its share of the server (ui/budget.py)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def fault() -> str | None:
    return st.session_state.get(FAULT)


def set_fault(message: str) -> None:
    st.session_state[FAULT] = message


def seconds_since_last_tick() -> float | None:
    """Wall time since the previous training tick of this tab (None on the first), and mark now."""
    now = time.perf_counter()
    last = st.session_state.get(LAST_TICK)
    st.session_state[LAST_TICK] = now
    return None if last is None else now - last


# ---- button callbacks: they run before the script, so the page draws the new state at once ----
def train() -> None:
    """Start or resume; a finished run starts over (raise Epochs to continue it instead)."""
    run: TrainingRun = st.session_state[RUN]
    if run.finished:
        _new_run(run.config, run.dataset)
    st.session_state[PLAYING], st.session_state[REPLAYING] = True, False
    st.session_state[LAST_TICK] = None
    st.session_state.pop(FAULT, None)


def pause() -> None:
    stop_replay()
    st.session_state[PLAYING] = False


def step() -> None:
    run: TrainingRun = st.session_state[RUN]
    st.session_state[PLAYING] = False
    run.step(epochs_per_step(run.config.epochs))


def reset() -> None:
    run: TrainingRun = st.session_state[RUN]
    _new_run(run.config, run.dataset)


# ---- replay ----
# The server never moves the replay slider by writing its value: the browser reports a slider's value
# a tick late, and a slider it was only just sent may come back at its default. Instead the slider
# gets a new key (a new slider, starting at the epoch wanted) when the run moved on or an animation
# stopped, and an animation shows its own disabled slider, whose reported value is never read.
def replay_stride(epochs: list[int]) -> int:
    """How many kept epochs one frame of an animated replay moves on: about REPLAY_FRAMES frames in all."""
    return math.ceil(len(epochs) / REPLAY_FRAMES)


def replay_slider(run: TrainingRun) -> tuple[str, int]:
    """The replay slider's key, and the epoch a new slider under it starts at (the latest, at first)."""
    setup = st.session_state.get(REPLAY_OF, {"run": None, "version": 0})
    if setup["run"] != (id(run), run.epoch):
        setup = {"run": (id(run), run.epoch), "version": setup["version"] + 1, "start": run.epoch}
        st.session_state[REPLAY_OF] = setup
    return f"{REPLAY_EPOCH}_{setup['version']}", setup["start"]


def show_replay_frame(epochs: list[int], advance: bool) -> int:
    """The epoch an animated replay shows now, one frame further if `advance` (before its slider is drawn)."""
    epoch = st.session_state.get(REPLAY_FRAME_AT, epochs[0])
    if advance:
        epoch = epochs[min(epochs.index(epoch) + replay_stride(epochs), len(epochs) - 1)]
    st.session_state[REPLAY_FRAME] = st.session_state[REPLAY_FRAME_AT] = epoch
    return epoch


def play_replay(key: str, epochs: list[int]) -> None:
    """Animate from where the slider stands, or from the start when it is at the end."""
    start = st.session_state.get(key, epochs[-1])
    st.session_state[REPLAY_FRAME_AT] = epochs[0] if start == epochs[-1] else start
    st.session_state[REPLAYING] = True


def stop_replay() -> None:
    """Stop an animation where it stands: the slider comes back there."""
    if st.session_state.get(REPLAYING) and REPLAY_OF in st.session_state:
        setup = st.session_state[REPLAY_OF]
        st.session_state[REPLAY_OF] = {**setup, "version": setup["version"] + 1,
                                       "start": st.session_state[REPLAY_FRAME_AT]}
    st.session_state[REPLAYING] = False
