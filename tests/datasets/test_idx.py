"""neuronet.datasets.idx: IDX round trips for every type code, plain and gzip, and errors."""

from __future__ import annotations

import doctest
import gzip

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neuronet.datasets import idx, read_idx, write_idx

TYPE_CODES = {0x08: "uint8", 0x09: "int8", 0x0B: "int16", 0x0C: "int32", 0x0D: "float32",
              0x0E: "float64"}  # fmt: skip


def _sample(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    rng = np.random.default_rng(0)
    if dtype.startswith("float"):
        return rng.standard_normal(shape).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


def test_docstring_example_runs():
    result = doctest.testmod(idx)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("code", sorted(TYPE_CODES))
@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("shape", [(7,), (3, 4, 5), (0, 28), ()])
def test_round_trip_every_type_code(tmp_path, code, compress, shape):
    dtype = TYPE_CODES[code]
    array = _sample(dtype, shape)
    path = tmp_path / "data-idx"
    write_idx(array, path, compress=compress)
    raw = path.read_bytes()
    if compress:
        assert raw[:2] == b"\x1f\x8b"
        raw = gzip.decompress(raw)
    assert raw[:4] == bytes([0, 0, code, len(shape)])
    loaded = read_idx(path)
    assert loaded.dtype == np.dtype(dtype)  # native byte order
    assert loaded.shape == shape
    np.testing.assert_array_equal(loaded, array)
    assert loaded.flags.writeable


def test_header_is_big_endian(tmp_path):
    path = tmp_path / "x"
    write_idx(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int16), path)
    assert path.read_bytes() == bytes(
        [0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6]
    )


def test_gzip_detected_by_content_not_suffix(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    gz_without_suffix = tmp_path / "labels"
    plain_with_gz_suffix = tmp_path / "labels.gz"
    write_idx(array, gz_without_suffix, compress=True)
    write_idx(array, plain_with_gz_suffix, compress=False)
    np.testing.assert_array_equal(read_idx(gz_without_suffix), array)
    np.testing.assert_array_equal(read_idx(plain_with_gz_suffix), array)


def test_compress_defaults_to_the_suffix(tmp_path):
    write_idx(np.zeros(3, np.uint8), tmp_path / "a.gz")
    write_idx(np.zeros(3, np.uint8), tmp_path / "a")
    assert (tmp_path / "a.gz").read_bytes()[:2] == b"\x1f\x8b"
    assert (tmp_path / "a").read_bytes()[:2] == b"\x00\x00"


def test_non_contiguous_and_big_endian_input(tmp_path):
    array = np.arange(24, dtype=">f8").reshape(4, 6)[::2, ::-3]
    write_idx(array, tmp_path / "x")
    np.testing.assert_array_equal(read_idx(tmp_path / "x"), array)


@settings(max_examples=25, deadline=None)
@given(
    array=hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    ),
    compress=st.booleans(),
)
def test_round_trip_property(tmp_path_factory, array, compress):
    path = tmp_path_factory.mktemp("idx") / "x"
    write_idx(array, path, compress=compress)
    np.testing.assert_array_equal(read_idx(path), array)  # NaNs compare equal here


def _write_raw(tmp_path, data: bytes, name: str = "bad-idx", compress: bool = False):
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(
    "data",
    [b"\x01\x00\x08\x01" + b"\x00" * 8, b"\x00\x00\x07\x01" + b"\x00" * 8, b"PK\x03\x04junk"],
)
def test_bad_magic_number(tmp_path, data, compress):
    path = _write_raw(tmp_path, data, compress=compress)
    with pytest.raises(ValueError, match="is not an IDX file: magic number") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_file_shorter_than_the_magic_number(tmp_path):
    with pytest.raises(ValueError, match="fewer than the 4-byte IDX magic"):
        read_idx(_write_raw(tmp_path, b"\x00\x00"))


def test_truncated_header(tmp_path):
    with pytest.raises(ValueError, match="declares 3 dimensions"):
        read_idx(_write_raw(tmp_path, b"\x00\x00\x08\x03\x00\x00\x00\x02"))


@pytest.mark.parametrize("compress", [False, True])
def test_short_data_says_expected_and_found(tmp_path, compress):
    header = bytes([0, 0, 0x0C, 2, 0, 0, 0, 3, 0, 0, 0, 4])  # int32 (3, 4): 48 data bytes
    path = _write_raw(tmp_path, header + b"\x00" * 40, "images-idx3-ubyte", compress)
    with pytest.raises(ValueError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message and "truncated" in message
    assert "needs 48 data bytes, found 40" in message and "(3, 4)" in message


def test_too_long_data(tmp_path):
    path = _write_raw(tmp_path, bytes([0, 0, 0x08, 1, 0, 0, 0, 2]) + b"abc")
    with pytest.raises(ValueError, match="longer than its header says.*needs 2 data bytes, fou"):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    write_idx(np.arange(1000, dtype=np.int32), tmp_path / "x.gz")
    data = (tmp_path / "x.gz").read_bytes()
    path = _write_raw(tmp_path, data[: len(data) // 2])
    with pytest.raises(ValueError, match="cannot be decompressed"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing-here"):
        read_idx(tmp_path / "nothing-here")


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint16", "float16", "complex64"])
def test_write_rejects_types_idx_cannot_store(tmp_path, dtype):
    with pytest.raises(TypeError, match=f"cannot store dtype {dtype}"):
        write_idx(np.zeros(3, dtype), tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_write_is_atomic(tmp_path, monkeypatch):
    import os

    path = tmp_path / "x"
    write_idx(np.ones(3, np.uint8), path)
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("crash")))
    with pytest.raises(OSError, match="crash"):
        write_idx(np.zeros(5, np.uint8), path)
    np.testing.assert_array_equal(read_idx(path), np.ones(3, np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]
