"""``save`` / ``load``: state dicts on disk as safetensors, never pickle.

``neuronet.save(model.state_dict(), "model.safetensors")`` writes an ordinary safetensors
file: each tensor under its own name (``"fc1.weight"``; nested keys joined by dots, as in
``"state.0.exp_avg"``), readable by any safetensors tool. Whatever is not a tensor (an
optimizer's ``lr``, ``betas``, ``step`` counts, integer keys, tuples) goes into the header's
metadata as JSON, under ``"neuronet.structure"``, so ``load`` rebuilds the same object:
dicts (OrderedDict kept), lists, tuples, tensors, NumPy arrays, str, int, float, bool, None.

Why not pickle: unpickling runs arbitrary code, so a downloaded checkpoint could take over
the machine. A safetensors file is data only. Anything else (a whole ``nn.Module``, an
optimizer object, a lambda) is refused with a message saying what to save instead.

Example:
    >>> import io, neuronet
    >>> buffer = io.BytesIO()
    >>> save({"weight": neuronet.ones(2, 3), "step": 7}, buffer)
    >>> _ = buffer.seek(0)
    >>> state = load(buffer)
    >>> state["weight"].shape, state["step"]
    (neuronet.Size([2, 3]), 7)
"""

from __future__ import annotations

import json
import math
import os
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np

from .io import arrays_from_bytes, arrays_to_bytes, atomic_write, read_metadata_from_bytes
from .tensor import Tensor

__all__ = ["load", "save"]

_FORMAT_KEY = "format"
_FORMAT = "neuronet"
_STRUCTURE_KEY = "neuronet.structure"
_SCALARS = (str, int, float, bool, type(None))
FileLike = str | os.PathLike[str] | IO[bytes]


def _refusal(obj: Any, where: str) -> TypeError:
    """The error for an object that cannot be stored, saying what to save instead."""
    kind = type(obj).__name__
    if hasattr(obj, "state_dict") and hasattr(obj, "parameters"):
        hint = (
            f"saving a whole nn.Module ({kind}) needs pickle, which neuronet never uses; "
            "save model.state_dict() instead and restore it with "
            "model.load_state_dict(neuronet.load(path))"
        )
    elif hasattr(obj, "state_dict") and hasattr(obj, "param_groups"):
        hint = f"save optimizer.state_dict() instead of the {kind} object"
    elif hasattr(obj, "state_dict"):
        hint = f"save its .state_dict() instead of the {kind} object"
    else:
        hint = (
            "only tensors, NumPy arrays, dicts, lists, tuples, str, int, float, bool and None "
            "can be saved (no pickle)"
        )
    return TypeError(f"neuronet.save: cannot save {kind} at {where}: {hint}")


