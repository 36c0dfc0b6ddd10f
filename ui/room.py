"""The workshop room in the app, attendee side: start or join a room in the sidebar, the room's notices.

The room itself lives in binclf_core/rooms (the database, the rules); this module is its glue.
Session keys: `room` (this tab's Attendee in a room, and their secret seat key), `room_host` (the
room this tab started: its code and host key), `room_seen` (the setup version this tab applied or
dismissed), `room_join_error` (why the last Join failed).
URL keys (ui/session.py keeps them): `room` (the join code), `seat` (the attendee's secret, so a
reload or a server restart finds them again), `host` (the host key, on the host link only).
Names typed by attendees are shown as text (escape_markdown, the board's textContent), never as HTML.
"""

from __future__ import annotations

import io
import logging
import re
import time
from contextlib import contextmanager
from pathlib import Path

import segno
import streamlit as st
from streamlit.runtime.context_util import maybe_trim_page_path
from streamlit.runtime.scriptrunner import get_script_run_ctx

from binclf_core.config import ConfigError, RunConfig
from binclf_core.figures.formats import metric_text
from binclf_core.rooms import RoomError, RoomStore, SummaryWriter
from binclf_core.rooms.identity import MAX_NAME_LENGTH, looks_like_code, normal_code
from binclf_core.rooms.store import Attendee, RoomState, no_room_message
from binclf_core.rooms.summary import describe
from ui import session
from ui.controls import config_from_values
from ui.frames import FrameTab, add_listener, this_tab
from ui.room_news import NEWS_GAP_SECONDS, NEWS_PATH, shared_store, shared_writer

_watch = st.components.v2.component("binclf.room_watch", js=(Path(__file__).parent / "room_watch.js").read_text())

ROOM, HOSTING, SEEN = "room", "room_host", "room_seen"
JOIN_ERROR = "room_join_error"
LOG = logging.getLogger(__name__)


# ---- the database, one per server process ---------------------------------------------------
def store() -> RoomStore:
    return shared_store()


def summary_writer() -> SummaryWriter:
    return shared_writer()


@contextmanager
def database_problems():
    """A room action whose database is away says so in the user's words; the page goes on."""
    try:
        yield
    except RoomError as error:
        st.error(str(error), icon="🚪")
    except Exception:
        LOG.exception("a room action failed")
        st.error("The workshop room's database cannot be reached just now: try again in a moment. "
                 "Training works as usual.", icon="🛑")


def room_state(code: str) -> RoomState | None:
    """The room's setup, challenge and winner (read by page runs only: on news, or a widget change)."""
    return store().state(code)


def leaderboard_rows(code: str) -> list[dict]:
    """The challenge's ranking as table rows (names as plain text)."""
    return [{"#": rank, "Name": entry.name, "Test accuracy": metric_text("test_accuracy", entry.test_accuracy),
             "Parameters": entry.parameters, "Epochs": entry.epochs, "Time": minutes(entry.seconds)}
            for rank, entry in enumerate(store().leaderboard(code), start=1)]


