"""Lookup by name, shared by every Keras family (activations, losses, metrics, ...).

Each family keeps an explicit dict of names; `lookup` turns an identifier (a name, a callable,
an instance, a config dict or None) into the object, and an unknown name raises listing the
valid ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def lookup(family: str, identifier: Any, table: dict[str, Any],
           custom_objects: dict[str, Any] | None = None) -> Any:
    """The entry of `table` (or of the registered custom objects) named `identifier`."""
    from .saving.object_registration import get_registered_object

    if identifier in table:
        return table[identifier]
    found = get_registered_object(identifier, custom_objects)
    if found is not None:
        return found
    valid = ", ".join(sorted(table))
    raise ValueError(f"Could not interpret {family} identifier: {identifier!r}. "
                     f"Valid names are: {valid}. A custom object must be registered with "
                     f"keras.saving.register_keras_serializable() or passed in custom_objects.")


def check_callable(family: str, identifier: Any) -> Callable:
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret {family} identifier: {identifier!r} (expected a "
                     f"string name, a callable, a config dict or None)")
