"""Per-sample metric functions on NumPy arrays (the batch is the first axis).

    accuracy                      y_true == y_pred
    binary_accuracy               (y_pred > threshold) == y_true, mean over the last axis
    categorical_accuracy          argmax(y_true) == argmax(y_pred)
    sparse_categorical_accuracy   y_true == argmax(y_pred)
    top_k_categorical_accuracy    argmax(y_true) among the k largest y_pred
    mean_absolute_error           mean(|y_true - y_pred|)   mean_squared_error  mean((..)**2)
"""

from __future__ import annotations

import numpy as np


def _labels(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Integer labels shaped like y_pred without its class axis."""
    labels = np.asarray(y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    return labels.astype(np.int64)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    return (y_true == y_pred).astype(np.float64)


def binary_accuracy(y_true: np.ndarray, y_pred: np.ndarray, threshold: float = 0.5
                    ) -> np.ndarray:
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    matches = ((y_pred > threshold).astype(np.float64) == y_true.astype(np.float64))
    return matches.mean(axis=-1) if matches.ndim > 1 else matches.astype(np.float64)


def categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return (_labels(y_true, y_pred) == np.argmax(y_pred, axis=-1)).astype(np.float64)


def _in_top_k(labels: np.ndarray, y_pred: np.ndarray, k: int) -> np.ndarray:
    target = np.take_along_axis(y_pred, labels[..., None], axis=-1)
    return ((y_pred > target).sum(axis=-1) < k).astype(np.float64)


def top_k_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray, k: int = 5
                               ) -> np.ndarray:
    return _in_top_k(np.argmax(y_true, axis=-1), np.asarray(y_pred), k)


def sparse_top_k_categorical_accuracy(y_true: np.ndarray, y_pred: np.ndarray, k: int = 5
                                      ) -> np.ndarray:
    return _in_top_k(_labels(y_true, y_pred), np.asarray(y_pred), k)


def _aligned(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.ndim == y_pred.ndim - 1:
        y_true = y_true[..., None]
    return y_true, y_pred


def mean_absolute_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, y_pred = _aligned(y_true, y_pred)
    return np.abs(y_pred - y_true).mean(axis=-1)


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    y_true, y_pred = _aligned(y_true, y_pred)
    return ((y_pred - y_true) ** 2).mean(axis=-1)
