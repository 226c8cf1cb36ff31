"""The `.keras` file: one zip holding
    config.json                  the model's config (class names and layer configs, no code)
                                 plus its compile config and build shape
    model.weights.safetensors    every weight, in `model.weights` order
    optimizer.safetensors        the optimizer's iterations and slots (when compiled)
    metadata.json                format name and date
Loading resolves class names only against built-in and registered classes (never imports or
runs code from the file) and checks every member; a truncated, corrupted or tampered file
raises a ValueError naming the file and the problem.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import zipfile
from typing import Any

import numpy as np

from ...io import arrays_from_bytes, arrays_to_bytes, atomic_write, load_arrays, save_arrays
from .serialization import deserialize_keras_object, serialize_keras_object

FORMAT = "neuronet-keras-v1"
_CONFIG, _WEIGHTS, _OPTIMIZER, _METADATA = ("config.json", "model.weights.safetensors",
                                            "optimizer.safetensors", "metadata.json")


def weights_dict(model: Any) -> dict[str, np.ndarray]:
    return {f"{i:04d}/{w.path}": w._data for i, w in enumerate(model.weights)}


def assign_weights(model: Any, arrays: dict[str, np.ndarray], source: str) -> None:
    """Set the model's weights from saved arrays, by position, checking count and shapes."""
    variables = model.weights
    keys = sorted(arrays)
    if len(keys) != len(variables):
        raise ValueError(f"{source}: the file holds {len(keys)} weight arrays but the model has "
                         f"{len(variables)} weights; was it saved from a different model?")
    for key, variable in zip(keys, variables):
        if tuple(arrays[key].shape) != tuple(variable._data.shape):
            raise ValueError(f"{source}: weight {key} has shape {tuple(arrays[key].shape)} but "
                             f"the model's {variable.path} has shape "
                             f"{tuple(variable._data.shape)}")
    for key, variable in zip(keys, variables):
        variable.assign(arrays[key])


def _compile_config(model: Any) -> dict | None:
    if not getattr(model, "compiled", False) or model._compile_config is None:
        return None
    args = model._compile_args
    return {"optimizer": serialize_keras_object(model.optimizer),
            "loss": serialize_keras_object(args["loss"]),
            "loss_weights": args["loss_weights"],
            "metrics": serialize_keras_object(args["metrics"]),
            "weighted_metrics": serialize_keras_object(args["weighted_metrics"])}


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
               include_optimizer: bool = True) -> None:
    path = os.fspath(filepath)
    if not path.endswith(".keras"):
        raise ValueError(f"model.save: the filename must end in '.keras', received {path!r} "
                         f"(use save_weights('name.weights.safetensors') for weights only)")
    if not model.built:
        raise ValueError(f"model.save: model {model.name} is not built yet; call it on data "
                         f"or build() it first")
    config = {"model": serialize_keras_object(model),
              "compile_config": _compile_config(model) if include_optimizer else None,
              "build_input_shape": model._build_input_shape}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_CONFIG, json.dumps(config, indent=1))
        archive.writestr(_WEIGHTS, arrays_to_bytes(weights_dict(model)))
        optimizer = getattr(model, "optimizer", None)
        if include_optimizer and optimizer is not None and optimizer.built:
            archive.writestr(_OPTIMIZER, arrays_to_bytes(optimizer.state_arrays()))
        archive.writestr(_METADATA, json.dumps({
            "format": FORMAT, "keras_version": "3 (neuronet)",
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}))
    atomic_write(path, buffer.getvalue(), overwrite=overwrite)


def _read_archive(path: str) -> dict[str, bytes]:
    if not os.path.isfile(path):
        raise FileNotFoundError(f"load_model: no file at '{path}'")
    try:
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
    except Exception as error:  # noqa: BLE001 - a damaged zip raises BadZipFile, zlib.error,
        # EOFError, NotImplementedError (a flipped compression method), RuntimeError, ...
        raise ValueError(f"'{path}' is not a valid .keras file (truncated or corrupted): "
                         f"{type(error).__name__}: {error}") from error
    for required in (_CONFIG, _WEIGHTS):
        if required not in members:
            raise ValueError(f"'{path}' is not a valid .keras file: member {required} is "
                             f"missing")
    return members


def _json(members: dict[str, bytes], name: str, path: str) -> Any:
    try:
        return json.loads(members[name].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"'{path}': {name} is not valid JSON (corrupted file): "
                         f"{error}") from error


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:  # noqa: A002
    path = os.fspath(filepath)
    if not path.endswith(".keras"):
        raise ValueError(f"load_model: the filename must end in '.keras', received {path!r}")
    members = _read_archive(path)
    config = _json(members, _CONFIG, path)
    if not isinstance(config, dict) or "model" not in config:
        raise ValueError(f"'{path}': config.json does not describe a model")
    model = deserialize_keras_object(config["model"], custom_objects)
    if not model.built and config.get("build_input_shape") is not None:
        model.build(_shape_tuples(config["build_input_shape"]))
    assign_weights(model, arrays_from_bytes(members[_WEIGHTS], f"'{path}' ({_WEIGHTS})"),
                   f"'{path}'")
    model._build_input_shape = config.get("build_input_shape")
    compile_config = config.get("compile_config")
    if compile and compile_config:
        optimizer = deserialize_keras_object(compile_config["optimizer"], custom_objects)
        model.compile(optimizer=optimizer,
                      loss=_deserialize_nested(compile_config["loss"], custom_objects),
                      loss_weights=compile_config["loss_weights"],
                      metrics=_deserialize_nested(compile_config["metrics"], custom_objects),
                      weighted_metrics=_deserialize_nested(compile_config["weighted_metrics"],
                                                           custom_objects))
        if _OPTIMIZER in members:
            state = arrays_from_bytes(members[_OPTIMIZER], f"'{path}' ({_OPTIMIZER})")
            optimizer.load_state_arrays(state, model.trainable_weights)
    return model


def _deserialize_nested(value: Any, custom_objects: dict | None) -> Any:
    if isinstance(value, dict) and "class_name" in value:
        return deserialize_keras_object(value, custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_nested(v, custom_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_nested(v, custom_objects) for v in value]
    return value


def _shape_tuples(value: Any) -> Any:
    if isinstance(value, list) and all(v is None or isinstance(v, int) for v in value):
        return tuple(value)
    if isinstance(value, dict):
        return {k: _shape_tuples(v) for k, v in value.items()}
    return [_shape_tuples(v) for v in value]


def save_weights(model: Any, filepath: str | os.PathLike, overwrite: bool = True) -> None:
    path = os.fspath(filepath)
    if not path.endswith(".weights.safetensors"):
        raise ValueError(f"save_weights: the filename must end in '.weights.safetensors', "
                         f"received {path!r}")
    save_arrays(weights_dict(model), path, metadata={"format": FORMAT}, overwrite=overwrite)


def load_weights(model: Any, filepath: str | os.PathLike) -> None:
    path = os.fspath(filepath)
    if path.endswith(".keras"):
        members = _read_archive(path)
        arrays = arrays_from_bytes(members[_WEIGHTS], f"'{path}' ({_WEIGHTS})")
    elif path.endswith(".weights.safetensors"):
        arrays = load_arrays(path)
    else:
        raise ValueError(f"load_weights: the filename must end in '.weights.safetensors' or "
                         f"'.keras', received {path!r}")
    assign_weights(model, arrays, f"'{path}'")
