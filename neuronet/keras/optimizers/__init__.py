"""`keras.optimizers`: Keras 3's optimizers with its defaults and update rules."""

from __future__ import annotations

from typing import Any

from .._registry import lookup
from . import schedules
from .optimizer import Optimizer
from .rules import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop

ALL_OPTIMIZERS: dict[str, type] = {
    "sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad,
    "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam,
}
ALL_OPTIMIZERS.update({cls.__name__: cls for cls in list(ALL_OPTIMIZERS.values())})


def get(identifier: Any) -> Optimizer:
    """An optimizer from a name ('adam', case-insensitive), an instance or a config dict."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in ALL_OPTIMIZERS else identifier.lower()
        return lookup("optimizer", key, ALL_OPTIMIZERS)()
    if isinstance(identifier, dict):
        from ..saving.serialization import deserialize_keras_object

        return deserialize_keras_object(identifier)
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r} (expected a "
                     f"name such as 'adam', an Optimizer instance or a config dict)")


def serialize(optimizer: Optimizer) -> dict:
    from ..saving.serialization import serialize_keras_object

    return serialize_keras_object(optimizer)


def deserialize(config: dict, custom_objects: dict | None = None) -> Optimizer:
    from ..saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects)


__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Optimizer",
           "RMSprop", "get", "schedules"]