def minutes(seconds: float) -> str:
    seconds = max(0.0, seconds)  # replicas' clocks may differ a little
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def escape_markdown(text: str) -> str:
    """`text` shown literally by st.markdown: every markdown, HTML and Streamlit directive character escaped."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~:$&])", r"\\\1", text)


def app_url() -> str:
    """The app's address as the browser sees it, without the page's path ("http://host:port")."""
    ctx = get_script_run_ctx()
    url = st.context.url
    base = maybe_trim_page_path(url, ctx.pages_manager) if url and ctx else "http://localhost:8501"
    return base.rstrip("/")


def join_link(code: str) -> str:
    return f"{app_url()}/?room={code}"


def host_link(code: str, key: str) -> str:
    return f"{app_url()}/room?room={code}&host={key}"


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


# ---- who this tab is in the room --------------------------------------------------------------
def attendee() -> Attendee | None:
    """This tab's seat in a room: from the session, or found again by the URL's seat key (after a
    reload or a server restart)."""
    seat = st.session_state.get(ROOM)
    params = session.room_params()
    if seat is not None and seat["attendee"].room == normal_code(params.get("room", "")):
        return seat["attendee"]
    if "seat" in params and "room" in params:
        found = store().attendee(params["room"], params["seat"])
        if found is not None:
            st.session_state[ROOM] = {"attendee": found, "seat": params["seat"]}
            return found
    st.session_state.pop(ROOM, None)
    return None


def hosting() -> dict | None:
    """The room this tab hosts ({"code", "key"}): started here, or opened by the host link."""
    params = session.room_params()
    if "host" in params and "room" in params:
        code = normal_code(params["room"])
        if store().is_host(code, params["host"]):
            st.session_state[HOSTING] = {"code": code, "key": params["host"]}
    return st.session_state.get(HOSTING)


def _start_room() -> None:
    with database_problems():
        code, key = store().create_room()
        st.session_state[HOSTING] = {"code": code, "key": key}


def _join(code: str) -> None:
    try:
        joined, seat = store().join(code, st.session_state.get("room_name", ""))
    except RoomError as error:
        st.session_state[JOIN_ERROR] = str(error)  # shown under the form
        return
    st.session_state.pop(JOIN_ERROR, None)
    st.session_state[ROOM] = {"attendee": joined, "seat": seat}
    st.session_state[SEEN] = 0
    session.set_room_params(room=joined.room, seat=seat, host=None)


def _leave() -> None:
    seat = st.session_state.pop(ROOM, None)
    this_tab().meta.pop("room", None)
    if seat is not None:
        summary_writer().forget(seat["attendee"].id)
        with database_problems():
            store().leave(seat["attendee"].id)
    session.set_room_params(room=None, seat=None)


def _go_to_code() -> None:
    code = normal_code(st.session_state.get("room_code", ""))
    session.set_room_params(room=code or None, seat=None)


# ---- the sidebar ------------------------------------------------------------------------------
def room_panel() -> None:
    """The Playground's part of the room: the sidebar's section and, for an attendee, the host's notices.

    Drawn by the page, not by app.py: elements app.py drew before page.run() vanished from the page
    after it reconnected to a restarted server."""
    room_sidebar()
    room_notices()


def room_sidebar() -> None:
    """The sidebar's Workshop room section: start or join a room, or where this tab is in one."""
    with st.sidebar, database_problems():
        host, seat = hosting(), attendee()
        code = normal_code(session.room_params().get("room", ""))
        with st.expander("Workshop room", expanded=bool(host or seat or code), icon=":material/groups:"):
            if host is not None:
                _host_links(host["code"], host["key"])
            elif seat is not None:
                st.markdown(f"You are in room **{seat.room}** as **{escape_markdown(seat.name)}**.")
                st.button("Leave room", key="room_leave", on_click=_leave, width="stretch")
            elif code:
                _join_form(code)
            else:
                _start_or_join()


def _start_or_join() -> None:
    st.button("Start a room", key="room_start", on_click=_start_room, width="stretch",
              help="You get a join code, a link and a QR code for the attendees, and a host link to the board.")
    st.text_input("Join code", key="room_code", max_chars=8, placeholder="e.g. KQ7M", on_change=_go_to_code,
                  help="The code the host shows; then pick a display name.")


def _join_form(code: str) -> None:
    if not looks_like_code(code) or not store().room_exists(code):
        st.warning(no_room_message(code), icon="🚪")
        st.button("Forget this code", key="room_forget", on_click=session.set_room_params, kwargs={"room": None})
        return
    with st.form("room_join_form", border=False):
        st.markdown(f"Join room **{code}**: pick the name the host will see.")
        st.text_input("Your name", key="room_name", max_chars=MAX_NAME_LENGTH, placeholder="e.g. Ann")
        st.form_submit_button("Join room", key="room_join", on_click=_join, args=(code,), type="primary",
                              width="stretch")
    if JOIN_ERROR in st.session_state:
        st.error(st.session_state[JOIN_ERROR], icon="🚪")


def _host_links(code: str, key: str) -> None:
    st.markdown(f"You host room **{code}**. Attendees join with the code, the link or the QR code:")
    st.code(join_link(code), language=None)
    st.image(qr_png(join_link(code)), width=180, caption=f"Join room {code}")
    st.markdown("**Your host link** (it opens the board; keep it to yourself):")
    st.code(host_link(code, key), language=None)
    st.page_link("pages/room.py", label="Open the board", icon=":material/dashboard:",
                 query_params={"room": code, "host": key})


# ---- an attendee's notices: the host's setup, the challenge, the winner ---------------------------
def room_notices() -> None:
    """At the top of the Playground of an attendee: what the host sent. The page draws the notices (their
    buttons are ordinary widgets); a watcher in the browser keeps a request to the room's news route
    open, which answers when there is news, and runs the page only then."""
    with database_problems():
        seat = attendee()
        if seat is None:
            return
        this_tab().meta["room"] = seat  # the frame listener posts this tab's summaries for it
        news = store().news(seat.room, seat.id)  # before drawing: news that comes meanwhile runs the page again
        _notices(seat)
        _watch(key="room_watch", on_news_change=_news_arrived,
               data={"path": NEWS_PATH, "room": seat.room, "seat": st.session_state[ROOM]["seat"], "news": news,
                     "every": int(NEWS_GAP_SECONDS * 1000)})


