"""Inside the network: every unit's activation over the plane, its formula, and the hidden space.

Everything here comes from the model the run trains: one forward pass with forward hooks on its
feature map, on each hidden layer's activation and on the output layer, never a second
implementation of the network. Layers wider than MAX_SHOWN units show the MAX_SHOWN with the
largest outgoing weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from binclf_core.data.features import FEATURES
from binclf_core.model.training import TrainingRun

GRID_SIZE = 24  # each unit's picture: 24x24 activations over the plane
MAX_SHOWN = 8  # units drawn per layer, as TensorFlow Playground's largest layer
MAX_TERMS = 8  # terms written out in a formula; the rest are counted
MINUS = "−"
SATURATED = 0.05  # a unit whose spread over the training points is under this share of the layer's widest: flat
KEEP_PAIR = 0.8  # an automatic pair is kept while its separation is at least this share of the best pair's


@dataclass(frozen=True)
class LayerView:
    """One column of the drawing: the units shown, their labels, pictures and formulas."""

    name: str  # "Features", "Hidden 1", "Output"
    shown: list[int]  # indices of the units drawn, in the layer's order
    size: int  # all the layer's units
    labels: list[str]  # per shown unit: "x1²", "h1,3", "score"
    pictures: np.ndarray  # (shown, G, G) uint8: each shown unit's activation over the plane (see _pictures)
    formulas: list[str]  # per shown unit: its formula with the numbers filled in

    @property
    def more(self) -> int:
        return self.size - len(self.shown)


@dataclass(frozen=True)
class NetworkView:
    """The network at one moment: its layers and the weight matrices (out, in) between consecutive ones."""

    layers: list[LayerView]
    weights: list[np.ndarray]
    extent: tuple[float, float, float, float]  # x0, x1, y0, y1 of the plane the pictures cover
    epoch: int
    threshold: float  # the output's picture is P(positive): the page draws this threshold's line on it


# ---- the model's own intermediate outputs -----------------------------------------------------
def taps(model: nn.Module) -> list[nn.Module]:
    """The modules whose outputs are the network's layers of units: the feature map, each hidden
    layer's activation, and the output layer (a ScoreModel's `features` then `layers`)."""
    layers = list(model.layers)
    hidden = [layers[i + 1] for i, module in enumerate(layers[:-1]) if isinstance(module, nn.Linear)]
    return [model.features, *hidden, layers[-1]]


def layer_outputs(model: nn.Module, points: torch.Tensor) -> list[torch.Tensor]:
    """[features (N, F), hidden 1 (N, u1), ..., score (N, 1)] of raw points (N, 2), read by forward
    hooks during one forward pass of the model itself."""
    outputs: list[torch.Tensor] = []
    handles = [tap.register_forward_hook(lambda _module, _inputs, output: outputs.append(output))
               for tap in taps(model)]
    try:
        with torch.no_grad():
            model(points)
    finally:
        for handle in handles:
            handle.remove()
    return outputs


def linear_layers(model: nn.Module) -> list[nn.Linear]:
    return [module for module in model.layers if isinstance(module, nn.Linear)]


def activation_name(model: nn.Module) -> str | None:
    """The hidden layers' activation as the formulas write it (None for logistic regression)."""
    names = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.Identity: "", nn.LeakyReLU: "leaky_relu",
             nn.GELU: "gelu"}
    hidden = taps(model)[1:-1]
    return names[type(hidden[0])] if hidden else None


# ---- the view -----------------------------------------------------------------------------------
def plane_grid(run: TrainingRun, size: int = GRID_SIZE) -> tuple[torch.Tensor, tuple[float, float, float, float]]:
    """(size², 2) points over the data's bounds (the boundary chart's extent), rows along y; and the extent."""
    x0, x1, y0, y1 = run.dataset.bounds()
    mesh_x, mesh_y = np.meshgrid(np.linspace(x0, x1, size, dtype=np.float32), np.linspace(y0, y1, size,
                                                                                          dtype=np.float32))
    return torch.from_numpy(np.stack([mesh_x.ravel(), mesh_y.ravel()], axis=1)), (x0, x1, y0, y1)


