"""Synthetic data sets: shapes, dtypes, determinism per seed, the stated geometry, validation."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from neuronet.datasets import make_moons, make_regression, make_spiral, make_xor, synthetic

CLASSIFIERS = [
    (make_spiral, {"n_samples": 300, "n_classes": 3}),
    (make_moons, {"n_samples": 200}),
    (make_xor, {"n_samples": 200}),
]


def test_docstring_example_runs():
    result = doctest.testmod(synthetic)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(("make", "kwargs"), CLASSIFIERS)
def test_shapes_dtypes_and_determinism(make, kwargs):
    X, y = make(**kwargs, seed=3)
    assert X.shape == (kwargs["n_samples"], 2) and X.dtype == np.float32
    assert y.shape == (kwargs["n_samples"],) and y.dtype == np.int64
    X2, y2 = make(**kwargs, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(**kwargs, seed=4)
    assert not np.array_equal(X, X3)
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize(("make", "kwargs"), CLASSIFIERS)
def test_defaults_and_unseeded(make, kwargs):
    X, y = make()
    assert len(X) == len(y) == kwargs["n_samples"]
    X, y = make(seed=None)
    assert len(X) == kwargs["n_samples"]


@pytest.mark.parametrize(("make", "kwargs"), CLASSIFIERS)
def test_shuffle_only_reorders(make, kwargs):
    X, y = make(**kwargs, shuffle=True)
    X_sorted, y_sorted = make(**kwargs, shuffle=False)
    assert not np.array_equal(y, y_sorted)
    if make is not make_xor:  # xor visits the corners in turn; the others group by class
        assert np.all(np.diff(y_sorted) >= 0)
    assert sorted(map(tuple, X.tolist())) == sorted(map(tuple, X_sorted.tolist()))
    assert sorted(y.tolist()) == sorted(y_sorted.tolist())


def test_spiral_classes_and_geometry():
    X, y = make_spiral(n_samples=10, n_classes=3, noise=0.0, shuffle=False)
    assert np.bincount(y).tolist() == [4, 3, 3]
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() <= 1.0 + 1e-6
    # Without noise, arm j's last point sits at radius 1 and angle t = 4 (j + 1).
    t = 4.0 * 1
    np.testing.assert_allclose(X[3], [np.sin(t), np.cos(t)], rtol=1e-6)
    X, y = make_spiral(n_samples=300, n_classes=3)
    assert np.bincount(y).tolist() == [100, 100, 100]


def test_moons_geometry():
    X, y = make_moons(n_samples=101, noise=0.0, shuffle=False)
    assert np.bincount(y).tolist() == [50, 51]
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0, rtol=1e-6)


def test_xor_labels_follow_the_truth_table():
    X, y = make_xor(n_samples=10, noise=0.0)
    np.testing.assert_array_equal(y, X[:, 0].astype(int) ^ X[:, 1].astype(int))
    X, y = make_xor(n_samples=400, noise=0.1)
    assert np.bincount(y).tolist() == [200, 200]
    nearest = np.round(X).clip(0, 1).astype(int)
    assert np.mean((nearest[:, 0] ^ nearest[:, 1]) == y) > 0.99


def test_regression_recovers_its_coefficients():
    X, y, w = make_regression(n_samples=500, slope=2.0, intercept=1.0, noise=0.1, seed=1)
    assert X.shape == (500, 1) and y.shape == (500, 1) and w.shape == (1,)
    assert X.dtype == y.dtype == w.dtype == np.float32
    design = np.hstack([X, np.ones_like(X)])
    fitted = np.linalg.lstsq(design, y[:, 0], rcond=None)[0]
    np.testing.assert_allclose(fitted, [2.0, 1.0], atol=0.05)


def test_regression_several_features_and_determinism():
    slope = np.array([1.0, -2.0, 0.5])
    X, y, w = make_regression(n_samples=50, n_features=3, slope=slope, noise=0.0, seed=7)
    np.testing.assert_allclose(y[:, 0], X @ slope + 1.0, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(w, slope.astype(np.float32))
    X2, y2, _ = make_regression(n_samples=50, n_features=3, slope=slope, noise=0.0, seed=7)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    _, _, w = make_regression(n_features=4, slope=3.0)
    np.testing.assert_array_equal(w, [3.0] * 4)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_spiral(n_classes=0),
         "make_spiral: n_classes must be a positive integer, received n_classes=0"),
        (lambda: make_spiral(n_samples=2, n_classes=3),
         "make_spiral: n_classes must be at most n_samples, received n_classes=3, n_samples=2"),
        (lambda: make_spiral(n_samples=10.5),
         "make_spiral: n_samples must be a positive integer, received n_samples=10.5"),
        (lambda: make_spiral(noise=-1),
         "make_spiral: noise must be a finite number >= 0, received noise=-1"),
        (lambda: make_moons(n_samples=True),
         "make_moons: n_samples must be a positive integer, received n_samples=True"),
        (lambda: make_moons(noise=float("nan")),
         "make_moons: noise must be a finite number >= 0, received noise=nan"),
        (lambda: make_xor(seed=1.5),
         "make_xor: seed must be an integer or None, received seed=1.5"),
        (lambda: make_regression(n_features=0),
         "make_regression: n_features must be a positive integer, received n_features=0"),
        (lambda: make_regression(n_features=2, slope=[1.0, 2.0, 3.0]),
         r"make_regression: slope must be a finite number or an array of shape \(n_features,\)"),
        (lambda: make_regression(intercept="1"),
         "make_regression: intercept must be a number, received intercept='1'"),
    ],
)  # fmt: skip
def test_arguments_are_validated_loudly(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_numpy_integers_are_accepted():
    X, y = make_spiral(n_samples=np.int64(30), n_classes=np.int32(3), seed=np.int64(1))
    assert X.shape == (30, 2)
