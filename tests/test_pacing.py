import math

import pytest

from ui.pacing import MAX_TRAIN_SECONDS, SPEEDS, TICK_SECONDS, TRAIN_SHARE, epochs_per_step, plan_tick


def test_a_short_run_at_normal_speed_spans_at_least_fifty_updates():
    plan = plan_tick("Normal", 300, TICK_SECONDS)
    assert math.ceil(300 / plan.max_epochs) >= 50


def test_a_long_run_at_normal_speed_lets_the_engine_run_at_its_pace():
    # 5000 epochs in Normal's 6 s is ~830 epochs/s, about what one core trains of the tutorial run
    plan = plan_tick("Normal", 5000, TICK_SECONDS)
    assert plan.max_epochs / TICK_SECONDS >= 800


@pytest.mark.parametrize("speed", list(SPEEDS))
def test_slower_ticks_train_proportionally_more_so_epochs_per_second_hold(speed):
    fast, slow = plan_tick(speed, 3000, 0.1), plan_tick(speed, 3000, 0.3)
    assert slow.train_seconds == pytest.approx(3 * fast.train_seconds)
    if SPEEDS[speed]:
        assert slow.max_epochs == pytest.approx(3 * fast.max_epochs, abs=1)


def test_speeds_are_ordered_and_flat_out_is_bounded_by_time_only():
    caps = [plan_tick(speed, 1000, TICK_SECONDS).max_epochs for speed in ("Slow", "Normal", "Fast", "Flat out")]
    assert caps == sorted(caps) and caps[0] >= 1


def test_the_time_budget_is_a_share_of_the_gap_and_never_long():
    assert plan_tick("Normal", 300, None).train_seconds == pytest.approx(TRAIN_SHARE * TICK_SECONDS)
    assert plan_tick("Normal", 300, 60.0).train_seconds <= MAX_TRAIN_SECONDS


def test_step_trains_a_few_epochs():
    assert epochs_per_step(300) == 5 and epochs_per_step(1) == 1
