"""Keras Dropout (noise_shape, seed) and SpatialDropout2D (seed) against real Keras 3 (torch
backend): the mask's structure along size-1 noise axes, the 1 / (1 - rate) scale, the
identity at inference, reproducible seeded masks, configs and errors."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)


def _np(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


X = np.random.default_rng(0).uniform(1, 2, (6, 5, 4)).astype("float32")


@pytest.mark.parametrize("noise_shape", [None, (6, 1, 4), (None, 1, None), (1, 5, 1)])
def test_dropout_mask_structure_and_scale_match_keras(noise_shape) -> None:
    for layer in (keras.layers.Dropout(0.4, noise_shape=noise_shape, seed=3),
                  nk.layers.Dropout(0.4, noise_shape=noise_shape, seed=3)):
        y = _np(layer(X, training=True))
        kept = y != 0
        np.testing.assert_allclose(y[kept], X[kept] / 0.6, rtol=1e-6)
        if noise_shape is not None:  # one draw along every size-1 noise axis
            for axis, size in enumerate(noise_shape):
                if size == 1:
                    assert (kept == kept.take([0], axis=axis)).all()
        np.testing.assert_array_equal(_np(layer(X, training=False)), X)


def test_dropout_keeps_about_one_minus_rate_like_keras() -> None:
    x = np.ones((200, 500), "float32")
    ours = _np(nk.layers.Dropout(0.3, noise_shape=(None, 500))(x, training=True))
    theirs = _np(keras.layers.Dropout(0.3, noise_shape=(None, 500))(x, training=True))
    assert abs((ours != 0).mean() - 0.7) < 0.01 and abs((theirs != 0).mean() - 0.7) < 0.01
    assert abs(ours.mean() - 1) < 0.02 and abs(theirs.mean() - 1) < 0.02


def test_seeded_dropout_is_reproducible_and_unseeded_follows_manual_seed() -> None:
    def masks(layer):
        return [_np(layer(X, training=True)) != 0 for _ in range(3)]

    a, b = masks(nk.layers.Dropout(0.5, seed=7)), masks(nk.layers.Dropout(0.5, seed=7))
    assert all((m == n).all() for m, n in zip(a, b))
    assert not (a[0] == a[1]).all()  # a new mask on every call
    neuronet.manual_seed(1)
    c = masks(nk.layers.Dropout(0.5, noise_shape=(6, 1, 4)))
    neuronet.manual_seed(1)
    d = masks(nk.layers.Dropout(0.5, noise_shape=(6, 1, 4)))
    assert all((m == n).all() for m, n in zip(c, d))


def test_dropout_gradient_is_the_mask_and_the_keras_mask_passes() -> None:
    x = neuronet.tensor(X, requires_grad=True)
    y = nk.layers.Dropout(0.5, noise_shape=(None, 1, None), seed=0)(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (y.detach().numpy() != 0) * 2.0)
    tokens = np.array([[3, 1, 0, 0, 0], [2, 2, 2, 0, 0]])
    hidden = nk.layers.Embedding(10, 4, mask_zero=True)(tokens)
    out = nk.layers.Dropout(0.5, noise_shape=(None, 1, 4), seed=0)(hidden, training=True)
    np.testing.assert_array_equal(np.asarray(out._keras_mask._data), tokens != 0)


def test_dropout_config_and_errors_like_keras() -> None:
    ours = nk.layers.Dropout(0.25, noise_shape=(None, 1, 8), seed=5)
    theirs = keras.layers.Dropout(0.25, noise_shape=(None, 1, 8), seed=5)
    for key in ("rate", "noise_shape", "seed"):
        assert ours.get_config()[key] == theirs.get_config()[key]
    again = nk.layers.Dropout.from_config(ours.get_config())
    assert (again.rate, again.noise_shape, again.seed) == (0.25, (None, 1, 8), 5)
    for bad in (-0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match="rate"):
            nk.layers.Dropout(bad)
    with pytest.raises(ValueError, match="noise_shape"):
        nk.layers.Dropout(0.5, noise_shape=(6, 0, 4))
    with pytest.raises(ValueError, match="broadcast"):
        nk.layers.Dropout(0.5, noise_shape=(6, 3, 4))(X, training=True)
    with pytest.raises(ValueError, match="seed"):
        nk.layers.Dropout(0.5, seed=-1)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_seeded_spatial_dropout2d_drops_whole_maps_reproducibly(data_format) -> None:
    x = np.random.default_rng(1).uniform(1, 2, (4, 6, 5, 3)).astype("float32")
    channel_axis = 3 if data_format == "channels_last" else 1
    outs = []
    for _ in range(2):
        layer = nk.layers.SpatialDropout2D(0.5, data_format=data_format, seed=11)
        outs.append(_np(layer(x, training=True)))
    np.testing.assert_array_equal(outs[0], outs[1])
    kept = outs[0] != 0
    spatial = tuple(a for a in (1, 2, 3) if a != channel_axis)
    assert (kept == kept.any(axis=spatial, keepdims=True)).all()  # whole maps
    np.testing.assert_allclose(outs[0][kept], x[kept] * 2.0, rtol=1e-6)
    theirs = _np(keras.layers.SpatialDropout2D(0.5, data_format=data_format, seed=11)(
        x, training=True))
    kept_k = theirs != 0
    assert (kept_k == kept_k.any(axis=spatial, keepdims=True)).all()
