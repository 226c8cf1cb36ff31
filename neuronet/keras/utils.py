"""`keras.utils`: to_categorical, normalize, set_random_seed, Progbar."""

from __future__ import annotations

import random as _py_random
from typing import Any

import numpy as np

from .. import random as _random
from .callbacks.progbar import Progbar
from .plot import model_to_dot, plot_model


def to_categorical(x: Any, num_classes: int | None = None) -> np.ndarray:
    """Integer class vector -> one-hot float32 matrix (a trailing axis of size 1 is dropped).

    Example:
        >>> from neuronet import keras
        >>> keras.utils.to_categorical([0, 2], num_classes=3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    labels = np.asarray(x._data if hasattr(x, "_data") else x)
    if labels.ndim > 1 and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.size and labels.dtype.kind == "f" and not np.all(labels == np.round(labels)):
        raise ValueError("to_categorical: labels must be integers, received non-integer values")
    labels = labels.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: labels must be >= 0, received {labels.min()}")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"to_categorical: label {labels.max()} is out of range for "
                         f"num_classes={num_classes}")
    out = np.zeros(labels.shape + (num_classes,), dtype=np.float32)
    np.put_along_axis(out, labels[..., None], 1.0, axis=-1)
    return out


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """x / ||x|| along axis (zero vectors stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def set_random_seed(seed: int) -> None:
    """Seed Python's `random`, NumPy's global generator and neuronet's random source
    (weight initialization, dropout, shuffling), as `keras.utils.set_random_seed` does."""
    if not isinstance(seed, int | np.integer):
        raise ValueError(f"set_random_seed: seed must be an integer, received {seed!r}")
    _py_random.seed(int(seed))
    np.random.seed(int(seed) % (2**32))
    _random.manual_seed(int(seed))


__all__ = ["Progbar", "model_to_dot", "normalize", "plot_model", "set_random_seed",
           "to_categorical"]
