"""neuronet.io: atomic writes, safetensors round trips and validation, JSON configs."""

from __future__ import annotations

import doctest
import io
import json
import os
import struct
import zipfile

import numpy as np
import pytest

import neuronet.io as nio
from neuronet.io import atomic, json_io, safetensors_io

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _files(folder) -> list[str]:
    return sorted(os.listdir(folder))


def _sample(dtype: str, shape=(3, 4), seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype.startswith("float"):
        return (rng.standard_normal(shape) * 100).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("module", [atomic, json_io, safetensors_io])
def test_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------- atomic writes


def test_atomic_write_bytes_and_text(tmp_path):
    path = tmp_path / "f.bin"
    assert nio.atomic_write(path, b"\x00\x01") == path
    assert path.read_bytes() == b"\x00\x01"
    nio.atomic_write(str(path), "héllo\n")
    assert path.read_text(encoding="utf-8") == "héllo\n"
    assert _files(tmp_path) == ["f.bin"]


def test_atomic_open_text_and_binary(tmp_path):
    path = tmp_path / "f.txt"
    with nio.atomic_open(path, "w") as handle:
        handle.write("a\nb\n")
    assert path.read_text() == "a\nb\n"
    with nio.atomic_open(path) as handle:
        handle.write(b"bytes")
    assert path.read_bytes() == b"bytes"


def test_new_file_gets_umask_permissions_and_old_mode_is_kept(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "f"
    nio.atomic_write(path, b"x")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    path.chmod(0o640)
    nio.atomic_write(path, b"y")
    assert path.stat().st_mode & 0o777 == 0o640


def test_overwrite_false_refuses_existing_file(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=False") as info:
        nio.atomic_write(path, b"new", overwrite=False)
    assert str(path) in str(info.value)
    assert path.read_bytes() == b"old"
    assert _files(tmp_path) == ["f"]


def test_overwrite_false_writes_a_new_file(tmp_path):
    path = tmp_path / "f"
    nio.atomic_write(path, b"new", overwrite=False)
    assert path.read_bytes() == b"new"
    assert _files(tmp_path) == ["f"]


def test_overwrite_false_detects_a_file_created_during_the_write(tmp_path):
    path = tmp_path / "f"
    with pytest.raises(FileExistsError):
        with nio.atomic_open(path, overwrite=False) as handle:
            path.write_bytes(b"someone else")  # appears after the up-front check
            handle.write(b"mine")
    assert path.read_bytes() == b"someone else"
    assert _files(tmp_path) == ["f"]


def test_crash_during_rename_keeps_old_file_and_removes_temp(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"old")

    def crash(*args, **kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        nio.atomic_write(path, b"new" * 1000)
    assert path.read_bytes() == b"old"
    assert _files(tmp_path) == ["f"]


def test_exception_inside_block_keeps_old_file_and_removes_temp(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="half way"):
        with nio.atomic_open(path) as handle:
            handle.write(b"partial")
            raise RuntimeError("half way")
    assert path.read_bytes() == b"old"
    assert _files(tmp_path) == ["f"]


def test_atomic_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="mode must be one of"):
        with nio.atomic_open(tmp_path / "f", "ab"):
            pass
    with pytest.raises(TypeError, match="data must be bytes or str, received int"):
        nio.atomic_write(tmp_path / "f", 3)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nio.atomic_write(tmp_path / "missing" / "f", b"x")
    with pytest.raises(LookupError):
        with nio.atomic_open(tmp_path / "f", "w", encoding="no-such-codec"):
            pass
    with pytest.raises(IsADirectoryError):
        nio.atomic_write(tmp_path, b"x")
    assert _files(tmp_path) == []


# --------------------------------------------------------------------------- safetensors


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), (), (0, 5), (2, 1, 3)])
def test_safetensors_round_trip_every_dtype(tmp_path, dtype, shape):
    array = _sample(dtype, shape)
    path = tmp_path / "w.safetensors"
    nio.save_arrays({"a": array}, path)
    loaded = nio.load_arrays(path)
    assert list(loaded) == ["a"]
    assert loaded["a"].dtype == np.dtype(dtype)
    assert loaded["a"].shape == shape
    np.testing.assert_array_equal(loaded["a"], array)
    assert loaded["a"].flags.writeable


