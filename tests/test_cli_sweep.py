import json
import subprocess
import sys

import pytest

from binclf_core.cli import main
from tests.test_cli import FINAL_KEYS, run_cli


def sweep_json(capsys, *argv: str) -> list[dict]:
    code, out, _ = run_cli(capsys, "sweep", *argv, "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"runs"}
    return result["runs"]


def test_sweep_prints_one_entry_per_combination_with_config_final_and_status(capsys):
    runs = sweep_json(capsys, "--lr", "0.01,0.1", "--seed", "1,2,3", "--epochs", "20")
    assert len(runs) == 6
    assert all(set(run) == {"config", "final", "status"} for run in runs)
    assert all(set(run["final"]) == FINAL_KEYS and run["status"] == "completed" for run in runs)
    assert [(r["config"]["lr"], r["config"]["seed"]) for r in runs] == [
        (lr, seed) for lr in (0.01, 0.1) for seed in (1, 2, 3)]


@pytest.mark.parametrize("argv", [
    ["--lr", "0.01,0.3", "--seed", "4,5", "--epochs", "60"],
    ["--model", "mlp", "--hidden", "8;16,16", "--loss", "bce,hinge", "--optimizer", "adam", "--lr", "0.02",
     "--epochs", "30", "--dataset", "moons"],
    ["--loss", "weighted_bce", "--pos-weight", "balanced,3", "--batch-size", "0,64", "--noise", "1,2",
     "--epochs", "15", "--positive-fraction", "0.3"],
    ["--optimizer", "sgd,nesterov,adamw", "--schedule", "step,cosine", "--momentum", "0.7", "--epochs", "12"],
])
def test_each_final_equals_train_json_for_the_same_single_values(capsys, argv):
    for run in sweep_json(capsys, *argv):
        config = run["config"]
        single = [f"--{key.replace('_', '-')}=" + (",".join(map(str, value)) if isinstance(value, list) else str(value))
                  for key, value in config.items() if value is not None]
        code, out, _ = run_cli(capsys, "train", *single, "--json")
        assert code == 0
        trained = json.loads(out)
        assert trained["config"] == config and trained["status"] == run["status"]
        for key, value in trained["final"].items():
            assert run["final"][key] == pytest.approx(value, rel=1e-3), key


def test_a_diverged_combination_is_reported_and_the_others_complete(capsys):
    runs = sweep_json(capsys, "--model", "mlp", "--lr", "0.1,1e12", "--epochs", "40")
    assert [r["status"] for r in runs] == ["completed", "diverged"]
    assert runs[1]["final"]["train_loss"] is None


def test_without_json_a_table_names_what_varied(capsys):
    code, out, _ = run_cli(capsys, "sweep", "--lr", "0.01,0.1", "--epochs", "10")
    assert code == 0 and len(out.splitlines()) == 2
    assert out.startswith("lr 0.01") and "test accuracy" in out and "completed" in out


@pytest.mark.parametrize(("argv", "says"), [
    (["--lr", "0.1,fast"], "'fast' is not a number"),
    (["--lr", "0.1,,1"], "empty item"),
    (["--seed", ","], "empty item"),
    (["--loss", "bce,square"], "unknown loss 'square'"),
    (["--lr=-0.1,0.1"], "lr must be a number above 0"),
    (["--pos-weight", "2,-1", "--loss", "weighted_bce"], "pos-weight must be a number above 0"),
    (["--hidden", "8;;4"], "empty item"),
    (["--batch-size", "32,-5"], "batch-size must be 0"),
    (["--lr", ",".join(["0.1"] * 11), "--seed", ",".join(map(str, range(10)))], "at most 100"),
])
def test_bad_lists_exit_2_with_one_error_line(capsys, argv, says):
    code, out, err = run_cli(capsys, "sweep", *argv, "--json")
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert code == 2 and out == "" and len(errors) == 1 and says in errors[0]


def test_sweep_help_lists_the_list_flags(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    help_text = capsys.readouterr().out
    assert all(flag in help_text for flag in ("--lr", "--seed", "--hidden", "--loss", "--pos-weight",
                                              "--batch-size", "--noise", "--json"))


def test_the_module_runs_a_sweep_as_a_process():
    done = subprocess.run([sys.executable, "-m", "binclf_core", "sweep", "--lr", "0.1,0.2", "--epochs", "5", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and len(json.loads(done.stdout)["runs"]) == 2
