import base64
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from binclf_core.config import RunConfig
from binclf_core.data.generators import dataset_from_arrays
from binclf_core.figures.run import (
    HEAT,
    LINE,
    POSITIVE,
    boundary_figure,
    curves_figure,
    data_revision,
    downsampled,
    drawing_figure,
    level_segments,
    probability_image,
    threshold_line,
    typed_array,
)
from binclf_core.model.training import TrainingRun


def decode(spec: dict) -> np.ndarray:
    array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]).newbyteorder("<"))
    return array.reshape([int(n) for n in spec["shape"].split(",")]) if "shape" in spec else array


@pytest.fixture(scope="module")
def trained_run() -> TrainingRun:
    run = TrainingRun(RunConfig(dataset="moons", model="mlp", optimizer="adam", lr=0.05, epochs=60))
    run.step(60)
    return run


def test_typed_arrays_round_trip_with_their_shape():
    values = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    spec = typed_array(values)
    assert spec["shape"] == "3,4"
    np.testing.assert_array_equal(decode(spec), values)
    np.testing.assert_array_equal(decode(typed_array([1, 2, 3], "i4")), [1, 2, 3])


def pixels(data_url: str) -> np.ndarray:
    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1])))
    assert image.mode == "RGB"
    return np.asarray(image)


def rgb(color: str) -> list[int]:
    return [int(color[i:i + 2], 16) for i in (1, 3, 5)]


def test_probability_image_is_a_png_of_the_grid_bottom_row_last():
    grid = np.zeros((4, 6), dtype=np.float32)
    grid[0, :] = 1.0  # the lowest y row is certain positive
    image = pixels(probability_image(grid, factor=1))
    assert image.shape == (4, 6, 3)
    assert image[-1, 0].tolist() == rgb(HEAT[-1][1]) and image[0, 0].tolist() == rgb(HEAT[0][1])


def test_the_threshold_contour_is_drawn_where_the_probability_crosses_it():
    x = np.linspace(0, 1, 20, dtype=np.float32)
    grid = np.tile(x, (20, 1))  # probability rises from left to right; 0.3 is crossed at x = 0.3
    image = pixels(probability_image(grid, threshold=0.3, factor=3))
    assert image.shape == (60, 60, 3)
    row = image[30].astype(int)
    darkest = int(np.argmin(row.sum(axis=1)))
    assert abs(darkest / 59 - 0.3) < 0.03
    assert row[darkest].tolist() == pytest.approx(rgb(LINE), abs=40)
    assert row[5].tolist() != pytest.approx(rgb(LINE), abs=40)


def test_boundary_figure_is_valid_plotly_and_marks_exactly_the_misclassified(trained_run):
    snapshot = trained_run.snapshot(grid_size=30)
    figure = boundary_figure(snapshot, trained_run.dataset)
    go.Figure(figure)  # raises if any property is not Plotly's
    traces = {t.get("name"): t for t in figure["data"]}
    predicted = snapshot.probabilities >= snapshot.threshold
    wrong = predicted != trained_run.dataset.y_all.numpy().astype(bool)
    assert len(decode(traces["misclassified"]["x"])) == wrong.sum()
    points = [t for t in figure["data"] if t.get("name") in ("train points", "test points")]
    assert sum(len(decode(t["x"])) for t in points) == len(trained_run.dataset.y_all)
    assert traces[f"threshold {snapshot.threshold:g}"]["line"]["color"] == LINE
    assert pixels(figure["layout"]["images"][0]["source"]).shape == (90, 90, 3)  # 30 x 30 grid, 3x finer


def test_curves_span_the_whole_run_and_keep_the_last_epoch(trained_run):
    figure = curves_figure(trained_run.history, total_epochs=500, max_points=25)
    go.Figure(figure)
    epochs = decode(figure["data"][0]["x"])
    assert len(epochs) <= 25 and epochs[-1] == 60 and epochs[0] == 1
    assert figure["layout"]["xaxis"]["range"] == [0, 500]
    np.testing.assert_allclose(decode(figure["data"][0]["y"])[-1], trained_run.history[-1]["train_loss"], rtol=1e-6)


def test_the_curves_show_the_learning_rate_only_when_a_schedule_moves_it(trained_run):
    assert all(t["name"] != "learning rate" for t in curves_figure(trained_run.history, 60)["data"])
    run = TrainingRun(RunConfig(schedule="warmup_cosine", lr=0.3, epochs=40))
    run.step(40)
    figure = curves_figure(run.history, 40)
    go.Figure(figure)
    lr = next(t for t in figure["data"] if t["name"] == "learning rate")
    assert lr["yaxis"] == "y3" and figure["layout"]["yaxis3"]["overlaying"] == "y"
    np.testing.assert_allclose(decode(lr["y"]), [r["lr"] for r in run.history], rtol=1e-6)


