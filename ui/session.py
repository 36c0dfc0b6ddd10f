"""The only code that touches st.session_state's run keys and st.query_params.

Session keys: `run` (the TrainingRun of this tab), `frame_tab` (its FrameTab, ui/frames.py: whether
it plays, the replay shown, what the producer sends), `url_notices` (what the URL asked for that
could not be used), `charts_drawn` (see first_view_settings), one widget key per field, and the
replay slider's: `replay_epoch_<n>` (its slider) and `replay_of` (the run and epoch the slider was
set up for, n, and its starting epoch).
Besides the fields, the URL may hold `present=1` (presenter mode) and `preset=NAME` (a workshop
preset, kept in the URL while the widgets still hold its settings), and the workshop room's `room`
(join code), `seat` (an attendee's secret) and `host` (the host key), which ui/room.py owns.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from binclf_core.config import ConfigError, RunConfig
from binclf_core.data.generators import DATASETS, Dataset
from binclf_core.model.training import LIVE_SETTINGS, TrainingRun
from binclf_core.teach.presets import PRESETS
from ui import runs
from ui.controls import FIELDS, config_from_values, current_settings, preset_values, url_text, widget_values
from ui.frames import this_tab
from ui.pacing import epochs_per_step

RUN, NOTICES, STARTED = "run", "url_notices", "session_started"
CHARTS_DRAWN = "charts_drawn"  # this tab's browser has drawn the Playground's charts once
PRESENT, PRESET = "present", "preset"
REPLAY_EPOCH, REPLAY_OF, ANIMATED = "replay_epoch", "replay_of", "replay_animated"
REPLAY_FRAMES = 50  # a whole animated replay, at the producer's 10 pictures a second: about 5 s
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
        values.update({"speed": PRESETS[preset].speed} if PRESETS[preset].speed else {})
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
            notices.append(f"The link's `{key}={text}` was not used: {error}. The default "
                           f"({url_text(defaults[key])}) is shown.")
            continue
        accepted.update(changes)
    return accepted


def url_notices(keep: bool = False) -> list[str]:
    """What the URL asked for that could not be used: said once, or `keep` them for the next run too."""
    return st.session_state.get(NOTICES, []) if keep else st.session_state.pop(NOTICES, [])


def sync_url() -> None:
    """Make the URL hold every field whose widget differs from its default, so it can be shared; and the
    preset while the widgets still hold its settings (else the Preset box is emptied: call before it is drawn)."""
    values = {key: st.session_state[key] for key in FIELDS if key in st.session_state}
    if values.get("dataset") not in DATASETS:  # a CSV or drawn points cannot travel in a link (the page says so)
        values.pop("dataset", None)
    wanted = {key: url_text(values[key]) for key, field in FIELDS.items()
              if key in values and url_text(values[key]) != url_text(field.default)}
    if st.session_state.get(PRESENT):
        wanted[PRESENT] = "1"
    if _preset_still_applies(values):
        wanted[PRESET] = st.session_state[PRESET]
    elif st.session_state.get(PRESET) is not None:  # a change left the preset: its box no longer claims it
        st.session_state[PRESET] = None
    wanted.update(room_params())
    if dict(st.query_params) != wanted:
        st.query_params.from_dict(wanted)


def _preset_still_applies(values: dict[str, Any]) -> bool:
    name = st.session_state.get(PRESET)
    if name not in PRESETS:
        return False
    try:
        return PRESETS[name].describes(config_from_values(values))
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


def first_view_settings() -> tuple[RunConfig, str] | None:
    """The run's config and speed while this tab's browser has not yet drawn its charts; None after.

    A new tab's browser draws every element of a page run, all on its one main thread, before the
    charts' component mounts and loads plotly.js. So the Playground's first run in a tab draws its
    title, buttons and charts only; the sidebar's controls come with the run the charts cause once
    they are drawn (the `drawn` trigger, ui/live_chart.js), ~0.1 s later. Own data (a CSV, drawn
    points) needs its controls before there is a chart to draw, so it never waits; nor do settings
    that do not make a run (the controls then say why).
    """
    if st.session_state.get(CHARTS_DRAWN) or st.session_state.get("dataset") not in DATASETS:
        return None
    try:
        return current_settings()
    except ConfigError:
        return None


def charts_drawn() -> None:
    st.session_state[CHARTS_DRAWN] = True


def is_presenting() -> bool:
    return bool(st.session_state.get(PRESENT))


def apply_preset() -> None:
    """The Preset select's callback: every control to the preset's value (the rest to its default)."""
    name = st.session_state.get(PRESET)
    if name in PRESETS:
        for key, value in preset_values(name).items():
            st.session_state[key] = value
        if PRESETS[name].speed:
            st.session_state["speed"] = PRESETS[name].speed


def set_widgets(values: dict[str, Any]) -> None:
    """A button's callback: set these widget values at once (a lesson's one change, a bug's telling setup)."""
    for key, value in values.items():
        st.session_state[key] = value


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
        if run.config.schedule != "constant" and {"lr", "epochs"} & set(live):
            this_tab().sent_version = -1  # the curves' planned learning rate moved: the page gets a reset
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
    tab = this_tab()
    tab.run, tab.playing, tab.animation, tab.replay, tab.fault = run, False, None, None, None
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
    st.session_state[PRESET] = next((name for name, preset in PRESETS.items() if preset.describes(config)), None)


