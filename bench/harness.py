"""Start a Streamlit app on a free loopback port and drive it in headless Chromium.

Shared by bench/bench_ui.py and the browser tests. Servers bind 127.0.0.1 only and are stopped
by their PID.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def find_chromium() -> str | None:
    """$BINCLF_CHROMIUM, then /usr/bin/chromium, then chromium on PATH; None if there is none."""
    for candidate in (os.environ.get("BINCLF_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A `streamlit run` process on 127.0.0.1; `started` is when the process was launched."""

    def __init__(self, script: str, log_path: Path | None = None, root: Path = ROOT, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = open(log_path or os.devnull, "w")  # noqa: SIM115 - closed in stop()
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
             "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1",
             "--server.port", str(self.port)],
            cwd=root, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with status {self.process.returncode}")
            try:
                with urllib.request.urlopen(self.url + "_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"the server at {self.url} did not answer within {timeout} s")

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid`, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def running(script: str, log_path: Path | None = None, root: Path = ROOT, port: int | None = None):
    """A server of `script` in the app folder `root` (this checkout unless told) on `port` (a free one
    unless told), stopped on exit."""
    server = Server(script, log_path, root, port)
    try:
        server.wait_healthy()
        yield server
    finally:
        server.stop()


@contextmanager
def browser():
    """A headless Chromium from find_chromium(), through Playwright."""
    from playwright.sync_api import sync_playwright

    executable = find_chromium()
    if executable is None:
        raise RuntimeError("no Chromium found: apt-get install chromium, or set BINCLF_CHROMIUM")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


# Counts every Plotly chart div the page ever creates (a re-created chart is a new div), and
# how many of them were still on the page two animation frames later, i.e. were painted and seen.
# Plotly marks its div with .js-plotly-plot when it starts drawing into it.
COUNT_CHARTS = """
window.__chartsCreated = 0;
window.__chartsPainted = 0;
window.__chartTimes = [];
const seen = new WeakSet();
new MutationObserver(() => {
  for (const node of document.querySelectorAll('.js-plotly-plot')) {
    if (seen.has(node)) continue;
    seen.add(node);
    window.__chartsCreated += 1;
    window.__chartTimes.push(performance.now());
    requestAnimationFrame(() => requestAnimationFrame(() => { if (node.isConnected) window.__chartsPainted += 1; }));
  }
}).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['class']});
"""


BOUNDARY = "document.querySelector('.binclf-live-chart[data-chart=\"boundary\"]')"  # the live boundary chart


def drag_zoom(page) -> list[float]:
    """Zoom the boundary chart as a user does, by dragging a box over the middle of its plot area."""
    box = page.locator('.binclf-live-chart[data-chart="boundary"] .nsewdrag').first.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.3, y + h * 0.3)
    page.mouse.down()
    page.mouse.move(x + w * 0.5, y + h * 0.5, steps=5)
    page.mouse.move(x + w * 0.7, y + h * 0.7, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    return page.evaluate(f"{BOUNDARY}._fullLayout.xaxis.range")


@contextmanager
def baseline_tree(ref: str):
    """The app at git `ref`, extracted with `git archive` into a temporary folder (an old design, for a bench)."""
    with tempfile.TemporaryDirectory(prefix="binclf-baseline-") as folder:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
        yield Path(folder)
