"""`keras.models`: Model, Sequential, and saving/loading entry points."""

from typing import Any

from .model import Model
from .sequential import Sequential


def load_model(filepath: Any, custom_objects: dict | None = None, compile: bool = True,  # noqa: A002
               safe_mode: bool = True) -> Model:
    """Load a model saved with `model.save("name.keras")` (see `keras.saving`)."""
    from ..saving.saving_api import load_model as _load

    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def clone_model(model: Model, input_tensors: Any = None, clone_function: Any = None) -> Model:
    """A new model with the same architecture and freshly initialized weights."""
    from ..saving.serialization import deserialize_keras_object, serialize_keras_object

    config = serialize_keras_object(model)
    _rename(config)
    return deserialize_keras_object(config)


def _rename(config: Any) -> None:
    """Drop layer names so that the clone's layers get fresh unique names."""
    if isinstance(config, dict):
        inner = config.get("config")
        if isinstance(inner, dict):
            if config.get("class_name") not in ("Sequential", "Model", "Functional"):
                inner.pop("name", None)
            for layer in inner.get("layers", []):
                _rename(layer)


__all__ = ["Model", "Sequential", "clone_model", "load_model"]
