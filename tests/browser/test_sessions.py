"""A tab's training belongs to the tab: closing it leaves no CPU burning on the server; a tab whose
timer was lost starts ticking again; a server restart keeps what the user downloaded and starts clean."""

import json
import re
import time

from playwright.sync_api import expect

from bench.harness import running
from tests.browser.test_playground import epochs


def cpu_per_second(server, seconds: float) -> float:
    start = server.cpu_seconds()
    time.sleep(seconds)
    return (server.cpu_seconds() - start) / seconds


def test_closing_a_tab_stops_its_training(app_server, new_page):
    page = new_page()
    page.goto(app_server.url + "?epochs=20000&speed=Flat+out")
    expect(page.get_by_text("Epoch 0 / 20000")).to_be_visible()
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text("Epoch 0 / 20000")).not_to_be_visible()
    training = cpu_per_second(app_server, 2.0)
    page.context.close()
    time.sleep(1.0)  # the last tick in flight finishes
    idle = cpu_per_second(app_server, 2.0)
    assert training > 0.2, f"training took only {training:.2f} CPU-s a second: was it training?"
    assert idle < 0.05, f"{idle:.2f} CPU-s a second after the tab closed"


def test_a_dropped_connection_stops_its_training(app_server):
    """A tab whose network drops (the socket closed without a websocket goodbye) stops training too."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from bench.stclient import Session

    async def train_then_drop() -> float:
        session = await Session.open(app_server.url, "epochs=20000&speed=Flat+out")
        await session.press("train")
        await asyncio.sleep(2.0)
        training = await asyncio.to_thread(cpu_per_second, app_server, 2.0)
        await session.close(abrupt=True)
        return training

    with ThreadPoolExecutor(1) as pool:  # Playwright's sync API holds this thread's event loop
        training = pool.submit(asyncio.run, train_then_drop()).result()
    time.sleep(1.5)  # the tick in flight finishes
    idle = cpu_per_second(app_server, 2.0)
    assert training > 0.2, f"training took only {training:.2f} CPU-s a second: was it training?"
    assert idle < 0.05, f"{idle:.2f} CPU-s a second after the connection dropped"


# Keeps the ids of the page's short intervals (Streamlit's fragment timers tick every 0.1-0.3 s),
# so a test can stop them the way a lost timer stops: no message, no error.
RECORD_TIMERS = """
window.__shortIntervals = [];
const setIntervalOfPage = window.setInterval;
window.setInterval = function (callback, ms, ...args) {
  const id = setIntervalOfPage.call(window, callback, ms, ...args);
  if (ms < 1000) window.__shortIntervals.push(id);
  return id;
};
"""


def test_a_tab_whose_timer_was_lost_trains_on_by_itself(app_server, new_page):
    """Under load Streamlit now and then lost a training tab's timer (the tab stopped at an early
    epoch). The charts notice that no frame came for seconds and the page sets its timer anew."""
    page = new_page()
    page.context.add_init_script(RECORD_TIMERS)
    page.goto(app_server.url + "?epochs=20000&lr=0.01")
    expect(page.get_by_text("Epoch 0 / 20000")).to_be_visible()
    page.get_by_role("button", name="Train").click()
    page.wait_for_function("window.binclfLive.renders > 5")
    page.evaluate("window.__shortIntervals.forEach(clearInterval)")
    time.sleep(1.0)  # a tick in flight arrives
    stopped = page.evaluate("window.binclfLive.renders")
    time.sleep(2.0)
    assert page.evaluate("window.binclfLive.renders") == stopped, "the tab still ticked: its timer was not stopped"
    page.wait_for_function(f"window.binclfLive.renders > {stopped + 10}", timeout=20_000)
    assert page.evaluate("window.binclfLive.stalls") == 1
    epoch, _ = epochs(page)
    time.sleep(1.0)
    assert epochs(page)[0] > epoch, f"training stood at epoch {epoch}"


def test_a_server_restart_keeps_what_was_downloaded_and_starts_clean(new_page, tmp_path, artifacts):
    """The user downloads a run's configuration while it trains; the server stops and starts again on
    the same port. The file is theirs, whole; the page reconnects by itself to a fresh session: the
    same settings, epoch 0, no error, and Train trains."""
    page = new_page()
    with running("app.py") as server:
        page.goto(server.url + "?epochs=20000&lr=0.05")
        page.get_by_role("button", name="Train").click()
        expect(page.get_by_text("Epoch 0 / 20000")).not_to_be_visible()
        page.get_by_text("Take it home").click()
        with page.expect_download() as download:
            page.get_by_role("button", name="Configuration (JSON)").click()
        saved = tmp_path / "config.json"
        download.value.save_as(saved)
    with running("app.py", port=server.port):
        expect(page.get_by_text("Epoch 0 / 20000")).to_be_visible(timeout=90_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        assert re.search(r"lr=0\.05", page.url), f"the settings were lost: {page.url}"
        page.screenshot(path=str(artifacts / "after-restart.png"))
        page.get_by_role("button", name="Train").click()
        expect(page.get_by_text("Epoch 0 / 20000")).not_to_be_visible()
    config = json.loads(saved.read_text())
    assert config["epochs"] == 20000 and config["lr"] == 0.05, config
