"""The room's pure logic: codes and keys, display names, the quantised picture, parameters, rules, ranking."""

import numpy as np
import pytest

from binclf_core.config import RunConfig
from binclf_core.figures.formats import metric_text
from binclf_core.model.networks import build_model, count_parameters
from binclf_core.rooms.challenge import Challenge, Entry, rank_entries
from binclf_core.rooms.identity import (
    CODE_ALPHABET,
    MAX_NAME_LENGTH,
    RoomError,
    clean_name,
    key_hash,
    looks_like_code,
    new_join_code,
    new_key,
    normal_code,
    same_key,
)
from binclf_core.rooms.summary import GRID, BoardRow, dequantise, parameter_count, quantise


def test_join_codes_avoid_look_alike_characters():
    codes = {new_join_code() for _ in range(500)}
    assert len(codes) > 490  # random, not a sequence
    used = set("".join(codes))
    assert used <= set(CODE_ALPHABET)
    assert not used & set("0O1IL2Z5S8BUV")
    assert all(looks_like_code(code) for code in codes)


def test_a_typed_code_is_normalised():
    assert normal_code(" kq-7m ") == "KQ7M"
    assert not looks_like_code("KQ0M")


def test_keys_are_random_and_checked_by_their_hash():
    key, other = new_key(), new_key()
    assert key != other and len(key) >= 20
    assert same_key(key, key_hash(key))
    assert not same_key(other, key_hash(key))
    assert not same_key("", key_hash(key)) and not same_key(None, key_hash(key))


def test_a_name_keeps_its_markup_as_text_and_loses_control_characters():
    assert clean_name("  <b>Ann</b>\n\u200bO'Neil ") == "<b>Ann</b> O'Neil"
    assert clean_name("Zoë 🎯") == "Zoë 🎯"


@pytest.mark.parametrize("text, words", [("   ", "Type a display name"),
                                         ("x" * (MAX_NAME_LENGTH + 1), f"at most {MAX_NAME_LENGTH} characters")])
def test_a_bad_name_says_what_to_change(text, words):
    with pytest.raises(RoomError, match=words):
        clean_name(text)


def test_the_quantised_picture_keeps_each_cell_within_one_level():
    rng = np.random.default_rng(0)
    grid = rng.integers(0, 256, size=(GRID, GRID), dtype=np.uint8)
    packed = quantise(grid)
    assert len(packed) == GRID * GRID // 2
    assert np.abs(dequantise(packed) - grid / 255.0).max() <= 1 / 16 + 1e-6


def test_the_picture_of_a_bigger_grid_keeps_its_orientation():
    grid = np.zeros((60, 60), dtype=np.uint8)
    grid[:30] = 255  # the lower half (rows along y upwards) is positive
    picture = dequantise(quantise(grid))
    assert picture[: GRID // 2 - 1].min() > 0.9 and picture[GRID // 2 + 1:].max() < 0.1


@pytest.mark.parametrize("config", [RunConfig(), RunConfig(model="mlp", hidden=(8, 8)),
                                    RunConfig(model="mlp", hidden=(100,)), RunConfig(model="mlp", hidden=(3, 5, 7))])
def test_parameter_count_matches_torch(config):
    model = build_model(config.model, config.hidden, config.activation, config.seed)
    assert parameter_count(config) == count_parameters(model)


SPIRAL = RunConfig(dataset="spiral", model="mlp", hidden=(16, 16), epochs=500)


def test_a_run_that_keeps_the_rules_breaks_none():
    challenge = Challenge.on(SPIRAL, max_parameters=400, max_epochs=500, loss="bce")
    assert challenge.breaks(SPIRAL, 500) is None


@pytest.mark.parametrize("config, epochs, reason", [
    (SPIRAL.with_changes(hidden=(32, 32)), 500, "its model has 1185 parameters, the rules allow at most 400"),
    (SPIRAL, 501, "it trained 501 epochs, the rules allow at most 500"),
    (SPIRAL.with_changes(loss="hinge"), 500, "it used the Hinge loss, the rules ask for BCE"),
    (SPIRAL.with_changes(seed=3), 500, "it trained on other data (seed is 3, the challenge's is 2)"),
    (SPIRAL.with_changes(bug="no_step"), 500, "training-loop bug"),
])
def test_a_run_that_breaks_a_rule_gets_the_reason(config, epochs, reason):
    challenge = Challenge.on(SPIRAL, max_parameters=400, max_epochs=500, loss="bce")
    assert reason in challenge.breaks(config, epochs)


def test_a_challenge_needs_generated_data_and_sane_rules():
    with pytest.raises(ValueError, match="generated dataset"):
        Challenge(data={"dataset": "drawn"})
    with pytest.raises(ValueError, match="at least 1"):
        Challenge.on(SPIRAL, max_parameters=0)


def test_a_challenge_round_trips_through_json():
    challenge = Challenge.on(SPIRAL, max_parameters=400, loss="hinge", started_at=12.5)
    assert Challenge.from_json(challenge.to_json()) == challenge
    assert challenge.config().dataset == "spiral" and challenge.config().model == "logistic"


def test_ranking_is_accuracy_then_fewer_parameters_then_earlier_and_one_row_an_attendee():
    entries = [Entry(1, "a", 0.90, 100, 50, 30.0), Entry(2, "b", 0.95, 300, 50, 50.0),
               Entry(3, "c", 0.95, 200, 50, 90.0), Entry(4, "d", 0.95, 200, 50, 40.0),
               Entry(1, "a", 0.96, 900, 50, 99.0)]
    ranked = rank_entries(entries)
    assert [(e.attendee, e.test_accuracy) for e in ranked] == [(1, 0.96), (4, 0.95), (3, 0.95), (2, 0.95)]


def test_a_board_tile_brings_its_accuracy_written_as_the_app_writes_it():
    """The board sorts by the number and shows the text: 0.5625 is "56.2 %" (a half rounds to even, as Python's
    format does; JavaScript's toFixed would write 56.3)."""
    tile = BoardRow(1, "Ann", "training", 5, 300, 0.5625, RunConfig().to_dict(), 3, "").tile()
    assert tile["accuracy"] == 0.5625 and tile["accuracy_text"] == metric_text("test_accuracy", 0.5625) == "56.2 %"
    assert BoardRow(2, "Bob", "diverged", 9, 300).tile()["accuracy_text"] == "n/a"
