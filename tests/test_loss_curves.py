"""The loss explorer's curves against hand formulas: BCE = log(1 + e^-m), hinge = max(0, 1 - m)."""

import numpy as np
import pytest
import torch

from binclf_core.loss_curves import loss_curves, margin_loss_and_gradient, margin_range, point_report, readable
from binclf_core.teach_figures import loss_explorer_figure


@pytest.fixture(scope="module")
def curves():
    return loss_curves(pos_weight=3.0, n=81)


def test_bce_is_softplus_of_minus_the_margin_with_gradient_minus_sigmoid(curves):
    m = torch.tensor(curves["margin"], dtype=torch.float64)
    np.testing.assert_allclose(curves["bce"]["loss"], torch.log1p(torch.exp(-m)).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(curves["bce"]["gradient"], -torch.sigmoid(-m).numpy(), rtol=1e-5, atol=1e-6)
    assert (curves["bce"]["gradient"] < 0).all()  # BCE never stops pushing


def test_weighted_bce_scales_a_positive_point_by_the_weight_and_leaves_a_negative_one(curves):
    np.testing.assert_allclose(curves["weighted_bce"]["loss"], 3.0 * curves["bce"]["loss"], rtol=1e-5)
    np.testing.assert_allclose(curves["weighted_bce"]["gradient"], 3.0 * curves["bce"]["gradient"], rtol=1e-5)
    negative, _ = margin_loss_and_gradient("weighted_bce", torch.tensor(curves["margin"]), 0.0, 3.0)
    np.testing.assert_allclose(negative, curves["bce"]["loss"], rtol=1e-5)


def test_hinge_stops_pushing_past_margin_one(curves):
    m = curves["margin"]
    np.testing.assert_allclose(curves["hinge"]["loss"], np.maximum(0, 1 - m), atol=1e-6)
    assert (curves["hinge"]["gradient"][m > 1] == 0).all() and (curves["hinge"]["gradient"][m < 1] == -1).all()


def test_a_negative_points_margin_is_minus_its_score():
    rows = point_report(score=-2.0, target=0.0, pos_weight=3.0)
    assert [r["margin y·s"] for r in rows] == [2.0, 2.0, 2.0]
    assert rows[2]["loss value"] == 0 and rows[0]["loss value"] == pytest.approx(np.log1p(np.exp(-2.0)), rel=1e-5)


def test_the_figure_marks_the_point_and_margin_one(curves):
    figure = loss_explorer_figure(curves, point_margin=0.5)
    assert len(figure["data"]) == 6
    assert [shape["x0"] for shape in figure["layout"]["shapes"]] == [1, 0.5]


def test_readable_numbers_keep_four_significant_digits_and_drop_float_noise():
    assert readable(-8e-11) == 0.0 and readable(0.123456) == 0.1235 and readable(25.3178) == 25.32
    assert readable(-1.0) == -1.0


def test_the_margin_range_holds_every_point_and_at_least_minus_4_to_4():
    assert margin_range(np.array([-0.5, 2.0])) == (-4, 4)
    assert margin_range(np.array([-7.2, 23.1, np.inf])) == (-9, 25)
    assert margin_range(np.array([1e9])) == (-4, 1000)
    curves = loss_curves(1.0, n=50, margins_from_to=(-9, 25))
    margins = curves["margin"]
    assert margins.min() == -9 and margins.max() == 25
    near = margins[(margins >= -4) & (margins <= 4)]
    assert np.diff(near).max() <= 8 / 49 + 1e-6  # as fine where the curves bend as a -4..4 plot of 50 points
