"""A room's challenge: the data everyone trains on, the rules a run must keep, and the ranking.

A finished run that keeps the rules enters; the leaderboard holds each attendee's best entry,
ranked by test accuracy, ties by fewer parameters, then by who got there first.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from binclf_core.config import LOSSES, RunConfig
from binclf_core.data.generators import DATASETS
from binclf_core.rooms.summary import parameter_count

DATA_FIELDS = ("dataset", "n_samples", "noise", "positive_fraction", "test_fraction", "seed")


@dataclass(frozen=True)
class Challenge:
    """`data`: the data settings of the challenge (DATA_FIELDS); None in a rule: no such rule."""

    data: dict[str, Any]
    max_parameters: int | None = None
    max_epochs: int | None = None
    loss: str | None = None
    started_at: float = 0.0

    @classmethod
    def on(cls, config: RunConfig, **rules: Any) -> Challenge:
        """A challenge on the data of `config` (its dataset, samples, noise, balance, split and seed)."""
        return cls(data={key: getattr(config, key) for key in DATA_FIELDS}, **rules)

    def __post_init__(self) -> None:
        if self.data.get("dataset") not in DATASETS:
            raise ValueError("a challenge needs a generated dataset, which every attendee can load")
        if self.loss is not None and self.loss not in LOSSES:
            raise ValueError(f"unknown loss {self.loss!r}")
        for name in ("max_parameters", "max_epochs"):
            if getattr(self, name) is not None and getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")

    def config(self) -> RunConfig:
        """The challenge's data with every other setting at its default: a start for attendees."""
        return RunConfig(**self.data)

    def breaks(self, config: RunConfig, epochs_trained: int) -> str | None:
        """The first rule `config` (trained for `epochs_trained`) breaks, in the attendee's words; None if none."""
        for key in DATA_FIELDS:
            if getattr(config, key) != self.data[key]:
                return (f"it trained on other data ({key} is {getattr(config, key)}, the challenge's is "
                        f"{self.data[key]}): press Apply on the challenge to load its data")
        if self.max_parameters is not None and parameter_count(config) > self.max_parameters:
            return (f"its model has {parameter_count(config)} parameters, the rules allow at most "
                    f"{self.max_parameters}")
        if self.max_epochs is not None and epochs_trained > self.max_epochs:
            return f"it trained {epochs_trained} epochs, the rules allow at most {self.max_epochs}"
        if self.loss is not None and config.loss != self.loss:
            return f"it used the {LOSSES[config.loss]} loss, the rules ask for {LOSSES[self.loss]}"
        if config.bug != "none":
            return "it trained with a training-loop bug switched on"
        return None

    def rules_text(self) -> str:
        """The rules in one line, for notices."""
        rules = [f"{DATASETS[self.data['dataset']].label} ({self.data['n_samples']} points, seed {self.data['seed']})"]
        if self.max_parameters is not None:
            rules.append(f"at most {self.max_parameters} parameters")
        if self.max_epochs is not None:
            rules.append(f"at most {self.max_epochs} epochs")
        if self.loss is not None:
            rules.append(f"{LOSSES[self.loss]} loss")
        return " · ".join(rules)

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Challenge:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class Entry:
    """A finished run that kept the rules; `seconds` from the challenge's start to the entry."""

    attendee: int
    name: str
    test_accuracy: float
    parameters: int
    epochs: int
    seconds: float
    config: dict = field(default_factory=dict)

    def sort_key(self) -> tuple[float, int, float]:
        return (-self.test_accuracy, self.parameters, self.seconds)


def rank_entries(entries: list[Entry]) -> list[Entry]:
    """Each attendee's best entry, best first: test accuracy, then fewer parameters, then earlier."""
    best: dict[int, Entry] = {}
    for entry in sorted(entries, key=Entry.sort_key):
        best.setdefault(entry.attendee, entry)
    return list(best.values())
