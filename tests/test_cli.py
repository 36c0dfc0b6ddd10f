import json
import subprocess
import sys

import pytest

from binclf_core.cli import main

FINAL_KEYS = {"train_loss", "test_loss", "train_accuracy", "test_accuracy",
              "test_precision", "test_recall", "test_f1", "test_roc_auc"}
HISTORY_KEYS = {"train_loss", "test_loss", "train_accuracy", "test_accuracy", "lr"}  # lr: the rate each epoch used


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def test_json_holds_the_whole_contract(capsys):
    code, out, _ = run_cli(capsys, "train", "--dataset", "moons", "--model", "mlp", "--hidden", "8,4",
                           "--epochs", "30", "--loss", "weighted_bce", "--pos-weight", "2", "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"config", "final", "history", "status", "message", "parameters"}
    config = result["config"]
    assert config["dataset"] == "moons" and config["hidden"] == [8, 4] and config["pos_weight"] == 2.0
    assert {"lr", "n_samples", "positive_fraction", "test_fraction", "batch_size", "threshold", "csv"} <= set(config)
    assert set(result["final"]) == FINAL_KEYS
    assert set(result["history"]) == HISTORY_KEYS
    assert all(len(values) == 30 for values in result["history"].values())
    assert result["status"] == "completed" and result["message"] == ""


def test_final_equals_the_engine_run_with_the_same_settings(capsys):
    from binclf_core.config import RunConfig
    from binclf_core.training import TrainingRun

    _, out, _ = run_cli(capsys, "train", "--epochs", "40", "--seed", "7", "--json")
    run = TrainingRun(RunConfig(epochs=40, seed=7))
    run.step(40)
    assert json.loads(out)["final"] == run.final_metrics()


def test_diverged_run_exits_zero_with_status_and_advice(capsys):
    code, out, _ = run_cli(capsys, "train", "--model", "mlp", "--lr", "1e10", "--epochs", "50", "--json")
    result = json.loads(out)
    assert code == 0 and result["status"] == "diverged" and "learning rate" in result["message"]


def test_human_summary_is_short_and_readable(capsys):
    code, out, _ = run_cli(capsys, "train", "--epochs", "20")
    assert code == 0
    assert "20/20 epochs: completed" in out and "test" in out and len(out.splitlines()) <= 6


def test_help_shows_every_flag_with_its_default(capsys):
    code, out, _ = run_cli(capsys, "train", "--help")
    assert code == 0
    for flag in ("--dataset", "--csv", "--n-samples", "--noise", "--positive-fraction", "--test-fraction",
                 "--seed", "--model", "--hidden", "--activation", "--loss", "--pos-weight", "--optimizer",
                 "--lr", "--epochs", "--batch-size", "--threshold", "--json", "--features", "--scale",
                 "--regularization", "--reg-rate"):
        assert flag in out
    assert "default: 400" in out and "default: blobs" in out


BAD_FLAGS = [
    ["--dataset", "swirl"], ["--lr", "0"], ["--lr", "-1"], ["--lr", "fast"], ["--n-samples", "0"],
    ["--test-fraction", "0"], ["--test-fraction", "1.5"], ["--positive-fraction", "1"], ["--epochs", "-1"],
    ["--hidden", "8,x"], ["--hidden", ""], ["--loss", "mse"], ["--pos-weight", "heavy"], ["--pos-weight", "-2"],
    ["--model", "svm"], ["--activation", "swish"], ["--optimizer", "lbfgs"], ["--schedule", "linear"],
    ["--momentum", "1.5"], ["--optimizer", "nesterov", "--momentum", "0"], ["--batch-size", "-1"],
    ["--threshold", "2"], ["--noise", "-1"], ["--dataset", "csv"], ["--dataset", "csv", "--csv", "/no/such.csv"],
    ["--dataset", "drawn"], ["--unknown-flag"],
    ["--features", "x1,x3"], ["--features", ""], ["--scale", "minmax"], ["--regularization", "l3"],
    ["--reg-rate", "-0.1"], ["--reg-rate", "lots"],
]


@pytest.mark.parametrize("flags", BAD_FLAGS, ids=" ".join)
def test_bad_flags_exit_2_with_one_error_line(capsys, flags):
    code, out, err = run_cli(capsys, "train", *flags)
    assert code == 2 and out == ""
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and len(error_lines[0]) > len("error: ") + 10
    assert "Traceback" not in err


def test_a_bad_csv_is_an_error_line_not_a_traceback(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("x,y,label\n1,2,a\n3,4,b\n5,6,c\n")
    code, _, err = run_cli(capsys, "train", "--dataset", "csv", "--csv", str(path))
    assert code == 2 and err.splitlines()[-1].startswith("error: the label column needs exactly 2")


def test_a_csv_too_small_for_its_test_fraction_is_an_error_line(tmp_path, capsys):
    path = tmp_path / "eight.csv"
    path.write_text("x,y,label\n" + "".join(f"{i},{i % 3},{i // 4}\n" for i in range(8)))
    code, _, err = run_cli(capsys, "train", "--dataset", "csv", "--csv", str(path), "--test-fraction", "0.1")
    assert code == 2 and "Traceback" not in err
    assert err.splitlines()[-1].startswith("error: a test fraction of 0.1 leaves 7 of 8 points for training")


def test_the_module_runs_as_a_real_process():
    done = subprocess.run([sys.executable, "-m", "binclf_core", "train", "--epochs", "5", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "completed"
    bad = subprocess.run([sys.executable, "-m", "binclf_core", "train", "--lr", "0"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.splitlines()[-1].startswith("error: lr must be")


def test_parameters_hold_the_final_state_dict_as_nested_lists(capsys):
    argv = ["--model", "mlp", "--hidden", "3", "--features", "x1,x2,x1_x2", "--scale", "standard",
            "--regularization", "l1", "--reg-rate", "0.01", "--epochs", "20"]
    code, out, _ = run_cli(capsys, "train", *argv, "--json")
    assert code == 0
    parameters = json.loads(out)["parameters"]
    from binclf_core.cli import build_parser, config_from_args
    from binclf_core.training import TrainingRun

    run = TrainingRun(config_from_args(build_parser().parse_args(["train", *argv])))
    run.step(20)
    expected = run.state_dict()
    assert list(parameters) == list(expected)
    assert {"layers.0.weight", "layers.0.bias", "features.mean", "features.std"} <= set(parameters)
    for name, value in expected.items():
        assert parameters[name] == value.tolist()
    assert len(parameters["layers.0.weight"]) == 3 and len(parameters["layers.0.weight"][0]) == 3
