"""Replay: copies of a model's weights every few epochs, in bounded memory, to draw training back.

A run records after every epoch; recording costs one integer comparison unless a copy is due.
Copies are kept every `interval` epochs; when `capacity` of them are held, every other one is
dropped and the interval doubles, so a run of any length keeps between capacity/2 and capacity
copies spread evenly over it (like a zoomable timeline). The first epoch recorded always stays.
"""

from __future__ import annotations

import copy

import torch
from torch.nn.utils import parameters_to_vector, vector_to_parameters

MAX_STATES = 100
MAX_BYTES = 8 * 2**20  # per run: a big MLP keeps fewer copies rather than more memory


class Replay:
    """Weight copies of `model` at some epochs, ready to be loaded into a scratch copy of it."""

    def __init__(self, model: torch.nn.Module, max_states: int = MAX_STATES, max_bytes: int = MAX_BYTES):
        self._model = model
        self._parameters = list(model.parameters())
        state_bytes = 4 * sum(p.numel() for p in self._parameters)
        self.capacity = max(2, min(max_states, max_bytes // state_bytes))
        self.interval = 1
        self.epochs: list[int] = []
        self._states: list[torch.Tensor] = []  # (P,) float32 each, P = number of weights
        self._scratch: torch.nn.Module | None = None

    def start(self, epoch: int) -> None:
        """Forget every copy and keep the model as it is at `epoch` (a new or a continued run)."""
        self.interval, self.epochs, self._states = 1, [], []
        self._copy(epoch)

    def record(self, epoch: int) -> None:
        """Called after each epoch: keep a copy if `interval` epochs passed since the last one."""
        if epoch - self.epochs[-1] < self.interval:
            return
        self._copy(epoch)
        if len(self.epochs) > self.capacity:
            self.epochs, self._states = self.epochs[::2], self._states[::2]
            self.interval *= 2

    def _copy(self, epoch: int) -> None:
        with torch.no_grad():
            self._states.append(parameters_to_vector(self._parameters).clone())
        self.epochs.append(epoch)

    def model_at(self, epoch: int) -> torch.nn.Module:
        """A scratch copy of the model holding its weights at `epoch` (one of `epochs`)."""
        if self._scratch is None:
            self._scratch = copy.deepcopy(self._model)
        with torch.no_grad():
            vector_to_parameters(self._states[self.epochs.index(epoch)], self._scratch.parameters())
        return self._scratch

    @property
    def nbytes(self) -> int:
        return sum(state.numel() * state.element_size() for state in self._states)
