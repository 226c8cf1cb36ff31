"""Metric classes under Keras's names and defaults."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functions as fn
from .base import MeanMetricWrapper, Metric, as_array, weights_for


def _wrapper(func: Any, default_name: str, **defaults: Any) -> type:
    names = tuple(defaults)

    class _Wrapped(MeanMetricWrapper):
        def __init__(self, *args: Any, name: str = default_name, dtype: Any = None,
                     **kwargs: Any) -> None:
            options = dict(defaults)
            options.update(zip(names, args))
            unknown = set(kwargs) - set(names)
            if unknown:
                raise TypeError(f"{type(self).__name__}: unexpected argument(s) {sorted(unknown)}")
            options.update(kwargs)
            for key, value in options.items():
                setattr(self, key, value)
            super().__init__(func, name=name, dtype=dtype, **options)

    return _Wrapped


class Accuracy(_wrapper(fn.accuracy, "accuracy")):
    """How often predictions equal labels exactly."""


class BinaryAccuracy(_wrapper(fn.binary_accuracy, "binary_accuracy", threshold=0.5)):
    """How often (y_pred > threshold) equals the 0/1 label."""


class CategoricalAccuracy(_wrapper(fn.categorical_accuracy, "categorical_accuracy")):
    """How often argmax(y_pred) equals argmax of the one-hot label."""


class SparseCategoricalAccuracy(_wrapper(fn.sparse_categorical_accuracy,
                                         "sparse_categorical_accuracy")):
    """How often argmax(y_pred) equals the integer label."""


class TopKCategoricalAccuracy(_wrapper(fn.top_k_categorical_accuracy,
                                       "top_k_categorical_accuracy", k=5)):
    """How often the one-hot label is among the k highest predictions."""


class SparseTopKCategoricalAccuracy(_wrapper(fn.sparse_top_k_categorical_accuracy,
                                             "sparse_top_k_categorical_accuracy", k=5)):
    """How often the integer label is among the k highest predictions."""


class MeanAbsoluteError(_wrapper(fn.mean_absolute_error, "mean_absolute_error")):
    """mean(|y_true - y_pred|)."""


class MeanSquaredError(_wrapper(fn.mean_squared_error, "mean_squared_error")):
    """mean((y_true - y_pred)**2)."""


class RootMeanSquaredError(MeanSquaredError):
    """sqrt of the running mean squared error."""

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)

    def result(self) -> float:
        return float(np.sqrt(super().result()))


def _divide_no_nan(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


class _ConfusionCounts(Metric):
    """Weighted true/false positive/negative counts at thresholds (prediction > threshold)."""

    def __init__(self, thresholds: Any, top_k: int | None, class_id: int | None,
                 name: str | None, dtype: Any) -> None:
        self.init_thresholds = thresholds
        self.thresholds = np.atleast_1d(np.asarray(0.5 if thresholds is None else thresholds,
                                                   dtype=np.float64))
        if np.any((self.thresholds < 0) | (self.thresholds > 1)) and not isinstance(
                self, _Unchecked):
            raise ValueError(f"{type(self).__name__}: thresholds must be in [0, 1], received "
                             f"thresholds={thresholds!r}")
        self.top_k, self.class_id = top_k, class_id
        super().__init__(name=name, dtype=dtype)

    def reset_state(self) -> None:
        n = len(self.thresholds)
        self.true_positives, self.false_positives = np.zeros(n), np.zeros(n)
        self.true_negatives, self.false_negatives = np.zeros(n), np.zeros(n)

    def _prepare(self, y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
        y_true = as_array(y_true).astype(np.float64)
        y_pred = as_array(y_pred).astype(np.float64)
        if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
            y_true = y_true.reshape(y_pred.shape)
        if self.top_k is not None:
            kth = -np.sort(-y_pred, axis=-1)[..., self.top_k - 1:self.top_k]
            y_pred = np.where(y_pred >= kth, y_pred, -np.inf)
        if self.class_id is not None:
            y_true, y_pred = y_true[..., self.class_id], y_pred[..., self.class_id]
        return y_true, y_pred

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = self._prepare(y_true, y_pred)
        w = weights_for(y_pred, sample_weight).reshape(-1)
        positive = y_true.reshape(-1) > 0.5
        above = y_pred.reshape(-1)[None, :] > self.thresholds[:, None]  # (T, N)
        self.true_positives += (above & positive) @ w
        self.false_positives += (above & ~positive) @ w
        self.true_negatives += (~above & ~positive) @ w
        self.false_negatives += (~above & positive) @ w

    def _single(self, values: np.ndarray) -> Any:
        return float(values[0]) if self.init_thresholds is None or np.ndim(
            self.init_thresholds) == 0 else values.tolist()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "thresholds": self.init_thresholds,
                "top_k": self.top_k, "class_id": self.class_id}


class _Unchecked:
    """Marks subclasses whose thresholds may lie just outside [0, 1] (AUC's end points)."""


class Precision(_ConfusionCounts):
    """tp / (tp + fp) at threshold 0.5 (or each of `thresholds`)."""

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self) -> Any:
        return self._single(_divide_no_nan(self.true_positives,
                                           self.true_positives + self.false_positives))


class Recall(_ConfusionCounts):
    """tp / (tp + fn) at threshold 0.5 (or each of `thresholds`)."""

    def __init__(self, thresholds: Any = None, top_k: int | None = None,
                 class_id: int | None = None, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(thresholds, top_k, class_id, name, dtype)

    def result(self) -> Any:
        return self._single(_divide_no_nan(self.true_positives,
                                           self.true_positives + self.false_negatives))
