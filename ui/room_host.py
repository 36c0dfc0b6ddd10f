"""The workshop room, host side: the live board, pushing a setup, and the challenge.

The board is a small st.components.v2 component (ui/room_board.js). Its tiles follow the room's board
feed (ui/room_news.py) from the browser, without a script run: a new summary shows within a fraction
of a second. The big view of one attendee and the leaderboard come from a fragment that the board
runs once a second while either shows. Tiles are created once per attendee and updated in place.
Session keys: `room_open` (the attendee whose run the big view shows), `room_pushed` (what was sent
last), `room_no_winner` (Reveal found no entry), and the widgets' own (`room_sort`, `room_setup_source`,
`room_challenge_*`).
"""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path

import streamlit as st

from binclf_core.config import LOSSES, RunConfig
from binclf_core.data.generators import DATASETS, load_dataset
from binclf_core.figures.formats import metric_text
from binclf_core.rooms import BoardRow, Challenge
from binclf_core.rooms.store import RoomState
from binclf_core.rooms.summary import GRID, describe
from binclf_core.teach.presets import PRESETS
from ui.room import (
    database_problems,
    escape_markdown,
    leaderboard_rows,
    minutes,
    room_state,
    store,
)
from ui.room_news import BOARD_PATH, FEED_GAP_SECONDS

HERE = Path(__file__).parent
OPEN, PUSHED, NO_WINNER = "room_open", "room_pushed", "room_no_winner"
BOARD_KEY = "room_board"
REFRESH_SECONDS = 1.0  # the big view and the leaderboard
MY_SETTINGS = "My current settings"

_board = st.components.v2.component(
    "binclf.room_board", js=(HERE / "room_board.js").read_text(), css=(HERE / "room_board.css").read_text())


# ---- the board -------------------------------------------------------------------------------
@functools.lru_cache(maxsize=32)
def _points(config_json: str) -> tuple[list, list[float]] | None:
    """The points of an attendee's data (rebuilt from their settings: every generator takes a seed) and
    the picture's extent; None for data the host cannot rebuild (an uploaded CSV, drawn points)."""
    config = RunConfig.from_dict(json.loads(config_json))
    if config.dataset not in DATASETS:
        return None
    dataset = load_dataset(config)
    n_train = len(dataset.y_train)
    points = [[round(x, 3), round(y, 3), int(label), int(index >= n_train)]
              for index, ((x, y), label) in enumerate(zip(dataset.x_all.tolist(), dataset.y_all.tolist(), strict=True))]
    x0, x1, y0, y1 = dataset.bounds()
    half_x, half_y = (x1 - x0) / (GRID - 1) / 2, (y1 - y0) / (GRID - 1) / 2  # grid values are cell centres
    return points, [x0 - half_x, x1 + half_x, y0 - half_y, y1 + half_y]


def _big_view(row: BoardRow) -> dict:
    """One attendee's run, read-only: their picture with their data's points, and their settings."""
    view = {"id": row.attendee, "name": row.name, "grid": row.grid, "size": GRID}
    if row.config is None:
        return {**view, "text": "No run yet."}
    config = RunConfig.from_dict(row.config)
    points = _points(json.dumps(row.config, sort_keys=True))
    if points is not None:
        view["points"], view["extent"] = points
    accuracy = metric_text("test_accuracy", row.test_accuracy)
    text = (f"{row.status} · epoch {row.epoch} / {row.epochs} · test accuracy {accuracy}\n{describe(config)}\n"
            f"{row.parameters} parameters · batch {config.batch_size or 'full'} · seed {config.seed} · "
            f"noise {config.noise:g}\ncircles: training points · diamonds: test points")
    return {**view, "text": text}


def board_data(code: str, opened: int | None) -> dict:
    """What the board's fragment sends: the opened attendee's big view and the leaderboard (the tiles
    come from the feed)."""
    big = None if opened is None else next((row for row in store().board(code) if row.attendee == opened), None)
    state = room_state(code)
    return {"big": None if big is None else _big_view(big),
            "leaderboard": leaderboard_rows(code) if state is not None and state.challenge else None,
            "leaderboard_title": "Leaderboard" if state is None or state.challenge_running
            else "Leaderboard (final: the challenge has ended)",
            "now": time.time()}  # new data each run: the component is called, and clocks the next run


def _open() -> None:
    opened = (st.session_state.get(BOARD_KEY) or {}).get("open")
    st.session_state[OPEN] = None if opened is None or opened < 0 else opened


def board(code: str, host_key: str) -> None:
    st.radio("Sort by", ["Accuracy", "Name"], key="room_sort", horizontal=True)
    st.caption("Click an attendee to open their run here, read-only. Each attendee's tile shows their run "
               "within a second or so.")
    _live_board(code, host_key)


@st.fragment
def _live_board(code: str, host_key: str) -> None:
    """The board's fragment. The component clocks it while the big view or the leaderboard shows:
    REFRESH_SECONDS after each update it asks for the next (the trigger `tick`), and asks again if an
    answer never came. A fragment's own run_every timer was lost under load (a board stood still for
    8 s with sixty attendees training)."""
    with database_problems():
        data = board_data(code, st.session_state.get(OPEN))
        feed = {"path": BOARD_PATH, "room": code, "host": host_key, "gap": int(FEED_GAP_SECONDS * 1000)}
        _board(key=BOARD_KEY, data={**data, "feed": feed, "sort": st.session_state.get("room_sort", "Accuracy"),
                                    "every": int(REFRESH_SECONDS * 1000)},
               on_open_change=_open, on_tick_change=_tick)


