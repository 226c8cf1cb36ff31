"""Registered custom objects: the only way a saved file may name user code.

Loading never imports or executes code named in a file; it resolves class and function names
against the built-in tables, `custom_objects=` and what was registered here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_GLOBAL_CUSTOM_NAMES: dict[Any, str] = {}
_SCOPE_STACK: list[dict[str, Any]] = []


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a class or function as ``"package>name"`` for saving/loading.

    Example:
        >>> from neuronet import keras
        >>> @keras.saving.register_keras_serializable(package="demo")
        ... def double(x):
        ...     return x * 2
        >>> keras.saving.get_registered_name(double)
        'demo>double'
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"register_keras_serializable: package must be a string without '>', "
                         f"received {package!r}")

    def decorator(obj: Any) -> Any:
        key = f"{package}>{name if name is not None else obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError(f"register_keras_serializable: class {obj.__name__} must define "
                             f"get_config() to be serializable")
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_NAMES[obj] = key
        return obj

    return decorator


def get_registered_name(obj: Any) -> str:
    """The registered name of a class or function (its ``__name__`` when not registered)."""
    if obj in _GLOBAL_CUSTOM_NAMES:
        return _GLOBAL_CUSTOM_NAMES[obj]
    return getattr(obj, "__name__", type(obj).__name__)


def get_registered_object(name: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """The object named `name` in custom_objects, an active scope or the registry, else None."""
    if not isinstance(name, str):
        return None
    for table in ([custom_objects or {}] + _SCOPE_STACK[::-1] + [_GLOBAL_CUSTOM_OBJECTS]):
        if name in table:
            return table[name]
    if ">" in name:  # a registered name looked up by its short form, or vice versa
        short = name.split(">", 1)[1]
        for table in [custom_objects or {}] + _SCOPE_STACK[::-1]:
            if short in table:
                return table[short]
    return None


def get_custom_objects() -> dict[str, Any]:
    """The global registry dict (mutable, as in Keras)."""
    return _GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """``with keras.saving.CustomObjectScope({"name": obj}):`` makes names resolvable inside."""

    def __init__(self, custom_objects: dict[str, Any] | None = None) -> None:
        self.custom_objects = dict(custom_objects or {})

    def __enter__(self) -> CustomObjectScope:
        _SCOPE_STACK.append(self.custom_objects)
        return self

    def __exit__(self, *exc: Any) -> None:
        _SCOPE_STACK.pop()


custom_object_scope = CustomObjectScope