def test_downsampled_spreads_evenly_and_keeps_both_ends():
    keep = downsampled(1000, 10)
    assert keep[0] == 0 and keep[-1] == 999 and len(keep) == 10
    assert downsampled(5, 10).tolist() == [0, 1, 2, 3, 4]


def test_one_frame_of_both_charts_stays_small(trained_run):
    frame = {"boundary": boundary_figure(trained_run.snapshot(60), trained_run.dataset),
             "curves": curves_figure(trained_run.history, 60)}
    assert len(json.dumps(frame)) < 30_000


def test_the_legend_names_the_classes_of_a_users_csv_escaped():
    x = np.array([[0, 0], [1, 1], [0, 1], [1, 0], [2, 2], [3, 3], [2, 3], [3, 2.0]])
    data = dataset_from_arrays(x, np.array([0, 0, 0, 0, 1, 1, 1, 1]), 0.5, seed=0, class_names=("<b>no", "yes"))
    run = TrainingRun(RunConfig(epochs=1), dataset=data)
    run.step(1)
    title = boundary_figure(run.snapshot(10), data)["layout"]["title"]["subtitle"]["text"]
    assert "blue: &lt;b&gt;no" in title and "orange: yes" in title and "predicted class" in title


def test_a_csvs_column_names_title_the_axes():
    x = np.array([[0, 0], [1, 1], [0, 1], [1, 0], [2, 2], [3, 3], [2, 3], [3, 2.0]])
    data = dataset_from_arrays(x, np.array([0, 0, 0, 0, 1, 1, 1, 1]), 0.5, seed=0, feature_names=("height", "<i>w"))
    layout = boundary_figure(TrainingRun(RunConfig(epochs=1), dataset=data).snapshot(10), data)["layout"]
    assert layout["xaxis"]["title"]["text"] == "height" and layout["yaxis"]["title"]["text"] == "&lt;i&gt;w"


def test_the_data_plane_keeps_equal_x_and_y_scales(trained_run):
    for figure in (boundary_figure(trained_run.snapshot(20), trained_run.dataset),
                   drawing_figure(np.zeros((0, 2)), np.zeros(0), (-6.0, 6.0, -6.0, 6.0))):
        go.Figure(figure)
        assert figure["layout"]["yaxis"]["scaleanchor"] == "x" and figure["layout"]["yaxis"]["scaleratio"] == 1
        assert figure["layout"]["xaxis"]["constrain"] == figure["layout"]["yaxis"]["constrain"] == "domain"


def test_before_training_points_show_their_own_class_then_their_prediction():
    run = TrainingRun(RunConfig(dataset="moons", epochs=5, lr=0.5))
    labels = run.dataset.y_all.numpy().astype(bool)

    def orange_count(figure) -> int:
        return sum(len(decode(t["x"])) for t in figure["data"] if t.get("marker", {}).get("color") == POSITIVE)

    assert orange_count(boundary_figure(run.snapshot(10), run.dataset)) == labels.sum()  # epoch 0: the classes
    run.step(5)
    snapshot = run.snapshot(10)
    assert orange_count(boundary_figure(snapshot, run.dataset)) == (snapshot.probabilities >= 0.5).sum()


def test_presenter_font_size_reaches_every_text_of_the_charts(trained_run):
    figures = [boundary_figure(trained_run.snapshot(10), trained_run.dataset, font_size=18),
               curves_figure(trained_run.history, 60, font_size=18),
               drawing_figure(np.zeros((0, 2)), np.zeros(0), (-6.0, 6.0, -6.0, 6.0), font_size=18)]
    for figure in figures:
        full = go.Figure(figure).layout  # Plotly's defaults filled in where the dict is silent
        assert full.font.size == 18 and full.title.font.size >= 18 and full.title.subtitle.font.size >= 18


def test_the_drawing_chart_shows_each_class_on_the_fixed_canvas():
    x, y = np.array([[-1.0, 2.0], [3.0, -4.0], [0.5, 0.5]]), np.array([0, 1, 1])
    figure = drawing_figure(x, y, (-6.0, 6.0, -5.0, 5.0), ("cat", "dog"))
    go.Figure(figure)  # valid Plotly
    negatives, positives = figure["data"]
    assert (negatives["name"], positives["name"]) == ("cat", "dog")
    np.testing.assert_array_equal(decode(negatives["x"]), [-1.0])
    np.testing.assert_array_equal(decode(positives["y"]), [-4.0, 0.5])
    assert figure["layout"]["xaxis"]["range"] == [-6.0, 6.0] and figure["layout"]["yaxis"]["range"] == [-5.0, 5.0]


