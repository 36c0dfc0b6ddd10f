"""The export contract: the script, run alone from a folder outside the project, reproduces `train --json`."""

import ast
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import make_moons

from binclf_core.cli.main import main
from binclf_core.config import DRAWN, RunConfig
from binclf_core.data.drawn import DrawnPoints
from binclf_core.errors import ConfigError
from binclf_core.model.training import TrainingRun
from binclf_core.teach.export import export_script
from binclf_core.teach.export_data import _number

CONFIGS = {  # both models, all three losses, mini-batches, adam, several datasets, a bug
    "logistic-bce-blobs": ["--epochs", "60"],
    "mlp-hinge-moons-minibatch": ["--dataset", "moons", "--model", "mlp", "--hidden", "8,4", "--loss", "hinge",
                                  "--batch-size", "32", "--epochs", "15"],
    "mlp-weighted-adam-circles": ["--dataset", "circles", "--model", "mlp", "--activation", "tanh",
                                  "--loss", "weighted_bce", "--positive-fraction", "0.2", "--optimizer", "adam",
                                  "--lr", "0.01", "--epochs", "40"],
    "logistic-weighted-number-classification": ["--dataset", "classification", "--loss", "weighted_bce",
                                                "--pos-weight", "3", "--batch-size", "50", "--epochs", "10"],
    "mlp-xor-no-zero-grad": ["--dataset", "xor", "--model", "mlp", "--bug", "no_zero_grad", "--epochs", "20"],
    "diverging-lr": ["--dataset", "spiral", "--model", "mlp", "--lr", "1e12", "--epochs", "20"],
    "features-l1-standard": ["--features", "x1,x2,x1_squared,x2_squared,x1_x2,sin_x1,sin_x2", "--scale", "standard",
                             "--regularization", "l1", "--reg-rate", "0.05", "--epochs", "200"],
    "mlp-features-l2-minibatch-adam": ["--dataset", "circles", "--model", "mlp", "--hidden", "6,4", "--activation",
                                       "gelu", "--features", "x1_squared,x2_squared,x1_x2", "--regularization", "l2",
                                       "--reg-rate", "0.01", "--optimizer", "adam", "--lr", "0.02",
                                       "--batch-size", "32", "--epochs", "20"],
}
OPTIMIZER_CONFIGS = {  # every optimizer, every schedule, once each at least, on an MLP with mini-batches
    f"{optimizer}-{schedule}": ["--dataset", "moons", "--model", "mlp", "--hidden", "6", "--optimizer", optimizer,
                                "--schedule", schedule, "--lr", lr, "--momentum", "0.8", "--batch-size", "100",
                                "--epochs", "12"]
    for optimizer, schedule, lr in [("sgd", "step", "0.3"), ("momentum", "cosine", "0.1"),
                                    ("nesterov", "warmup_cosine", "0.1"), ("rmsprop", "constant", "0.01"),
                                    ("adam", "step", "0.02"), ("adamw", "warmup_cosine", "0.02")]
}
FINAL_NUMBERS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
ALLOWED_IMPORTS = {"torch", "numpy", "sklearn", "__future__", "json", "math", "collections"}


