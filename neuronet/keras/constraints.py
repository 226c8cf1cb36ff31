"""Weight constraints (`keras.constraints`): applied to a weight after each optimizer step.

Formulas (w the weight, norms taken over `axis` with the other axes kept, eps = 1e-7 as
Keras's backend epsilon):
    MaxNorm(max_value=2, axis=0)       w * clip(n, 0, max_value) / (eps + n),   n = ||w||
    MinMaxNorm(min_value=0, max_value=1, rate=1, axis=0)
                                       w * (rate * clip(n, min_value, max_value)
                                            + (1 - rate) * n) / (eps + n)
    NonNeg()                           w * (w >= 0)
    UnitNorm(axis=0)                   w / (eps + n)
For a Dense kernel (in, out), axis=0 constrains each unit's incoming weight vector; for a
Conv2D kernel (kh, kw, in, out), axis=[0, 1, 2].
A constraint is any callable array -> array; subclass `Constraint` to save it in configs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._registry import check_callable, lookup

EPSILON = 1e-7  # Keras's backend.epsilon()


def _array(w: Any) -> np.ndarray:
    return np.asarray(getattr(w, "_data", w))


def _norms(w: np.ndarray, axis: Any) -> np.ndarray:
    axes = tuple(axis) if isinstance(axis, list | tuple) else axis
    return np.sqrt(np.sum(np.square(w), axis=axes, keepdims=True))


def _axis(owner: str, axis: Any) -> Any:
    ok = isinstance(axis, int) and not isinstance(axis, bool) or (
        isinstance(axis, list | tuple) and all(isinstance(a, int) and not isinstance(a, bool)
                                               for a in axis))
    if not ok:
        raise ValueError(f"{owner}: axis must be an int or a list of ints, received "
                         f"axis={axis!r}")
    return list(axis) if isinstance(axis, tuple) else axis


def _number(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) or \
            value != value:
        raise ValueError(f"{owner}: {name} must be a number, received {name}={value!r}")
    return float(value)


class Constraint:
    """Base class: `constraint(w)` returns the constrained weight (the identity here)."""

    def __call__(self, w: Any) -> np.ndarray:
        return _array(w)

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Constraint:
        return cls(**config)


class MaxNorm(Constraint):
    """Rescales each weight vector whose norm exceeds max_value down to max_value.

    Example:
        >>> MaxNorm(1.0)(np.array([[3.0], [4.0]])).round(4).tolist()
        [[0.6], [0.8]]
    """

    def __init__(self, max_value: float = 2, axis: Any = 0) -> None:
        self.max_value = _number("MaxNorm", "max_value", max_value)
        self.axis = _axis("MaxNorm", axis)

    def __call__(self, w: Any) -> np.ndarray:
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Moves each weight vector's norm into [min_value, max_value] (fully at rate=1)."""

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0,
                 axis: Any = 0) -> None:
        self.min_value = _number("MinMaxNorm", "min_value", min_value)
        self.max_value = _number("MinMaxNorm", "max_value", max_value)
        self.rate = _number("MinMaxNorm", "rate", rate)
        self.axis = _axis("MinMaxNorm", axis)

    def __call__(self, w: Any) -> np.ndarray:
        w = _array(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + \
            (1 - self.rate) * norms
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero.

    Example:
        >>> NonNeg()(np.array([-1.0, 2.0])).tolist()
        [0.0, 2.0]
    """

    def __call__(self, w: Any) -> np.ndarray:
        w = _array(w)
        return (w * (w >= 0) + 0.0).astype(w.dtype, copy=False)  # + 0.0: no -0.0


class UnitNorm(Constraint):
    """Rescales each weight vector to unit norm."""

    def __init__(self, axis: Any = 0) -> None:
        self.axis = _axis("UnitNorm", axis)

    def __call__(self, w: Any) -> np.ndarray:
        w = _array(w)
        return (w / (EPSILON + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self) -> dict:
        return {"axis": self.axis}


ALL_CONSTRAINTS: dict[str, Any] = {
    "Constraint": Constraint, "MaxNorm": MaxNorm, "MinMaxNorm": MinMaxNorm, "NonNeg": NonNeg,
    "UnitNorm": UnitNorm, "max_norm": MaxNorm, "min_max_norm": MinMaxNorm,
    "non_neg": NonNeg, "unit_norm": UnitNorm,
}


def get(identifier: Any) -> Any:
    """A constraint from a name ('max_norm'), an instance, a saved config, a callable or None."""
    if identifier is None or isinstance(identifier, Constraint):
        return identifier
    if isinstance(identifier, str):
        return lookup("constraint", identifier, ALL_CONSTRAINTS)()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    return check_callable("constraint", identifier)


def serialize(constraint: Any) -> Any:
    from .saving.serialization import serialize_keras_object

    return None if constraint is None else serialize_keras_object(constraint)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    from .saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects)