def _tick() -> None:
    """The `tick` trigger needs nothing but the fragment run it causes."""


# ---- push a setup ------------------------------------------------------------------------------
def _push(code: str, settings: RunConfig | None) -> None:
    source = st.session_state.get("room_setup_source", MY_SETTINGS)
    if source == MY_SETTINGS:
        if settings is None or settings.dataset not in DATASETS:
            st.session_state[PUSHED] = "Not sent: your settings are not a run every attendee can load " \
                                       "(fix the sidebar's settings, or pick generated data)."
            return
        title, config = "the host's current settings", settings
    else:
        name = next(key for key, preset in PRESETS.items() if preset.title == source)
        title, config = f"the preset “{PRESETS[name].title}”", PRESETS[name].config()
    with database_problems():
        store().push_setup(code, {"title": f"{title} ({describe(config)})", "config": config.to_dict()})
        st.session_state[PUSHED] = f"Sent at {time.strftime('%H:%M:%S')}: {title} ({describe(config)})."


def push_setup(code: str, settings: RunConfig | None) -> None:
    """Send the sidebar's settings or a preset; each attendee sees a notice with Apply, never a forced change."""
    with st.container(border=True):
        st.subheader("Push a setup")
        st.selectbox("Setup to send", [MY_SETTINGS, *(preset.title for preset in PRESETS.values())],
                     key="room_setup_source")
        st.button("Push to the room", key="room_push", on_click=_push, args=(code, settings), type="primary")
        if PUSHED in st.session_state:
            st.caption(st.session_state[PUSHED])


# ---- the challenge -----------------------------------------------------------------------------
def _challenge_data(dataset: str, settings: RunConfig | None) -> RunConfig:
    """The challenge's data: the host's own data settings if they use that dataset, else its defaults."""
    if settings is not None and settings.dataset == dataset:
        return settings
    return RunConfig(dataset=dataset)


def _start_challenge(code: str, settings: RunConfig | None) -> None:
    values = st.session_state
    rules = {"max_parameters": values.get("room_challenge_max_parameters") or None,
             "max_epochs": values.get("room_challenge_max_epochs") or None,
             "loss": None if values.get("room_challenge_loss", "any") == "any" else values["room_challenge_loss"]}
    data = _challenge_data(values.get("room_challenge_dataset", "spiral"), settings)
    with database_problems():
        store().start_challenge(code, Challenge.on(data, started_at=time.time(), **rules))


def _reveal(code: str) -> None:
    with database_problems():
        st.session_state[NO_WINNER] = store().reveal_winner(code) is None


def _end(code: str) -> None:
    with database_problems():
        store().end_challenge(code)


def challenge(code: str, settings: RunConfig | None) -> None:
    """Pick a dataset and rules, start; entries arrive as attendees finish runs; reveal the winner or end the
    challenge (either closes the entries); start a new one whenever."""
    with st.container(border=True):
        st.subheader("Challenge")
        data, parameters, epochs, loss = st.columns(4)
        data.selectbox("Challenge dataset", list(DATASETS), index=list(DATASETS).index("spiral"),
                       format_func=lambda key: DATASETS[key].label, key="room_challenge_dataset")
        parameters.number_input("Max parameters", 0, 1_000_000, 300, step=50, key="room_challenge_max_parameters",
                                help="0: no limit")
        epochs.number_input("Max epochs", 0, 100_000, 1000, step=100, key="room_challenge_max_epochs",
                            help="0: no limit")
        loss.selectbox("Required loss", ["any", *LOSSES], format_func=lambda k: LOSSES.get(k, "any"),
                       key="room_challenge_loss")
        start, reveal, end, _ = st.columns([1, 1, 1, 1])
        start.button("Start the challenge", key="room_challenge_start", on_click=_start_challenge,
                     args=(code, settings), type="primary")
        state = room_state(code)
        if state is None or state.challenge is None:
            st.caption("No challenge yet. The data are your sidebar's if you chose that dataset there.")
            return
        _challenge_status(state)
        if state.winner is None:
            reveal.button("Reveal the winner", key="room_reveal", on_click=_reveal, args=(code,),
                          help="Shows everyone the leader's settings; no run enters after it.")
        if state.challenge_running:
            end.button("End the challenge", key="room_challenge_end", on_click=_end, args=(code,),
                       help="No run enters after it; the leaderboard stays as it is. Reveal the winner when you like.")
        if state.winner is None and st.session_state.pop(NO_WINNER, False):
            st.warning("No entry yet: a finished run that keeps the rules enters the leaderboard."
                       if state.challenge_running else "No run entered before the end: there is no winner to reveal.")
        if state.winner is not None:
            st.success(f"Revealed to everyone: {escape_markdown(state.winner['name'])}'s settings.", icon="🏆")


def _challenge_status(state: RoomState) -> None:
    """How long the challenge has run, or that it ended and how long it ran (the page's time when it ran)."""
    challenge = state.challenge
    if state.challenge_running:
        st.markdown(f"**Running for {minutes(time.time() - challenge.started_at)}:** {challenge.rules_text()}.")
    else:
        st.markdown(f"**The challenge ended after {minutes(state.challenge_ended_at - challenge.started_at)}:** "
                    f"{challenge.rules_text()}. No run enters any more; **Start the challenge** starts a new one.")
