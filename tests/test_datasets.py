import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs

from binclf_core.config import DRAWN, RunConfig
from binclf_core.data.generators import (
    DATASETS,
    class_counts,
    dataset_from_arrays,
    generate,
    load_dataset,
    missing_points,
    split,
)
from binclf_core.errors import ConfigError


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


def two_clouds(n_negative: int, n_positive: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-2, 0.5, (n_negative, 2)), rng.normal(2, 0.5, (n_positive, 2))])
    return x, np.array([0] * n_negative + [1] * n_positive)


def test_arrays_become_the_same_stratified_split_as_generated_data():
    x, y = two_clouds(30, 10)
    data = dataset_from_arrays(x, y, 0.25, seed=3, class_names=("cat", "dog"))
    reference = split(x, y, 0.25, seed=3)
    assert torch.equal(data.x_train, reference.x_train) and torch.equal(data.y_test, reference.y_test)
    assert len(data.y_test) == 10 and data.y_test.sum().item() in (2, 3)  # a quarter of each class held out
    assert data.class_names == ("cat", "dog") and data.extent is None


def test_a_fixed_extent_is_the_bounds_of_drawn_points():
    x, y = two_clouds(5, 5)
    data = dataset_from_arrays(x, y, 0.25, seed=0, extent=(-6.0, 6.0, -6.0, 6.0))
    assert data.bounds() == (-6.0, 6.0, -6.0, 6.0)


@pytest.mark.parametrize(("n_negative", "n_positive", "wanted"), [
    (0, 0, "Add 4 more negative points and 4 more positive points:"),
    (4, 1, "Add 3 more positive points:"),
    (3, 9, "Add 1 more negative point:"),
])
def test_too_few_points_say_how_many_each_class_lacks(n_negative, n_positive, wanted):
    x, y = two_clouds(n_negative, n_positive)
    assert missing_points(y).startswith(wanted)
    with pytest.raises(ConfigError, match=wanted):
        dataset_from_arrays(x, y, 0.25, seed=0)


@pytest.mark.parametrize("test_fraction", [0.1, 0.9])
def test_a_split_side_under_two_points_is_refused_not_a_crash(test_fraction):
    x, y = two_clouds(4, 4)  # 8 points: 0.1 holds out 1, 0.9 trains on 0
    with pytest.raises(ConfigError, match="move the test fraction towards"):
        dataset_from_arrays(x, y, test_fraction, seed=0)


def test_a_csv_split_keeps_the_files_class_names(tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 5},{'dog' if i % 2 else 'cat'}\n" for i in range(20)))
    assert load_dataset(RunConfig(dataset="csv", csv=str(path))).class_names == ("cat", "dog")


def test_drawn_points_cannot_be_loaded_from_a_config_alone():
    with pytest.raises(ConfigError, match="exists only in the app"):
        load_dataset(RunConfig(dataset=DRAWN))
