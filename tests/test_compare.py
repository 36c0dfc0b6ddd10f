import plotly.graph_objects as go
import pytest

from binclf_core.config import RunConfig
from binclf_core.explore.compare import (
    boundaries_side_by_side,
    comparison_rows,
    curves_overlay,
    differing_settings,
    effective_settings,
    subplot_title,
)
from binclf_core.explore.runs import RunRecord
from binclf_core.model.training import TrainingRun


def record(number: int, config: RunConfig, epochs: int = 5) -> RunRecord:
    run = TrainingRun(config)
    run.step(epochs)
    return RunRecord.of(number, run)


@pytest.fixture(scope="module")
def records() -> list[RunRecord]:
    return [record(1, RunConfig(dataset="moons")), record(2, RunConfig(dataset="moons", loss="hinge", lr=0.5)),
            record(3, RunConfig(dataset="circles", model="mlp"), epochs=8)]


def test_only_the_settings_that_differ_are_listed():
    assert differing_settings([RunConfig(), RunConfig(lr=0.5, loss="hinge")]) == ["loss", "lr"]
    assert differing_settings([RunConfig(), RunConfig()]) == []


def test_settings_a_run_ignores_do_not_count_as_differences():
    assert "hidden" not in effective_settings(RunConfig(hidden=(4,)))
    assert differing_settings([RunConfig(hidden=(4,)), RunConfig(hidden=(16,))]) == []
    assert differing_settings([RunConfig(model="mlp", hidden=(4,)), RunConfig(model="mlp", hidden=(16,))]) == ["hidden"]


def test_the_table_has_one_row_per_run_with_its_differences_and_final_metrics(records):
    rows = comparison_rows(records)
    assert [row["run"] for row in rows] == [r.label for r in records]
    assert {"dataset", "noise", "model", "loss", "lr", "hidden", "activation"} <= set(rows[0])
    assert "seed" not in rows[0]
    assert [row["loss"] for row in rows] == ["bce", "hinge", "bce"]
    assert [row["hidden"] for row in rows] == ["–", "–", "8,8"]
    assert [row["epochs trained"] for row in rows] == [5, 5, 8]
    assert rows[2]["test accuracy"] == records[2].final["test_accuracy"]


def test_the_curves_overlay_has_four_curves_per_run_and_one_legend_entry_each(records):
    figure = curves_overlay(records)
    assert len(figure["data"]) == 4 * len(records)
    assert [t["name"] for t in figure["data"] if t["showlegend"]] == [r.label for r in records]
    go.Figure(figure)  # plotly accepts it


def test_the_boundaries_share_their_axes_and_each_has_its_own_picture(records):
    figure = boundaries_side_by_side(records)
    layout = figure["layout"]
    x_axes = [layout[k] for k in ("xaxis", "xaxis2", "xaxis3")]
    y_axes = [layout[k] for k in ("yaxis", "yaxis2", "yaxis3")]
    assert all(a["range"] == x_axes[0]["range"] for a in x_axes)
    assert all(a["range"] == y_axes[0]["range"] for a in y_axes)
    for r in records:  # every run's grid lies within the shared ranges
        assert x_axes[0]["range"][0] <= r.snapshot.grid_x[0] and r.snapshot.grid_x[-1] <= x_axes[0]["range"][1]
    assert [(i["xref"], i["yref"]) for i in layout["images"]] == [("x", "y"), ("x2", "y2"), ("x3", "y3")]
    assert {t["xaxis"] for t in figure["data"]} == {"x", "x2", "x3"}
    differing = differing_settings([r.config for r in records])
    assert [a["text"] for a in layout["annotations"]] == [subplot_title(r, differing) for r in records]
    assert all(a["text"].startswith(f"#{r.number}") and max(map(len, a["text"].split("<br>"))) <= 30
               for a, r in zip(layout["annotations"], records, strict=True))
    go.Figure(figure)


def test_more_runs_than_columns_wrap_onto_rows(records):
    layout = boundaries_side_by_side(records, columns=2)["layout"]
    assert layout["xaxis3"]["domain"] == layout["xaxis"]["domain"]
    assert layout["yaxis3"]["domain"][1] < layout["yaxis"]["domain"][0]


def test_momentum_counts_as_a_difference_only_for_the_optimizers_that_use_it():
    assert differing_settings([RunConfig(momentum=0.5), RunConfig()]) == []
    assert differing_settings([RunConfig(optimizer="momentum", momentum=0.5),
                               RunConfig(optimizer="momentum")]) == ["momentum"]


def test_optimizers_race_on_one_landscape_and_a_run_on_another_surface_is_left_out():
    from binclf_core.explore.compare import landscape_overlay
    from binclf_core.explore.path import plane_for
    from tests.test_figures import decode

    base = RunConfig(dataset="moons", model="mlp", hidden=(6,), lr=0.05)
    racers = [record(1, base, 30), record(2, base.with_changes(optimizer="momentum"), 30),
              record(3, base.with_changes(optimizer="adam", lr=0.02), 30)]
    other = record(4, base.with_changes(loss="hinge"), 5)
    figure, left_out = landscape_overlay([*racers, other])
    go.Figure(figure)
    assert left_out == [other]
    paths = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in paths] == [r.label for r in racers]
    plane = plane_for(TrainingRun(base).model, base.seed)
    centre = plane.coordinates(racers[0].checkpoint["weights"])
    for trace, racer in zip(paths, racers, strict=True):
        end = plane.coordinates(racer.checkpoint["weights"]) - centre  # drawn around the first run's weights
        assert decode(trace["x"])[-1] == pytest.approx(end[0], abs=1e-5)
        assert decode(trace["y"])[-1] == pytest.approx(end[1], abs=1e-5)
    assert len({float(decode(t["x"])[-1]) for t in paths}) == 3  # three optimizers, three places