def test_safetensors_many_arrays_and_special_values(tmp_path):
    arrays = {name: _sample(name, (5,), seed=i) for i, name in enumerate(DTYPES)}
    arrays["special"] = np.array([np.nan, np.inf, -np.inf, -0.0], np.float32)
    path = tmp_path / "w.safetensors"
    nio.save_arrays(arrays, path)
    loaded = nio.load_arrays(path)
    assert set(loaded) == set(arrays)
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)
    assert np.signbit(loaded["special"][3])


def test_non_contiguous_and_big_endian_arrays(tmp_path):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    arrays = {
        "transposed": base.T,
        "strided": base[::2, ::3],
        "reversed": base[::-1],
        "big_endian": np.arange(6, dtype=">i4"),
    }
    path = tmp_path / "w.safetensors"
    nio.save_arrays(arrays, path)
    loaded = nio.load_arrays(path)
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].flags.c_contiguous
    assert loaded["big_endian"].dtype == np.dtype("int32")


def test_metadata_round_trip(tmp_path):
    path = tmp_path / "w.safetensors"
    metadata = {"format": "neuronet", "epoch": "3", "note": "ünïcode"}
    nio.save_arrays({"w": np.ones(2, np.float32)}, path, metadata=metadata)
    assert nio.read_metadata(path) == metadata
    nio.save_arrays({"w": np.ones(2, np.float32)}, path)
    assert nio.read_metadata(path) == {}


