"""Stateful metrics: `update_state(y_true, y_pred, sample_weight=None)`, `result()`,
`reset_state()`. State lives in NumPy float64 accumulators; updates run on whole batches.

    Mean               result = sum(w * v) / sum(w)
    Sum                result = sum(w * v)
    MeanMetricWrapper  Mean of a per-sample function fn(y_true, y_pred)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def as_array(value: Any) -> np.ndarray:
    return np.asarray(value._data if hasattr(value, "_data") else value)


def weights_for(values: np.ndarray, sample_weight: Any) -> np.ndarray:
    """Sample weights broadcast to the values' shape (1 when None)."""
    if sample_weight is None:
        return np.ones(values.shape)
    sw = as_array(sample_weight).astype(np.float64)
    while sw.ndim > values.ndim and sw.shape[-1] == 1:
        sw = sw[..., 0]
    sw = sw.reshape(sw.shape + (1,) * (values.ndim - sw.ndim))
    return np.broadcast_to(sw, values.shape)


class Metric:
    """Base class of stateful metrics."""

    def __init__(self, name: str | None = None, dtype: Any = None) -> None:
        from ..backend import snake_case

        self.name = name or snake_case(type(self).__name__)
        self.dtype = dtype or "float32"
        self.reset_state()

    def reset_state(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define reset_state()")

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define update_state()")

    def result(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define result()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update with one batch and return the running result (as Keras does)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


class Mean(Metric):
    """The weighted mean of the values seen: sum(w * v) / sum(w)."""

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = as_array(values).astype(np.float64)
        w = weights_for(values, sample_weight)
        self.total += float((values * w).sum())
        self.count += float(w.sum())

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0


class Sum(Metric):
    """The weighted sum of the values seen."""

    def reset_state(self) -> None:
        self.total = 0.0

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        values = as_array(values).astype(np.float64)
        self.total += float((values * weights_for(values, sample_weight)).sum())

    def result(self) -> float:
        return self.total


class MeanMetricWrapper(Mean):
    """The mean of a per-sample function `fn(y_true, y_pred, **kwargs)` (NumPy arrays)."""

    def __init__(self, fn: Callable, name: str | None = None, dtype: Any = None,
                 **kwargs: Any) -> None:
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        values = self._fn(as_array(y_true), as_array(y_pred), **self._fn_kwargs)
        super().update_state(values, sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}
