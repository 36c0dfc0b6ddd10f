import numpy as np
import pytest

from binclf_core.config import RunConfig
from binclf_core.explore.runs import MAX_RUNS, RECORD_GRID, RunRecord, RunStore
from binclf_core.model.training import HISTORY_KEYS, TrainingRun

MOONS_MLP = RunConfig(dataset="moons", model="mlp", hidden=(8, 8), loss="hinge", lr=0.1, epochs=40)


def trained(config: RunConfig, epochs: int) -> TrainingRun:
    run = TrainingRun(config)
    run.step(epochs)
    return run


def test_a_record_holds_the_runs_config_history_final_metrics_and_a_modest_snapshot():
    run = trained(MOONS_MLP, 25)
    record = RunRecord.of(3, run)
    assert record.label == "#3 moons · mlp 8,8 · hinge · lr 0.1"
    assert record.config == run.config and record.epoch == 25 and record.status == "ready"
    assert record.history == run.history_columns() and all(len(record.history[k]) == 25 for k in HISTORY_KEYS)
    assert record.final == run.final_metrics()
    assert record.snapshot.grid.shape == (RECORD_GRID, RECORD_GRID) and record.snapshot.epoch == 25
    assert record.dataset is run.dataset


def test_a_logistic_runs_label_names_no_hidden_sizes():
    assert RunRecord.of(1, trained(RunConfig(), 1)).label == "#1 blobs · logistic · bce · lr 0.1"


@pytest.mark.parametrize("config", [MOONS_MLP, MOONS_MLP.with_changes(optimizer="adam", batch_size=16, lr=0.01)],
                         ids=["sgd-full-batch", "adam-batches"])
def test_a_resumed_record_continues_exactly_as_the_run_would_have(config):
    whole = trained(config, 40)
    run = trained(config, 15)
    record = RunRecord.of(1, run)
    run.step(5)  # the run going on after it was kept must not change the record
    resumed = record.resume()
    assert resumed.epoch == 15
    resumed.step(25)
    assert resumed.history == whole.history
    np.testing.assert_array_equal(resumed.snapshot(20).grid, whole.snapshot(20).grid)


def test_a_resumed_record_keeps_the_changes_its_run_made_while_training():
    run = trained(MOONS_MLP.with_changes(lr=0.05), 10)
    run.update_live(lr=0.2)
    run.step(5)
    record = RunRecord.of(1, run)
    run.update_live(threshold=0.7)  # after it was kept: not the record's
    resumed = record.resume()
    assert resumed.changes == [{"epoch": 10, "lr": 0.2}] and resumed.initial_config.lr == 0.05
    assert record.final == resumed.final_metrics()


def test_a_record_too_big_to_checkpoint_resumes_from_the_start():
    run = trained(RunConfig(model="mlp", hidden=(512, 512, 512), optimizer="adam", epochs=3), 1)
    record = RunRecord.of(1, run)
    assert record.checkpoint is None and record.resume().epoch == 0


def test_the_store_keeps_trained_runs_once_and_updates_them_in_place():
    store = RunStore()
    untrained = TrainingRun(RunConfig())
    assert store.keep(untrained) is None and store.records == []
    run = trained(RunConfig(), 3)
    store.keep(run)
    store.keep(run)
    assert [r.number for r in store.records] == [1]
    run.step(4)
    store.keep(run)
    assert [(r.number, r.epoch) for r in store.records] == [(1, 7)]
    store.keep(trained(RunConfig(lr=0.5), 2))
    assert [r.label for r in store.records] == ["#1 blobs · logistic · bce · lr 0.1",
                                                "#2 blobs · logistic · bce · lr 0.5"]


def test_the_store_holds_the_last_runs_and_hands_back_the_oldest_it_drops():
    store = RunStore()
    dropped = [store.keep(trained(RunConfig(seed=seed), 1)) for seed in range(MAX_RUNS + 2)]
    assert dropped[:MAX_RUNS] == [None] * MAX_RUNS
    assert [d.number for d in dropped[MAX_RUNS:]] == [1, 2]
    assert [r.number for r in store.records] == list(range(3, MAX_RUNS + 3))


def test_an_opened_run_becomes_a_new_run_only_once_it_trains_further():
    store = RunStore()
    store.keep(trained(RunConfig(), 5))
    reopened = store.get(1).resume()
    store.opened(reopened)
    store.keep(reopened)
    assert [r.number for r in store.records] == [1]
    reopened.step(2)
    store.keep(reopened)
    assert [(r.number, r.epoch) for r in store.records] == [(1, 5), (2, 7)]
