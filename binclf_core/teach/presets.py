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

    def describes(self, config: RunConfig) -> bool:
        """Whether `config` is this preset's set-up, before or after the lesson's own change."""
        after = None if self.action is None else self.config().with_changes(**self.action[1])
        return config in (self.config(), after)

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
        "slowly, as the gradients shrink with the errors. A few points in the overlap stay misclassified.",
        {"dataset": "blobs", "n_samples": 400, "noise": 1.4, "seed": 2, "model": "logistic", "optimizer": "sgd",
         "lr": 0.01, "epochs": 5000}),
    "classification_linear": Preset(
        "A linear model on make_classification",
        "Two Gaussian clusters with a few flipped labels: a straight line separates them well, not perfectly, "
        "and the accuracy settles in the mid 80s. Train and test curves run together, because a model with "
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
    # ---- why it learns: the landscape, the optimizers, the points that pull ----
    "momentum_ravine": Preset(
        "Momentum on a ravine",
        "Open the Landscape view: the loss over (w1, w2) is a long narrow ravine, and plain SGD zigzags from wall to "
        "wall while it creeps along the floor. Train it, then switch Optimizer to SGD + momentum and train, then "
        "Adam: the Compare page draws all three paths on the same landscape, momentum rolling along the ravine "
        "and Adam curving smoothly down, the straightest path of the three.",
        {"dataset": "blobs", "seed": 4, "model": "logistic", "optimizer": "sgd", "lr": 0.15, "epochs": 200}),
    "warmup_cosine": Preset(
        "Warm-up and cosine",
        "The dotted learning-rate curve climbs from a tenth of 2 to its peak over the first 40 epochs, then falls "
        "along a cosine to zero. At a constant rate of 2 the mini-batch loss keeps jumping; here the jumps die out "
        "as the rate decays and the loss settles lower. Switch Schedule to Constant and train again to see both.",
        {"dataset": "moons", "model": "mlp", "hidden": (16, 16), "optimizer": "sgd", "lr": 2.0,
         "schedule": "warmup_cosine", "batch_size": 32, "epochs": 400}),
    "hinge_margin": Preset(
        "Hinge: only the margin pulls",
        "Turn on Who pulls: each training point is drawn by its share of the gradient. Under the hinge a point "
        "beyond the margin (y·s ≥ 1) has none at all, so only a few points near the boundary, the support "
        "vectors, light up and move it. Switch Loss to BCE: every point pulls again, the far ones a little.",
        {"dataset": "blobs", "model": "logistic", "loss": "hinge", "lr": 0.1, "epochs": 300}),
}


# ---- inside the network (issue 14): features, scaling, regularization; best watched in the Network view ----
ALL_FEATURES = ("x1", "x2", "x1_squared", "x2_squared", "x1_x2", "sin_x1", "sin_x2")
OVERFIT = {"dataset": "moons", "n_samples": 60, "noise": 0.3, "seed": 5, "test_fraction": 0.5, "model": "mlp",
           "hidden": (64, 64), "optimizer": "adam", "lr": 0.01, "epochs": 800}
DEPTH = {"dataset": "circles", "test_fraction": 0.5, "optimizer": "adam", "lr": 0.05, "epochs": 300}
SCALING = {"dataset": "blobs", "features": ("x1", "x2", "x1_squared", "x2_squared"), "optimizer": "sgd", "lr": 5.0,
           "epochs": 300}

PRESETS.update({
    "l1_features": Preset(
        "L1 switches off the useless features",
        "Two blobs need only x1 and x2, yet the model gets all seven features. L1 pulls every weight towards 0 "
        "by the same step each update, so the features that do not help reach exactly 0 and stay there: in the "
        "Network view their edges vanish one by one, and the output's formula keeps only the useful terms.",
        # Seed 3's blobs lie apart along a slant, so x1 and x2 both help and no square or sine does (on
        # seed 2's, one above the other, x2² helps too); rate 0.1 zeroes the five by epoch ~340, for good.
        {"dataset": "blobs", "seed": 3, "features": ALL_FEATURES, "scale": "standard", "regularization": "l1",
         "reg_rate": 0.1, "lr": 0.1, "epochs": 1000}),
    "overfitting_l2": Preset(
        "Overfitting and L2",
        "64 + 64 hidden units on 30 noisy training points: the training loss goes to 0 while the test loss "
        "climbs, and the boundary bends around single points. Raise the regularization rate to 0.005 while it "
        "trains (it applies at once): the weights shrink, the boundary smooths and the test loss comes down.",
        {**OVERFIT, "regularization": "l2", "reg_rate": 0.0}),
    "features_or_depth": Preset(
        "Feature engineering or depth?",
        "Logistic regression on x1² and x2² solves circles with 3 weights: a ring is a straight line in "
        "(x1², x2²), so the boundary is a circle. Then load the MLP on raw x1, x2: it finds the same circle with "
        "33 weights, building its own features in the hidden units (hover them in the Network view).",
        {**DEPTH, "features": ("x1_squared", "x2_squared")}),
    "features_or_depth_mlp": Preset(
        "Feature engineering or depth? The MLP on raw inputs",
        "Eight ReLU units on raw x1 and x2: each hidden unit's picture is a half-plane (or blank, if the unit "
        "died), and the output adds them into a polygon around the inner disc. Compare with the logistic "
        "regression on x1², x2², which needed no hidden layer at all.",
        {**DEPTH, "model": "mlp", "hidden": (8,)}),
    "scaling_none": Preset(
        "Feature scaling, part 1: SGD without it",
        "x1 and x2 span 10 to 15, x1² and x2² up to 160: one learning rate cannot suit both. SGD at lr 5 "
        "overshoots along the squares, so the loss zig-zags for a hundred epochs and more. Then load part 2, "
        "the same run with every feature standardised.",
        {**SCALING, "scale": "none"}),
    "scaling_standard": Preset(
        "Feature scaling, part 2: standardised features",
        "Each feature now has mean 0 and standard deviation 1 on the training split, so the same lr 5 suits all "
        "four. The loss falls smoothly below 0.02 within a few dozen epochs and every test point ends on its side.",
        {**SCALING, "scale": "standard"}),
})
