import json
import subprocess
import sys
import threading

import pytest
import torch
from sklearn.linear_model import LogisticRegression

from binclf_core.config import RunConfig
from binclf_core.model.training import TrainingRun


def sklearn_test_accuracy(run: TrainingRun) -> float:
    d = run.dataset
    reference = LogisticRegression().fit(d.x_train.numpy(), d.y_train.numpy())
    return reference.score(d.x_test.numpy(), d.y_test.numpy())


def trained(config: RunConfig) -> TrainingRun:
    run = TrainingRun(config)
    run.step(config.epochs)
    return run


def test_logistic_reaches_sklearns_accuracy_on_the_tutorial_blobs(tutorial_config):
    run = trained(tutorial_config.with_changes(optimizer="adam", lr=0.1, epochs=1000))
    assert run.final_metrics()["test_accuracy"] >= sklearn_test_accuracy(run)


def test_the_tutorial_sgd_run_gets_within_one_point_of_sklearn(tutorial_config):
    run = trained(tutorial_config)
    assert run.status == "completed" and run.epoch == 5000
    assert run.final_metrics()["test_accuracy"] >= sklearn_test_accuracy(run) - 0.01


@pytest.mark.parametrize("dataset", ["xor", "circles"])
def test_an_mlp_solves_what_logistic_regression_cannot(dataset):
    common = dict(dataset=dataset, optimizer="adam", lr=0.03, epochs=400, seed=1)
    mlp = trained(RunConfig(model="mlp", hidden=(16, 16), **common)).final_metrics()["test_accuracy"]
    logistic = trained(RunConfig(model="logistic", **common)).final_metrics()["test_accuracy"]
    assert mlp >= 0.9
    assert logistic <= 0.75


def test_weighted_bce_raises_minority_recall_on_imbalanced_data():
    common = dict(dataset="blobs", noise=3.0, positive_fraction=0.1, n_samples=1000, lr=0.05, epochs=300, seed=0)
    plain = trained(RunConfig(loss="bce", **common)).final_metrics()["test_recall"]
    weighted = trained(RunConfig(loss="weighted_bce", pos_weight="balanced", **common)).final_metrics()["test_recall"]
    assert weighted > plain + 0.1


def test_balanced_pos_weight_comes_from_the_training_split():
    run = TrainingRun(RunConfig(loss="weighted_bce", positive_fraction=0.2, n_samples=500))
    y = run.dataset.y_train
    assert run.pos_weight == pytest.approx((len(y) - y.sum().item()) / y.sum().item())


@pytest.mark.parametrize("batch_size", [0, 32])
def test_the_same_seed_repeats_the_history_exactly(batch_size):
    config = RunConfig(dataset="moons", model="mlp", optimizer="adam", batch_size=batch_size, epochs=60)
    assert trained(config).history == trained(config).history
    assert trained(config.with_changes(seed=3)).history != trained(config).history


def test_stepping_in_pieces_equals_one_long_step():
    config = RunConfig(dataset="spiral", model="mlp", batch_size=50, epochs=40)
    pieces = TrainingRun(config)
    for n in (1, 7, 12, 100):
        pieces.step(n)
    assert pieces.history == trained(config).history


def test_history_is_plain_json_with_one_record_per_epoch():
    run = trained(RunConfig(epochs=25))
    assert [r["epoch"] for r in run.history] == list(range(1, 26))
    assert json.loads(json.dumps(run.history)) == run.history
    assert all(0 <= r["test_accuracy"] <= 1 for r in run.history)


def test_training_losses_fall_on_an_easy_problem():
    history = trained(RunConfig(epochs=100)).history
    assert history[-1]["train_loss"] < history[0]["train_loss"] / 2
    assert history[-1]["test_loss"] < history[0]["test_loss"] / 2


def test_a_huge_learning_rate_is_reported_as_diverged_not_raised():
    run = TrainingRun(RunConfig(model="mlp", lr=1e10, epochs=100))
    run.step(100)
    assert run.status == "diverged" and run.finished
    assert "Lower the learning rate" in run.message
    assert all(torch.isfinite(torch.tensor(r["train_loss"])) for r in run.history)
    assert run.step(10) == 0
    snapshot = run.snapshot()  # still drawable
    assert snapshot.status == "diverged" and (snapshot.grid >= 0).all()
    run.update_live(lr=0.1)  # after diverging (at its first epoch, too) a change is one of the run that trained
    assert run.changes == [{"epoch": run.epoch, "lr": 0.1}] and run.initial_config.lr == 1e10


