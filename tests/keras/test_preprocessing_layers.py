"""Normalization, CategoryEncoding, Resizing and CenterCrop against real Keras 3 (torch
backend): outputs, configs, training through Normalization and saving an adapted one."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers.preprocessing import (  # noqa: E402
    CategoryEncoding,
    CenterCrop,
    Normalization,
    Resizing,
)
from neuronet.tensor import Tensor  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

OURS = {"Normalization": Normalization, "CategoryEncoding": CategoryEncoding,
        "Resizing": Resizing, "CenterCrop": CenterCrop}


def _np(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


def _both(name, kwargs, x, adapt=None, **call_kwargs):
    theirs, ours = getattr(keras.layers, name)(**kwargs), OURS[name](**kwargs)
    if adapt is not None:
        theirs.adapt(adapt)
        ours.adapt(adapt)
    return _np(theirs(x, **call_kwargs)), ours(x, **call_kwargs).numpy()


RNG = np.random.default_rng(0)
DATA_2D = RNG.normal(3.0, 2.0, (20, 4)).astype("float32")
DATA_4D = RNG.normal(-1.0, 3.0, (6, 5, 4, 3)).astype("float32")


@pytest.mark.parametrize("axis, data", [
    (-1, DATA_2D), (None, DATA_2D), (0, DATA_2D), (-1, DATA_4D), ((1, 2), DATA_4D),
    (None, DATA_4D), ((1, 3), DATA_4D)])
@pytest.mark.parametrize("invert", [False, True])
def test_normalization_adapt_matches_keras(axis, data, invert):
    x = RNG.normal(size=data.shape).astype("float32")
    theirs, ours = _both("Normalization", {"axis": axis, "invert": invert}, x, adapt=data)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_normalization_adapt_on_tensor_and_batches():
    x = RNG.normal(size=(3, 4)).astype("float32")
    theirs = keras.layers.Normalization()
    theirs.adapt(DATA_2D)
    ours_tensor, ours_batches = Normalization(), Normalization()
    ours_tensor.adapt(Tensor(DATA_2D))
    ours_batches.adapt([DATA_2D[:7], DATA_2D[7:]])
    for ours in (ours_tensor, ours_batches):
        np.testing.assert_allclose(ours(x).numpy(), _np(theirs(x)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kwargs, shape", [
    ({"mean": 3.0, "variance": 2.0}, (3, 1)),
    ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 0.0]}, (2, 3)),
    ({"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0], "invert": True}, (2, 5, 3)),
    ({"axis": (1, 2), "mean": [[1.0], [2.0]], "variance": [[1.0], [4.0]]}, (2, 2, 1)),
])
def test_normalization_given_statistics_matches_keras(kwargs, shape):
    x = RNG.normal(size=shape).astype("float32")
    theirs, ours = _both("Normalization", kwargs, x)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


def test_normalization_passes_gradients():
    layer = Normalization(mean=[1.0, 2.0], variance=[4.0, 16.0])
    x = Tensor(np.ones((3, 2), "float32"), requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad.numpy()), np.tile([0.5, 0.25], (3, 1)))


def test_normalization_errors():
    with pytest.raises(ValueError, match="both `mean` and `variance`"):
        Normalization(mean=1.0)
    with pytest.raises(ValueError, match="same shape"):
        Normalization(mean=[1.0, 2.0], variance=[1.0])


@pytest.mark.parametrize("mode", ["one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("x", [np.array([0, 2, 1, 2]), np.array([[0, 1, 1], [3, 3, 0]]),
                               np.array([[1], [0], [3]])])
def test_category_encoding_matches_keras(mode, x):
    theirs, ours = _both("CategoryEncoding", {"num_tokens": 4, "output_mode": mode}, x)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    np.testing.assert_array_equal(ours, theirs)
    assert CategoryEncoding(4, mode).compute_output_shape(x.shape) == theirs.shape


def test_category_encoding_count_weights_matches_keras():
    x = np.array([[0, 1, 1], [3, 3, 0]])
    w = np.array([[0.5, 1.0, 2.0], [1.0, 1.5, 3.0]], "float32")
    theirs, ours = _both("CategoryEncoding", {"num_tokens": 5, "output_mode": "count"}, x,
                         count_weights=w)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    with pytest.raises(ValueError, match="count_weights"):
        CategoryEncoding(5)(x, count_weights=w)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("shape, size", [
    ((2, 5, 7, 3), (10, 14)), ((2, 5, 7, 3), (3, 4)), ((1, 8, 8, 2), (3, 13)),
    ((6, 9, 1), (4, 4)), ((1, 4, 6, 1), (7, 2))])
@pytest.mark.parametrize("crop", [False, True])
def test_resizing_matches_keras(interpolation, shape, size, crop):
    x = RNG.normal(size=shape).astype("float32")
    kwargs = {"height": size[0], "width": size[1], "interpolation": interpolation,
              "crop_to_aspect_ratio": crop}
    theirs, ours = _both("Resizing", kwargs, x)
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape, size", [
    ((2, 6, 7, 3), (4, 3)), ((2, 5, 5, 1), (5, 5)), ((7, 8, 2), (2, 5)),
    ((2, 4, 6, 1), (8, 3)), ((1, 3, 3, 2), (6, 9))])
def test_center_crop_matches_keras(shape, size):
    x = RNG.normal(size=shape).astype("float32")
    theirs, ours = _both("CenterCrop", {"height": size[0], "width": size[1]}, x)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name, kwargs", [
    ("Normalization", {}), ("Normalization", {"axis": None, "invert": True}),
    ("Normalization", {"axis": (1, 2), "mean": [[1.0], [2.0]], "variance": [[1.0], [4.0]]}),
    ("CategoryEncoding", {"num_tokens": 3}),
    ("CategoryEncoding", {"num_tokens": 7, "output_mode": "count"}),
    ("Resizing", {"height": 2, "width": 3}),
    ("Resizing", {"height": 4, "width": 5, "interpolation": "nearest",
                  "crop_to_aspect_ratio": True}),
    ("CenterCrop", {"height": 2, "width": 3})])
def test_configs_match_keras_and_round_trip(name, kwargs):
    ours = OURS[name](**kwargs)
    config = ours.get_config()
    theirs = getattr(keras.layers, name)(**kwargs).get_config()
    assert set(config) - {"dtype"} == set(theirs) - {"dtype"}
    for key in set(theirs) - {"name", "dtype"}:
        assert config[key] == theirs[key], key
    assert OURS[name].from_config(config).get_config() == config


def test_normalization_in_sequential_fit():
    x = RNG.normal(10.0, 5.0, (64, 4)).astype("float32")
    y = (x[:, :1] > 10.0).astype("float32")
    norm = Normalization()
    norm.adapt(x)
    model = nk.Sequential([nk.Input((4,)), norm, nk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    np.testing.assert_allclose(norm(x).numpy().mean(axis=0), 0.0, atol=1e-5)


def test_adapted_normalization_survives_save_and_load(tmp_path):
    x = RNG.normal(10.0, 5.0, (32, 3)).astype("float32")
    norm = Normalization()
    norm.adapt(x)
    model = nk.Sequential([nk.Input((3,)), norm, nk.layers.Dense(2)])
    expected = model.predict(x, verbose=0)
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = nk.models.load_model(path, custom_objects={"Normalization": Normalization})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, rtol=1e-6)
    mean = [w for w in loaded.layers[0].weights if w.name == "mean"][0]
    np.testing.assert_allclose(mean.numpy(), x.mean(axis=0), rtol=1e-5)
