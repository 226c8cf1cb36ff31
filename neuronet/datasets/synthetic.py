"""Small synthetic data sets made from a seed: spiral, moons, XOR and noisy lines.

Every generator returns float32 inputs and int64 class labels (float32 targets for
regression), draws only from ``np.random.default_rng(seed)`` (same seed, same data), and
validates its arguments, naming the bad value.

Example:
    >>> X, y = make_spiral(n_samples=6, n_classes=3, seed=0)
    >>> X.shape, X.dtype, y.dtype, sorted(y.tolist())
    ((6, 2), dtype('float32'), dtype('int64'), [0, 0, 1, 1, 2, 2])
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["make_moons", "make_regression", "make_spiral", "make_xor"]


def _check_positive_int(func: str, name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{func}: {name} must be {what}, received {name}={value!r}")
    return int(value)


def _check_noise(func: str, noise: object) -> float:
    if (
        isinstance(noise, bool)
        or not isinstance(noise, numbers.Real)
        or not math.isfinite(noise)
        or noise < 0
    ):
        raise ValueError(f"{func}: noise must be a finite number >= 0, received noise={noise!r}")
    return float(noise)


def _rng(func: str, seed: object) -> np.random.Generator:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise ValueError(f"{func}: seed must be an integer or None, received seed={seed!r}")
    return np.random.default_rng(seed)


def _finish(
    X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool
) -> tuple[np.ndarray, np.ndarray]:
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    return X.astype(np.float32), y.astype(np.int64)


def _split_evenly(n_samples: int, n_parts: int) -> list[int]:
    """Sizes of ``n_parts`` groups summing to ``n_samples``; the first ones get the rest."""
    base, rest = divmod(n_samples, n_parts)
    return [base + (part < rest) for part in range(n_parts)]


def make_spiral(
    n_samples: int = 300,
    n_classes: int = 3,
    noise: float = 0.2,
    seed: int | None = 0,
    shuffle: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n "spiral" set).

    Formula:
        For class j with m points, i = 0..m-1:
        r = i / (m - 1);  t = 4 j + 4 i / (m - 1) + noise * N(0, 1)
        x = (r sin t, r cos t),  label j

    Args:
        n_samples: total points, split as evenly as possible among the classes.
        n_classes: number of arms (classes); at most ``n_samples``.
        noise: standard deviation of the angle noise, in radians.
        seed: seed of ``np.random.default_rng``.
        shuffle: shuffle the points (else they are grouped by class).

    Shape:
        X: (n_samples, 2) float32 in [-1, 1];  y: (n_samples,) int64 in 0..n_classes-1.
    """
    func = "make_spiral"
    n_samples = _check_positive_int(func, "n_samples", n_samples)
    n_classes = _check_positive_int(func, "n_classes", n_classes)
    if n_classes > n_samples:
        raise ValueError(
            f"{func}: n_classes must be at most n_samples, "
            f"received n_classes={n_classes}, n_samples={n_samples}"
        )
    noise = _check_noise(func, noise)
    rng = _rng(func, seed)
    points, labels = [], []
    for j, m in enumerate(_split_evenly(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(4.0 * j, 4.0 * (j + 1), m) + noise * rng.standard_normal(m)
        points.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))  # (m, 2)
        labels.append(np.full(m, j))
    return _finish(np.concatenate(points), np.concatenate(labels), rng, shuffle)


def make_moons(
    n_samples: int = 200, noise: float = 0.1, seed: int | None = 0, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as scikit-learn's ``make_moons``).

    Formula:
        outer moon (label 0): (cos s, sin s),             s evenly spaced in [0, pi]
        inner moon (label 1): (1 - cos s, 0.5 - sin s)
        then every point gets noise * N(0, I) added.

    Shape:
        X: (n_samples, 2) float32;  y: (n_samples,) int64 in {0, 1}; the outer moon gets
        n_samples // 2 points.
    """
    func = "make_moons"
    n_samples = _check_positive_int(func, "n_samples", n_samples)
    noise = _check_noise(func, noise)
    rng = _rng(func, seed)
    n_outer = n_samples // 2
    n_inner = n_samples - n_outer
    s_outer = np.linspace(0.0, np.pi, n_outer)
    s_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.stack([np.cos(s_outer), np.sin(s_outer)], axis=1)
    inner = np.stack([1.0 - np.cos(s_inner), 0.5 - np.sin(s_inner)], axis=1)
    X = np.concatenate([outer, inner]) + noise * rng.standard_normal((n_samples, 2))
    y = np.concatenate([np.zeros(n_outer), np.ones(n_inner)])
    return _finish(X, y, rng, shuffle)


def make_xor(
    n_samples: int = 200, noise: float = 0.1, seed: int | None = 0, shuffle: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """XOR: noisy copies of the four corners of the unit square, labelled a XOR b.

    Formula:
        corner (a, b) in {0, 1}^2, label a XOR b;  x = (a, b) + noise * N(0, I)

    No straight line separates the classes, so a model needs a hidden layer.

    Shape:
        X: (n_samples, 2) float32;  y: (n_samples,) int64 in {0, 1}; the corners are used in
        turn, so each gets n_samples // 4 points or one more.
    """
    func = "make_xor"
    n_samples = _check_positive_int(func, "n_samples", n_samples)
    noise = _check_noise(func, noise)
    rng = _rng(func, seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    bits = corners[np.arange(n_samples) % 4]  # (n_samples, 2)
    X = bits + noise * rng.standard_normal((n_samples, 2))
    y = bits[:, 0] ^ bits[:, 1]
    return _finish(X, y, rng, shuffle)


def make_regression(
    n_samples: int = 100,
    n_features: int = 1,
    slope: float | np.ndarray = 2.0,
    intercept: float = 1.0,
    noise: float = 0.1,
    seed: int | None = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points near a line (a hyperplane for several features), for linear regression.

    Formula:
        x ~ U(-1, 1)^n_features;  y = x . w + b + noise * N(0, 1)
        with w = ``slope`` (a number is used for every feature) and b = ``intercept``.

    Returns:
        ``(X, y, w)``: the inputs, the targets and the true weights (float32, one per
        feature); the true bias is ``intercept``.

    Shape:
        X: (n_samples, n_features) float32;  y: (n_samples, 1) float32 (a column, like the
        output of ``Linear(n_features, 1)``);  w: (n_features,) float32.
    """
    func = "make_regression"
    n_samples = _check_positive_int(func, "n_samples", n_samples)
    n_features = _check_positive_int(func, "n_features", n_features)
    noise = _check_noise(func, noise)
    w = np.asarray(slope, dtype=np.float64)
    if w.ndim == 0:
        w = np.full(n_features, float(w))
    if w.shape != (n_features,) or not np.all(np.isfinite(w)):
        raise ValueError(
            f"{func}: slope must be a finite number or an array of shape (n_features,) = "
            f"({n_features},), received slope={slope!r}"
        )
    if isinstance(intercept, bool) or not isinstance(intercept, numbers.Real):
        raise ValueError(f"{func}: intercept must be a number, received intercept={intercept!r}")
    rng = _rng(func, seed)
    X = rng.uniform(-1.0, 1.0, (n_samples, n_features))
    y = X @ w + float(intercept) + noise * rng.standard_normal(n_samples)  # (n_samples,)
    return X.astype(np.float32), y[:, None].astype(np.float32), w.astype(np.float32)
