"""Objects <-> JSON-able configs, without code: ``{"module", "class_name", "config",
"registered_name"}``.

`deserialize_keras_object` resolves ``class_name`` only against neuronet's built-in Keras
classes, `custom_objects=` and registered objects; a name it cannot resolve raises a
ValueError saying how to register it. No import of modules named in a file, no pickle.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from .object_registration import _GLOBAL_CUSTOM_NAMES, get_registered_object


def _builtin_classes() -> dict[str, Any]:
    """Every built-in Keras class and function by name (collected on first use)."""
    from .. import (
        activations,
        constraints,
        initializers,
        layers,
        losses,
        metrics,
        models,
        optimizers,
        regularizers,
    )
    from ..optimizers import schedules

    table: dict[str, Any] = {}
    for module in (initializers, regularizers, constraints, losses, metrics, schedules,
                   optimizers, layers, models):
        for name in dir(module):
            obj = getattr(module, name)
            if isinstance(obj, type) and hasattr(obj, "get_config"):
                table[name] = obj
    from ..ops._symbolic import OpLayer

    table["OpLayer"] = OpLayer  # keras.ops calls inside functional models
    for name, fn in activations.ALL_ACTIVATIONS.items():
        table.setdefault(name, fn)
    for name, fn in losses.LOSS_FUNCTIONS.items():
        table.setdefault(name, fn)
    return table


def serialize_keras_object(obj: Any) -> Any:
    """A JSON-able description of `obj` (primitives pass through)."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, list | tuple):
        return [serialize_keras_object(o) for o in obj]
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, types.FunctionType | types.BuiltinFunctionType):
        name = _GLOBAL_CUSTOM_NAMES.get(obj, obj.__name__)
        return {"module": obj.__module__, "class_name": "function", "config": name,
                "registered_name": name}
    if hasattr(obj, "get_config"):
        cls = type(obj)
        return {"module": cls.__module__, "class_name": cls.__name__,
                "config": obj.get_config(),
                "registered_name": _GLOBAL_CUSTOM_NAMES.get(cls)}
    raise TypeError(f"Cannot serialize {obj!r} of type {type(obj).__name__}: it has no "
                    f"get_config() and is not a function")


def _resolve(name: str, registered: Any, custom_objects: dict[str, Any] | None) -> Any:
    for key in (registered, name):
        found = get_registered_object(key, custom_objects)
        if found is not None:
            return found
    return _builtin_classes().get(name)


def deserialize_keras_object(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Rebuild an object from `serialize_keras_object`'s output.

    Raises:
        ValueError: the config names a class or function that is neither built in, nor in
            `custom_objects`, nor registered with `register_keras_serializable`.
    """
    if config is None or isinstance(config, bool | int | float):
        return config
    if isinstance(config, str):
        found = _resolve(config, None, custom_objects)
        if found is None:
            raise _unknown(config)
        return found
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"deserialize_keras_object: expected a dict with 'class_name' and "
                         f"'config', received {config!r}")
    class_name, inner = config["class_name"], config.get("config")
    registered = config.get("registered_name")
    if class_name == "function":
        found = _resolve(inner, registered, custom_objects)
        if found is None or isinstance(found, type):
            raise _unknown(inner)
        return found
    cls = _resolve(class_name, registered, custom_objects)
    if cls is None or not isinstance(cls, type):
        raise _unknown(registered or class_name)
    if hasattr(cls, "from_config"):
        if custom_objects and "custom_objects" in _params(cls.from_config):
            return cls.from_config(inner or {}, custom_objects=custom_objects)
        return cls.from_config(inner or {})
    return cls(**(inner or {}))


def _params(fn: Any) -> tuple:
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    return code.co_varnames[: code.co_argcount] if code else ()


def _unknown(name: Any) -> ValueError:
    return ValueError(
        f"Unknown object {name!r} in the saved configuration. It is neither a built-in Keras "
        f"layer/function nor a registered custom object. Register it with "
        f"@keras.saving.register_keras_serializable() or pass "
        f"custom_objects={{{name!r}: ...}} when loading (neuronet never runs code stored in a "
        f"file)."
    )