def is_playing() -> bool:
    return this_tab().playing


def is_replaying() -> bool:
    """Whether an animated replay is playing (the producer moves it on)."""
    return bool(this_tab().animation)


def fault() -> str | None:
    return this_tab().fault


# ---- button callbacks: they run before the script, so the page draws the new state at once ----
def train() -> None:
    """Start or resume; a finished run starts over (raise Epochs to continue it instead)."""
    run: TrainingRun = st.session_state[RUN]
    if run.finished:
        _new_run(run.config, run.dataset)
    tab = this_tab()
    tab.playing, tab.animation, tab.replay, tab.fault = True, None, None, None


def pause() -> None:
    stop_replay()
    this_tab().playing = False


def step() -> None:
    run: TrainingRun = st.session_state[RUN]
    tab = this_tab()
    tab.playing, tab.animation, tab.replay = False, None, None
    run.step(epochs_per_step(run.config.epochs))


def reset() -> None:
    run: TrainingRun = st.session_state[RUN]
    _new_run(run.config, run.dataset)


# ---- replay ----
# The server never moves the replay slider by writing its value: the browser reports a slider's value
# a run late, and a slider it was only just sent may come back at its default. Instead the slider
# gets a new key (a new slider, starting at the epoch wanted) when the run moved on or an animation
# stopped. While the producer animates, the page shows no slider, only Stop replay.
def replay_stride(epochs: list[int]) -> int:
    """How many kept epochs one picture of an animated replay moves on: about REPLAY_FRAMES in all."""
    return math.ceil(len(epochs) / REPLAY_FRAMES)


def replay_slider(run: TrainingRun) -> tuple[str, int]:
    """The replay slider's key, and the epoch a new slider under it starts at (the latest, at first)."""
    setup = st.session_state.get(REPLAY_OF, {"run": None, "version": 0})
    if setup["run"] != (id(run), run.epoch):
        setup = {"run": (id(run), run.epoch), "version": setup["version"] + 1, "start": run.epoch}
        st.session_state[REPLAY_OF] = setup
    return f"{REPLAY_EPOCH}_{setup['version']}", setup["start"]


def _restart_slider_at(epoch: int) -> None:
    setup = st.session_state.get(REPLAY_OF)
    if setup is not None:
        st.session_state[REPLAY_OF] = {**setup, "version": setup["version"] + 1, "start": epoch}


def play_replay(key: str, epochs: list[int]) -> None:
    """Animate from where the slider stands, or from the start when it is at the end."""
    start = st.session_state.get(key, epochs[-1])
    first = epochs.index(epochs[0] if start == epochs[-1] else start)
    shown = epochs[first::replay_stride(epochs)]
    tab = this_tab()
    tab.animation = shown if shown[-1] == epochs[-1] else [*shown, epochs[-1]]
    st.session_state[ANIMATED] = True


def stop_replay() -> None:
    """Stop an animation where it stands: the slider comes back there."""
    tab = this_tab()
    tab.animation = None
    animation_ended()


def animation_ended() -> None:
    """After an animation (stopped, or at its end): the slider comes back where it stood, once."""
    tab = this_tab()
    if st.session_state.pop(ANIMATED, False) and tab.replay is not None:
        _restart_slider_at(tab.replay)


def show_epoch(epoch: int | None) -> None:
    """Draw the run at a past epoch (None: as it is now), unless an animation is moving it."""
    tab = this_tab()
    if not tab.animation:
        tab.replay = epoch
