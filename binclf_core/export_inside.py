"""The export script's parts for input features and regularization (issue 14), kept apart from export.py.

The features need no code here: the script carries features.py's own `input_features` and
`FeatureMap` (export.py's model template). The penalty's functions are regularization.py's own
source, and these helpers write the lines of the training loop that call them.
"""

from __future__ import annotations

import inspect
from string import Template

from binclf_core import bugs, regularization
from binclf_core.config import RunConfig
from binclf_core.features import RAW_FEATURES, feature_label

REGULARIZATION = Template('''

# ---- regularization: $kind on the weights (not the biases); the printed losses leave it out --------
$sources''')


def inside_summary(config: RunConfig) -> str:
    """The docstring's lines on the features and the penalty (none for the defaults)."""
    text = ""
    if config.features != RAW_FEATURES or config.scale != "none":
        text += f"\nInput features: {feature_label(config.features)}" + (
            ", standardised on the training split." if config.scale == "standard" else ".")
    if config.regularization != "none":
        text += f"\n{config.regularization.upper()} regularization at rate {config.reg_rate:g}."
    return text


def regularization_sources(config: RunConfig) -> str:
    """regularization.py's functions the run's penalty calls, as the script's own section."""
    if config.regularization == "none":
        return ""
    r = regularization
    needs = [r.weight_matrices, r.l2_penalty, r.with_penalty] if config.regularization == "l2" else [
        r.weight_matrices, r.soft_threshold_, r.after_update]
    sources = "\n\n".join(inspect.getsource(function) for function in needs)
    return REGULARIZATION.substitute(kind=config.regularization.upper(), sources=sources)


def regularization_lines(config: RunConfig) -> dict[str, str]:
    """The lines of train_one_epoch that differ with the penalty: the weights, the backward pass."""
    kind = config.regularization
    if kind == "none":
        return {"weights": "", "backward": " " * 8 + "loss.backward()  # backward"}
    weights = '\n    weights = weight_matrices(model)  # the penalty acts on these, not on the biases'
    if kind == "l2":
        backward = (" " * 8 + 'with_penalty(loss, weights, "l2", SETTINGS["reg_rate"]).backward()  '
                    "# backward, through loss + rate·Σw²")
    else:
        backward = " " * 8 + "loss.backward()  # backward"
    return {"weights": weights, "backward": backward}


def step_lines(config: RunConfig, bug: bugs.Bug) -> str:
    """The update, then L1's proximal step when the run asks for it (or the bug's missing step)."""
    if not bug.step:
        return " " * 8 + "# BUG: no update (optimizer.step() is missing)"
    step = " " * 8 + "optimizer.step()  # update"
    if config.regularization == "l1":
        step += ("\n" + " " * 8 + 'after_update(weights, "l1", SETTINGS["reg_rate"], optimizer.param_groups[0]["lr"])'
                 "  # L1: soft-threshold the weights")
    return step
