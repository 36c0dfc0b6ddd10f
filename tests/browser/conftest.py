"""Fixtures for the browser tests: one headless Chromium and one app server per session.

Every test here gets the `browser` marker (deselect them with -m 'not browser'). Without Chromium
or the playwright package the tests are skipped, unless BINCLF_REQUIRE_BROWSER=1 (CI): then they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.harness import COUNT_CHARTS, browser, find_chromium, running

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE / "artifacts"
REQUIRE_BROWSER = os.environ.get("BINCLF_REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether their test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _unavailable(reason: str):
    """Skip, or under BINCLF_REQUIRE_BROWSER=1 (CI), fail: there a missing browser is an error."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (required: BINCLF_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium driven by Playwright, shared by all the browser tests."""
    try:
        from playwright.sync_api import expect
    except ImportError:
        _unavailable("the playwright package is not installed: pip install -r requirements-dev.txt")
    executable = find_chromium()
    if executable is None:
        _unavailable("no Chromium found: apt-get install chromium, or set BINCLF_CHROMIUM")
    expect.set_options(timeout=60_000)  # a first page waits for the server to import torch
    with browser() as instance:
        yield instance


@pytest.fixture(scope="session")
def app_server(chromium):
    """One `streamlit run app.py` shared by the session (depends on chromium so a skip for a
    missing browser does not start a server first)."""
    with running("app.py") as server:
        warm_up(chromium, server.url)
        yield server


def warm_up(chromium, url: str) -> None:
    """One page drawn and its server's warm-up over (ui/startup.py: torch's first optimizer, ~1 s after the
    first page), so that the first test measures the server as a person meets it after the first visit."""
    from playwright.sync_api import expect

    context = chromium.new_context()
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("button", name="Train", exact=True)).to_be_visible()
    page.wait_for_timeout(3_000)
    context.close()


@pytest.fixture(scope="session")
def app_url(app_server) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def new_page(request, chromium, artifacts):
    """Open a page in a fresh browser context (a Streamlit session of its own); all closed after the test.

    If the test failed, each page's screenshot goes to artifacts/failed-<test>-<n>.png and the
    browser's errors are printed (pytest shows them with the failure).
    """
    pages, problems = [], []

    def open_page():
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(60_000)
        context.add_init_script(COUNT_CHARTS)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("console", lambda m: m.type == "error" and problems.append(f"console error: {m.text}"))
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    for number, page in enumerate(pages):
        if report is not None and report.failed:
            try:
                page.screenshot(path=str(artifacts / f"failed-{request.node.name}-{number}.png"))
            except Exception as error:  # a crashed page cannot be pictured; the test's failure says why
                problems.append(f"no screenshot: {error}")
        page.context.close()
    if report is not None and report.failed and problems:
        print("\n".join(["browser errors during the test:", *problems]))


@pytest.fixture
def page(new_page):
    """A page in its own browser context (viewport 1400x1000) with the chart-counting init script."""
    return new_page()
