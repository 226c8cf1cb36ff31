"""Every convolution/pooling/spatial layer against real Keras 3 (torch backend): the same
constructor arguments give the same weight shapes, parameter count, output shape and, with the
weights copied by get_weights/set_weights, the same outputs and gradients in float32."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

from _keras_cases import CASES  # noqa: E402

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]


def _pair(name: str, kw: dict, shape: tuple, seed: int = 0):
    x = np.random.default_rng(seed).standard_normal((2,) + shape).astype("float32")
    kl, nl = getattr(keras.layers, name)(**kw), getattr(nk.layers, name)(**kw)
    kl.build((None,) + shape)
    nl.build((None,) + shape)
    return x, kl, nl


@pytest.mark.parametrize(("name", "kw", "shape"), CASES, ids=IDS)
def test_shapes_params_and_outputs(name: str, kw: dict, shape: tuple) -> None:
    x, kl, nl = _pair(name, kw, shape)
    assert [tuple(w.shape) for w in nl.get_weights()] == [
        tuple(w.shape) for w in kl.get_weights()]
    assert [w.name for w in nl.weights] == [w.name for w in kl.weights]
    assert nl.count_params() == kl.count_params()
    assert tuple(nl.compute_output_shape((None,) + shape)) == tuple(
        kl.compute_output_shape((None,) + shape))
    nl.set_weights(kl.get_weights())
    want = keras.ops.convert_to_numpy(kl(x))
    got = nl(x).detach().numpy()
    assert got.dtype == np.float32
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


GRAD_CASES = [c for c in CASES if c[0] not in ("SpatialDropout2D",)]


@pytest.mark.parametrize(("name", "kw", "shape"), GRAD_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRAD_CASES)])
def test_gradients_match_keras(name: str, kw: dict, shape: tuple) -> None:
    x, kl, nl = _pair(name, kw, shape, seed=1)
    nl.set_weights(kl.get_weights())
    xt = torch.tensor(x, requires_grad=True)
    yk = kl(xt)
    v = np.random.default_rng(2).standard_normal(tuple(yk.shape)).astype("float32")
    (yk * torch.tensor(v)).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    (nl(xn) * neuronet.tensor(v)).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-4)
    for wn, wk in zip(nl.weights, kl.weights):
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-4,
                                   atol=1e-4, err_msg=wn.name)


def test_convnet_summary_matches_keras() -> None:
    """The Keras examples' MNIST convnet: every layer's output shape and parameter count."""
    def build(k):
        return k.Sequential([
            k.Input(shape=(28, 28, 1)),
            k.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            k.layers.MaxPooling2D(pool_size=(2, 2)),
            k.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            k.layers.MaxPooling2D(pool_size=(2, 2)),
            k.layers.Flatten(),
            k.layers.Dropout(0.5),
            k.layers.Dense(10, activation="softmax"),
        ])

    keras.backend.clear_session()  # fresh layer-name counters on both sides
    nk.backend.clear_session()
    km, nm = build(keras), build(nk)
    assert nm.count_params() == km.count_params() == 34826
    for a, b in zip(nm.layers, km.layers):
        assert a.name == b.name
        assert tuple(a.output.shape) == tuple(b.output.shape), a.name
        assert a.count_params() == b.count_params(), a.name
    nm.set_weights(km.get_weights())
    x = np.random.default_rng(3).random((4, 28, 28, 1), dtype=np.float32)
    np.testing.assert_allclose(nm.predict(x, verbose=0), km.predict(x, verbose=0), atol=1e-5)


# BatchNormalization in training mode: outputs, moving statistics and gradients with the
# channel last (the fused primitive on (M, C) matrices) and on axis 1 (channels_first)
@pytest.mark.parametrize(("shape", "kw"), [
    ((6, 5, 4, 3), {}),
    ((6, 3, 5, 4), {"axis": 1}),
    ((7, 4), {"momentum": 0.9, "epsilon": 1e-5}),
    ((6, 5, 4, 3), {"scale": False}),
    ((6, 5, 4, 3), {"center": False}),
], ids=["last", "axis1", "2d", "no-scale", "no-center"])
def test_batchnorm_training_matches_keras(shape: tuple, kw: dict) -> None:
    rng = np.random.default_rng(3)
    kl, nl = keras.layers.BatchNormalization(**kw), nk.layers.BatchNormalization(**kw)
    kl.build(shape)
    nl.build(shape)
    weights = [w + rng.standard_normal(w.shape).astype("float32") * 0.3
               for w in kl.get_weights()]
    weights[-1] = np.abs(weights[-1])  # a variance
    kl.set_weights(weights)
    nl.set_weights(weights)
    for _ in range(2):  # two training steps: the moving statistics move twice
        x = (rng.standard_normal(shape) * 2 + 1).astype("float32")
        g = rng.standard_normal(shape).astype("float32")
        xt = torch.tensor(x, requires_grad=True)
        yk = kl(xt, training=True)
        (yk * torch.tensor(g)).sum().backward()
        xn = neuronet.tensor(x, requires_grad=True)
        yn = nl(xn, training=True)
        (yn * neuronet.tensor(g)).sum().backward()
        np.testing.assert_allclose(yn.detach().numpy(), yk.detach().numpy(), rtol=1e-4,
                                   atol=1e-4)
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-3, atol=1e-4)
        for a, b in zip(nl.get_weights(), kl.get_weights()):  # the moving statistics
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        for wn, wk in zip(nl.trainable_weights, kl.trainable_weights):
            np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-3,
                                       atol=1e-3)
            wk.value.grad = wn.grad = None
        assert yn.dtype == xn.grad.dtype == neuronet.float32


def test_convnet_trains_like_keras_with_the_pool_before_the_relu() -> None:
    """Sequential runs Conv2D(activation="relu") -> MaxPooling2D as conv, pool, relu (the same
    values and gradients): two SGD epochs give real Keras's weights; an activity penalty on
    the conv keeps the written order, and gives Keras's weights too."""
    def build(k, penalty):
        return k.Sequential([
            k.Input(shape=(9, 9, 2)),
            k.layers.Conv2D(4, 3, activation="relu", activity_regularizer=penalty),
            k.layers.MaxPooling2D(2),
            k.layers.Flatten(),
            k.layers.Dense(3, activation="softmax"),
        ])

    rng = np.random.default_rng(4)
    x = np.round(rng.standard_normal((16, 9, 9, 2)), 0).astype(np.float32)  # ties at 0
    y = rng.integers(0, 3, 16)
    for penalty in (None, "l2"):
        km, nm = build(keras, penalty), build(nk, penalty)
        nm.set_weights(km.get_weights())
        for m, lib in ((km, keras), (nm, nk)):
            m.compile(optimizer=lib.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
            m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
        for got, want in zip(nm.get_weights(), km.get_weights()):
            np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    from neuronet.keras.models._conv_pool import pool_before_relu

    plain = build(nk, None)
    assert pool_before_relu(plain.layers[0], plain.layers[1])
    assert not pool_before_relu(build(nk, "l2").layers[0], plain.layers[1])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("pool", [2, 3])
@pytest.mark.parametrize("functional", [False, True])
def test_conv_pool_pairs_run_as_one_op_and_train_like_keras(data_format, pool,
                                                            functional) -> None:
    """Conv2D(relu) -> MaxPooling2D of tiles runs as one op (F.conv2d_max_pool2d), in
    Sequential and functional models; 'same' padding, both data formats and an odd conv
    output (the last row and column pooled by no tile): predictions and two SGD epochs'
    weights as real Keras's."""
    shape = (13, 13, 2) if data_format == "channels_last" else (2, 13, 13)

    def build(k):
        layers = [
            k.layers.Conv2D(5, 3, padding="same", activation="relu", data_format=data_format),
            k.layers.MaxPooling2D(pool, data_format=data_format),
            k.layers.Conv2D(6, 3, activation="relu", data_format=data_format),
            k.layers.MaxPooling2D(2, strides=1, data_format=data_format),  # not tiles
            k.layers.Flatten(),
            k.layers.Dense(3, activation="softmax"),
        ]
        if not functional:
            return k.Sequential([k.Input(shape=shape)] + layers)
        x = inputs = k.Input(shape=shape)
        for layer in layers:
            x = layer(x)
        return k.Model(inputs, x)

    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal((16,) + shape), 0).astype(np.float32)
    x[:4] = 0.0  # flat images: every conv output ties within its tiles
    y = rng.integers(0, 3, 16)
    km, nm = build(keras), build(nk)
    nm.set_weights(km.get_weights())
    out = nm(neuronet.tensor(x))
    kinds, node = set(), out.grad_fn
    stack = [node]
    while stack:
        node = stack.pop()
        if node is not None:
            kinds.add(type(node).__name__)
            stack.extend(t.grad_fn for t in node.inputs)
    assert "Conv2dMaxPool2d" in kinds and "MaxPool2d" in kinds  # the second pair: two ops
    np.testing.assert_allclose(out.detach().numpy(), km.predict(x, verbose=0), rtol=1e-4,
                               atol=1e-5)
    for m, lib in ((km, keras), (nm, nk)):
        m.compile(optimizer=lib.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
        m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for got, want in zip(nm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_functional_conv_seen_elsewhere_is_not_fused() -> None:
    """A conv output that is also a model output (or feeds another layer) runs on its own:
    the model returns it with its ReLU, as Keras does."""
    inputs = nk.Input(shape=(8, 8, 2))
    hidden = nk.layers.Conv2D(3, 3, activation="relu")(inputs)
    pooled = nk.layers.MaxPooling2D(2)(hidden)
    model = nk.Model(inputs, [pooled, hidden])
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 2)).astype(np.float32)
    out, conv = model(neuronet.tensor(x))
    assert type(conv.grad_fn).__name__ == "Relu" and conv.detach().numpy().min() >= 0
    np.testing.assert_allclose(out.detach().numpy(), conv.detach().numpy().reshape(
        2, 3, 2, 3, 2, 3).max((2, 4)), rtol=1e-6)