def test_the_charts_keep_a_zoom_only_while_the_data_stay():
    def revisions(**fields) -> tuple[str, str]:
        run = TrainingRun(RunConfig(epochs=1, **fields))
        boundary = boundary_figure(run.snapshot(10), run.dataset)["layout"]["uirevision"]
        curves = curves_figure([], 1, revision=data_revision(run.dataset))["layout"]["uirevision"]
        assert boundary == curves
        return boundary

    default = revisions()
    assert revisions(lr=0.5, model="mlp", optimizer="adam") == default  # the same points: a zoom stays
    for changed in ({"seed": 4}, {"noise": 2.0}, {"n_samples": 300}, {"dataset": "moons"}):
        assert revisions(**changed) != default, changed  # new points: the axes follow them


def radial_grid(size: int = 40, radius: float = 0.6) -> tuple[np.ndarray, np.ndarray]:
    """P rising across a circle of `radius` around the origin, on a size x size grid over [-1, 1]²."""
    axis = np.linspace(-1, 1, size)
    x, y = np.meshgrid(axis, axis)
    return axis, 1 / (1 + np.exp(-8 * (np.hypot(x, y) - radius)))


def test_the_threshold_line_follows_the_level_between_samples_not_the_cells_edges():
    axis, grid = radial_grid()
    x, y = threshold_line(grid, axis, axis, 0.5)
    cell = axis[1] - axis[0]
    assert np.isnan(x).sum() == 0, "a circle is one closed piece"
    assert (x[0], y[0]) == (x[-1], y[-1])
    radius = np.hypot(x, y)
    assert np.abs(radius - 0.6).max() < 0.02 * cell  # a line along the cells' edges strays up to half a cell
    # Smooth: around the whole circle the line turns by no more than a few degrees at each point.
    heading = np.unwrap(np.arctan2(np.diff(y), np.diff(x)))
    assert np.degrees(np.abs(np.diff(heading))).max() < 10
    assert abs(heading[-1] - heading[0]) == pytest.approx(2 * np.pi, abs=0.3)


def unordered(segments: np.ndarray) -> list:
    """Segments (S, 2, 2) as a sorted list of their sorted ends: the same set however each is walked."""
    return sorted(tuple(sorted(map(tuple, ends))) for ends in segments.round(9).tolist())


def test_a_saddle_cell_is_split_by_its_centre():
    high_corners = np.array([[1.0, 0.0], [0.0, 1.0]])  # above the level at the bottom left and the top right
    # The centre (0.5) below 0.6: those two corners are cut off; above 0.4: the two low ones are.
    assert unordered(level_segments(high_corners, 0.6)) == [((0.0, 0.4), (0.4, 0.0)), ((0.6, 1.0), (1.0, 0.6))]
    assert unordered(level_segments(high_corners, 0.4)) == [((0.0, 0.6), (0.4, 1.0)), ((0.6, 0.0), (1.0, 0.4))]


def test_the_boundary_figure_draws_the_threshold_line_as_its_first_trace(trained_run):
    snapshot = trained_run.snapshot(grid_size=30)
    line = boundary_figure(snapshot, trained_run.dataset)["data"][0]
    x, y = decode(line["x"]), decode(line["y"])
    assert line["name"] == f"threshold {snapshot.threshold:g}" and np.isfinite(x).sum() > 20
    # Every point of the line lies where the bilinear probability between the samples is the threshold.
    gx, gy = snapshot.grid_x, snapshot.grid_y
    finite = np.isfinite(x)
    u = (x[finite] - gx[0]) / (gx[1] - gx[0])
    v = (y[finite] - gy[0]) / (gy[1] - gy[0])
    j, i = np.minimum(u.astype(int), len(gx) - 2), np.minimum(v.astype(int), len(gy) - 2)
    fu, fv, g = u - j, v - i, snapshot.grid
    p = ((g[i, j] * (1 - fu) + g[i, j + 1] * fu) * (1 - fv) + (g[i + 1, j] * (1 - fu) + g[i + 1, j + 1] * fu) * fv)
    assert np.abs(p - snapshot.threshold).max() < 0.05  # the 2x resampling (not quite bilinear) bends it a little


LIVE_CHART_JS = Path(__file__).resolve().parents[1] / "ui" / "live_chart.js"


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_players_level_segments_match_the_engines():
    source = LIVE_CHART_JS.read_text()
    function = re.search(r"^function levelSegments\(.*?^}$", source, re.S | re.M).group(0)
    rng = np.random.default_rng(0)
    grid = rng.random((12, 12))  # many saddles
    script = (f"{function}\nconst v = {json.dumps(grid.ravel().tolist())};\n"
              f"console.log(JSON.stringify(levelSegments(v, 12, 0.5)));")
    output = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=30).stdout
    players = np.array(json.loads(output)).reshape(-1, 4)
    engines = level_segments(grid, 0.5).reshape(-1, 4)

    assert len(players) > 20
    assert unordered(players.reshape(-1, 2, 2)) == unordered(engines.reshape(-1, 2, 2))
