"""Weight penalties added to the loss (`keras.regularizers`).

Formulas (w the weight):
    L1(l1=0.01)          l1 * sum(|w|)
    L2(l2=0.01)          l2 * sum(w**2)
    L1L2(l1=0.0, l2=0.0) l1 * sum(|w|) + l2 * sum(w**2)
A layer's penalties appear in `model.losses` and are added to the training loss.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from ._registry import check_callable, lookup


def _check(name: str, value: Any, owner: str) -> float:
    if not isinstance(value, int | float) or value < 0 or value != value:
        raise ValueError(f"{owner}: {name} must be a non-negative number, received "
                         f"{name}={value!r}")
    return float(value)


class Regularizer:
    """Base class: `regularizer(weight)` returns a scalar Tensor penalty."""

    def __call__(self, x: Tensor) -> Tensor:
        return x.sum() * 0.0

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)


class L1L2(Regularizer):
    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = _check("l1", l1, "L1L2")
        self.l2 = _check("l2", l2, "L1L2")

    def __call__(self, x: Tensor) -> Tensor:
        penalty = None
        if self.l1:
            penalty = self.l1 * x.abs().sum()
        if self.l2:
            term = self.l2 * (x * x).sum()
            penalty = term if penalty is None else penalty + term
        return penalty if penalty is not None else x.sum() * 0.0

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1: float = 0.01) -> None:
        super().__init__(l1=_check("l1", l1, "L1"))

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2: float = 0.01) -> None:
        super().__init__(l2=_check("l2", l2, "L2"))

    def get_config(self) -> dict:
        return {"l2": self.l2}


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    return L1L2(l1=l1, l2=l2)


ALL_REGULARIZERS: dict[str, Any] = {"l1": L1, "l2": L2, "l1_l2": l1_l2, "L1": L1, "L2": L2,
                                    "L1L2": L1L2}


def get(identifier: Any) -> Any:
    """A regularizer from a name ('l2'), an instance, a config dict, a callable or None."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str):
        return lookup("regularizer", identifier, ALL_REGULARIZERS)()
    if isinstance(identifier, dict):
        from .saving.serialization import deserialize_keras_object

        return deserialize_keras_object(identifier)
    return check_callable("regularizer", identifier)


def serialize(regularizer: Any) -> Any:
    from .saving.serialization import serialize_keras_object

    return serialize_keras_object(regularizer)