def network_view(run: TrainingRun, grid_size: int = GRID_SIZE, max_shown: int = MAX_SHOWN) -> NetworkView:
    """Every shown unit's picture over the plane and formula, and the weights, of the run's model now."""
    points, extent = plane_grid(run, grid_size)

    def read(model: nn.Module):
        linears = linear_layers(model)
        return ([o.numpy() for o in layer_outputs(model, points)], [m.weight.detach().numpy().copy() for m in linears],
                [m.bias.detach().numpy().copy() for m in linears], activation_name(model), _scaling(model.features))

    outputs, weights, biases, activation, scaling = run.with_model(read)
    outputs = [np.nan_to_num(o, nan=0.0, posinf=0.0, neginf=0.0) for o in outputs]  # a diverged run: blank, not NaN
    labels = _all_labels(run.config.features, [o.shape[1] for o in outputs])
    layers = []
    for index, output in enumerate(outputs):
        outgoing = weights[index] if index < len(weights) else None
        shown = shown_units(outgoing, output.shape[1], max_shown)
        formulas = [unit_formula(index, unit, weights, biases, labels, activation) if index else
                    feature_formula(run.config.features[unit], scaling, unit) for unit in shown]
        pictures = unit_pictures(index, len(outputs), output, shown, grid_size)
        layers.append(LayerView(_layer_name(index, len(outputs)), shown, output.shape[1],
                                [labels[index][u] for u in shown], pictures, formulas))
    return NetworkView(layers, weights, extent, run.epoch, run.config.threshold)


def _layer_name(index: int, count: int) -> str:
    return "Features" if index == 0 else "Output" if index == count - 1 else f"Hidden {index}"


def _all_labels(features: tuple[str, ...], sizes: list[int]) -> list[list[str]]:
    """Per layer, each unit's name: the features as written, h<layer>,<unit> (from 1), then `score`."""
    labels = [[FEATURES[name] for name in features]]
    labels += [[f"h{layer},{unit + 1}" for unit in range(size)] for layer, size in enumerate(sizes[1:-1], start=1)]
    return [*labels, ["score"]]


def shown_units(outgoing: np.ndarray | None, size: int, max_shown: int = MAX_SHOWN) -> list[int]:
    """All units, or the max_shown whose outgoing weights (next layer's columns) weigh most, in order."""
    if size <= max_shown or outgoing is None:
        return list(range(size))
    strength = np.abs(outgoing).sum(axis=0)  # (size,)
    return sorted(np.argsort(-strength, kind="stable")[:max_shown].tolist())


def unit_pictures(index: int, count: int, output: np.ndarray, shown: list[int], grid_size: int) -> np.ndarray:
    """(U, G, G) uint8 pictures, rows along y upwards, 0-255 on the boundary's colour scale (blue, white,
    orange): the output as P(positive); features per unit and hidden units per layer scaled so that 0 is
    white (127.5), negative blue and positive orange. Quantising is all the server does: the page colours them."""
    if index == count - 1:
        values = 1 / (1 + np.exp(-np.clip(output[:, :1].T, -60, 60)))  # (1, G*G)
    else:
        values = output[:, shown].T  # (U, G*G)
        scale = np.abs(values).max(axis=1 if index == 0 else None, keepdims=True)
        values = 0.5 + 0.5 * values / np.maximum(scale, 1e-6)
    return np.rint(np.clip(values, 0.0, 1.0) * 255).astype(np.uint8).reshape(len(values), grid_size, grid_size)


# ---- formulas ---------------------------------------------------------------------------------------
def _number(value: float) -> str:
    return f"{abs(value):.2f}"


