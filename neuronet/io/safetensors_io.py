"""Named arrays <-> safetensors bytes and files (never pickle).

A safetensors file is: 8 bytes little-endian header length N, N bytes of JSON header
(``{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
"__metadata__": {"key": "value"}}``), then the raw little-endian array bytes. Loading it
never runs code, which is why model weights are stored this way instead of with pickle.

Example:
    >>> import numpy as np
    >>> blob = arrays_to_bytes({"w": np.ones((2, 3), np.float32)}, metadata={"step": "7"})
    >>> arrays_from_bytes(blob)["w"].shape
    (2, 3)
    >>> read_metadata_from_bytes(blob)
    {'step': '7'}
"""

from __future__ import annotations

import json
import os
import struct
from pathlib import Path

import numpy as np
import safetensors.numpy

from .atomic import atomic_write

__all__ = [
    "SUPPORTED_DTYPES",
    "arrays_from_bytes",
    "arrays_to_bytes",
    "load_arrays",
    "read_metadata",
    "read_metadata_from_bytes",
    "save_arrays",
]

SUPPORTED_DTYPES: tuple[np.dtype, ...] = tuple(
    np.dtype(name)
    for name in (
        "float16", "float32", "float64",
        "int8", "int16", "int32", "int64",
        "uint8", "uint16", "uint32", "uint64",
        "bool",
    )
)  # fmt: skip

_HEADER_SIZE_BYTES = 8
_MAX_HEADER_BYTES = 100_000_000  # the format's own limit; a larger value means a corrupt file


def _prepare(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Check names and dtypes; return C-contiguous, native-order copies where needed."""
    if not isinstance(arrays, dict):
        raise TypeError(
            f"save_arrays: arrays must be a dict of name -> numpy array, "
            f"received {type(arrays).__name__}"
        )
    prepared = {}
    for name, array in arrays.items():
        if not isinstance(name, str):
            raise TypeError(f"save_arrays: array names must be str, received {name!r}")
        if not isinstance(array, np.ndarray | np.generic):
            raise TypeError(
                f"save_arrays: '{name}' must be a numpy array, received {type(array).__name__}"
            )
        array = np.asarray(array)
        if array.dtype.newbyteorder("=") not in SUPPORTED_DTYPES:
            valid = ", ".join(str(d) for d in SUPPORTED_DTYPES)
            raise TypeError(
                f"save_arrays: '{name}' has unsupported dtype {array.dtype}; valid: {valid}"
            )
        array = array.astype(array.dtype.newbyteorder("="), copy=False)
        # NOTE: not np.ascontiguousarray, which turns a 0-d array into shape (1,).
        prepared[name] = np.require(array, requirements="C")
    return prepared


def _check_metadata(metadata: dict[str, str] | None) -> None:
    if metadata is None:
        return
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise TypeError(
            f"save_arrays: metadata must be a dict of str -> str, received {metadata!r}"
        )


def arrays_to_bytes(arrays: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """Serialize named arrays (and optional text metadata) to safetensors bytes."""
    _check_metadata(metadata)
    return safetensors.numpy.save(_prepare(arrays), metadata=metadata)


def _parse_header(data: bytes) -> dict:
    """Decode and sanity-check the JSON header; raise ValueError with the reason."""
    if len(data) < _HEADER_SIZE_BYTES:
        raise ValueError(f"only {len(data)} bytes, fewer than the 8-byte header length")
    (header_size,) = struct.unpack("<Q", data[:_HEADER_SIZE_BYTES])
    if header_size > _MAX_HEADER_BYTES:
        raise ValueError(f"header length {header_size} is implausibly large")
    header_end = _HEADER_SIZE_BYTES + header_size
    if header_end > len(data):
        raise ValueError(f"header needs {header_end} bytes but the data has {len(data)}")
    try:
        header = json.loads(data[_HEADER_SIZE_BYTES:header_end])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"header is not valid JSON ({error})") from None
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    body_size = len(data) - header_end
    for name, info in header.items():
        if name == "__metadata__":
            continue
        offsets = info.get("data_offsets") if isinstance(info, dict) else None
        if not (isinstance(offsets, list) and len(offsets) == 2):
            raise ValueError(f"entry '{name}' has no valid data_offsets")
        if offsets[1] > body_size:
            raise ValueError(
                f"'{name}' ends at byte {offsets[1]} of the data section, "
                f"which has only {body_size} bytes"
            )
    return header


def _invalid(source: str, reason: object) -> ValueError:
    return ValueError(
        f"{source} is not a valid safetensors file (truncated or corrupted): {reason}"
    )


def arrays_from_bytes(data: bytes, source: str = "data") -> dict[str, np.ndarray]:
    """Deserialize safetensors bytes to a dict of writable arrays.

    Args:
        data: the bytes of a safetensors file.
        source: how to name the data in error messages (a path, a zip member).

    Raises:
        ValueError: the bytes are truncated or corrupted.
    """
    try:
        _parse_header(data)
        return safetensors.numpy.load(bytes(data))
    except Exception as error:  # SafetensorError derives from Exception only
        raise _invalid(source, error) from error


def read_metadata_from_bytes(data: bytes, source: str = "data") -> dict[str, str]:
    """The ``__metadata__`` dict of safetensors bytes ({} when there is none)."""
    try:
        return dict(_parse_header(data).get("__metadata__") or {})
    except ValueError as error:
        raise _invalid(source, error) from error


def _read_file(path: str | os.PathLike[str], caller: str) -> bytes:
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise FileNotFoundError(f"{caller}: '{path}' {what}")
    return path.read_bytes()


def save_arrays(
    arrays: dict[str, np.ndarray],
    path: str | os.PathLike[str],
    metadata: dict[str, str] | None = None,
    overwrite: bool = True,
) -> Path:
    """Save named arrays to a safetensors file atomically; return the path.

    Args:
        arrays: name -> array; dtypes float16/32/64, (u)int8/16/32/64 or bool.
            Non-contiguous or big-endian arrays are converted first.
        path: destination file (conventionally ``*.safetensors``).
        metadata: optional str -> str pairs stored in the header.
        overwrite: if False and ``path`` exists, raise ``FileExistsError``.
    """
    return atomic_write(path, arrays_to_bytes(arrays, metadata), overwrite=overwrite)


def load_arrays(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Load every array of a safetensors file.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the file is truncated or corrupted.
    """
    return arrays_from_bytes(_read_file(path, "load_arrays"), source=f"'{path}'")


def read_metadata(path: str | os.PathLike[str]) -> dict[str, str]:
    """The ``__metadata__`` dict stored in a safetensors file ({} when there is none)."""
    return read_metadata_from_bytes(_read_file(path, "read_metadata"), source=f"'{path}'")
