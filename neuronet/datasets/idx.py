"""The IDX file format of MNIST and Fashion-MNIST: read and write, plain or gzip.

Layout (all integers big-endian):
    bytes 0-1   zero
    byte  2     type code: 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
                0x0D float32, 0x0E float64
    byte  3     ndim
    then        ndim sizes, each a uint32
    then        the data, C order, prod(sizes) items of the type

Example:
    >>> import tempfile, pathlib, numpy as np
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "labels-idx1-ubyte.gz"
    >>> write_idx(np.array([3, 1, 4], dtype=np.uint8), path)
    >>> read_idx(path)
    array([3, 1, 4], dtype=uint8)
    >>> tmp.cleanup()
"""

from __future__ import annotations

import gzip
import math
import os
import zlib
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_write
from ._files import is_gzip

__all__ = ["IDX_TYPE_CODES", "read_idx", "write_idx"]

# type code -> big-endian dtype as stored in the file
IDX_TYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODE_OF_KIND = {(dtype.kind, dtype.itemsize): code for code, dtype in IDX_TYPE_CODES.items()}
_HEADER_FIXED_BYTES = 4


def _decompress(raw: bytes, path: Path) -> bytes:
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(
            f"read_idx: '{path}' looks like gzip but cannot be decompressed "
            f"(truncated or corrupted): {error}"
        ) from None


def _parse_header(data: bytes, path: Path) -> tuple[np.dtype, tuple[int, ...], int]:
    """Return (file dtype, shape, offset of the data) or raise ValueError naming the file."""
    if len(data) < _HEADER_FIXED_BYTES:
        raise ValueError(
            f"read_idx: '{path}' has {len(data)} bytes, fewer than the 4-byte IDX magic number"
        )
    if data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPE_CODES:
        valid = ", ".join(f"0x{code:02X} ({dt.name})" for code, dt in IDX_TYPE_CODES.items())
        raise ValueError(
            f"read_idx: '{path}' is not an IDX file: magic number {data[:4].hex(' ')}; "
            f"expected two zero bytes then a type code in [{valid}] and ndim"
        )
    ndim = data[3]
    data_offset = _HEADER_FIXED_BYTES + 4 * ndim
    if len(data) < data_offset:
        raise ValueError(
            f"read_idx: '{path}' is truncated: the header declares {ndim} dimensions "
            f"({data_offset} header bytes) but the file has {len(data)} bytes"
        )
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", ndim, _HEADER_FIXED_BYTES))
    return IDX_TYPE_CODES[data[2]], shape, data_offset


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (plain or gzip, detected from its first bytes) into a NumPy array.

    The result is a writable array in native byte order with the file's type
    (uint8, int8, int16, int32, float32 or float64) and shape.

    Raises:
        FileNotFoundError: no such file.
        ValueError: wrong magic number, or a data length that does not match the header.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"read_idx: '{path}' does not exist")
    data = path.read_bytes()
    if is_gzip(data):
        data = _decompress(data, path)
    dtype, shape, offset = _parse_header(data, path)
    expected = math.prod(shape) * dtype.itemsize
    found = len(data) - offset
    if found != expected:
        problem = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"read_idx: '{path}' is {problem}: shape {shape} of {dtype.name} needs "
            f"{expected} data bytes, found {found}"
        )
    array = np.frombuffer(data, dtype, math.prod(shape), offset).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable, native-order copy


def write_idx(
    array: np.ndarray, path: str | os.PathLike[str], compress: bool | None = None
) -> None:
    """Write ``array`` as an IDX file, atomically.

    Args:
        array: uint8, int8, int16, int32, float32 or float64 data, up to 255 dimensions.
        path: destination file.
        compress: gzip the file; None means "if ``path`` ends with .gz".

    Raises:
        TypeError: a dtype IDX cannot store (e.g. int64, bool).
        ValueError: more than 255 dimensions or a dimension of 2**32 or more.
    """
    path = Path(path)
    array = np.asarray(array)
    code = _CODE_OF_KIND.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        valid = ", ".join(dt.name for dt in IDX_TYPE_CODES.values())
        raise TypeError(f"write_idx: IDX cannot store dtype {array.dtype}; valid: {valid}")
    if array.ndim > 255 or any(n >= 2**32 for n in array.shape):
        raise ValueError(
            f"write_idx: IDX allows at most 255 dimensions each below 2**32, "
            f"received shape {array.shape}"
        )
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    data = header + array.astype(IDX_TYPE_CODES[code], copy=False).tobytes(order="C")
    if compress is None:
        compress = path.suffix == ".gz"
    if compress:
        data = gzip.compress(data, compresslevel=6, mtime=0)  # mtime=0: same bytes every run
    atomic_write(path, data)
