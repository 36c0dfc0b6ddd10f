"""Replay in headless Chromium: train, pause, scrub the replay back, play it; the same charts redraw in place."""

from __future__ import annotations

from tests.browser.test_playground import (
    LONG,
    click,
    expect,
    expect_no_exception,
    open_app,
    settled_epoch,
    wait_charts_idle,
    wait_epoch_above,
)

# What the charts show: the boundary's probability picture, and whether the curves mark a replayed epoch.
PICTURE_JS = "(document.querySelector('.binclf-live-chart[data-chart=\"boundary\"]')?.layout?.images[0].source)"
MARKER_JS = "(document.querySelector('.binclf-live-chart[data-chart=\"curves\"]')?.layout?.shapes?.length ?? 0)"


def test_scrubbing_and_playing_the_replay_redraw_the_charts_in_place(page, app_url, artifacts):
    open_app(page, app_url, "?model=mlp&dataset=moons&optimizer=adam&lr=0.03", total=300)
    click(page, "Train")
    wait_epoch_above(page, 120)
    click(page, "Pause")
    paused = settled_epoch(page)
    slider = page.get_by_role("slider", name="Replay epoch")
    expect(slider).to_have_attribute("aria-valuetext", str(paused), timeout=LONG)
    wait_charts_idle(page)
    latest, created = page.evaluate(PICTURE_JS), page.evaluate("window.__chartsCreated")

    slider.focus()
    slider.press("Home")
    expect(slider).to_have_attribute("aria-valuetext", "0")
    page.wait_for_function(f"{PICTURE_JS} !== {latest!r}", timeout=LONG)
    for _ in range(3):
        slider.press("ArrowRight")  # scrub forward a little
    page.wait_for_function(f"{MARKER_JS} === 1", timeout=LONG)
    page.mouse.move(1300, 950)
    wait_charts_idle(page)
    page.screenshot(path=str(artifacts / "replay_scrubbed.png"))
    assert page.evaluate(PICTURE_JS) != latest
    assert page.get_by_text(f"Epoch {paused} / 300", exact=True).is_visible()
    assert page.evaluate("window.__chartsCreated") == created, "scrubbing should redraw the charts, not re-create them"

    renders = page.evaluate("window.binclfLive.renders")
    click(page, "Play replay")
    expect(slider).to_have_attribute("aria-valuetext", str(paused), timeout=LONG)  # played to the end
    page.wait_for_function(f"{PICTURE_JS} === {latest!r} && {MARKER_JS} === 0", timeout=LONG)  # the run as it is
    assert page.evaluate("window.binclfLive.renders") - renders >= 15, "the replay should animate frame by frame"
    assert page.get_by_role("button", name="Play replay").is_visible()
    expect_no_exception(page)
