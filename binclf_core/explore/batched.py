"""K runs of one architecture trained as one stacked computation, each member as if trained alone.

Every layer's weights are stacked along a leading member axis, (K, out, in), and a batched matmul
(`torch.baddbmm`) runs all members at once; their data is stacked too, (K, N, 2), since seeds and
noise give each member its own points. Each member keeps its own learning rate, positive weight,
batch order (its own `torch.Generator`, as `TrainingRun` draws it) and optimizer state, and the
optimizer steps are `torch.optim.SGD` / `Adam`'s own arithmetic with their default settings.
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from binclf_core.config import RunConfig
from binclf_core.data.features import FeatureMap
from binclf_core.data.generators import Dataset
from binclf_core.model.losses import balanced_pos_weight
from binclf_core.model.networks import ACTIVATION_LAYERS, build_model
from binclf_core.model.training import TrainingRun
from binclf_core.threads import use_engine_threads

ADAM_BETAS, ADAM_EPS = (0.9, 0.999), 1e-8  # torch.optim.Adam's defaults, which TrainingRun uses


BATCHED_OPTIMIZERS = frozenset({"sgd", "adam"})  # the steps _optimizer_step writes out; others train alone


def batchable(config: RunConfig) -> bool:
    """Whether this engine trains the config: SGD or Adam at a constant learning rate."""
    return config.optimizer in BATCHED_OPTIMIZERS and config.schedule == "constant"


def batch_key(config: RunConfig) -> tuple:
    """Runs with the same key can train together: they differ only in lr, seed, noise, pos_weight
    and reg_rate (and, for logistic regression, in the MLP's settings, which it ignores; momentum, which neither
    SGD nor Adam uses)."""
    free = {"lr", "seed", "noise", "pos_weight", "momentum", "reg_rate"} | (
        {"hidden", "activation"} if config.model == "logistic" else set())
    return tuple(sorted((k, str(v)) for k, v in config.to_dict().items() if k not in free))


class BatchedRuns:
    """Members `configs[k]` on `datasets[k]`, which share a batch_key; `train(epochs)` steps them all."""

    def __init__(self, configs: list[RunConfig], datasets: list[Dataset]):
        base = configs[0]
        self.configs, self.datasets = configs, datasets
        models = [build_model(c.model, c.hidden, c.activation, c.seed,  # the same initial weights as TrainingRun's
                              FeatureMap(c.features, c.scale == "standard", d.x_train))
                  for c, d in zip(configs, datasets, strict=True)]
        # Each member's input features, computed once: the feature map holds no weights.
        self.x_train = torch.stack([m.features(d.x_train) for m, d in zip(models, datasets, strict=True)])  # (K, N, F)
        self.y_train = torch.stack([d.y_train for d in datasets])  # (K, N)
        self.x_test = torch.stack([m.features(d.x_test) for m, d in zip(models, datasets, strict=True)])  # (K, M, F)
        self.y_test = torch.stack([d.y_test for d in datasets])  # (K, M)
        stacked = zip(*(m.parameters() for m in models), strict=True)
        self.params = [torch.stack(ps).detach().requires_grad_() for ps in stacked]  # (K, out, in), (K, out), ...
        self.activation = ACTIVATION_LAYERS[base.activation]()
        self.lr = torch.tensor([c.lr for c in configs], dtype=torch.float64)  # (K,)
        self.regularization = base.regularization
        self.reg_rate = torch.tensor([c.reg_rate for c in configs], dtype=torch.float64)  # (K,)
        self.pos_weight = self._pos_weights()
        self.orders = [torch.Generator().manual_seed(c.seed) for c in configs]
        self.adam = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]
        self.steps = 0  # optimizer steps so far, the same for every member
        self.threshold = base.threshold
        self.records: list[torch.Tensor] = []  # per epoch (K, 5): train/test loss, weight sum, train/test correct
        self.stopped: dict[int, int] = {}  # member -> epochs it completed before diverging
        self.final_params: dict[int, list[torch.Tensor]] = {}  # a diverged member's weights when it stopped

    def _pos_weights(self) -> torch.Tensor | None:
        """(K, 1) positive weights for weighted_bce, `balanced` resolved on each member's training split."""
        if self.configs[0].loss != "weighted_bce":
            return None
        values = [balanced_pos_weight(d.y_train) if c.pos_weight == "balanced" else float(c.pos_weight)
                  for c, d in zip(self.configs, self.datasets, strict=True)]
        return torch.tensor(values).unsqueeze(1)

    # ---- the model, the loss and the optimizer, for all members at once -------------------------
    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (K, B) of features x (K, B, F): each member's own layers on its own points."""
        h = x
        layers = list(zip(self.params[::2], self.params[1::2], strict=True))
        for i, (weight, bias) in enumerate(layers):  # weight (K, out, in), bias (K, out)
            h = torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))  # (K, B, out)
            if i < len(layers) - 1:
                h = self.activation(h)
        return h.squeeze(-1)

    def losses(self, scores: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Each member's mean loss (K,), as losses.loss_fn computes it for one run."""
        if self.configs[0].loss == "hinge":
            return torch.clamp(1 - (2 * targets - 1) * scores, min=0).mean(1)
        return F.binary_cross_entropy_with_logits(scores, targets, pos_weight=self.pos_weight,
                                                  reduction="none").mean(1)

    def _optimizer_step(self) -> None:
        """SGD: p -= lr g. Adam: torch's single-tensor Adam, with a learning rate per member."""
        self.steps += 1
        if self.configs[0].optimizer == "sgd":
            neg_lr = (-self.lr).float()  # (K,) as SGD's add_(grad, alpha=-lr) rounds alpha
            for p in self.params:
                p.add_(p.grad * _per_member(neg_lr, p))
            return
        beta1, beta2 = ADAM_BETAS
        step_size = (-self.lr / (1 - beta1**self.steps)).float()  # (K,): lr / bias_correction1 in double
        bias_correction2_sqrt = (1 - beta2**self.steps) ** 0.5
        for p, (exp_avg, exp_avg_sq) in zip(self.params, self.adam, strict=True):
            exp_avg.lerp_(p.grad, 1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
            denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(ADAM_EPS)
            p.add_(_per_member(step_size, p) * exp_avg / denom)

    def _update(self, x: torch.Tensor, y: torch.Tensor) -> None:
        """One optimizer step for every member on its batch x (K, B, 2)."""
        for p in self.params:  # forward / backward / update
            p.grad = None
        scores = self.scores(x)
        losses = self.losses(scores, y)
        penalized = losses + self._l2_penalties() if self.regularization == "l2" else losses
        penalized.sum().backward()  # members share no weights, so each gets its own loss's gradient
        with torch.no_grad():
            self._optimizer_step()
            self._l1_step()

    def _l2_penalties(self) -> torch.Tensor:
        """(K,) rate × Σw² of each member's weights (not biases), as regularization.l2_penalty computes it."""
        squares = sum((w * w).flatten(1).sum(1) for w in self.params[::2])
        return self.reg_rate.float() * squares

    def _l1_step(self) -> None:
        """regularization.soft_threshold_ for every member, by its own lr × rate."""
        if self.regularization != "l1":
            return
        amount = (self.lr * self.reg_rate).float()  # (K,)
        for w in self.params[::2]:
            w.copy_(torch.sign(w) * torch.clamp(w.abs() - _per_member(amount, w), min=0))

    # ---- epochs ------------------------------------------------------------------------------------
    @property
    def epoch(self) -> int:
        """Epochs trained so far, the same for every member (a diverged one is parked, not left behind)."""
        return len(self.records)

    def train(self, epochs: int) -> None:
        """Train every member `epochs` more epochs, one record each per epoch."""
        self.step_for(math.inf, epochs)

    def step_for(self, seconds: float, max_epochs: int) -> int:
        """Train as many epochs as fit in `seconds` (at least one), at most max_epochs; how many ran."""
        use_engine_threads()  # a sweep trains on a thread of its own, or the CLI's main thread
        deadline, ran = time.perf_counter() + seconds, 0
        while ran < max_epochs and (ran == 0 or time.perf_counter() < deadline):
            self._train_one_epoch()
            ran += 1
        return ran

    def _train_one_epoch(self) -> None:
        """TrainingRun._train_one_epoch for all members: its batches, losses and records."""
        x, y = self.x_train, self.y_train
        n, batch_size = y.shape[1], self.configs[0].batch_size
        if batch_size <= 0 or batch_size >= n:
            self._update(x, y)
        else:
            order = torch.stack([torch.randperm(n, generator=g) for g in self.orders])  # (K, N)
            x, y = x.gather(1, order.unsqueeze(-1).expand(-1, -1, x.shape[2])), y.gather(1, order)
            for xb, yb in zip(x.split(batch_size, 1), y.split(batch_size, 1), strict=True):
                self._update(xb, yb)
        self._record_epoch()

    def _predicted(self, scores: torch.Tensor) -> torch.Tensor:
        """Positive where the probability is at or above the threshold, decided as TrainingRun decides it."""
        return torch.sigmoid(torch.nan_to_num(scores, nan=0.0)).double() >= self.threshold

    def _record_epoch(self) -> None:
        """Keep the epoch's (K, 5) record of the members as the epoch left them (as TrainingRun records);
        retire the members whose loss or weights became non-finite."""
        with torch.no_grad():
            train_scores, test_scores = self.scores(self.x_train), self.scores(self.x_test)
            train_loss, test_loss = self.losses(train_scores, self.y_train), self.losses(test_scores, self.y_test)
            correct = (self._predicted(train_scores) == self.y_train.bool(),
                       self._predicted(test_scores) == self.y_test.bool())
            counts = [c.float().sum(1) for c in correct]
            weights = sum(p.flatten(1).sum(1) for p in self.params)  # nan or inf if any weight of a member is
            values = torch.stack([train_loss, test_loss, weights, *counts], 1)
        self.records.append(values)
        finite = torch.isfinite(values).all(1)
        if not bool(finite.all()):
            for member in torch.nonzero(~finite).flatten().tolist():
                self._retire(member)

    def _retire(self, member: int) -> None:
        """Keep a diverged member's weights as they are now, then park it (zero weights, zero rate)
        so that its non-finite values never show up again in the checks of the others."""
        self.stopped[member] = len(self.records) - 1
        with torch.no_grad():
            self.final_params[member] = [p[member].clone() for p in self.params]
            for tensor in (*self.params, *(s for pair in self.adam for s in pair)):
                tensor[member] = 0
        self.lr[member] = 0

    # ---- results -------------------------------------------------------------------------------------
    def results(self) -> list[TrainingRun]:
        """Each member as a finished TrainingRun, so final_metrics() and snapshot() are the engine's own."""
        table = torch.stack(self.records).tolist() if self.records else []  # (E, K, 5)
        runs = []
        for k, (config, dataset) in enumerate(zip(self.configs, self.datasets, strict=True)):
            epochs = self.stopped.get(k, len(table))
            n_train, n_test = dataset.y_train.numel(), dataset.y_test.numel()
            history = [{"epoch": e + 1, "train_loss": row[k][0], "test_loss": row[k][1],
                        "train_accuracy": row[k][3] / n_train, "test_accuracy": row[k][4] / n_test,
                        "lr": config.lr}
                       for e, row in enumerate(table[:epochs])]
            weights = self.final_params.get(k) or [p[k].detach() for p in self.params]
            runs.append(SweptRun(config, dataset, weights, history, diverged=k in self.stopped))
        return runs


def _per_member(values: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """(K,) values shaped (K, 1, ...) to scale a stacked tensor like `like` member by member."""
    return values.view(-1, *([1] * (like.dim() - 1)))


class SweptRun(TrainingRun):
    """A finished sweep member: a TrainingRun holding the weights and history the batched trainer gave it."""

    def __init__(self, config: RunConfig, dataset: Dataset, weights: list[torch.Tensor], history: list[dict],
                 diverged: bool):
        super().__init__(config, dataset)
        with torch.no_grad():
            for parameter, value in zip(self._parameters, weights, strict=True):
                parameter.copy_(value)
        self.history = history
        if diverged:
            self._stop_diverged()
