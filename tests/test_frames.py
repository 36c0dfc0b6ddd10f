"""binclf_core/figures/frames.py: the wire format of FRAMES.md, read back as the browser reads it."""

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from binclf_core.config import RunConfig
from binclf_core.data.generators import dataset_from_arrays
from binclf_core.figures.frames import (
    CURVE_COLUMNS,
    GRID_SIZE,
    HEADER,
    MAX_CURVE_POINTS,
    FrameEncoder,
    PanelFrame,
    decode_frame,
    dequantised_grid,
    quantised_grid,
    wire_json,
)
from binclf_core.figures.run import level_segments, shown_classes
from binclf_core.model.training import TrainingRun
from ui.frames import reset_text

TUTORIAL = RunConfig(lr=0.01, epochs=5000)
SPIRAL = RunConfig(dataset="spiral", model="mlp", hidden=(8, 8, 8), activation="tanh", optimizer="adam", lr=0.03)


def frames_of(run: TrainingRun, encoder: FrameEncoder, steps: list[int]) -> list[dict]:
    decoded = []
    for epochs in steps:
        run.step(epochs)
        decoded.append(decode_frame(encoder.frame(), len(run.dataset.y_all)))
    return decoded


@pytest.mark.parametrize("config", [TUTORIAL, SPIRAL], ids=["tutorial", "spiral-mlp"])
def test_a_frame_stays_under_six_kilobytes(config):
    """3.6 kB of it the grid: 8 bits over the frame's own range of P (FRAMES.md)."""
    run = TrainingRun(config)
    encoder = FrameEncoder(run)
    encoder.reset_message()
    sizes = []
    for _ in range(30):
        run.step(50)
        sizes.append(len(encoder.frame()))
    assert max(sizes) <= 6_000


def test_the_grid_is_the_snapshots_probability_quantised_rows_along_y_upwards():
    run = TrainingRun(TUTORIAL)
    run.step(20)
    frame = decode_frame(FrameEncoder(run).frame(), len(run.dataset.y_all))
    expected = run.snapshot(GRID_SIZE).grid
    low, high = frame["header"]["grid_range"]
    assert (low, high) == (expected.min(), expected.max()) and low < high
    assert frame["grid"].shape == (GRID_SIZE, GRID_SIZE)
    assert np.abs(frame["grid"] - expected).max() <= 0.5 / 255 * (high - low) + 1e-6


def test_a_flat_grid_travels_as_its_one_value():
    flat = np.full((GRID_SIZE, GRID_SIZE), 0.5, np.float32)
    steps, grid_range = quantised_grid(flat)
    assert grid_range == [0.5, 0.5] and not steps.any()
    np.testing.assert_array_equal(dequantised_grid(steps, grid_range), flat)


def test_predictions_travel_only_when_one_flipped_and_equal_the_threshold_rule():
    run = TrainingRun(TUTORIAL)
    run.step(1)
    encoder = FrameEncoder(run)
    first = decode_frame(encoder.frame(), len(run.dataset.y_all))
    probabilities = run.snapshot(GRID_SIZE).probabilities
    assert first["predictions"].tolist() == (probabilities >= 0.5).astype(int).tolist()
    still = decode_frame(encoder.frame(), len(run.dataset.y_all))  # nothing trained: nothing flipped
    assert still["header"]["predictions"] is False and len(still["predictions"]) == 0


def test_before_training_the_points_travel_in_their_own_class():
    """Issue 17: an untrained model's guesses hid what a user drew; at epoch 0 the page shows the labels."""
    run = TrainingRun(TUTORIAL)
    frame = decode_frame(FrameEncoder(run).frame(), len(run.dataset.y_all))
    assert frame["predictions"].tolist() == run.dataset.y_all.int().tolist()


def test_curve_points_are_the_new_epochs_at_most_a_few_a_frame_the_last_always_included():
    run = TrainingRun(TUTORIAL)
    encoder = FrameEncoder(run)
    encoder.reset_message()
    one, many = frames_of(run, encoder, [3, 100])
    assert one["curves"][:, 0].tolist() == [1, 2, 3]
    assert one["curves"][-1, 1:].tolist() == pytest.approx([run.history[2][k] for k in CURVE_COLUMNS[1:]])
    assert len(many["curves"]) == MAX_CURVE_POINTS and many["curves"][-1, 0] == 103
    assert np.all(np.diff(many["curves"][:, 0]) > 0) and many["curves"][0, 0] > 3


