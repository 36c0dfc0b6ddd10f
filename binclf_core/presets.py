"""Workshop presets: one-click scenarios, each a set of settings and what to watch for while it trains.

Settings are RunConfig fields; every other field keeps its default. A preset is also a URL: its
query string holds the settings that differ from the defaults, as the Playground's own URL does.
Pairs (circles, minority, moons) are meant to be run one after the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from binclf_core.config import RunConfig

DEFAULTS = RunConfig()


@dataclass(frozen=True)
class Preset:
    title: str
    watch: str  # two or three sentences for the room
    settings: dict[str, Any] = field(default_factory=dict)
    speed: str | None = None  # the pace the lesson needs to be performed live; None keeps the user's
    action: tuple[str, dict[str, Any]] | None = None  # the lesson's one change: (button text, settings)

    def config(self) -> RunConfig:
        return RunConfig(**self.settings)

    def query(self) -> str:
        """The URL query (without '?') holding the settings that differ from the defaults."""
        changed = {key: url_value(value) for key, value in self.config().to_dict().items()
                   if value != DEFAULTS.to_dict()[key]}
        return urlencode(changed, safe=",")


def url_value(value: Any) -> str:
    """A setting as the URL writes it: 0.01 not 0.0100, hidden sizes as 8,8."""
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    return f"{value:g}" if isinstance(value, float) else str(value)


CIRCLES = {"dataset": "circles", "test_fraction": 0.5, "optimizer": "adam", "lr": 0.01, "epochs": 300}
MINORITY = {"dataset": "moons", "n_samples": 500, "positive_fraction": 0.1, "epochs": 300}
MOONS = {"dataset": "moons", "model": "mlp", "hidden": (16, 16), "optimizer": "adam", "lr": 0.01, "epochs": 600}

PRESETS: dict[str, Preset] = {
    "blobs_logistic": Preset(
        "Logistic regression on two blobs",
        "With lr 0.01 plain SGD is patient: the straight boundary turns into place over thousands of epochs "
        "while the accuracy climbs from about 80 % to nearly 99 %. The loss falls fast at first, then ever more "
        "slowly, as the gradients shrink with the errors. A point or two in the overlap stays misclassified.",
        {"dataset": "blobs", "n_samples": 400, "noise": 1.4, "seed": 2, "model": "logistic", "optimizer": "sgd",
         "lr": 0.01, "epochs": 5000}),
    "classification_linear": Preset(
        "A linear model on make_classification",
        "Two Gaussian clusters with a few flipped labels: a straight line separates them well, not perfectly, "
        "and the accuracy settles in the high 80s. Train and test curves run together, because a model with "
        "three weights has nothing to overfit with.",
        {"dataset": "classification", "model": "logistic", "lr": 0.1, "epochs": 1000}),
    "circles_logistic": Preset(
        "Circles, part 1: logistic regression",
        "A straight line cannot separate a ring from the disc inside it: the accuracy stays near 50 % and the "
        "loss near 0.69 (a coin toss) however long it trains. Then load part 2, the MLP, on the same points.",
        {**CIRCLES, "model": "logistic"}),
    "circles_mlp": Preset(
        "Circles, part 2: an MLP with 100 hidden units",
        "One hidden layer of 100 ReLU units bends the boundary into a closed curve around the inner disc. "
        "Half the points are held out, and the test accuracy still climbs to nearly 100 %, where the "
        "logistic regression of part 1 stayed at a coin toss.",
        {**CIRCLES, "model": "mlp", "hidden": (100,), "activation": "relu"}),
    "minority_bce": Preset(
        "Minority class, part 1: plain BCE",
        "Only one point in ten is positive, so BCE can score well by leaning towards the majority: the accuracy "
        "looks high, but the recall (positives found) stays low. Note the recall, then load part 2.",
        {**MINORITY, "loss": "bce"}),
    "minority_weighted_bce": Preset(
        "Minority class, part 2: weighted BCE",
        "Each positive point now weighs as much as nine negatives (balanced weight), so the boundary moves "
        "into the majority and the recall rises sharply. The price is precision: more negatives get called "
        "positive.",
        {**MINORITY, "loss": "weighted_bce", "pos_weight": "balanced"}),
    "moons_hinge": Preset(
        "Moons, part 1: hinge loss",
        "The hinge stops pushing a point once it is beyond the margin (y·s ≥ 1), so the scores stay small and "
        "the shading around the boundary stays soft; only the points near the boundary keep moving it. "
        "Compare with part 2, BCE, on the same moons.",
        {**MOONS, "loss": "hinge"}),
    "moons_bce": Preset(
        "Moons, part 2: BCE",
        "BCE never stops pushing: even points far on the right side keep a small gradient, so the scores "
        "keep growing and the shading turns sharp, with probabilities near 0 and 1 almost everywhere. "
        "The boundary itself ends much like the hinge's.",
        {**MOONS, "loss": "bce"}),
    "lr_too_high": Preset(
        "A learning rate too high to converge",
        "With lr 20 every step overshoots: the loss goes up about as often as it goes down and the boundary "
        "jumps from side to side. While it trains, press Lower the learning rate to 1 (it applies at once): "
        "the loss settles at its minimum within about 200 epochs, whenever you press it.",
        # A logistic regression's loss is convex, so the lowered rate settles from wherever the high one left
        # it (an MLP's tanh units saturated at lr 50 and stayed stuck). Slow: the run lasts ~30 s.
        {"dataset": "classification", "model": "logistic", "optimizer": "sgd", "lr": 20.0, "epochs": 2000},
        speed="Slow", action=("Lower the learning rate to 1", {"lr": 1.0})),
}
