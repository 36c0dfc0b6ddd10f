"""Every optimizer and schedule trains exactly as torch's own, built by hand and used directly, step for step."""

from itertools import pairwise

import pytest
import torch
from torch.nn.utils import parameters_to_vector

from binclf_core.config import ConfigError, RunConfig
from binclf_core.models import build_model
from binclf_core.optim import OPTIMIZERS, SCHEDULES
from binclf_core.training import TrainingRun

SCHED = torch.optim.lr_scheduler
TORCH_OPTIMIZERS = {  # what each name means, written out with torch.optim directly
    "sgd": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.8),
    "nesterov": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.8, nesterov=True),
    "rmsprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr),
    "adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
    "adamw": lambda p, lr: torch.optim.AdamW(p, lr=lr),
}
TORCH_SCHEDULES = {  # for a 30-epoch run
    "constant": lambda o: None,
    "step": lambda o: SCHED.StepLR(o, step_size=10, gamma=0.1),
    "cosine": lambda o: SCHED.CosineAnnealingLR(o, T_max=30),
    "warmup_cosine": lambda o: SCHED.SequentialLR(o, [SCHED.LinearLR(o, start_factor=0.1, total_iters=3),
                                                      SCHED.CosineAnnealingLR(o, T_max=27)], milestones=[3]),
}


def reference(config: RunConfig, dataset) -> tuple[list[torch.Tensor], list[float]]:
    """Weights after each epoch and the lr of each epoch, from a plain torch loop."""
    model = build_model(config.model, config.hidden, config.activation, config.seed)
    optimizer = TORCH_OPTIMIZERS[config.optimizer](model.parameters(), config.lr)
    schedule = TORCH_SCHEDULES[config.schedule](optimizer)
    batches = torch.Generator().manual_seed(config.seed)
    x, y = dataset.x_train, dataset.y_train
    weights, rates = [], []
    for _ in range(config.epochs):
        order = torch.randperm(len(y), generator=batches)
        for batch in order.split(config.batch_size):
            optimizer.zero_grad()
            torch.nn.functional.binary_cross_entropy_with_logits(model(x[batch]), y[batch]).backward()
            optimizer.step()
        rates.append(optimizer.param_groups[0]["lr"])
        weights.append(parameters_to_vector(model.parameters()).detach().clone())
        if schedule is not None:
            schedule.step()
    return weights, rates


def cases():
    names = list(OPTIMIZERS)
    return [(optimizer, schedule) for optimizer in names for schedule in SCHEDULES
            if schedule == "constant" or names.index(optimizer) % 2 == list(SCHEDULES).index(schedule) % 2]


@pytest.mark.parametrize(("optimizer", "schedule"), cases())
def test_each_optimizer_and_schedule_steps_as_torch_does(optimizer, schedule):
    config = RunConfig(dataset="moons", n_samples=120, model="mlp", hidden=(5,), optimizer=optimizer,
                       momentum=0.8, schedule=schedule, lr=0.05, epochs=30, batch_size=30)
    run = TrainingRun(config)
    weights, rates = reference(config, run.dataset)
    for epoch in range(30):
        run.step(1)
        assert torch.equal(parameters_to_vector(run.model.parameters()), weights[epoch]), epoch
    assert [r["lr"] for r in run.history] == rates


def test_every_schedule_and_optimizer_is_covered():
    covered = cases()
    assert {o for o, _ in covered} == set(OPTIMIZERS) and {s for _, s in covered} == set(SCHEDULES)


def test_the_schedules_have_their_shapes():
    def rates(schedule):
        run = TrainingRun(RunConfig(schedule=schedule, lr=0.2, epochs=30))
        run.step(30)
        return [r["lr"] for r in run.history]
    step, cosine, warm = rates("step"), rates("cosine"), rates("warmup_cosine")
    assert step[0] == step[9] == 0.2 and step[10] == pytest.approx(0.02) and step[29] == pytest.approx(0.002)
    assert cosine[0] == 0.2 and all(a > b for a, b in pairwise(cosine))
    assert warm[0] == pytest.approx(0.02) and max(warm) == pytest.approx(0.2) and warm.index(max(warm)) == 3
    assert rates("constant") == [0.2] * 30


def test_a_live_lr_change_moves_the_schedule_peak_and_an_epochs_change_its_length():
    run = TrainingRun(RunConfig(schedule="cosine", lr=0.2, epochs=40))
    run.step(10)
    run.update_live(lr=0.4)
    run.step(1)
    alone = TrainingRun(RunConfig(schedule="cosine", lr=0.4, epochs=40))
    alone.step(11)
    assert run.history[-1]["lr"] == pytest.approx(alone.history[-1]["lr"], rel=1e-12)
    run.update_live(epochs=80)
    run.step(1)
    longer = TrainingRun(RunConfig(schedule="cosine", lr=0.4, epochs=80))
    longer.step(12)
    assert run.history[-1]["lr"] == pytest.approx(longer.history[-1]["lr"], rel=1e-12)


def test_a_restored_run_continues_its_schedule_and_momentum_exactly():
    config = RunConfig(optimizer="nesterov", schedule="warmup_cosine", lr=0.1, epochs=40)
    whole = TrainingRun(config)
    whole.step(40)
    first = TrainingRun(config)
    first.step(15)
    second = TrainingRun(config, dataset=first.dataset)
    second.restore(first.checkpoint(), first.history)
    second.step(25)
    assert torch.equal(parameters_to_vector(second.model.parameters()), parameters_to_vector(whole.model.parameters()))
    assert [r["lr"] for r in second.history] == [r["lr"] for r in whole.history]


@pytest.mark.parametrize(("changes", "says"), [
    ({"optimizer": "lbfgs"}, "optimizer"), ({"schedule": "linear"}, "schedule"), ({"momentum": 1.0}, "momentum"),
    ({"momentum": -0.1}, "momentum"), ({"optimizer": "nesterov", "momentum": 0.0}, "nesterov")])
def test_bad_optimizer_settings_name_what_to_change(changes, says):
    with pytest.raises(ConfigError, match=says):
        RunConfig(**changes)


def test_learning_rates_are_the_trained_ones_then_the_plan_and_the_plan_comes_true():
    config = RunConfig(schedule="warmup_cosine", lr=0.3, epochs=50)
    run = TrainingRun(config)
    plan = run.learning_rates()
    assert len(plan) == 50 and max(plan) == pytest.approx(0.3)
    run.step(20)
    run.update_live(lr=0.6)
    mixed = run.learning_rates()
    assert mixed[:20] == plan[:20] and mixed[20:] == pytest.approx([2 * r for r in plan[20:]], rel=1e-9)
    run.step(30)
    assert [r["lr"] for r in run.history] == pytest.approx(mixed, rel=1e-12)
