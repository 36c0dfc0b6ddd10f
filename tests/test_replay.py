import numpy as np
import pytest
import torch

from binclf_core.config import RunConfig
from binclf_core.explore.replay import Replay
from binclf_core.model.networks import build_model
from binclf_core.model.training import TrainingRun

MLP = RunConfig(dataset="moons", model="mlp", hidden=(8, 8), optimizer="adam", lr=0.03, batch_size=32, epochs=300)


def recorded(epochs: int, **bounds) -> Replay:
    replay = Replay(build_model("mlp", (8, 8), "relu", 0), **bounds)
    replay.start(0)
    for epoch in range(1, epochs + 1):
        replay.record(epoch)
    return replay


@pytest.mark.parametrize("epochs", [10, 100, 101, 1000, 20_000])
def test_the_kept_epochs_stay_bounded_evenly_spaced_and_start_at_zero(epochs):
    replay = recorded(epochs)
    assert len(replay.epochs) <= replay.capacity == 100
    assert replay.epochs[0] == 0 and replay.epochs[-1] > epochs - 2 * replay.interval
    gaps = set(np.diff(replay.epochs).tolist())
    assert gaps == {replay.interval}, "copies are spread evenly over the run"
    if epochs >= 100:
        assert len(replay.epochs) >= replay.capacity // 2


def test_a_big_model_keeps_fewer_copies_within_the_byte_budget():
    replay = Replay(build_model("mlp", (256, 256), "relu", 0), max_bytes=2**20)
    replay.start(0)
    for epoch in range(1, 500):
        replay.record(epoch)
    assert replay.capacity < 100 and replay.nbytes <= 2**20


@pytest.mark.parametrize("config", [MLP, RunConfig(lr=0.05, epochs=300)], ids=["mlp-adam-batches", "logistic-sgd"])
def test_a_replayed_epoch_draws_what_a_run_stopped_there_draws(config):
    run = TrainingRun(config)
    run.step(config.epochs)
    for epoch in [run.replay.epochs[i] for i in (0, 1, len(run.replay.epochs) // 2, -1)]:
        stopped = TrainingRun(config)
        stopped.step(epoch)
        replayed, reference = run.snapshot(30, epoch=epoch), stopped.snapshot(30)
        assert (replayed.epoch, replayed.status) == (epoch, reference.status)
        np.testing.assert_array_equal(replayed.probabilities, reference.probabilities)
        np.testing.assert_array_equal(replayed.grid, reference.grid)
        assert replayed.metrics == reference.metrics


def test_replaying_leaves_the_run_as_it_is():
    run = TrainingRun(MLP)
    run.step(50)
    now = run.snapshot(30)
    run.snapshot(30, epoch=run.replay.epochs[3])
    np.testing.assert_array_equal(run.snapshot(30).grid, now.grid)
    run.step(10)
    assert run.epoch == 60


def test_the_live_epoch_is_drawn_from_the_model_itself():
    run = TrainingRun(MLP)
    run.step(7)
    assert run.snapshot(20, epoch=run.epoch).grid.tobytes() == run.snapshot(20).grid.tobytes()


def test_copies_are_not_views_of_the_training_weights():
    run = TrainingRun(MLP)
    first = torch.nn.utils.parameters_to_vector(run.replay.model_at(0).parameters()).clone()
    run.step(20)
    again = torch.nn.utils.parameters_to_vector(run.replay.model_at(0).parameters())
    assert torch.equal(first, again)
