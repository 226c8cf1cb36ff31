"""JSON configs on disk: atomic writes, and errors that say where a file is broken.

Example:
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "config.json"
    >>> _ = save_json({"units": 128, "activation": "relu"}, path)
    >>> load_json(path)
    {'units': 128, 'activation': 'relu'}
    >>> tmp.cleanup()
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from .atomic import atomic_write

__all__ = ["load_json", "save_json"]


def _to_builtin(value: Any) -> Any:
    """json's fallback: NumPy scalars and arrays become Python numbers and lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def save_json(obj: Any, path: str | os.PathLike[str], overwrite: bool = True) -> Path:
    """Write ``obj`` as indented JSON (keys in their given order) atomically; return the path.

    The object is fully serialized before the file is touched, so a value that cannot be
    written leaves any existing file unchanged.

    Raises:
        TypeError: ``obj`` holds something JSON cannot represent.
        FileExistsError: ``overwrite=False`` and ``path`` exists.
    """
    try:
        text = json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False, default=_to_builtin)
    except (TypeError, ValueError) as error:
        raise TypeError(f"save_json: cannot write '{path}': {error}") from error
    return atomic_write(path, text + "\n", overwrite=overwrite)


def load_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is not valid UTF-8 JSON; the message names the file, the line
            and column, and the reason.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"load_json: '{path}' {what}")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"'{path}' is not valid JSON: not UTF-8 text ({error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(
            f"'{path}' is not valid JSON: line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
