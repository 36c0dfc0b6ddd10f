"""A tab's training belongs to the tab: closing it, or losing its frame stream, leaves no CPU burning
on the server; a dropped stream comes back by itself; a server restart keeps what the user downloaded
and starts clean."""

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


def assert_training_stops(app_server, page, stop, settle: float = 1.0) -> None:
    """A page trains flat out; after stop(page) and `settle` seconds the server is idle."""
    page.goto(app_server.url + "?epochs=20000&speed=Flat+out")
    expect(page.get_by_text("Epoch 0 / 20000")).to_be_visible()
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text("Epoch 0 / 20000")).not_to_be_visible()
    training = cpu_per_second(app_server, 2.0)
    stop(page)
    time.sleep(settle)  # the producer's frame in flight
    idle = cpu_per_second(app_server, 2.0)
    assert training > 0.2, f"training took only {training:.2f} CPU-s a second: was it training?"
    assert idle < 0.05, f"{idle:.2f} CPU-s a second after training should have stopped"


def test_closing_a_tab_stops_its_training(app_server, new_page):
    assert_training_stops(app_server, new_page(), lambda page: page.context.close())


# The live charts' state: its socket and whether it may reconnect (ui/live_chart.js keeps it on the element).
CHART_STATE = "[...document.querySelectorAll('.stElementContainer *')].find(e => e.__binclf).__binclf"


def test_a_page_whose_frame_stream_is_gone_is_not_trained(app_server, new_page):
    """The producer trains only tabs whose stream is attached: a page that stops listening stops its run."""
    assert_training_stops(app_server, new_page(), lambda page: page.evaluate(
        f"() => {{ const s = {CHART_STATE}; s.closed = true; s.socket.close(); }}"))  # and no reconnect


def test_a_dropped_stream_reconnects_within_two_seconds_and_the_run_goes_on(app_server, new_page):
    page = new_page()
    page.goto(app_server.url + "?epochs=20000&lr=0.01")
    expect(page.get_by_text("Epoch 0 / 20000")).to_be_visible()
    page.get_by_role("button", name="Train").click()
    page.wait_for_function("window.binclfLive.renders > 10")
    before, _ = epochs(page)
    resets = page.evaluate("window.binclfLive.resets")
    dropped = page.evaluate(f"() => {{ {CHART_STATE}.socket.close(); return performance.now(); }}")
    page.wait_for_function(f"window.binclfLive.resets > {resets} && window.binclfLive.frames.at(-1) > {dropped}",
                           timeout=10_000)
    back_after_ms = page.evaluate("window.binclfLive.frames.at(-1)") - dropped
    assert back_after_ms < 2000, f"the first frame after the drop came {back_after_ms:.0f} ms later"
    time.sleep(0.5)
    assert epochs(page)[0] > before, "the run should go on where it was, not start over"
    assert page.evaluate("window.binclfLive.reconnects") == 1


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
        # The new session's first view: its controls come once its charts are drawn again.
        expect(page.get_by_role("spinbutton", name="Learning rate")).to_have_value("0.05")
        page.screenshot(path=str(artifacts / "after-restart.png"))
        page.get_by_role("button", name="Train").click()
        expect(page.get_by_text("Epoch 0 / 20000")).not_to_be_visible()
    config = json.loads(saved.read_text())
    assert config["epochs"] == 20000 and config["lr"] == 0.05, config
