"""Bytes on disk: atomic writes, named arrays <-> safetensors, configs <-> JSON.

This layer knows arrays and dicts only (never tensors or models), and never uses pickle.
"""

from .atomic import atomic_open, atomic_write
from .json_io import load_json, save_json
from .safetensors_io import (
    SUPPORTED_DTYPES,
    arrays_from_bytes,
    arrays_to_bytes,
    load_arrays,
    read_metadata,
    read_metadata_from_bytes,
    save_arrays,
)

__all__ = [
    "SUPPORTED_DTYPES",
    "arrays_from_bytes",
    "arrays_to_bytes",
    "atomic_open",
    "atomic_write",
    "load_arrays",
    "load_json",
    "read_metadata",
    "read_metadata_from_bytes",
    "save_arrays",
    "save_json",
]