def test_step_never_passes_the_epoch_budget_and_raising_epochs_resumes():
    run = TrainingRun(RunConfig(epochs=10))
    assert run.step(25) == 10 and run.status == "completed"
    run.update_live(epochs=15)
    assert run.status == "ready" and run.step(25) == 5


def test_step_for_trains_at_least_one_epoch_and_respects_its_cap():
    run = TrainingRun(RunConfig(epochs=1000))
    assert run.step_for(0.0, max_epochs=50) == 1
    assert run.step_for(10.0, max_epochs=50) == 50


def test_live_learning_rate_reaches_the_optimizer_and_structural_changes_are_refused():
    run = TrainingRun(RunConfig(lr=0.1))
    run.update_live(lr=0.5, threshold=0.3)
    assert run.optimizer.param_groups[0]["lr"] == 0.5 and run.config.threshold == 0.3
    with pytest.raises(ValueError, match="start a new one"):
        run.update_live(model="mlp")


def test_snapshot_holds_what_a_view_needs():
    run = trained(RunConfig(dataset="moons", model="mlp", epochs=30))
    snap = run.snapshot(grid_size=40)
    n = len(run.dataset.y_all)
    assert snap.epoch == 30 and snap.grid.shape == (40, 40) and snap.probabilities.shape == (n,)
    assert snap.grid_x.shape == (40,) and snap.grid_x[0] < snap.grid_x[-1]
    assert set(snap.metrics) == {"train", "test"}
    assert {"accuracy", "precision", "recall", "f1", "roc_auc", "confusion_matrix"} <= set(snap.metrics["test"])
    # grid[i, j] is the probability at (grid_x[j], grid_y[i])
    i, j = 5, 31
    point = torch.tensor([[snap.grid_x[j], snap.grid_y[i]]])
    assert snap.grid[i, j] == pytest.approx(torch.sigmoid(run.evaluate(point)).item(), abs=1e-6)


def test_threshold_changes_the_snapshot_metrics():
    run = trained(RunConfig(dataset="blobs", noise=3.0, epochs=50))
    low = run.snapshot().metrics["test"]["recall"]
    run.update_live(threshold=0.95)
    assert run.snapshot().metrics["test"]["recall"] < low


def test_two_threads_stepping_one_run_never_interleave_epochs():
    run = TrainingRun(RunConfig(model="mlp", epochs=400))
    workers = [threading.Thread(target=lambda: [run.step(5) for _ in range(40)]) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert [r["epoch"] for r in run.history] == list(range(1, 401))
    assert run.history == trained(RunConfig(model="mlp", epochs=400)).history


def _train_in_a_worker_thread(config: RunConfig) -> tuple[TrainingRun, list[int]]:
    """Train as the app and the frame producer do: in a thread started after the engine was imported."""
    calls: list[int] = []
    result: list[TrainingRun] = []
    original = torch.set_num_threads

    def recording(n: int) -> None:
        calls.append(threading.get_ident())
        original(n)

    def work() -> None:
        torch.set_num_threads = recording
        try:
            result.append(trained(config))
        finally:
            torch.set_num_threads = original

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    return result[0], [ident for ident in calls if ident == worker.ident]


def test_a_run_trained_in_a_worker_thread_equals_the_main_thread_run_bit_for_bit(tmp_path):
    from binclf_core.teach.export import export_script
    from binclf_core.teach.presets import PRESETS

    config = PRESETS["moons_hinge"].config()
    main_run = trained(config)
    worker_run, worker_sets = _train_in_a_worker_thread(config)
    assert worker_sets, "the worker thread trained without setting torch's thread pool for itself"
    assert worker_run.history == main_run.history
    script = tmp_path / "run.py"
    script.write_text(export_script(config))
    printed = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True, cwd=tmp_path)
    final = json.loads(printed.stdout.strip().splitlines()[-1])
    assert final["test_accuracy"] == worker_run.final_metrics()["test_accuracy"]
    assert final["train_loss"] == pytest.approx(worker_run.final_metrics()["train_loss"], rel=1e-6)


def test_stepping_through_every_batch_of_epochs_trains_exactly_as_whole_epochs():
    config = RunConfig(dataset="moons", model="mlp", hidden=(6,), optimizer="momentum", batch_size=64, epochs=6)
    whole, through = TrainingRun(config), TrainingRun(config)
    whole.step(3)
    steps = []
    while through.epoch < 2:
        steps.append(through.step_batch())
    steps.append(through.step_batch())  # the first batch of epoch 3, then the rest of it as one step
    through.step(1)
    assert [s.batches for s in steps] == [5] * 11 and [s.batch for s in steps] == [1, 2, 3, 4, 5] * 2 + [1]
    assert [s.epoch for s in steps] == [1] * 5 + [2] * 5 + [3]
    assert through.history == whole.history
    for a, b in zip(whole.model.parameters(), through.model.parameters(), strict=True):
        assert torch.equal(a, b)


