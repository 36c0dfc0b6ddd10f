"""The frame stream in headless Chromium: a lone tab plays fast, Pause stops the frames and Step sends
one, the user's zoom survives training, and a token the server does not know gets nothing."""

from __future__ import annotations

import time

from bench.harness import BOUNDARY, drag_zoom
from tests.browser.test_playground import click, epochs, expect, open_app, settled_epoch, wait_charts_idle

# The epochs of the frames drawn since `window.__mark`, one entry per drawn frame.
DRAWN_SINCE = "(mark) => window.binclfLive.epochs.slice(window.binclfLive.frames.findIndex(t => t > mark))"


def test_a_lone_tab_draws_at_least_twenty_new_frames_a_second(page, app_url):
    open_app(page, app_url, "?lr=0.01&epochs=5000", total=5000)
    wait_charts_idle(page)
    mark = page.evaluate("performance.now()")
    click(page, "Train")
    expect(page.get_by_text("Epoch 5000 / 5000", exact=True)).to_be_visible(timeout=120_000)
    seconds = (page.evaluate("window.binclfLive.frames.at(-1)") - mark) / 1000
    drawn = page.evaluate(DRAWN_SINCE, mark)
    distinct = sum(1 for a, b in zip([0, *drawn], drawn, strict=False) if b > a)
    assert distinct / seconds >= 20, f"{distinct} new frames in {seconds:.1f} s"
    assert page.evaluate("window.__chartsCreated") == 2, "frames update the charts; none is re-created"


def test_pause_stops_the_frames_and_step_sends_one(page, app_url):
    open_app(page, app_url, "?epochs=5000", total=5000)
    click(page, "Train")
    page.wait_for_function("window.binclfLive.renders > 5")
    click(page, "Pause")
    paused = settled_epoch(page)
    received = page.evaluate("window.binclfLive.received")
    time.sleep(1.0)
    assert page.evaluate("window.binclfLive.received") == received, "a paused tab got frames"
    mark = page.evaluate("performance.now()")
    click(page, "Step")
    page.wait_for_function(f"window.binclfLive.epochs.at(-1) > {paused}")
    time.sleep(1.0)
    drawn = page.evaluate(DRAWN_SINCE, mark)
    assert drawn == [paused + 84], f"one frame of the stepped epoch (5000 / 60 = 84 epochs), not {drawn}"
    assert epochs(page) == (paused + 84, 5000)


def test_the_users_zoom_survives_training(page, app_url):
    open_app(page, app_url, "?epochs=300")
    wait_charts_idle(page)
    full = page.evaluate(f"{BOUNDARY}._fullLayout.xaxis.range")
    zoomed = drag_zoom(page)
    assert zoomed[1] - zoomed[0] < 0.6 * (full[1] - full[0]), "the drag should have zoomed in"
    click(page, "Train")
    expect(page.get_by_text("Epoch 300 / 300", exact=True)).to_be_visible(timeout=120_000)
    wait_charts_idle(page)
    kept = page.evaluate(f"{BOUNDARY}._fullLayout.xaxis.range")
    assert kept == zoomed


def test_a_token_the_server_does_not_know_gets_nothing(page, app_url):
    open_app(page, app_url)
    answer = page.evaluate("""() => new Promise((resolve) => {
        const socket = new WebSocket(new URL('/binclf/frames', location.href).href.replace('http', 'ws'));
        let messages = 0;
        socket.onopen = () => socket.send('a-token-of-no-tab-here-0123456789abcdef');
        socket.onmessage = () => { messages += 1; };
        socket.onclose = (event) => resolve({code: event.code, messages});
    })""")
    assert answer == {"code": 4403, "messages": 0}