class _Encoder:
    """Walks an object: tensors go to ``arrays`` under dotted names, the rest to JSON."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._names_by_id: dict[int, str] = {}  # a tensor seen twice is stored once

    def _name_for(self, path: tuple[str, ...]) -> str:
        name = ".".join(path) or "tensor"
        candidate, count = name, 1
        while candidate in self.arrays:
            candidate, count = f"{name}__{count}", count + 1
        return candidate

    def _array(self, value: Tensor | np.ndarray, path: tuple[str, ...], kind: str) -> dict:
        if id(value) not in self._names_by_id:
            array = value._data if isinstance(value, Tensor) else value
            name = self._name_for(path)
            self.arrays[name] = array
            self._names_by_id[id(value)] = name
        return {"__type__": kind, "name": self._names_by_id[id(value)]}

    def encode(self, obj: Any, path: tuple[str, ...]) -> Any:
        where = "'" + ".".join(path) + "'" if path else "the top level"
        if isinstance(obj, Tensor):
            return self._array(obj, path, "tensor")
        if isinstance(obj, np.ndarray):
            return self._array(obj, path, "ndarray")
        if isinstance(obj, np.generic) and not isinstance(obj, np.str_ | np.bytes_):
            obj = obj.item()
        if isinstance(obj, float) and not math.isfinite(obj):
            return {"__type__": "float", "value": repr(obj)}  # JSON has no nan/inf
        if isinstance(obj, _SCALARS):
            return obj
        if isinstance(obj, dict):
            items = []
            for key, value in obj.items():
                if not isinstance(key, _SCALARS) or isinstance(key, float):
                    raise TypeError(
                        f"neuronet.save: dict keys must be str, int, bool or None, "
                        f"found {key!r} ({type(key).__name__}) at {where}"
                    )
                items.append([key, self.encode(value, (*path, str(key)))])
            kind = "OrderedDict" if isinstance(obj, OrderedDict) else "dict"
            return {"__type__": kind, "items": items}
        if isinstance(obj, list | tuple) and not hasattr(obj, "_fields"):
            items = [self.encode(value, (*path, str(i))) for i, value in enumerate(obj)]
            return items if isinstance(obj, list) else {"__type__": "tuple", "items": items}
        raise _refusal(obj, where)


def _decode(node: Any, arrays: dict[str, np.ndarray], tensors: dict[str, Tensor]) -> Any:
    """Rebuild the object; ``tensors`` caches one Tensor per stored name (shared stays shared)."""
    if isinstance(node, list):
        return [_decode(item, arrays, tensors) for item in node]
    if not isinstance(node, dict):
        return node
    kind = node.get("__type__")
    if kind == "tensor":
        name = node["name"]
        if name not in tensors:
            tensors[name] = Tensor._wrap(arrays[name])
        return tensors[name]
    if kind == "ndarray":
        return arrays[node["name"]]
    if kind == "float":
        return float(node["value"])
    if kind == "tuple":
        return tuple(_decode(item, arrays, tensors) for item in node["items"])
    if kind in ("dict", "OrderedDict"):
        pairs = [(key, _decode(value, arrays, tensors)) for key, value in node["items"]]
        return OrderedDict(pairs) if kind == "OrderedDict" else dict(pairs)
    raise ValueError(f"neuronet.load: unknown entry {node!r} in the file's structure")


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save tensors (a state dict, nested dicts, lists) to a safetensors file.

    Args:
        obj: a ``state_dict()`` of a Module or an Optimizer, or any nesting of dicts, lists
            and tuples whose leaves are tensors, NumPy arrays, str, int, float, bool or None.
        f: a path (written atomically: a failed save leaves an existing file untouched) or
            a binary file object opened for writing.
        pickle_module, pickle_protocol: accepted for PyTorch compatibility, unused.

    Raises:
        TypeError: ``obj`` holds something else (a Module, an Optimizer, a function...); the
            message names where it is and what to save instead.
    """
    encoder = _Encoder()
    structure = encoder.encode(obj, ())
    metadata = {_FORMAT_KEY: _FORMAT, _STRUCTURE_KEY: json.dumps(structure)}
    data = arrays_to_bytes(encoder.arrays, metadata=metadata)  # fails before touching f
    if isinstance(f, str | os.PathLike):
        atomic_write(Path(f), data)
    elif hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(
            f"neuronet.save: f must be a path or a writable binary file, received "
            f"{type(f).__name__}"
        )


def _read(f: FileLike) -> tuple[bytes, str]:
    if isinstance(f, str | os.PathLike):
        path = Path(f)
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "does not exist"
            raise FileNotFoundError(f"neuronet.load: '{path}' {what}")
        return path.read_bytes(), f"'{path}'"
    if hasattr(f, "read"):
        return f.read(), "the file object"
    raise TypeError(
        f"neuronet.load: f must be a path or a readable binary file, received {type(f).__name__}"
    )


def _not_safetensors(data: bytes, source: str, error: Exception) -> ValueError:
    if data[:2] == b"PK" or data[:1] == b"\x80":
        return ValueError(
            f"neuronet.load: {source} looks like a PyTorch pickle/zip checkpoint; neuronet "
            "never unpickles (it can run arbitrary code). Convert it once under PyTorch with "
            "safetensors.torch.save_file(torch.load(path), 'model.safetensors') and load that"
        )
    return ValueError(f"neuronet.load: {error}")


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = True, mmap: Any = None, **pickle_load_args: Any) -> Any:
    """Load what ``save`` wrote (or any safetensors file, as a dict of name -> Tensor).

    Args:
        f: a path or a readable binary file object.
        map_location: accepted for PyTorch compatibility; every tensor is loaded on the CPU,
            neuronet's only device.
        weights_only: accepted for compatibility; loading is always data only (no pickle),
            which is what ``weights_only=True`` asks PyTorch for.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the data is not a safetensors file (e.g. a PyTorch pickle checkpoint),
            or it is truncated or corrupted.
    """
    data, source = _read(f)
    try:
        metadata = read_metadata_from_bytes(data, source)
        arrays = arrays_from_bytes(data, source)
    except ValueError as error:
        raise _not_safetensors(data, source, error) from None
    if metadata.get(_FORMAT_KEY) != _FORMAT or _STRUCTURE_KEY not in metadata:
        return OrderedDict((name, Tensor._wrap(array)) for name, array in arrays.items())
    try:
        structure = json.loads(metadata[_STRUCTURE_KEY])
        return _decode(structure, arrays, {})
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(
            f"neuronet.load: {source} has a corrupted '{_STRUCTURE_KEY}' entry ({error!r})"
        ) from None