def test_bytes_round_trip_inside_a_zip(tmp_path):
    arrays = {"layer.0.weight": _sample("float32", (4, 3)), "layer.0.bias": np.zeros(3, "f4")}
    blob = nio.arrays_to_bytes(arrays, metadata={"k": "v"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.weights.safetensors", blob)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as archive:
        data = archive.read("model.weights.safetensors")
    loaded = nio.arrays_from_bytes(data)
    for name, array in arrays.items():
        np.testing.assert_array_equal(loaded[name], array)
    assert nio.read_metadata_from_bytes(data) == {"k": "v"}


@pytest.mark.parametrize(
    ("arrays", "metadata", "message"),
    [
        ({"c": np.zeros(2, np.complex64)}, None, "unsupported dtype complex64"),
        ({"o": np.array([None])}, None, "unsupported dtype object"),
        ({"s": np.array(["a"])}, None, "unsupported dtype <U1"),
        ({1: np.zeros(2)}, None, "names must be str"),
        ({"l": [1, 2]}, None, "must be a numpy array, received list"),
        ([np.zeros(2)], None, "must be a dict"),
        ({"w": np.zeros(2)}, {"epoch": 3}, "metadata must be a dict of str -> str"),
    ],
)
def test_save_rejects_bad_input(arrays, metadata, message):
    with pytest.raises(TypeError, match=message):
        nio.arrays_to_bytes(arrays, metadata)


def test_failed_serialization_leaves_old_file(tmp_path):
    path = tmp_path / "w.safetensors"
    nio.save_arrays({"w": np.ones(3, np.float32)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        nio.save_arrays({"w": np.ones(3, np.complex128)}, path)
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["w.safetensors"]


def test_save_arrays_overwrite_false(tmp_path):
    path = tmp_path / "w.safetensors"
    nio.save_arrays({"w": np.ones(3, np.float32)}, path)
    with pytest.raises(FileExistsError, match="overwrite=False"):
        nio.save_arrays({"w": np.zeros(3, np.float32)}, path, overwrite=False)
    np.testing.assert_array_equal(nio.load_arrays(path)["w"], np.ones(3))


def test_load_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.safetensors"
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        nio.load_arrays(path)
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        nio.read_metadata(path)


def _saved(tmp_path) -> tuple[os.PathLike, bytes]:
    path = tmp_path / "w.safetensors"
    nio.save_arrays({"a": np.arange(10, dtype=np.float32), "b": np.ones((2, 2), "i8")}, path)
    return path, path.read_bytes()


@pytest.mark.parametrize("keep", [0, 5, 8, 20, -1, -30])
def test_truncated_file_is_reported(tmp_path, keep):
    path, data = _saved(tmp_path)
    path.write_bytes(data[:keep])
    with pytest.raises(ValueError, match=r"is not a valid safetensors file \(truncated or corr"):
        nio.load_arrays(path)


def test_truncated_error_names_the_file(tmp_path):
    path, data = _saved(tmp_path)
    path.write_bytes(data[:-4])
    with pytest.raises(ValueError) as info:
        nio.load_arrays(path)
    assert str(path) in str(info.value)


def _with_header(data: bytes, header: bytes) -> bytes:
    (size,) = struct.unpack("<Q", data[:8])
    return struct.pack("<Q", len(header)) + header + data[8 + size :]


def test_tampered_headers_are_reported(tmp_path):
    path, data = _saved(tmp_path)
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    cases = {
        "not json": b"{not json at all}",
        "not an object": b"[1, 2, 3]",
        "offsets past the end": json.dumps(
            {**header, "a": {**header["a"], "data_offsets": [0, 10**6]}}
        ).encode(),
        "wrong dtype for the size": json.dumps(
            {**header, "a": {**header["a"], "dtype": "F64"}}
        ).encode(),
        "unknown dtype": json.dumps({**header, "a": {**header["a"], "dtype": "Q99"}}).encode(),
    }
    for reason, tampered in cases.items():
        path.write_bytes(_with_header(data, tampered))
        with pytest.raises(ValueError, match="not a valid safetensors file"):
            nio.load_arrays(path)
            pytest.fail(reason)
    path.write_bytes(struct.pack("<Q", 2**62) + data[8:])
    with pytest.raises(ValueError, match="implausibly large"):
        nio.load_arrays(path)


# --------------------------------------------------------------------------- JSON


def test_json_round_trip_keeps_key_order_and_indent(tmp_path):
    path = tmp_path / "config.json"
    config = {"name": "mlp", "layers": [{"units": 128, "activation": "relu"}], "a": None}
    nio.save_json(config, path)
    assert list(nio.load_json(path)) == ["name", "layers", "a"]
    assert nio.load_json(path) == config
    text = path.read_text()
    assert text.endswith("\n") and '\n  "name": "mlp"' in text


def test_json_numpy_values_and_unicode(tmp_path):
    path = tmp_path / "c.json"
    nio.save_json({"lr": np.float32(0.5), "n": np.int64(3), "v": np.arange(2), "s": "é"}, path)
    assert nio.load_json(path) == {"lr": 0.5, "n": 3, "v": [0, 1], "s": "é"}
    assert "é" in path.read_text(encoding="utf-8")


def test_json_unserializable_value_leaves_old_file(tmp_path):
    path = tmp_path / "c.json"
    nio.save_json({"ok": 1}, path)
    with pytest.raises(TypeError, match=r"cannot write .*c\.json.*object is not JSON"):
        nio.save_json({"bad": object()}, path)
    assert nio.load_json(path) == {"ok": 1}
    assert _files(tmp_path) == ["c.json"]


def test_json_overwrite_false(tmp_path):
    path = tmp_path / "c.json"
    nio.save_json([1], path)
    with pytest.raises(FileExistsError):
        nio.save_json([2], path, overwrite=False)
    assert nio.load_json(path) == [1]


def test_invalid_json_names_file_line_and_reason(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "a": 1,\n  "b": ,\n}\n')
    with pytest.raises(ValueError, match=r"broken\.json.*line 3 column 8: Expecting value"):
        nio.load_json(path)
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ValueError, match="not UTF-8"):
        nio.load_json(path)
    with pytest.raises(FileNotFoundError, match="nothing.json"):
        nio.load_json(tmp_path / "nothing.json")
