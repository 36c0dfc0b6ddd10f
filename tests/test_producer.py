"""ui/producer.py: the schedule serves every tab, even when the producer runs behind."""

import asyncio
import time

import pytest

from binclf_core.config import RunConfig
from binclf_core.training import TrainingRun
from ui import frames
from ui.producer import Producer


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()  # never run: the tabs' messages stay queued on it
    yield loop
    loop.close()


def attached_tab(loop, playing: bool = True) -> frames.FrameTab:
    tab = frames.FrameTab(run=TrainingRun(RunConfig(epochs=20000)), playing=playing)
    tab._attach(loop)
    return tab


def delivered(tab: frames.FrameTab) -> None:
    """What the tab's socket does once it has sent the queued messages."""
    tab.in_flight = 0


def test_a_new_or_changed_tab_is_served_before_tabs_that_are_overdue(loop):
    producer = Producer()
    behind = [attached_tab(loop) for _ in range(3)]
    for tab in behind:
        producer.serve(tab)
        delivered(tab)
        producer._paces[tab.token].last_frame -= 10  # the producer runs 10 s behind: every frame overdue
    new = attached_tab(loop)
    assert producer._next()[0] is new

    producer.serve(new)
    delivered(new)
    producer._paces[new.token].last_frame -= 10
    changed = behind[-1]
    changed.show(("a widget changed",))
    assert producer._next()[0] is changed


def test_overdue_tabs_take_turns_longest_waiting_first(loop):
    producer = Producer()
    tabs = [attached_tab(loop) for _ in range(3)]
    for tab in tabs:
        producer.serve(tab)
        delivered(tab)
    for age, tab in zip((3, 9, 6), tabs, strict=True):
        producer._paces[tab.token].last_frame = time.perf_counter() - age
    served = []
    for _ in tabs:
        tab = producer._next()[0]
        served.append(tab)
        producer.serve(tab)
        delivered(tab)
    assert served == [tabs[1], tabs[2], tabs[0]]