def test_the_reset_message_is_json_with_both_figures_and_every_point():
    run = TrainingRun(TUTORIAL)
    run.step(10)
    message = FrameEncoder(run).reset_message()
    json.dumps(message)  # travels as text
    assert len(message["points"]["x"]) == len(run.dataset.y_all) == len(message["points"]["label"])
    assert message["points"]["n_train"] == len(run.dataset.y_train)
    assert message["figures"]["boundary"]["layout"]["images"][0]["source"].startswith("data:image/png")
    assert message["points"]["predicted"] == shown_classes(run.snapshot(60), run.dataset).astype(int).tolist()
    assert message["run"] == id(run)  # as the page's data names it: a stop is reported only for the page's run
    assert [t["name"] for t in message["figures"]["curves"]["data"]][:2] == ["train loss", "test loss"]
    ring = message["figures"]["boundary"]["data"][6]  # empty until a panel rings points (header `ring`)
    assert ring["name"] == "ringed" and ring["x"] == [] and ring["marker"]["symbol"] == "circle-open"


def test_the_first_frame_after_a_reset_sends_predictions_only_when_one_flipped():
    run = TrainingRun(TUTORIAL)
    encoder = FrameEncoder(run)
    encoder.reset_message()
    same = decode_frame(encoder.frame(), len(run.dataset.y_all))
    assert same["header"]["predictions"] is False  # the reset's figure already colours the points so
    run.step(3)  # a few epochs in, some points are predicted other than their own class
    flipped = (shown_classes(run.snapshot(60), run.dataset) != run.dataset.y_all.numpy().astype(bool)).any()
    assert flipped and decode_frame(encoder.frame(), len(run.dataset.y_all))["header"]["predictions"] is True


def test_a_replay_frame_shows_the_kept_epoch_and_says_so():
    run = TrainingRun(TUTORIAL)
    run.step(10)
    encoder = FrameEncoder(run)
    past = decode_frame(encoder.frame(replay_epoch=0), len(run.dataset.y_all))
    assert past["header"]["replay"] == 0 and past["header"]["epoch"] == 10
    untrained = decode_frame(FrameEncoder(TrainingRun(TUTORIAL)).frame(), len(run.dataset.y_all))
    assert past["grid"].tolist() == untrained["grid"].tolist()


def test_a_diverged_run_still_encodes_with_json_nulls():
    run = TrainingRun(RunConfig(dataset="spiral", model="mlp", lr=1e12, epochs=20))
    run.step(20)
    frame = decode_frame(FrameEncoder(run).frame(), len(run.dataset.y_all))
    assert frame["header"]["status"] == "diverged" and frame["header"]["message"]


def test_sizes_travel_as_one_float_per_point():
    run = TrainingRun(TUTORIAL)
    sizes = np.linspace(4, 20, len(run.dataset.y_all))
    frame = decode_frame(FrameEncoder(run).frame(sizes=sizes), len(run.dataset.y_all))
    assert frame["sizes"] == pytest.approx(sizes)


def test_the_reset_curves_draw_a_schedule_s_whole_plan_from_epoch_0():
    run = TrainingRun(RunConfig(schedule="cosine", lr=0.2, epochs=80))
    curves = FrameEncoder(run).reset_message()["figures"]["curves"]
    rate = next(t for t in curves["data"] if t["name"] == "learning rate")
    assert rate["yaxis"] == "y3" and curves["layout"]["yaxis3"]["overlaying"] == "y"
    constant = FrameEncoder(TrainingRun(RunConfig())).reset_message()["figures"]["curves"]
    assert all(t["name"] != "learning rate" for t in constant["data"])


def test_a_panels_drawing_and_parts_travel_after_the_sizes_its_figure_only_when_given():
    run = TrainingRun(TUTORIAL)
    n = len(run.dataset.y_all)
    parts = (np.arange(18, dtype=np.uint8).reshape(2, 3, 3), np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3),
             np.arange(5, dtype=np.int32))
    figure = {"data": [], "layout": {"title": {"text": "a panel"}}}
    encoder = FrameEncoder(run)
    first = decode_frame(encoder.frame(sizes=np.full(n, 6.0), panel=("demo", PanelFrame(figure, {"kind": "demo"},
                                                                                           parts))), n)
    header = first["header"]["panel"]
    assert header == {"key": "demo", "drawing": {"kind": "demo"}, "figure": figure,
                      "parts": [["u1", [2, 3, 3]], ["f4", [4, 3]], ["i4", [5]]]}
    assert first["sizes"] == pytest.approx(np.full(n, 6.0))
    for got, sent in zip(first["panel_parts"], parts, strict=True):
        np.testing.assert_array_equal(got, sent)
    later = decode_frame(encoder.frame(panel=("demo", PanelFrame(None, {"kind": "demo"}, parts[:1]))), n)
    assert "figure" not in later["header"]["panel"] and later["panel_parts"][0].shape == (2, 3, 3)
    assert "panel" not in decode_frame(encoder.frame(), n)["header"] and len(encoder.frame()) < 6_000


def browser_json(text: str | bytes):
    """JSON.parse's reading: NaN, Infinity and -Infinity are not JSON, and refuse the whole message."""
    return json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in a message to the browser"))


