"""N real Chromium tabs training at once against one server: chart updates per second in each tab.

    python bench/multi_tab.py 3 6      (one server per N; each tab trains the tutorials' blobs)

The browsers share the machine with the server, so on two cores this measures the whole room on
one laptop, not the server alone (bench/load_test.py does that, with protocol-level clients).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.harness import browser, running

WARM_UP_SECONDS, MEASURE_SECONDS = 3, 15


def open_tab(chromium, url: str):
    page = chromium.new_context().new_page()
    page.goto(url + "?epochs=20000&lr=0.01")
    page.get_by_role("button", name="Train").wait_for(timeout=60_000)
    page.wait_for_function("window.binclfLive && window.binclfLive.renders > 0", timeout=60_000)
    return page


def renders(pages) -> list[int]:
    return [page.evaluate("window.binclfLive.renders") for page in pages]


def measure(chromium, tabs: int) -> None:
    with running("app.py") as server:
        pages = [open_tab(chromium, server.url) for _ in range(tabs)]
        for page in pages:
            page.get_by_role("button", name="Train").click()
        time.sleep(WARM_UP_SECONDS)
        before, cpu, start = renders(pages), server.cpu_seconds(), time.perf_counter()
        time.sleep(MEASURE_SECONDS)
        seconds = time.perf_counter() - start
        rates = [(b - a) / seconds for a, b in zip(before, renders(pages), strict=True)]
        print(f"N={tabs:3d}  updates/s per tab: {', '.join(f'{r:.2f}' for r in rates)}  "
              f"(min {min(rates):.2f})  server CPU {(server.cpu_seconds() - cpu) / seconds:.2f} cores")
        for page in pages:
            page.context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tabs", type=int, nargs="+", help="numbers of tabs, one measurement each")
    args = parser.parse_args()
    with browser() as chromium:
        for tabs in args.tabs:
            measure(chromium, tabs)


if __name__ == "__main__":
    main()