def linear_text(weights: np.ndarray, bias: float, labels: list[str], max_terms: int = MAX_TERMS) -> str:
    """'0.83·h1,1 − 1.20·h1,3 + 0.10': the nonzero terms (the max_terms largest, the rest counted), then the bias."""
    nonzero = np.flatnonzero(weights)
    if len(nonzero) > max_terms:
        nonzero = np.sort(nonzero[np.argsort(-np.abs(weights[nonzero]), kind="stable")[:max_terms]])
    text = ""
    for i in nonzero:
        sign = (MINUS if weights[i] < 0 else "") if not text else (f" {MINUS} " if weights[i] < 0 else " + ")
        text += f"{sign}{_number(weights[i])}·{labels[i]}"
    hidden = np.count_nonzero(weights) - len(nonzero)
    if hidden:
        text += f" + {hidden} more terms"
    if not text:
        return f"{MINUS if bias < 0 else ''}{_number(bias)}"
    return text + (f" {MINUS} " if bias < 0 else " + ") + _number(bias)


def _scaling(features: nn.Module) -> tuple[np.ndarray, np.ndarray] | None:
    """The feature map's (mean, std) when it standardises, else None."""
    return (features.mean.numpy().copy(), features.std.numpy().copy()) if features.standard else None


def feature_formula(name: str, scaling: tuple[np.ndarray, np.ndarray] | None, index: int) -> str:
    """'x1²' as the first layer sees it: as computed, or standardised `(x1² − 1.23) / 0.45`."""
    label = FEATURES[name]
    if scaling is None:
        return f"{label}: an input feature, computed from the point's x1 and x2"
    mean, std = float(scaling[0][index]), float(scaling[1][index])
    shift = f" {MINUS} {_number(mean)}" if mean >= 0 else f" + {_number(mean)}"
    return f"{label} standardised = ({label}{shift}) / {std:.2f}  (the training split's mean and std)"


def unit_formula(layer: int, unit: int, weights: list[np.ndarray], biases: list[np.ndarray],
                 labels: list[list[str]], activation: str | None) -> str:
    """`h2,1 = tanh(0.83·h1,1 − 1.20·h1,3 + 0.10)` for a hidden unit (layer ≥ 1), or the output's score."""
    name = labels[layer][unit]
    body = linear_text(weights[layer - 1][unit], float(biases[layer - 1][unit]), labels[layer - 1])
    if layer == len(labels) - 1:
        return f"score = {body};  P(positive) = sigmoid(score)"
    return f"{name} = {activation}({body})" if activation else f"{name} = {body}"


# ---- the hidden space ------------------------------------------------------------------------------
@dataclass(frozen=True)
class HiddenSpace:
    """Training points and a regular grid's lines of the plane, carried to two units of a hidden layer."""

    layer: int  # 1 = first hidden layer
    units: tuple[int, int]  # indices in that layer (from 0)
    points: np.ndarray  # (N_train, 2) the two units' activations at the training points
    labels: np.ndarray  # (N_train,) 0/1
    lines: list[np.ndarray]  # each (S, 2): one grid line of the plane, in the two units' space
    epoch: int


def hidden_layers(run: TrainingRun) -> list[int]:
    """The run's hidden layers' sizes (empty for logistic regression)."""
    return list(run.config.hidden) if run.config.model == "mlp" else []


def grid_lines(extent: tuple[float, float, float, float], count: int = 11, samples: int = 25) -> list[np.ndarray]:
    """`count` vertical then `count` horizontal lines over the extent, each `samples` points (S, 2)."""
    x0, x1, y0, y1 = extent
    along_x, along_y = np.linspace(x0, x1, samples, dtype=np.float32), np.linspace(y0, y1, samples, dtype=np.float32)
    vertical = [np.stack([np.full(samples, x, np.float32), along_y], 1) for x in np.linspace(x0, x1, count)]
    horizontal = [np.stack([along_x, np.full(samples, y, np.float32)], 1) for y in np.linspace(y0, y1, count)]
    return vertical + horizontal


def layer_activations(run: TrainingRun, layer: int) -> np.ndarray:
    """(N_train, units) hidden layer `layer`'s (from 1) activations at the training points."""
    return run.with_model(lambda model: layer_outputs(model, run.dataset.x_train))[layer].numpy()


