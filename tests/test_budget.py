"""The training budget every tab of a server shares (ui/budget.py): even shares, and ticks in turns."""

from __future__ import annotations

import threading
import time

import pytest

from ui.budget import MAX_TICK_SECONDS, Budget, Turns
from ui.pacing import TICK_SECONDS


def test_a_tab_alone_is_paced_as_before_and_many_share_evenly():
    budget = Budget()
    alone = budget.check_in("a", now=0.0)
    assert alone.interval == TICK_SECONDS and alone.train_seconds == float("inf")
    shares = [budget.check_in(f"tab{i}", now=0.1) for i in range(30)]
    last = shares[-1]
    assert last.active_tabs == 31 and TICK_SECONDS <= last.interval <= MAX_TICK_SECONDS
    assert budget.check_in("a", now=0.2) == budget.check_in("tab3", now=0.2)  # the same share for every tab
    assert budget.check_in("z", now=5.0).active_tabs == 1  # tabs that stopped ticking drop out


def test_the_timer_is_set_anew_only_when_the_pace_changed_a_lot():
    assert not Budget.needs_retime(0.2, 0.25) and Budget.needs_retime(0.1, 0.3) and Budget.needs_retime(0.4, 0.1)


def test_ticks_take_turns_one_at_a_time_in_the_order_they_asked():
    turns, order, inside, most_inside = Turns(), [], [0], [0]
    release_first = threading.Event()

    def tick(name: str, hold: threading.Event | None = None) -> None:
        with turns.turn():
            inside[0] += 1
            most_inside[0] = max(most_inside[0], inside[0])
            order.append(name)
            if hold is not None:
                hold.wait(5)
            time.sleep(0.005)
            inside[0] -= 1

    first = threading.Thread(target=tick, args=("first", release_first))
    first.start()
    while not order:
        time.sleep(0.001)
    waiting = []
    for name in ("second", "third", "fourth"):  # they queue up behind the first, in this order
        waiting.append(threading.Thread(target=tick, args=(name,)))
        waiting[-1].start()
        time.sleep(0.02)
    assert order == ["first"]
    release_first.set()
    for thread in (first, *waiting):
        thread.join(5)
    assert order == ["first", "second", "third", "fourth"] and most_inside[0] == 1


def test_a_fault_inside_a_turn_hands_the_turn_on():
    turns, got_turn = Turns(), threading.Event()
    with pytest.raises(RuntimeError), turns.turn():
        raise RuntimeError("a tick failed")

    def next_tick() -> None:
        with turns.turn():
            got_turn.set()

    threading.Thread(target=next_tick).start()
    assert got_turn.wait(2), "the next tick never got its turn"