def _news_arrived() -> None:
    """The `news` trigger needs nothing but the page run it causes."""


def _notices(seat: Attendee) -> None:
    state = room_state(seat.room)
    if state is None:
        st.warning(no_room_message(seat.room), icon="🚪")
        return
    if state.setup is not None and state.setup_version > st.session_state.get(SEEN, 0):
        _setup_notice(state)
    if state.challenge is not None:
        _challenge_notice(seat, state)


def entry_note(attendee: int, challenge_version: int) -> str | None:
    return store().entry_note(attendee, challenge_version)


def _apply(config: dict, seen: int | None = None) -> None:
    session.set_controls(RunConfig.from_dict(config))
    if seen is not None:
        st.session_state[SEEN] = seen


def _dismiss(version: int) -> None:
    st.session_state[SEEN] = version


def _setup_notice(state: RoomState) -> None:
    with st.container(border=True, key="room_setup_notice"):
        st.markdown(f":material/mail: **The host sent a setup:** {escape_markdown(state.setup['title'])}. "
                    "Apply it to your controls? Your current run stays until you do.")
        apply, dismiss, _ = st.columns([1, 1, 4])
        apply.button("Apply", key="room_apply", type="primary", on_click=_apply,
                     args=(state.setup["config"], state.setup_version))
        dismiss.button("Dismiss", key="room_dismiss", on_click=_dismiss, args=(state.setup_version,))


def _current_config() -> RunConfig | None:
    try:
        return config_from_values(dict(st.session_state))
    except (ConfigError, KeyError, ValueError):
        return None


def _challenge_notice(seat: Attendee, state: RoomState) -> None:
    if state.challenge_running:
        _running_challenge(seat, state)
    else:
        _ended_challenge(seat, state)


def _running_challenge(seat: Attendee, state: RoomState) -> None:
    challenge = state.challenge
    with st.container(border=True, key="room_challenge"):
        st.markdown(f":material/flag: **Challenge:** {challenge.rules_text()}. "
                    "Finish a run that keeps the rules to enter.")
        config = _current_config()
        if config is not None and any(getattr(config, k) != v for k, v in challenge.data.items()):
            st.button("Apply the challenge's data", key="room_apply_challenge", on_click=_apply,
                      args=(config.with_changes(**challenge.data).to_dict(),))
        elif config is not None and (broken := challenge.breaks(config, config.epochs)):
            st.caption(f"Your settings would not enter: {broken}.")
        _entry_note(seat, state)
        rows = leaderboard_rows(seat.room)
        with st.expander(f"Leaderboard ({len(rows)})"):
            _leaderboard_table(rows)


def _ended_challenge(seat: Attendee, state: RoomState) -> None:
    """A short notice once the challenge ended: one line (and the winner's Apply), the rest behind a toggle,
    so an attendee's charts stay on a small screen."""
    winner = state.winner
    with st.container(border=True, key="room_challenge"):
        if winner is None:
            st.markdown(":material/flag: **The challenge has ended:** no run enters any more. The host has not "
                        "revealed a winner.")
        else:
            st.markdown(f":material/trophy: **The challenge has ended. The winner: {escape_markdown(winner['name'])}"
                        f"** with {metric_text('test_accuracy', winner['test_accuracy'])} test accuracy and "
                        f"{winner['parameters']} parameters.")
            st.button("Apply the winner's settings", key="room_apply_winner", on_click=_apply,
                      args=(winner["config"],))
        rows = leaderboard_rows(seat.room)
        details = "The winner's settings, your entry, the leaderboard" if winner else "Your entry, the leaderboard"
        with st.expander(f"{details} ({len(rows)})"):
            if winner is not None:
                st.markdown(f"**{escape_markdown(winner['name'])}'s settings:** "
                            f"{describe(RunConfig.from_dict(winner['config']))}.")
            _entry_note(seat, state)
            _leaderboard_table(rows)


def _entry_note(seat: Attendee, state: RoomState) -> None:
    note = entry_note(seat.id, state.challenge_version)
    if note:
        (st.success if note.startswith("Entered") else st.error)(note)


def _leaderboard_table(rows: list[dict]) -> None:
    st.dataframe(rows, hide_index=True, key="room_leaderboard") if rows else st.caption("No entry yet.")


# ---- the attendee's summary: a listener on the frames ---------------------------------------------
def on_frame(tab: FrameTab, summary: dict) -> None:
    """After each frame of a tab (on the producer's thread): an attendee's tab hands its newest state to
    the summary writer, which writes it as soon as the room's rate limit allows (a dict assignment
    here; the writer makes the Summary, only of what it writes)."""
    seat = tab.meta.get("room")
    if seat is not None:
        summary_writer().offer(seat, summary, time.time())


add_listener(on_frame)
