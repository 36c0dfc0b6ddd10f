"""The workshop room in headless Chromium: a host and three attendees, each a browser context of its own.

The board shows all three training; a pushed setup reaches each as a notice, and Apply changes the
controls; a challenge entry that breaks a rule is refused with the reason, one that keeps them enters
the leaderboard and its winner can be revealed, which ends the challenge (a short notice for attendees
at 1280 x 720); a wrong host key sees no board; a name with markup shows as text. Screenshots of the
board, the leaderboard and an attendee's page after the reveal go to tests/browser/artifacts/.
"""

from __future__ import annotations

import re

try:
    from playwright.sync_api import expect
except ImportError:  # the `chromium` fixture skips these tests, or fails them under BINCLF_REQUIRE_BROWSER=1
    expect = None

from tests.browser.test_playground import EXCEPTION, LONG, TRAINING, epochs, open_app

MARKUP_NAME = "<b>Bob</b><img src=x>"  # as HTML: a bold Bob and an image; as text, these 21 characters
NAMES = ["Ann", MARKUP_NAME, "Cat"]


def start_room(page, url: str) -> tuple[str, str]:
    """Start a room from the sidebar: (its join code, the host link)."""
    open_app(page, url)
    page.get_by_text("Workshop room", exact=True).click()
    page.get_by_role("button", name="Start a room").click()
    expect(page.get_by_text("You host room")).to_be_visible(timeout=LONG)
    code = re.search(r"You host room (\w{4})", page.get_by_text("You host room").inner_text()).group(1)
    host_link = page.locator('[data-testid="stCode"]').nth(1).inner_text().strip()
    assert host_link.endswith(f"room?room={code}&host=" + host_link.split("host=")[1])
    expect(page.get_by_text(f"Join room {code}", exact=True)).to_be_visible()  # the QR code's caption
    room_section = page.locator('[data-testid="stExpander"]', has_text="You host room")
    assert room_section.locator('[data-testid="stImage"] img').count() == 1
    return code, host_link


def join(page, url: str, code: str, name: str, query: str = "&epochs=20000&lr=0.01&speed=Slow") -> None:
    open_app(page, url, f"?room={code}{query}", total=20000)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join room").click()
    expect(page.get_by_text("You are in room")).to_be_visible(timeout=LONG)


def tiles(page):
    return page.locator(".room-tile")


def combobox(page, name: str):
    return page.get_by_role("combobox", name=name)


