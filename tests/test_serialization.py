"""neuronet.save / neuronet.load: safetensors state dicts, never pickle."""

import io
import json
from collections import OrderedDict

import numpy as np
import pytest
import safetensors.numpy

import neuronet
from neuronet.serialization import load, save

DTYPES = [neuronet.float16, neuronet.float32, neuronet.float64, neuronet.int8, neuronet.uint8,
          neuronet.int16, neuronet.int32, neuronet.int64, neuronet.bool]


def _assert_same_tensor(a, b):
    assert isinstance(a, neuronet.Tensor)
    assert a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_round_trip_keeps_dtype(tmp_path, dtype):
    values = neuronet.tensor(np.arange(-3, 3).reshape(2, 3) % 2 == 0) if dtype == neuronet.bool \
        else neuronet.tensor(np.arange(6).reshape(2, 3)).to(dtype)
    state = OrderedDict(weight=values, scalar=neuronet.tensor(3).to(dtype))
    save(state, tmp_path / "m.safetensors")
    loaded = load(tmp_path / "m.safetensors")
    assert isinstance(loaded, OrderedDict) and list(loaded) == ["weight", "scalar"]
    for key in state:
        _assert_same_tensor(loaded[key], state[key])


def test_flat_state_dict_is_a_plain_safetensors_file(tmp_path):
    state = {"fc1.weight": neuronet.randn(4, 3), "fc1.bias": neuronet.zeros(4)}
    save(state, str(tmp_path / "m.safetensors"))
    arrays = safetensors.numpy.load_file(str(tmp_path / "m.safetensors"))
    assert sorted(arrays) == ["fc1.bias", "fc1.weight"]
    np.testing.assert_array_equal(arrays["fc1.weight"], state["fc1.weight"].numpy())


def test_foreign_safetensors_file_loads_as_dict_of_tensors(tmp_path):
    path = str(tmp_path / "other.safetensors")
    safetensors.numpy.save_file({"a": np.ones((2,), np.float32)}, path)
    loaded = load(path)
    assert list(loaded) == ["a"] and loaded["a"].dtype == neuronet.float32


def test_optimizer_style_state_dict_round_trip():
    state = {
        "state": {0: {"step": neuronet.tensor(3.0), "exp_avg": neuronet.ones(2, 2),
                      "exp_avg_sq": neuronet.zeros(2, 2, dtype=neuronet.float64)},
                  1: {"momentum_buffer": None}},
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "amsgrad": False,
                          "weight_decay": 0, "params": [0, 1], "name": "main",
                          "maximize": float("inf")}],
    }
    buffer = io.BytesIO()
    save(state, buffer)
    buffer.seek(0)
    loaded = load(buffer, map_location="cpu", weights_only=True)
    assert list(loaded["state"]) == [0, 1]  # integer keys stay integers
    _assert_same_tensor(loaded["state"][0]["exp_avg_sq"], state["state"][0]["exp_avg_sq"])
    assert loaded["state"][1] == {"momentum_buffer": None}
    group = loaded["param_groups"][0]
    assert group["betas"] == (0.9, 0.999) and isinstance(group["betas"], tuple)
    assert group["params"] == [0, 1] and group["amsgrad"] is False and group["lr"] == 1e-3
    assert group["maximize"] == float("inf")
    # the tensors are named by their path; the rest is JSON in the header's metadata
    header = json.loads(buffer.getvalue()[8:8 + int.from_bytes(buffer.getvalue()[:8], "little")])
    assert "state.0.exp_avg" in header and "neuronet.structure" in header["__metadata__"]


def test_nested_dicts_lists_and_numpy_arrays():
    shared = neuronet.arange(3)
    obj = {"a": {"b": {"c": shared}}, "list": [shared, np.eye(2)], "text": "hi", "n": None}
    buffer = io.BytesIO()
    save(obj, buffer)
    buffer.seek(0)
    loaded = load(buffer)
    _assert_same_tensor(loaded["a"]["b"]["c"], shared)
    assert loaded["list"][0] is loaded["a"]["b"]["c"]  # one tensor saved once, restored once
    assert isinstance(loaded["list"][1], np.ndarray) and loaded["list"][1].dtype == np.float64
    assert loaded["text"] == "hi" and loaded["n"] is None


def test_non_contiguous_tensor_round_trip():
    view = neuronet.arange(6).reshape(2, 3).t()  # a transposed view
    buffer = io.BytesIO()
    save({"t": view}, buffer)
    buffer.seek(0)
    _assert_same_tensor(load(buffer)["t"], view)


def test_single_tensor_and_empty_dict():
    for obj in (neuronet.ones(2), {}):
        buffer = io.BytesIO()
        save(obj, buffer)
        buffer.seek(0)
        loaded = load(buffer)
        if isinstance(obj, dict):
            assert loaded == {}
        else:
            _assert_same_tensor(loaded, obj)


def test_module_like_object_is_refused_with_advice():
    class Net:  # quacks like nn.Module
        def state_dict(self):
            return {}

        def parameters(self):
            return iter(())

    with pytest.raises(TypeError, match=r"save model\.state_dict\(\) instead"):
        save(Net(), io.BytesIO())
    with pytest.raises(TypeError, match=r"'layers\.0'.*only tensors"):
        save({"layers": [lambda x: x]}, io.BytesIO())
    with pytest.raises(TypeError, match="dict keys"):
        save({(1, 2): neuronet.ones(1)}, io.BytesIO())


def test_real_module_refused_when_nn_exists():
    nn = pytest.importorskip("neuronet.nn")
    if not hasattr(nn, "Linear"):
        pytest.skip("neuronet.nn.Linear not available yet")
    model = nn.Linear(2, 3)
    with pytest.raises(TypeError, match="state_dict"):
        save(model, io.BytesIO())
    buffer = io.BytesIO()
    save(model.state_dict(), buffer)
    buffer.seek(0)
    other = nn.Linear(2, 3)
    other.load_state_dict(load(buffer))
    np.testing.assert_array_equal(other.weight.detach().numpy(), model.weight.detach().numpy())


def test_failed_save_leaves_existing_file_untouched(tmp_path):
    path = tmp_path / "m.safetensors"
    save({"w": neuronet.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError):
        save({"w": neuronet.zeros(2), "bad": object()}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]  # no temp files left


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load(tmp_path / "missing.safetensors")
    pickle_like = tmp_path / "model.pt"
    pickle_like.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ValueError, match="never unpickles"):
        load(pickle_like)
    truncated = tmp_path / "cut.safetensors"
    save({"w": neuronet.ones(100)}, truncated)
    truncated.write_bytes(truncated.read_bytes()[:-10])
    with pytest.raises(ValueError, match="truncated or corrupted"):
        load(truncated)


def test_loaded_file_from_torch_save_safetensors(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    path = str(tmp_path / "t.safetensors")
    st_torch.save_file({"w": torch.arange(6, dtype=torch.float64).reshape(2, 3)}, path)
    loaded = load(path)
    assert loaded["w"].dtype == neuronet.float64
    np.testing.assert_array_equal(loaded["w"].numpy(), np.arange(6.0).reshape(2, 3))
