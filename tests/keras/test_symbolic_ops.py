"""keras.ops and tensor arithmetic on symbolic inputs (functional models): `x = h + a`,
`keras.ops.concatenate([a, b])`, `x[:, :2]` become graph nodes, as in Keras 3. Models built
with them give the same predictions as real Keras 3 (torch backend) with the same weights,
train the same, and save and load."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("torch")

from neuronet import keras as nk  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

X = np.random.default_rng(0).standard_normal((5, 6)).astype("float32")
Y = np.random.default_rng(1).standard_normal((5, 3)).astype("float32")


def residual(k):
    a = k.Input((6,))
    h = k.layers.Dense(6, activation="tanh")(a)
    x = h + a  # residual connection
    x = 2.0 * x - k.ops.mean(x, axis=-1, keepdims=True) / 3.0
    b = k.layers.Dense(2)(a)
    x = k.ops.concatenate([x, k.ops.square(b), -b[:, :1]], axis=-1)
    x = k.ops.relu(x) ** 2 * 0.1 + abs(x) @ np.ones((9, 9), "float32") * 0.01
    return k.Model(a, k.layers.Dense(3)(x[:, 1:]))


def gated(k):
    a = k.Input((6,))
    gate = k.ops.sigmoid(k.layers.Dense(6)(a))
    x = gate * a + (1 - gate) * k.layers.Dense(6)(a)
    x = k.ops.where(x > 0, x, 0.1 * x)
    return k.Model(a, k.layers.Dense(3)(k.ops.expand_dims(x, 1)[:, 0]))


@pytest.mark.parametrize("build", [residual, gated])
def test_functional_models_with_ops_match_keras(build) -> None:
    keras.utils.set_random_seed(0)
    km, nm = build(keras), build(nk)
    assert [type(w).__name__ for w in nm.weights] and len(nm.weights) == len(km.weights)
    nm.set_weights(km.get_weights())
    np.testing.assert_allclose(nm.predict(X, verbose=0), km.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-5)
    for m, lib in ((km, keras), (nm, nk)):
        m.compile(optimizer=lib.optimizers.SGD(0.01), loss="mse")
        m.fit(X, Y, epochs=3, batch_size=5, verbose=0, shuffle=False)
    for got, want in zip(nm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_models_with_ops_save_and_load(tmp_path) -> None:
    model = residual(nk)
    path = tmp_path / "ops.keras"
    model.save(path)
    loaded = nk.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


def test_symbolic_shapes_dtypes_and_names() -> None:
    tokens = nk.Input((7,), dtype="int32")
    assert nk.ops.shape(tokens) == (None, 7) and nk.ops.dtype(tokens) == "int32"
    positions = nk.ops.argmax(nk.layers.Embedding(10, 4)(tokens), axis=-1)
    assert positions.shape == (None, 7) and positions.dtype.startswith("int")
    scaled = nk.ops.cast(tokens, "float32") / 10.0
    assert scaled.dtype == "float32"
    model = nk.Model(tokens, [positions, scaled])
    names = [layer.name.rstrip("_0123456789") for layer in model.layers[-3:]]
    assert names == ["argmax", "cast", "divide"]
    out = model.predict(np.arange(14).reshape(2, 7) % 10, verbose=0)
    np.testing.assert_allclose(out[1], (np.arange(14).reshape(2, 7) % 10) / 10.0)


def test_symbolic_tensors_are_not_iterable() -> None:
    a = nk.Input((3,))
    with pytest.raises(TypeError, match="not iterable"):
        first, second, third = a
