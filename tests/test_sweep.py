import math
import threading
import time

import pytest
import torch

from binclf_core.config import ConfigError, RunConfig
from binclf_core.explore.sweep import (
    MAX_SWEEP_COMBINATIONS,
    combinations,
    fitting_base,
    log_range,
    parse_values,
    result_rows,
    run_sweep,
)
from binclf_core.explore.sweep_runner import (
    ABANDONED,
    CANCELLED,
    FINISHED,
    GONE_AFTER_SECONDS,
    QUEUED,
    SHARE,
    TRAINING,
    SweepRunner,
    estimate_seconds,
)
from binclf_core.model.networks import build_model
from binclf_core.model.training import TrainingRun

LRS_SEEDS = {"lr": [0.01, 0.1], "seed": [1, 2]}


def alone(config: RunConfig) -> TrainingRun:
    run = TrainingRun(config)
    run.step(config.epochs)
    return run


def assert_same_run(swept: TrainingRun, reference: TrainingRun) -> None:
    assert swept.status == reference.status and swept.epoch == reference.epoch
    for got, want in zip(swept.history, reference.history, strict=True):
        assert got == pytest.approx(want, rel=1e-4, abs=1e-6)
    got, want = swept.final_metrics(), reference.final_metrics()
    assert got == pytest.approx(want, rel=1e-4, abs=1e-6)
    for p, q in zip(swept.model.parameters(), reference.model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("loss", ["bce", "weighted_bce", "hinge"])
@pytest.mark.parametrize(("model", "batch_size"), [("logistic", 0), ("mlp", 0), ("mlp", 32), ("logistic", 50)])
def test_each_member_equals_the_same_run_trained_alone(optimizer, loss, model, batch_size):
    base = RunConfig(dataset="moons", model=model, hidden=(8, 4), optimizer=optimizer, loss=loss,
                     pos_weight=2.0, batch_size=batch_size, epochs=40)
    configs = combinations(base, LRS_SEEDS)
    for swept, config in zip(run_sweep(configs), configs, strict=True):
        assert_same_run(swept, alone(config))


def test_a_sweep_over_optimizers_and_schedules_gives_each_the_run_alone():
    base = RunConfig(dataset="moons", model="mlp", hidden=(6,), momentum=0.8, lr=0.05, batch_size=64, epochs=25)
    configs = combinations(base, {"optimizer": ["sgd", "momentum", "nesterov", "rmsprop", "adam", "adamw"],
                                  "schedule": ["constant", "warmup_cosine"]})
    runs = run_sweep(configs)
    assert [(r.config.optimizer, r.config.schedule) for r in runs] == [(c.optimizer, c.schedule) for c in configs]
    for swept, config in zip(runs, configs, strict=True):
        assert_same_run(swept, alone(config))


def test_members_with_their_own_noise_and_balanced_weight_equal_their_runs():
    base = RunConfig(dataset="circles", model="mlp", hidden=(6,), activation="tanh", loss="weighted_bce",
                     positive_fraction=0.3, optimizer="adam", lr=0.05, epochs=30)
    configs = combinations(base, {"noise": [0.05, 0.2], "seed": [3, 4]})
    for swept, config in zip(run_sweep(configs), configs, strict=True):
        assert_same_run(swept, alone(config))


def test_initial_weights_are_build_models_for_each_seed():
    configs = combinations(RunConfig(model="mlp", hidden=(5, 3), epochs=0), {"seed": [1, 7]})
    for swept, config in zip(run_sweep(configs), configs, strict=True):
        expected = build_model("mlp", (5, 3), "relu", config.seed)
        for p, q in zip(swept.model.parameters(), expected.parameters(), strict=True):
            assert torch.equal(p, q)


def test_a_diverged_member_stops_alone_and_the_others_are_untouched():
    configs = combinations(RunConfig(model="mlp", epochs=60), {"lr": [0.1, 1e12, 0.05]})
    swept = run_sweep(configs)
    reference = [alone(c) for c in configs]
    assert [r.status for r in swept] == ["completed", "diverged", "completed"]
    assert swept[1].epoch == reference[1].epoch < 60
    assert swept[1].message == reference[1].message and "Lower the learning rate" in swept[1].message
    assert swept[1].final_metrics() == reference[1].final_metrics()
    for i in (0, 2):
        assert_same_run(swept[i], reference[i])


def test_groups_that_cannot_share_an_architecture_each_train_and_keep_the_order():
    configs = combinations(RunConfig(model="mlp", epochs=20), {"hidden": [(4,), (8, 8)], "loss": ["bce", "hinge"]})
    swept = run_sweep(configs)
    assert [(r.config.hidden, r.config.loss) for r in swept] == [(c.hidden, c.loss) for c in configs]
    for run, config in zip(swept, configs, strict=True):
        assert_same_run(run, alone(config))


def test_progress_rises_to_one():
    seen = []
    run_sweep(combinations(RunConfig(epochs=30), {"lr": [0.1, 0.2], "loss": ["bce", "hinge"]}), progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0) and len(seen) >= 2  # one group, then the other


@pytest.mark.parametrize(("field", "text", "values"), [
    ("lr", "0.1, 1e-3,2", [0.1, 1e-3, 2.0]),
    ("seed", "1,2,3", [1, 2, 3]),
    ("hidden", "8;16,16", [(8,), (16, 16)]),
    ("loss", "bce,hinge", ["bce", "hinge"]),
    ("pos_weight", "balanced,2", ["balanced", 2.0]),
    ("batch_size", "0,32", [0, 32]),
    ("noise", "0.5", [0.5]),
])
def test_lists_parse_into_values(field, text, values):
    assert parse_values(field, text) == values


@pytest.mark.parametrize(("field", "text", "says"), [
    ("lr", "0.1,fast", "'fast' is not a number"),
    ("lr", "0.1,,1", "empty item"),
    ("lr", "", "empty item"),
    ("seed", "1,2.5", "'2.5' is not a whole number"),
    ("loss", "bce,square", "unknown loss 'square'"),
    ("hidden", "8;;4", "empty item"),
    ("hidden", "8;x", "hidden sizes must be positive whole numbers"),
])
def test_bad_lists_say_what_to_fix(field, text, says):
    with pytest.raises(ConfigError, match=says):
        parse_values(field, text)


def test_a_negative_rate_is_refused_when_the_combinations_are_built():
    with pytest.raises(ConfigError, match="lr must be a number above 0"):
        combinations(RunConfig(), {"lr": parse_values("lr", "0.1,-0.1")})


def test_combinations_are_the_cartesian_product_first_list_slowest():
    configs = combinations(RunConfig(), {"lr": [0.1, 0.2], "seed": [1, 2, 3]})
    assert [(c.lr, c.seed) for c in configs] == [(0.1, 1), (0.1, 2), (0.1, 3), (0.2, 1), (0.2, 2), (0.2, 3)]


def test_sweeps_above_the_cap_are_refused():
    side = math.isqrt(MAX_SWEEP_COMBINATIONS) + 1
    with pytest.raises(ConfigError, match=f"at most {MAX_SWEEP_COMBINATIONS}"):
        combinations(RunConfig(), {"lr": [0.1] * side, "seed": list(range(side))})
    with pytest.raises(ConfigError, match="too many"):
        run_sweep([RunConfig()] * (MAX_SWEEP_COMBINATIONS + 1))


def test_log_range_spans_the_ends_evenly_on_a_log_scale():
    values = log_range(1e-3, 1.0, 4)
    assert values == [0.001, 0.01, 0.1, 1.0]
    assert len(log_range(1e-3, 1.0, 8)) == 8
    with pytest.raises(ConfigError, match="0 < from < to"):
        log_range(1.0, 0.1, 5)


def test_varying_hidden_or_pos_weight_picks_the_model_or_loss_where_they_matter():
    base, notes = fitting_base(RunConfig(), ["hidden", "pos_weight"])
    assert base.model == "mlp" and base.loss == "weighted_bce" and len(notes) == 2
    assert fitting_base(RunConfig(), ["lr"]) == (RunConfig(), [])


def test_result_rows_hold_settings_final_metrics_and_status():
    runs = run_sweep(combinations(RunConfig(epochs=5), {"lr": [0.1, 0.2]}))
    rows = result_rows(runs)
    assert [row["lr"] for row in rows] == [0.1, 0.2]
    assert rows[0]["status"] == "completed" and rows[0]["epochs_trained"] == 5 and "test_roc_auc" in rows[0]


@pytest.mark.parametrize("regularization", ["l1", "l2"])
def test_members_with_features_and_a_penalty_equal_their_runs(regularization):
    base = RunConfig(dataset="moons", model="mlp", hidden=(6, 4), activation="gelu", features=("x1", "x2", "x1_x2"),
                     scale="standard", regularization=regularization, batch_size=32, epochs=25)
    configs = combinations(base, {"reg_rate": [0.01, 0.05], "seed": [1, 2]})
    for swept, config in zip(run_sweep(configs), configs, strict=True):
        assert_same_run(swept, alone(config))


def test_a_sweep_may_vary_the_features_and_the_scaling():
    assert parse_values("features", "x1,x2;x1_squared,x2_squared") == [("x1", "x2"), ("x1_squared", "x2_squared")]
    configs = combinations(RunConfig(dataset="circles", epochs=30), {
        "features": [("x1", "x2"), ("x1_squared", "x2_squared")], "scale": ["none", "standard"]})
    runs = run_sweep(configs)
    for swept, config in zip(runs, configs, strict=True):
        assert_same_run(swept, alone(config))
    with pytest.raises(ConfigError, match="features"):
        parse_values("features", "x1;x9")


# ---- the runner: in the background, paced, queued, stoppable -----------------------------------------
HEAVY = RunConfig(dataset="spiral", n_samples=1000, model="mlp", hidden=(32, 32), epochs=20000)


def heavy_sweep() -> list[RunConfig]:
    """8 combinations of 20,000 epochs of an MLP 32,32 on 1,000 points: minutes of training."""
    return combinations(HEAVY, {"lr": [0.01, 0.1], "seed": [1, 2, 3, 4]})


def test_the_estimate_is_within_3x_of_the_time_a_small_sweep_takes():
    batched = combinations(RunConfig(dataset="moons", model="mlp", hidden=(8,), epochs=400),
                           {"lr": [0.01, 0.1], "seed": [1, 2, 3]})
    configs = [*batched, RunConfig(optimizer="rmsprop", epochs=400)]  # and one that trains alone
    estimate = estimate_seconds(configs)
    started = time.perf_counter()
    runner = SweepRunner(configs).start()
    assert runner.wait(120) and runner.state == FINISHED
    seconds = time.perf_counter() - started
    assert estimate / 3 <= seconds <= estimate * 3, f"estimated {estimate:.2f} s, took {seconds:.2f} s"


def test_a_runner_gives_the_same_runs_as_run_sweep():
    configs = combinations(RunConfig(epochs=50), {"lr": [0.1, 0.5], "loss": ["bce", "hinge"]})
    runner = SweepRunner(configs).start()
    assert runner.wait(60) and runner.state == FINISHED and runner.fraction == 1.0
    assert result_rows(runner.runs) == result_rows(run_sweep(configs))


def test_cancel_stops_a_heavy_sweep_within_a_second():
    runner = SweepRunner(heavy_sweep()).start()
    time.sleep(1.0)
    assert runner.state == TRAINING and 0 < runner.fraction < 0.01
    asked = time.perf_counter()
    runner.cancel()
    assert runner.wait(5) and runner.state == CANCELLED and runner.runs is None
    assert runner.ended - asked < 1.0


def test_a_sweep_whose_starter_is_gone_stops_within_a_few_seconds():
    here = {"alive": True}
    runner = SweepRunner(heavy_sweep(), alive=lambda: here["alive"]).start()
    time.sleep(1.0)
    gone = time.perf_counter()
    here["alive"] = False
    assert runner.wait(10) and runner.state == ABANDONED
    assert runner.ended - gone < GONE_AFTER_SECONDS + 1.0


def test_a_brief_disconnection_does_not_stop_a_sweep():
    beats = iter([True, False, False, True])  # gone for less than GONE_AFTER_SECONDS, then back
    runner = SweepRunner(heavy_sweep(), alive=lambda: next(beats, True)).start()
    time.sleep(2.0)
    assert runner.state == TRAINING
    runner.cancel()
    runner.wait(5)


def test_a_sweep_takes_at_most_its_share_of_a_core():
    runner = SweepRunner(heavy_sweep()).start()
    time.sleep(1.0)  # past building its data and models
    cpu, wall = time.process_time(), time.perf_counter()  # the worker is this process's only busy thread
    time.sleep(4.0)
    share = (time.process_time() - cpu) / (time.perf_counter() - wall)
    runner.cancel()
    runner.wait(5)
    assert share <= SHARE + 0.15, f"the sweep took {share:.0%} of a core"


def cpu_share(seconds: float) -> float:
    """The share of a core this process used over the next `seconds`."""
    cpu, wall = time.process_time(), time.perf_counter()
    time.sleep(seconds)
    return (time.process_time() - cpu) / (time.perf_counter() - wall)


def test_a_sweep_alone_on_the_server_trains_flat_out_and_keeps_to_its_share_once_a_tab_trains():
    others = threading.Event()
    runner = SweepRunner(heavy_sweep(), others_training=others.is_set).start()
    time.sleep(1.0)  # past building its data and models
    alone = cpu_share(3.0)
    others.set()
    time.sleep(0.5)  # the slice under way when a tab began to train
    beside = cpu_share(3.0)
    runner.cancel()
    runner.wait(5)
    assert alone >= 0.6 and beside <= SHARE + 0.15, f"alone {alone:.0%}, beside a training tab {beside:.0%}"


def test_one_sweep_trains_at_a_time_and_the_next_waits_its_turn():
    first = SweepRunner(heavy_sweep()).start()
    second = SweepRunner(combinations(RunConfig(epochs=20), {"lr": [0.1, 0.2]})).start()
    time.sleep(1.0)
    assert first.state == TRAINING and second.state == QUEUED and second.ahead() == 1 and first.ahead() == 0
    first.cancel()
    assert second.wait(30) and second.state == FINISHED
