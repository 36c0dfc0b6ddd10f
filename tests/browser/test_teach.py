"""The teaching features in headless Chromium, with screenshots a person looks at: the Loss explorer,
and a workshop preset (and a bug) mid-training. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

from tests.browser.test_playground import EXCEPTION, LONG, TRAINING, epochs, open_app, wait_epoch_above


def test_loss_explorer_draws_the_curves_and_a_picked_point(page, app_url, artifacts):
    page.goto(app_url + "loss-explorer")  # not /losses: a URL naming a pages/ file shows the legacy nav
    expect(page.get_by_role("heading", name="Loss explorer")).to_be_visible(timeout=LONG)
    expect(page.locator(".js-plotly-plot")).to_have_count(2, timeout=LONG)
    expect(page.get_by_text("Hinge stops pushing at margin 1", exact=False)).to_be_visible()
    point = page.get_by_role("spinbutton", name="Point of the Playground's run", exact=False)
    point.fill("12")
    point.press("Enter")
    expect(page.get_by_text("Point 12:", exact=False)).to_be_visible(timeout=LONG)
    page.wait_for_timeout(1000)  # let Plotly finish drawing the moved marker
    assert page.locator(EXCEPTION).count() == 0
    page.screenshot(path=str(artifacts / "loss_explorer.png"), full_page=True)


def test_a_preset_link_trains_with_its_watch_text(page, app_url, artifacts):
    open_app(page, app_url, "?preset=circles_mlp&present=1")
    expect(page.get_by_text("What to watch:", exact=False)).to_be_visible()
    expect(page.get_by_label("Seed")).to_have_count(0)  # presenter mode hides the secondary controls
    page.get_by_role("button", name="Train").click()
    wait_epoch_above(page, 120, timeout=TRAINING)
    page.get_by_role("button", name="Pause").click()
    done, total = epochs(page)
    assert total == 300 and done < 300
    assert "preset=circles_mlp" in page.url and "present=1" in page.url
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "preset_mid_training.png"), full_page=True)


def test_a_bug_trains_next_to_the_correct_run(page, app_url, artifacts):
    open_app(page, app_url, "?bug=no_zero_grad&epochs=200", total=200)
    expect(page.get_by_text("Training with a bug: Never zeroing the gradients.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Train").click()
    wait_epoch_above(page, 100, timeout=TRAINING)
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".binclf-live-chart .legendtext", has_text="train loss without the bug")).to_have_count(1)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "bug_mid_training.png"), full_page=True)