def test_a_run_on_values_float32_cannot_hold_sends_only_json_the_browser_reads():
    x = np.array([[i * 0.1, (i * 7) % 5] for i in range(40)])
    x[3, 0] = 1e200  # inf once float32: the points, the axes and the picture of such a run hold inf and NaN
    run = TrainingRun(RunConfig(dataset="csv", csv="big.csv"), dataset_from_arrays(x, np.arange(40) % 2, 0.25, 2))
    encoder = FrameEncoder(run)
    reset = browser_json(reset_text(encoder.reset_message()))  # the reset message, as the socket sends it
    assert None in reset["points"]["x"] and len(reset["points"]["x"]) == 40  # the point that overflowed: null
    run.step(3)
    frame = encoder.frame()
    (length,) = HEADER.unpack_from(frame)
    header = browser_json(frame[HEADER.size:HEADER.size + length])
    assert header["epoch"] == run.epoch and header["status"] == run.status


def test_wire_json_writes_every_non_finite_number_as_null_at_any_depth():
    message = {"a": [1.5, float("nan"), {"b": (float("inf"), -float("inf"))}], "c": "NaN", "d": None, "e": 2}
    assert browser_json(wire_json(message)) == {"a": [1.5, None, {"b": [None, None]}], "c": "NaN", "d": None, "e": 2}
    assert wire_json({"x": [1, 2.5]}) == json.dumps({"x": [1, 2.5]}, separators=(",", ":"))  # finite: as before


def test_a_nearly_flat_models_threshold_line_from_a_frame_lies_where_the_model_puts_it():
    run = TrainingRun(RunConfig(dataset="circles", model="mlp", hidden=(8,), lr=0.1))  # untrained: P near 0.5
    exact = run.snapshot(GRID_SIZE).grid.astype(np.float64)
    assert np.ptp(exact) < 0.2  # flat: P moves by a few hundredths over the whole plane
    level = float(np.median(exact))  # a threshold its line crosses the plane at
    sent = decode_frame(FrameEncoder(run).frame(), len(run.dataset.y_all))["grid"]  # P, from 8 bits over its range
    points = level_segments(sent, level).reshape(-1, 2)  # (column, row) of the line the page draws
    # How far, in cells, each point of that line lies from the model's own line: |P - level| / |gradient P|.
    j, i = np.minimum(points.astype(int).T, GRID_SIZE - 2)
    fx, fy = points[:, 0] - j, points[:, 1] - i
    p = ((exact[i, j] * (1 - fx) + exact[i, j + 1] * fx) * (1 - fy)
         + (exact[i + 1, j] * (1 - fx) + exact[i + 1, j + 1] * fx) * fy)
    gradient_rows, gradient_columns = np.gradient(exact)
    slope = np.hypot(gradient_rows, gradient_columns)[i, j]
    assert len(points) > 20 and (np.abs(p - level) / slope).max() < 0.1  # 8 bits over 0..1 put it cells away


LIVE_CHART_JS = Path(__file__).resolve().parents[1] / "ui" / "live_chart.js"


def player_function(source: str, name: str) -> str:
    return re.search(rf"^function {name}\(.*?^}}$", source, re.S | re.M).group(0)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_player_reads_a_frames_grid_as_the_probability_the_model_gives():
    run = TrainingRun(RunConfig(dataset="circles", model="mlp", hidden=(8,), lr=0.1))  # nearly flat: a narrow range
    data = FrameEncoder(run).frame()
    source = LIVE_CHART_JS.read_text()
    constants = "\n".join(re.findall(r"^const (?:PART_TYPES|CURVE_COLUMNS|REFERENCE_COLUMNS) = .*$", source, re.M))
    script = (f"{constants}\n{player_function(source, 'decode')}\n{player_function(source, 'upsample')}\n"
              f"const bytes = Buffer.from('{base64.b64encode(data).decode()}', 'base64');\n"
              "const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);\n"
              f"const frame = decode(buffer, {len(run.dataset.y_all)}, {GRID_SIZE});\n"
              f"console.log(JSON.stringify(Array.from(upsample(frame.grid, {GRID_SIZE}, 1, frame.grid.range))));")
    output = subprocess.run(["node", "-"], input=script, capture_output=True, text=True, check=True, timeout=30).stdout
    players = np.array(json.loads(output)).reshape(GRID_SIZE, GRID_SIZE)  # upsampled once: the samples themselves
    exact = run.snapshot(GRID_SIZE).grid
    np.testing.assert_allclose(players, decode_frame(data, len(run.dataset.y_all))["grid"], atol=1e-6)
    assert np.abs(players - exact).max() <= 0.5 / 255 * np.ptp(exact) + 1e-6  # 8 bits over the grid's own range
