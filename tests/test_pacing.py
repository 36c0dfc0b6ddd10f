import pytest

from ui.pacing import SPEEDS, epochs_per_second, epochs_per_step


@pytest.mark.parametrize("epochs", [10, 300, 5000])
def test_a_run_at_normal_speed_takes_six_seconds_whatever_its_length(epochs):
    assert epochs / epochs_per_second("Normal", epochs) == pytest.approx(6.0)


def test_speeds_are_ordered_and_flat_out_has_no_limit():
    assert list(SPEEDS) == ["Slow", "Normal", "Fast", "Flat out"]
    rates = [epochs_per_second(speed, 1000) for speed in ("Slow", "Normal", "Fast")]
    assert rates == sorted(rates) and rates[0] > 0
    assert epochs_per_second("Flat out", 1000) is None


def test_an_unknown_speed_paces_like_normal_and_step_trains_a_few_epochs():
    assert epochs_per_second("Warp", 300) == epochs_per_second("Normal", 300)
    assert epochs_per_step(300) == 5 and epochs_per_step(1) == 1
