"""The teaching features in headless Chromium, with screenshots a person looks at: the Loss explorer,
and a workshop preset (and a bug) mid-training. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

import json
import re
import subprocess
import sys

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

from tests.browser.test_playground import EXCEPTION, LONG, TRAINING, epochs, open_app, set_number, wait_epoch_above


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
    expect(page.get_by_role("button", name="What to watch")).to_be_visible()  # folded beside the buttons
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


def losses_line(page) -> dict[str, float]:
    """The numbers of the line under the metrics: {"train loss": 0.0645, "test accuracy": 0.98, ...}."""
    text = page.locator(".binclf-losses").inner_text()
    return {name.strip().lower(): float(number) / (100 if percent else 1)
            for name, number, percent in re.findall(r"([A-Za-z ]+?) (-?[\d.]+)( ?%)?(?: ·|$)", text)}


def downloaded_script_final(page, tmp_path) -> dict:
    """Take it home's script, downloaded and run: its final JSON."""
    page.get_by_text("Take it home", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Script (Python)").click()
    script = tmp_path / "binclf_run.py"
    download.value.save_as(script)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def assert_the_line_shows(shown: dict[str, float], final: dict) -> None:
    """The page's line under the metrics reads the script's final numbers, in the page's format."""
    for key in ("train_loss", "test_loss"):
        assert f"{final[key]:.4f}" == f"{shown[key.replace('_', ' ')]:.4f}"
    for key in ("train_accuracy", "test_accuracy"):
        assert round(final[key], 3) == round(shown[key.replace("_", " ")], 3)  # the page shows 98.0 %


def test_the_take_it_home_script_ends_where_the_page_ended(page, app_url, artifacts, tmp_path):
    """Train on the page, download the script, run it, and read the same final losses and accuracies
    (the app trains with the script's one torch thread)."""
    open_app(page, app_url, "?preset=moons_hinge&speed=Fast", total=600)
    page.get_by_role("button", name="Train").click()
    expect(page.get_by_text("Epoch 600 / 600", exact=True)).to_be_visible(timeout=TRAINING)
    page.wait_for_timeout(500)  # the last frame's numbers
    shown = losses_line(page)
    assert_the_line_shows(shown, downloaded_script_final(page, tmp_path))
    page.screenshot(path=str(artifacts / "take_it_home_trained.png"))


def test_a_learning_rate_changed_while_training_is_replayed_by_the_script(page, app_url, artifacts, tmp_path):
    """Raise the learning rate mid-run: the script replays the change and ends on the page's numbers,
    and the page says that Copy link leaves the change out."""
    open_app(page, app_url, "?lr=0.01", total=300)
    page.get_by_role("button", name="Train").click()
    wait_epoch_above(page, 20)
    set_number(page, "Learning rate", "0.05")
    expect(page.get_by_text("Epoch 300 / 300", exact=True)).to_be_visible(timeout=TRAINING)
    note = page.get_by_text(re.compile(r"Copy link shares the settings as they are now"))
    expect(note).to_be_visible(timeout=LONG)
    page.wait_for_timeout(500)  # the last frame's numbers
    shown = losses_line(page)
    note.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "mid_run_change_note.png"))
    assert_the_line_shows(shown, downloaded_script_final(page, tmp_path))


def test_links_keep_plain_commas_and_copy_link_copies_them(page, app_url):
    open_app(page, app_url, "?model=mlp&hidden=16,16")
    lr = page.get_by_role("spinbutton", name="Learning rate")
    lr.fill("0.05")
    lr.press("Enter")
    page.wait_for_url("**lr=0.05**", timeout=LONG)
    assert "hidden=16,16" in page.url and "%2C" not in page.url  # Streamlit writes %2C; the page puts it back
    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_have_css("border-radius", "8px")  # ui/share.css reached it (not the browser's bare button)
    copy.click()
    expect(page.get_by_role("button", name="Copied ✓")).to_be_visible()
    copied = page.evaluate("window.binclfShare.copied")
    assert copied == page.url and "hidden=16,16" in copied


def test_presenter_mode_opens_folded_and_offers_the_room_a_link_without_it(new_page, app_url, artifacts):
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 720})
    open_app(page, app_url, "?present=1&preset=circles_mlp")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # folded: the charts get the width
    boundary = page.locator('[data-chart="boundary"]').bounding_box()
    assert boundary["x"] < 200  # no sidebar beside the charts
    page.locator('[data-testid="stExpandSidebarButton"]').click()  # one click brings it back
    expect(sidebar).to_have_attribute("data-collapsed", "false")
    student = page.locator('[data-share="student-link"]')
    expect(student).to_contain_text("preset=circles_mlp")
    assert "present=1" not in student.inner_text() and "present=1" in page.url
    page.get_by_role("button", name="Copy student link").click()
    copied = page.evaluate("window.binclfShare.copied")
    assert "present" not in copied and "preset=circles_mlp" in copied and "hidden=100" in copied
    page.wait_for_timeout(600)  # the sidebar slides in
    page.screenshot(path=str(artifacts / "presenter_sidebar_opened.png"))


def test_the_bug_selector_shows_its_options_whole(page, app_url):
    open_app(page, app_url)
    select = page.get_by_role("combobox", name="Training-loop bug")
    select.scroll_into_view_if_needed()
    select.click()
    expect(page.get_by_role("option")).to_have_count(6)
    cut = page.evaluate("""() => Array.from(document.querySelectorAll('[role="option"]'))
        .map(option => option.firstElementChild || option)
        .filter(text => text.scrollWidth > text.clientWidth + 1).map(text => text.textContent)""")
    assert cut == []