def cli_json(capsys, argv: list[str]) -> dict:
    assert main(["train", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def export(tmp_path, capsys, argv: list[str], name: str = "run.py"):
    path = tmp_path / name
    assert main(["export", *argv, "--output", str(path)]) == 0
    capsys.readouterr()
    return path


def run_script(path) -> dict:
    """Run the script in its own folder, with no path back to the project, and parse its last line."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, path.name], cwd=path.parent, env=env, capture_output=True, text=True,
                          timeout=240, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [*CONFIGS.values(), *OPTIMIZER_CONFIGS.values()],
                         ids=[*CONFIGS.keys(), *OPTIMIZER_CONFIGS.keys()])
def test_the_exported_script_reproduces_train_json(tmp_path, capsys, argv):
    expected = cli_json(capsys, argv)
    got = run_script(export(tmp_path, capsys, argv))
    final = expected["final"]
    assert got["test_accuracy"] == final["test_accuracy"] and got["train_accuracy"] == final["train_accuracy"]
    for key in ("train_loss", "test_loss"):
        if final[key] is None:
            assert got[key] is None
        else:
            assert got[key] == pytest.approx(final[key], rel=1e-4)
    assert got["status"] == expected["status"] and got["epochs"] == len(expected["history"]["train_loss"])


def test_the_script_imports_only_torch_numpy_sklearn_and_the_standard_library(tmp_path, capsys):
    tree = ast.parse(export(tmp_path, capsys, CONFIGS["mlp-weighted-adam-circles"]).read_text())
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {m.split(".")[0] for m in modules} <= ALLOWED_IMPORTS
    assert not any("binclf_core" in (m or "") for m in modules)


def test_the_script_carries_only_the_generator_its_dataset_needs(tmp_path, capsys):
    text = export(tmp_path, capsys, ["--dataset", "xor"]).read_text()
    assert "def _xor(" in text and "def _moons(" not in text and "sklearn.datasets" not in text
    moons = export(tmp_path, capsys, ["--dataset", "moons"], "moons.py").read_text()
    assert "from sklearn.datasets import make_moons\n" in moons and "def _xor(" not in moons


def test_a_bug_is_written_into_the_script_where_it_happens(tmp_path, capsys):
    text = export(tmp_path, capsys, ["--bug", "no_step"]).read_text()
    assert "# BUG: no update (optimizer.step() is missing)" in text and "optimizer.step()  # update" not in text


def compare(got: dict, final: dict, status: str, epochs: int) -> None:
    """The script's last line against the engine's final metrics, as the generated datasets' test does."""
    assert got["test_accuracy"] == final["test_accuracy"] and got["train_accuracy"] == final["train_accuracy"]
    for key in ("train_loss", "test_loss"):
        assert got[key] == pytest.approx(final[key], rel=1e-4)
    assert got["status"] == status and got["epochs"] == epochs


def test_a_csv_travels_inside_the_script_and_reproduces_train_json(tmp_path, capsys):
    x, y = make_moons(90, noise=0.25, random_state=3)
    x = x * [1e3, 1e-3] + [5e4, 0.0]  # values float32 cannot hold exactly: the script must not round them again
    csv = tmp_path / "pets.csv"
    csv.write_text("width (mm),height,label\n" + "".join(f"{float(a)!r},{float(b)!r},{'dog' if c else 'cat'}\n"
                                                         for (a, b), c in zip(x, y, strict=True)))
    argv = ["--dataset", "csv", "--csv", str(csv), "--model", "mlp", "--hidden", "5", "--scale", "standard",
            "--batch-size", "16", "--epochs", "25"]
    expected = cli_json(capsys, argv)
    script = export(tmp_path, capsys, argv)
    assert "def make_data():" in script.read_text() and "pets.csv" in script.read_text()
    compare(run_script(script), expected["final"], expected["status"], len(expected["history"]["train_loss"]))


def test_drawn_points_travel_inside_the_script_and_reproduce_the_run(tmp_path):
    points = DrawnPoints()
    for i in range(12):  # two clouds that overlap a little, drawn anywhere on the canvas
        points = points.add(-1.3 + 0.31 * (i % 5), 0.7 - 0.23 * i, 0).add(0.9 - 0.29 * (i % 4), -0.4 + 0.19 * i, 1)
    config = RunConfig(dataset=DRAWN, model="mlp", hidden=(4,), batch_size=8, epochs=30, lr=0.3)
    run = TrainingRun(config, points.dataset(config.test_fraction, config.seed))
    run.step(config.epochs)
    script = tmp_path / "drawn.py"
    script.write_text(export_script(config, script.name, run.dataset))
    compare(run_script(script), run.final_metrics(), run.status, run.epoch)


def test_drawn_points_cannot_be_exported_without_their_run():
    with pytest.raises(ConfigError, match="drawn points travel only with the run"):
        export_script(RunConfig(dataset=DRAWN))


@pytest.mark.parametrize("seed", range(3))
def test_each_written_point_reads_back_as_the_same_float32(seed):
    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.normal(0, 1, 2000), rng.normal(0, 1, 2000) * 10.0 ** rng.integers(-40, 38, 2000),
                             [np.finfo(np.float32).max, np.finfo(np.float32).tiny, 0.1, -0.0]]).astype(np.float32)
    written = [_number(v) for v in values]
    assert np.array_equal(np.array([float(text) for text in written]).astype(np.float32), values)


def test_an_unwritable_output_is_one_error_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--output", str(tmp_path / "no-such-folder" / "run.py")])
    assert exit_.value.code == 2
    assert "error: cannot write" in capsys.readouterr().err


def replayed_script_final(tmp_path, run) -> dict:
    """Export `run` as it trained (its first settings and its recorded changes), run the script, parse its JSON."""
    path = tmp_path / "run.py"
    path.write_text(export_script(run.initial_config, path.name, changes=run.changes))
    return run_script(path)


def assert_same_final(got: dict, run) -> None:
    final = run.final_metrics()
    assert {key: got[key] for key in FINAL_NUMBERS} == {key: final[key] for key in FINAL_NUMBERS}
    assert got["epochs"] == run.epoch and got["status"] == run.status


def test_the_script_replays_a_mid_run_learning_rate_change_to_the_pages_numbers(tmp_path):
    run = TrainingRun(RunConfig(lr=0.01, epochs=300))
    run.step(27)
    run.update_live(lr=0.05)  # what the page does when the Learning rate changes while it trains
    run.step(300)
    assert run.changes == [{"epoch": 27, "lr": 0.05}]
    assert_same_final(replayed_script_final(tmp_path, run), run)


def test_the_script_replays_changes_between_updates_of_a_scheduled_regularized_run(tmp_path):
    run = TrainingRun(RunConfig(dataset="moons", model="mlp", hidden=(6,), optimizer="momentum",
                                schedule="cosine", regularization="l2", reg_rate=0.001, lr=0.2,
                                batch_size=64, epochs=30))
    run.step(8)
    run.step_batch()  # Step through: one mini-batch, then changes before the epoch's next update
    run.update_live(lr=0.05, reg_rate=0.01)
    run.step(10)
    run.update_live(epochs=25, threshold=0.6)
    run.step(30)
    assert [change.get("batch") for change in run.changes] == [1, None] and run.epoch == 25
    assert_same_final(replayed_script_final(tmp_path, run), run)