def pair_separations(activations: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(U, U) how far apart the two classes lie as each pair of units sees them: Fisher's criterion
    Δμᵀ S⁻¹ Δμ in the pair's plane (Δμ the classes' mean difference, S their pooled covariance), the
    squared distance between the classes' centres in within-class standard deviations. A flat unit
    (saturated, or a dead ReLU: its spread under SATURATED of the widest's) pairs with nothing: 0; so
    does a pair with a value that is not finite. The diagonal is 0."""
    finite = np.isfinite(activations).all(0)  # (U,) a unit that is not finite somewhere (diverged) is left out
    values = np.where(finite, activations, 0.0).astype(np.float64)
    labels = labels.astype(bool)
    if labels.all() or not labels.any():
        return np.zeros((values.shape[1],) * 2)
    means = values[labels].mean(0), values[~labels].mean(0)
    delta = means[0] - means[1]  # (U,)
    centred = values - np.where(labels[:, None], means[0], means[1])
    covariance = centred.T @ centred / len(values)  # (U, U) pooled within-class
    spread = np.sqrt(np.diag(covariance) + delta**2 / 4)  # about each unit's spread over all points
    a, b = np.triu_indices(len(delta), 1)
    s_aa, s_bb, s_ab = covariance[a, a], covariance[b, b], covariance[a, b]
    ridge = 1e-6 * (s_aa + s_bb) + 1e-12  # a unit constant within each class still separates: finitely
    s_aa, s_bb = s_aa + ridge, s_bb + ridge
    fisher = (s_bb * delta[a]**2 - 2 * s_ab * delta[a] * delta[b] + s_aa * delta[b]**2) / (s_aa * s_bb - s_ab**2)
    flat = ~finite | (spread < SATURATED * spread.max(initial=0.0))
    fisher[flat[a] | flat[b] | ~np.isfinite(fisher)] = 0.0
    out = np.zeros((len(delta), len(delta)))
    out[a, b] = out[b, a] = fisher
    return out


def informative_pair(separations: np.ndarray, fixed: int | None = None,
                     previous: tuple[int, int] | None = None) -> tuple[int, int]:
    """The two units (a < b, or `fixed` first) whose plane best separates the classes (pair_separations),
    the best partner of `fixed` when one is given; `previous` stays while it separates at least KEEP_PAIR
    as well as the best, so the picture does not hop between near-equal pairs while training. A layer of
    one unit shows it against itself."""
    size = len(separations)
    if size < 2:
        return 0, 0
    candidates = separations.copy()
    if fixed is not None:
        mask = np.zeros_like(candidates, dtype=bool)
        mask[fixed, :] = True
        mask[fixed, fixed] = False
        candidates = np.where(mask, candidates, -1.0)
    else:
        candidates = np.where(np.triu(np.ones_like(candidates, dtype=bool), 1), candidates, -1.0)
    best = np.unravel_index(int(np.argmax(candidates)), candidates.shape)  # first of equals: the lowest units
    pair = (int(best[0]), int(best[1]))
    if previous is not None and separations[previous] >= KEEP_PAIR * separations[pair]:
        return previous
    return pair


def hidden_space(run: TrainingRun, layer: int, units: tuple[int, int], lines: int = 11,
                 samples: int = 25) -> HiddenSpace:
    """The training points and the plane's grid lines at units (a, b) of hidden layer `layer` (from 1),
    computed by one forward pass of the run's model over both."""
    sizes = hidden_layers(run)
    if not 1 <= layer <= len(sizes) or not all(0 <= u < sizes[layer - 1] for u in units):
        raise ValueError(f"hidden layer {layer} units {units} do not exist in a network of {sizes}")
    x_train = run.dataset.x_train
    plane = grid_lines(run.dataset.bounds(), lines, samples)
    points = torch.cat([x_train, torch.from_numpy(np.concatenate(plane))])
    outputs = run.with_model(lambda model: layer_outputs(model, points))
    chosen = outputs[layer][:, list(units)].numpy()  # (N_train + lines·S, 2); NaN where a diverged run is
    n = len(x_train)
    carried = chosen[n:].reshape(len(plane), samples, 2)
    return HiddenSpace(layer, tuple(units), chosen[:n], run.dataset.y_train.numpy(), list(carried), run.epoch)