def test_a_batch_step_reports_its_points_losses_and_update():
    run = TrainingRun(RunConfig(lr=0.2, batch_size=32, epochs=3))
    before = run.final_metrics()["train_loss"]
    step = run.step_batch()
    assert len(step.indices) == 32 and len(set(step.indices.tolist())) == 32
    assert step.loss_before == pytest.approx(before, rel=1e-6)
    assert step.loss_after == pytest.approx(run.final_metrics()["train_loss"], rel=1e-6)
    torch.testing.assert_close(step.weights_after - step.weights_before, -0.2 * step.gradient)  # SGD: w -= lr·g
    x, y = run.dataset.x_train[step.indices], run.dataset.y_train[step.indices]
    assert step.batch_loss_after == pytest.approx(float(run._loss(run.evaluate(x), y)), rel=1e-6)
    assert step.batch_loss_after < step.batch_loss_before  # a small SGD step on a batch lowers its loss


def test_a_full_batch_step_takes_every_training_point_and_ends_the_epoch():
    run = TrainingRun(RunConfig(epochs=2))
    step = run.step_batch()
    assert len(step.indices) == len(run.dataset.y_train) and (step.batch, step.batches, run.epoch) == (1, 1, 1)
    run.step(1)
    assert run.step_batch() is None


FINAL_NUMBERS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


@pytest.mark.parametrize("config", [RunConfig(epochs=40), RunConfig(dataset="moons", model="mlp", batch_size=32,
                                                                   optimizer="adam", lr=0.01, epochs=15)],
                         ids=["full-batch", "mini-batch"])
def test_the_last_record_the_snapshot_and_the_final_numbers_are_one_evaluation_of_the_model_now(config):
    run = trained(config)
    final, snapshot = run.final_metrics(), run.snapshot()
    assert {key: run.history[-1][key] for key in FINAL_NUMBERS} == {key: final[key] for key in FINAL_NUMBERS}
    assert snapshot.numbers == {key: final[key] for key in FINAL_NUMBERS}
    assert final["train_accuracy"] == snapshot.metrics["train"]["accuracy"]  # the tiles' own accuracy
    assert final["test_accuracy"] == snapshot.metrics["test"]["accuracy"]
    with torch.no_grad():  # the record is the model as the epoch left it, not the mean over its batches
        assert final["train_loss"] == pytest.approx(float(run._loss(run.evaluate(run.dataset.x_train),
                                                                    run.dataset.y_train)), rel=1e-6)


def test_a_past_epochs_snapshot_numbers_are_that_epochs_record():
    run = trained(RunConfig(epochs=12))
    past = run.snapshot(epoch=6)
    assert past.numbers == {key: run.history[5][key] for key in FINAL_NUMBERS}


def test_every_live_change_after_training_began_is_recorded_with_its_epoch_as_plain_json():
    run = TrainingRun(RunConfig(lr=0.01, epochs=100))
    run.update_live(lr=0.02, epochs=60)  # before any training: the run simply starts with these
    run.step(27)
    run.update_live(lr=0.05)
    run.update_live(lr=0.05, threshold=0.5)  # no new value: nothing to record
    run.step(10)
    run.update_live(threshold=0.6, reg_rate=0.01)
    assert run.initial_config == RunConfig(lr=0.02, epochs=60) and run.config.lr == 0.05
    assert run.changes == [{"epoch": 27, "lr": 0.05}, {"epoch": 37, "threshold": 0.6, "reg_rate": 0.01}]
    assert json.loads(json.dumps(run.changes)) == run.changes
    assert [record["lr"] for record in run.history[26:28]] == [0.02, 0.05]


def test_a_change_between_the_updates_of_an_epoch_records_how_many_it_had_made():
    run = TrainingRun(RunConfig(batch_size=100, epochs=5))
    run.step(2)
    run.step_batch()
    run.step_batch()
    run.update_live(lr=0.3)
    assert run.changes == [{"epoch": 2, "batch": 2, "lr": 0.3}]


def test_a_new_threshold_gives_new_final_numbers_at_once():
    run = trained(RunConfig(dataset="blobs", noise=3.0, epochs=50))
    run.update_live(threshold=0.95)
    final, snapshot = run.final_metrics(), run.snapshot()
    assert final["test_accuracy"] == snapshot.numbers["test_accuracy"] == snapshot.metrics["test"]["accuracy"]
    assert final["train_accuracy"] == snapshot.metrics["train"]["accuracy"] != run.history[-1]["train_accuracy"]