def test_a_host_sees_three_attendees_pushes_a_setup_and_runs_a_challenge(new_page, app_url, artifacts):
    host = new_page()
    code, host_link = start_room(host, app_url)
    attendees = [new_page() for _ in NAMES]
    for page, name in zip(attendees, NAMES, strict=True):
        join(page, app_url, code, name)
    for page in attendees:
        page.get_by_role("button", name="Train").click()
    # A name with markup is text, on the attendee's own page and on the board.
    expect(attendees[1].get_by_text(MARKUP_NAME, exact=False)).to_be_visible()

    host.goto(host_link)
    expect(tiles(host)).to_have_count(3, timeout=LONG)
    for tile in tiles(host).all():
        expect(tile).to_have_attribute("data-status", "training", timeout=LONG)
    assert sorted(host.locator(".room-name").all_inner_texts()) == sorted(NAMES)
    assert host.locator(".room-tile b, .room-tile img").count() == 0
    created = host.evaluate("window.binclfBoard.tilesCreated")
    host.wait_for_function("window.binclfBoard.feeds > 5")
    assert host.evaluate("window.binclfBoard.tilesCreated") == created == 3, "the board re-created its tiles"
    # The tiles follow the room's board feed: each new summary is drawn after it was made, never before.
    host.wait_for_function("window.binclfBoard.updates.length >= 6")
    updates = host.evaluate("window.binclfBoard.updates")
    assert {update[0] for update in updates} == {int(t.get_attribute("data-attendee")) for t in tiles(host).all()}
    assert all(changed <= posted <= written <= answered <= shown
               for _, _, changed, posted, written, answered, shown in updates)
    host.locator('[data-testid="stRadio"]').get_by_text("Name", exact=True).click()
    expect(host.locator(".room-name").first).to_have_text(MARKUP_NAME, timeout=LONG)  # "<" sorts before "a"
    assert host.locator(".room-name").all_inner_texts() == [MARKUP_NAME, "Ann", "Cat"]
    host.locator(".room-tile", has_text="Ann").click()  # the big view of Ann's run, read-only
    expect(host.locator(".room-big-title")).to_have_text("Ann", timeout=LONG)
    host.wait_for_timeout(1500)
    host.screenshot(path=str(artifacts / "room_board.png"), full_page=True)

    # Push a preset: a notice with Apply for each attendee; nothing changes until they press it.
    combobox(host, "Setup to send").click()
    host.keyboard.type("Moons, part 2")
    host.get_by_role("option", name="Moons, part 2: BCE").click()
    host.get_by_role("button", name="Push to the room").click()
    for page in attendees:
        expect(page.get_by_text("The host sent a setup:", exact=False)).to_be_visible(timeout=LONG)
        expect(combobox(page, "Dataset")).to_have_value("Blobs")
    for page in attendees[1:]:
        page.get_by_role("button", name="Apply", exact=True).click()
        expect(combobox(page, "Dataset")).to_have_value("Moons", timeout=LONG)
        expect(combobox(page, "Hidden layers")).to_have_value("16,16")
        expect(page.get_by_text("The host sent a setup:", exact=False)).to_have_count(0)
    attendees[0].get_by_role("button", name="Dismiss").click()
    expect(attendees[0].get_by_text("The host sent a setup:", exact=False)).to_have_count(0, timeout=LONG)
    expect(combobox(attendees[0], "Dataset")).to_have_value("Blobs")

    # A challenge on the spiral: at most 300 parameters, 1000 epochs.
    host.get_by_role("button", name="Start the challenge").click()
    expect(host.get_by_text("Running for", exact=False)).to_be_visible(timeout=LONG)
    ann, bob = attendees[0], attendees[1]
    for page in (ann, bob):
        expect(page.get_by_text("Challenge:", exact=False)).to_be_visible(timeout=LONG)
        page.get_by_role("button", name="Apply the challenge's data").click()
        expect(combobox(page, "Dataset")).to_have_value("Spiral", timeout=LONG)
    for page in (ann, bob):  # no need to watch closely now
        page.get_by_role("slider", name="Speed").press("End")
        expect(page.get_by_role("slider", name="Speed")).to_have_attribute("aria-valuetext", "Flat out")
    epochs_input = ann.get_by_role("spinbutton", name="Epochs")
    epochs_input.fill("300")
    epochs_input.press("Enter")
    expect(bob.get_by_text("Your settings would not enter: its model has 337 parameters", exact=False)).to_be_visible()
    for page in (ann, bob):
        page.get_by_role("button", name="Train").click()
    expect(ann.get_by_text("Entered:", exact=False)).to_be_visible(timeout=TRAINING)
    expect(bob.get_by_text("Not entered in the challenge: its model has 337 parameters, the rules allow at most "
                           "300.")).to_be_visible(timeout=TRAINING)
    assert epochs(ann)[0] == 300

    expect(host.locator(".room-leaderboard td", has_text="Ann")).to_have_count(1, timeout=LONG)
    assert host.locator(".room-leaderboard td", has_text="Bob").count() == 0
    # The tiles write accuracy as the app does everywhere (formats.py): "56.2 %", the leaderboard alike.
    leaderboard_accuracy = host.locator(".room-leaderboard td").nth(2).inner_text()
    assert re.fullmatch(r"\d{1,3}\.\d %", leaderboard_accuracy)
    expect(host.locator(".room-tile", has_text="Ann").locator(".room-line").nth(1)).to_contain_text(
        f"{leaderboard_accuracy} · epoch 300 / 300", timeout=LONG)
    host.get_by_role("button", name="Reveal the winner").click()
    expect(host.get_by_text("Revealed to everyone: Ann's settings.")).to_be_visible(timeout=LONG)
    # The reveal ends the challenge: no running clock, no more entries, the board's leaderboard is final.
    expect(host.get_by_text("The challenge ended after", exact=False)).to_be_visible()
    expect(host.get_by_text("Running for", exact=False)).to_have_count(0)
    expect(host.locator(".room-leaderboard-title")).to_have_text("Leaderboard (final: the challenge has ended)",
                                                                 timeout=LONG)
    for page in (ann, bob):
        expect(page.get_by_text("The challenge has ended. The winner: Ann", exact=False)).to_be_visible(timeout=LONG)
        expect(page.get_by_role("button", name="Apply the winner's settings")).to_be_visible()
    attendee_after_reveal(bob, artifacts)
    host.locator(".room-leaderboard").scroll_into_view_if_needed()
    host.wait_for_timeout(500)
    host.screenshot(path=str(artifacts / "room_leaderboard.png"), full_page=True)
    for page in (host, *attendees):
        assert page.locator(EXCEPTION).count() == 0


def attendee_after_reveal(page, artifacts) -> None:
    """At 1280 x 720 the ended challenge's notice is short and the charts start on the first screen; the
    winner's settings, the attendee's entry and the leaderboard open on a click."""
    page.set_viewport_size({"width": 1280, "height": 720})
    page.evaluate("window.scrollTo(0, 0)")
    notice = page.locator(".st-key-room_challenge")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts / "room_attendee_after_reveal_1280x720.png"))
    height = notice.bounding_box()["height"]
    charts_top = page.locator(".binclf-live-chart").first.bounding_box()["y"]
    assert height < 200, f"the ended challenge's notice is {height:.0f} px tall"
    assert charts_top < 720, f"the charts start at {charts_top:.0f} px, below a 720 px screen"
    details = notice.get_by_text("The winner's settings, your entry, the leaderboard (1)")
    details.click()
    expect(notice.get_by_text("Not entered in the challenge: its model has 337 parameters", exact=False)
           ).to_be_visible(timeout=LONG)
    expect(notice.locator('[data-testid="stDataFrame"]')).to_be_visible()
    page.screenshot(path=str(artifacts / "room_attendee_refused.png"), full_page=True)


def test_a_wrong_host_key_sees_no_board(new_page, app_url):
    host = new_page()
    code, host_link = start_room(host, app_url)
    stranger = new_page()
    stranger.goto(host_link[:-3] + "xyz")
    expect(stranger.get_by_text("This host link does not open a room", exact=False)).to_be_visible(timeout=LONG)
    stranger.wait_for_timeout(1500)
    assert stranger.locator(".room-board").count() == 0
    expect(stranger.get_by_role("button", name="Push to the room")).to_have_count(0)
    attendee = new_page()  # the join link opens no board either
    attendee.goto(app_url.rstrip("/") + f"/room?room={code}")
    expect(attendee.get_by_text("This is the board of a workshop room's host", exact=False)).to_be_visible(
        timeout=LONG)
    assert attendee.locator(".room-board").count() == 0
