import numpy as np
import pytest
from sklearn.datasets import make_blobs

from binclf_core.config import RunConfig
from binclf_core.datasets import DATASETS, class_counts, generate, load_dataset, split


def test_tutorial_blobs_are_exactly_sklearns_make_blobs():
    x, y = generate("blobs", n_samples=400, noise=1.4, positive_fraction=0.5, seed=2)
    ref_x, ref_y = make_blobs(n_samples=[200, 200], cluster_std=1.4, random_state=2)
    np.testing.assert_array_equal(x, ref_x)
    np.testing.assert_array_equal(y, ref_y)


@pytest.mark.parametrize("name", list(DATASETS))
@pytest.mark.parametrize("positive_fraction", [0.5, 0.1, 0.8])
def test_every_dataset_gives_exact_class_counts(name, positive_fraction):
    x, y = generate(name, 300, DATASETS[name].default_noise, positive_fraction, seed=1)
    n_neg, n_pos = class_counts(300, positive_fraction)
    assert x.shape == (300, 2) and y.shape == (300,)
    assert set(np.unique(y)) == {0, 1}
    assert (y == 1).sum() == n_pos and (y == 0).sum() == n_neg
    assert np.isfinite(x).all()


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_seed_same_points_other_seed_other_points(name):
    noise = DATASETS[name].default_noise
    a = generate(name, 100, noise, 0.5, seed=3)
    b = generate(name, 100, noise, 0.5, seed=3)
    c = generate(name, 100, noise, 0.5, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_noiseless_xor_puts_positives_in_the_first_and_third_quadrants():
    x, y = generate("xor", 200, 0.0, 0.5, seed=0)
    same_sign = np.sign(x[:, 0]) == np.sign(x[:, 1])
    np.testing.assert_array_equal(same_sign, y == 1)


def test_noiseless_circles_lie_on_their_circles():
    x, y = generate("circles", 200, 0.0, 0.5, seed=0)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, atol=1e-9)  # outer circle
    np.testing.assert_allclose(radius[y == 1], 0.5, atol=1e-9)  # inner circle, factor 0.5


def test_noiseless_spiral_arms_are_point_reflections_of_each_other():
    x, y = generate("spiral", 100, 0.0, 0.5, seed=0)
    neg = x[y == 0][np.argsort(np.hypot(*x[y == 0].T))]
    pos = x[y == 1][np.argsort(np.hypot(*x[y == 1].T))]
    np.testing.assert_allclose(neg, -pos, atol=1e-9)


def test_gaussian_clouds_centre_on_opposite_corners():
    x, y = generate("gaussian", 4000, 0.5, 0.5, seed=0)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [-1, -1], atol=0.05)
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [1, 1], atol=0.05)


def test_split_is_stratified_and_complete():
    x, y = generate("moons", 400, 0.2, 0.2, seed=5)
    data = split(x, y, test_fraction=0.25, seed=5)
    assert len(data.y_train) == 300 and len(data.y_test) == 100
    assert data.y_train.mean().item() == pytest.approx(0.2, abs=0.01)
    assert data.y_test.mean().item() == pytest.approx(0.2, abs=0.01)
    assert sorted(data.x_all[:, 0].tolist()) == sorted(x[:, 0].astype(np.float32).tolist())


def test_bounds_enclose_every_point_with_a_margin():
    data = load_dataset(RunConfig(dataset="circles"))
    x0, x1, y0, y1 = data.bounds()
    xs, ys = data.x_all[:, 0], data.x_all[:, 1]
    assert x0 < xs.min() and xs.max() < x1 and y0 < ys.min() and ys.max() < y1


def test_csv_dataset_loads_through_the_config(tmp_path):
    rows = "\n".join(f"{i},{i % 7},{'yes' if i % 2 else 'no'}" for i in range(40))
    path = tmp_path / "points.csv"
    path.write_text("a,b,label\n" + rows + "\n")
    data = load_dataset(RunConfig(dataset="csv", csv=str(path), test_fraction=0.25))
    assert len(data.y_train) + len(data.y_test) == 40
    assert data.y_all.sum().item() == 20
