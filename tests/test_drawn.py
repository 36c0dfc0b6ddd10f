import math

import numpy as np
import pytest

from binclf_core.data.drawn import CANVAS, MAX_POINTS, DrawnPoints
from binclf_core.data.generators import dataset_from_arrays
from binclf_core.errors import ConfigError


def drawn(negatives: int, positives: int) -> DrawnPoints:
    points = DrawnPoints()
    for i in range(negatives):
        points = points.add(-3 + 0.1 * i, -2.0, 0)
    for i in range(positives):
        points = points.add(3 - 0.1 * i, 2.0, 1)
    return points


def test_adding_returns_a_new_set_and_leaves_the_old_one_alone():
    empty = DrawnPoints()
    one = empty.add(1.5, -2.0, 1)
    assert empty.points == () and one.points == ((1.5, -2.0, 1),)
    assert one.counts() == (0, 1)


def test_arrays_keep_the_drawing_order_and_shapes():
    points = DrawnPoints().add(1, 2, 0).add(3, 4, 1)
    x, y = points.arrays()
    assert x.shape == (2, 2) and y.dtype == np.int64
    np.testing.assert_array_equal(x, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(y, [0, 1])
    assert DrawnPoints().arrays()[0].shape == (0, 2)


def test_a_click_just_outside_the_canvas_lands_on_its_edge():
    x0, x1, y0, y1 = CANVAS
    assert DrawnPoints().add(x1 + 3, y0 - 1, 0).add(x0 - 1, y1 + 2, 1).points == ((x1, y0, 0), (x0, y1, 1))


@pytest.mark.parametrize(("x", "y", "label"), [(math.nan, 0, 0), (0, math.inf, 1), (0, 0, 2)])
def test_a_point_needs_finite_coordinates_and_a_zero_or_one_label(x, y, label):
    with pytest.raises(ConfigError, match="finite coordinates and the label 0 or 1"):
        DrawnPoints().add(x, y, label)


def test_the_set_is_capped():
    points = DrawnPoints(tuple((0.0, 0.0, i % 2) for i in range(MAX_POINTS)))
    with pytest.raises(ConfigError, match=f"at most {MAX_POINTS} drawn points"):
        points.add(1.0, 1.0, 0)


def test_too_few_points_say_what_to_add_and_do_not_split():
    points = drawn(4, 2)
    assert points.missing().startswith("Add 2 more positive points:")
    with pytest.raises(ConfigError, match="Add 2 more positive points"):
        points.dataset(0.25, seed=0)


def test_enough_points_split_like_arrays_on_the_fixed_canvas():
    points = drawn(6, 5)
    assert points.missing() is None
    data = points.dataset(0.25, seed=4)
    reference = dataset_from_arrays(*points.arrays(), 0.25, seed=4)
    assert data.x_train.tolist() == reference.x_train.tolist()
    assert data.bounds() == CANVAS and data.class_names == ("negative", "positive")
