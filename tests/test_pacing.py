import math

import pytest

from ui.pacing import MAX_TRAIN_SECONDS, SPEEDS, TICK_SECONDS, TRAIN_SHARE, epochs_per_step, plan_tick


@pytest.mark.parametrize("epochs", [10, 300, 1000])
def test_a_run_at_normal_speed_spans_at_least_fifty_updates(epochs):
    plan = plan_tick("Normal", epochs, TICK_SECONDS)
    assert math.ceil(epochs / plan.max_epochs) >= min(50, epochs)


def test_a_long_run_is_limited_by_the_time_budget_not_the_frame_count():
    # 20000 epochs / 60 frames = 334 a tick: more than a 30 ms budget trains at ~0.5 ms an epoch
    plan = plan_tick("Normal", 20_000, TICK_SECONDS)
    assert plan.max_epochs * 0.0005 > plan.train_seconds


def test_slower_ticks_get_proportionally_more_time_so_epochs_per_second_hold():
    fast, slow = plan_tick("Flat out", 3000, 0.1), plan_tick("Flat out", 3000, 0.3)
    assert slow.train_seconds == pytest.approx(3 * fast.train_seconds)


def test_speeds_are_ordered_and_flat_out_is_bounded_by_time_only():
    caps = [plan_tick(speed, 1000, TICK_SECONDS).max_epochs for speed in SPEEDS]
    assert list(SPEEDS) == ["Slow", "Normal", "Fast", "Flat out"]
    assert caps == sorted(caps) and caps[0] >= 1


def test_the_time_budget_is_a_share_of_the_gap_and_never_long():
    assert plan_tick("Normal", 300, None).train_seconds == pytest.approx(TRAIN_SHARE * TICK_SECONDS)
    assert plan_tick("Normal", 300, 60.0).train_seconds <= MAX_TRAIN_SECONDS


def test_an_unknown_speed_paces_like_normal_and_step_trains_a_few_epochs():
    assert plan_tick("Warp", 300, None) == plan_tick("Normal", 300, None)
    assert epochs_per_step(300) == 5 and epochs_per_step(1) == 1
