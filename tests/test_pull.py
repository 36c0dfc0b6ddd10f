"""Who pulls: per-sample gradient shares from torch.func, checked point by point against autograd."""

import json

import numpy as np
import pytest
import torch

from binclf_core.cli import main
from binclf_core.config import RunConfig
from binclf_core.pull import LARGEST, SMALLEST, TEST_POINT_SIZE, marker_sizes, pull
from binclf_core.training import TrainingRun


def trained(epochs: int, **settings) -> TrainingRun:
    run = TrainingRun(RunConfig(epochs=epochs, **settings))
    run.step(epochs)
    return run


def one_at_a_time(run: TrainingRun) -> np.ndarray:
    """Each training point's gradient norm with plain autograd, one backward per point."""
    norms = []
    for point, target in zip(run.dataset.x_train, run.dataset.y_train, strict=True):
        run.model.zero_grad()
        run._loss(run.model(point[None]), target[None]).backward()
        norms.append(torch.cat([p.grad.flatten() for p in run.model.parameters()]).norm().item())
    return np.array(norms)


@pytest.mark.parametrize("settings", [{}, {"model": "mlp", "dataset": "moons"}, {"loss": "hinge", "model": "mlp"},
                                      {"loss": "weighted_bce", "positive_fraction": 0.2}],
                         ids=["logistic", "mlp", "mlp-hinge", "weighted"])
def test_shares_are_per_sample_gradient_norms_and_sum_to_one(settings):
    run = trained(30, optimizer="adam", lr=0.03, **settings)
    shares = pull(run)
    assert shares.share.sum() == pytest.approx(1.0, abs=1e-12) and (shares.share >= 0).all()
    norms = one_at_a_time(run)
    np.testing.assert_allclose(shares.share, norms / norms.sum(), rtol=1e-4, atol=1e-9)


def test_under_hinge_exactly_the_points_inside_the_margin_pull():
    run = trained(200, loss="hinge", dataset="moons", noise=0.3)
    shares = pull(run)
    inside = shares.margin < 1
    assert 0 < inside.sum() < len(inside) / 2  # a minority: the support vectors
    assert (shares.share[~inside] == 0).all() and (shares.share[inside] > 0).all()


def test_under_weighted_bce_the_minority_class_pulls_harder():
    def minority_share(loss: str) -> float:
        shares = pull(TrainingRun(RunConfig(loss=loss, positive_fraction=0.15, dataset="moons")))
        return float(shares.share[shares.y == 1].sum())
    assert minority_share("weighted_bce") > 2 * minority_share("bce")


def test_the_margin_is_the_label_sign_times_the_score():
    run = trained(10)
    shares = pull(run)
    scores = run.evaluate(run.dataset.x_train).numpy()
    np.testing.assert_allclose(shares.margin, np.where(shares.y == 1, scores, -scores), rtol=1e-6)


def test_marker_sizes_follow_the_shares_for_training_points_and_stay_put_for_test_points():
    run = trained(200, loss="hinge", optimizer="adam", lr=0.02)
    sizes, shares = marker_sizes(run), pull(run).share
    n_train = len(run.dataset.y_train)
    assert len(sizes) == len(run.dataset.y_all)
    assert (sizes[n_train:] == TEST_POINT_SIZE).all()
    assert sizes[:n_train].max() == LARGEST and (sizes[:n_train][shares == 0] == SMALLEST).all()
    order = np.argsort(shares)
    assert (np.diff(sizes[:n_train][order]) >= 0).all()


def test_the_cli_prints_the_pull_contract(capsys):
    assert main(["pull", "--loss", "hinge", "--epochs", "50", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"x", "y", "margin", "share"}
    n = len(out["x"])
    assert n == 300 and len(out["y"]) == len(out["margin"]) == len(out["share"]) == n
    assert set(out["y"]) == {0, 1} and sum(out["share"]) == pytest.approx(1.0)
