import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.session import CHARTS_DRAWN

APP = Path(__file__).resolve().parents[2] / "router.py"


def new_tab() -> AppTest:
    """A fresh session of the whole app (router.py routes to the Playground), not yet run: its first
    Playground run is a first view (ui/session.py first_view_settings)."""
    return AppTest.from_file(str(APP), default_timeout=60)


def app_session() -> AppTest:
    """new_tab(), but AppTest has no browser to draw the charts and say so (the `drawn` trigger), so the
    session starts as one whose charts are drawn: its first run draws the controls too.
    test_first_view.py covers the first view itself."""
    at = new_tab()
    at.session_state[CHARTS_DRAWN] = True
    return at


@pytest.fixture
def app():
    return app_session()


def live_data(at) -> dict:
    """What the page sent to the live charts component on its last run."""
    mounts = [c for c in at.get("bidi_component") if "live_charts" in c.proto.id]
    return json.loads(mounts[-1].proto.json)


def epoch_text(at) -> str:
    """The header the live charts show until their first frame (then the frames keep it current)."""
    data = live_data(at)
    return f"**Epoch {data['epoch']} / {data['epochs']}**"


def tab(at):
    """This session's FrameTab (ui/frames.py): whether it plays, the replay shown."""
    return at.session_state["frame_tab"]


def produce_frame(at) -> dict:
    """One turn of the frame producer for this session's tab, as the server's producer thread takes it
    (AppTest has no socket: the frame is caught here and decoded as the browser reads it; "reset" holds
    the reset message sent before it, if the tab's run is new to the producer)."""
    from binclf_core.figures.frames import decode_frame
    from ui.producer import PRODUCER

    frame_tab, sent = tab(at), []
    frame_tab.send = sent.append  # stands in for the socket
    try:
        PRODUCER.serve(frame_tab)
    finally:
        del frame_tab.send
    frame = next(message for message in reversed(sent) if isinstance(message, bytes))
    decoded = decode_frame(frame, len(frame_tab.run.dataset.y_all))
    decoded["reset"] = next((json.loads(m) for m in sent if isinstance(m, str)), None)  # sent first, when due
    return decoded
