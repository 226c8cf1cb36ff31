"""keras.constraints (MaxNorm, MinMaxNorm, NonNeg, UnitNorm) against real Keras 3 (torch
backend): the same constrained weights, names and configs, layers taking them by name,
applying them after each optimizer step and saving them in their configs and .keras files."""

from __future__ import annotations

import doctest
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
pytest.importorskip("torch")

from neuronet import keras as nk  # noqa: E402
from neuronet.keras import constraints  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

W = np.random.default_rng(0).standard_normal((5, 4, 3)).astype("float32") * 2

CASES = [("MaxNorm", {}), ("MaxNorm", {"max_value": 1.5, "axis": 1}),
         ("MaxNorm", {"max_value": 0.5, "axis": [0, 1]}), ("MinMaxNorm", {}),
         ("MinMaxNorm", {"min_value": 0.5, "max_value": 2.0, "rate": 0.3, "axis": 2}),
         ("NonNeg", {}), ("UnitNorm", {}), ("UnitNorm", {"axis": [0, 2]})]


def _np(value):
    return value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(value)


@pytest.mark.parametrize("name,kwargs", CASES)
def test_constraints_match_keras(name, kwargs) -> None:
    ours, theirs = getattr(constraints, name)(**kwargs), getattr(keras.constraints, name)(**kwargs)
    got, want = ours(W), _np(theirs(keras.ops.convert_to_tensor(W)))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert got.dtype == np.float32
    assert ours.get_config() == theirs.get_config()
    again = type(ours).from_config(ours.get_config())
    np.testing.assert_array_equal(again(W), got)


@pytest.mark.parametrize("alias,cls", [("max_norm", "MaxNorm"), ("min_max_norm", "MinMaxNorm"),
                                       ("non_neg", "NonNeg"), ("unit_norm", "UnitNorm"),
                                       ("MaxNorm", "MaxNorm")])
def test_get_by_name_like_keras(alias, cls) -> None:
    theirs = keras.constraints.get(alias)
    assert type(constraints.get(alias)).__name__ == cls == type(theirs).__name__


def test_get_passes_callables_and_rejects_unknown_names() -> None:
    def clip(w):
        return np.clip(w, -1, 1)

    assert constraints.get(clip) is clip and constraints.get(None) is None
    with pytest.raises(ValueError, match="constraint identifier.*max_norm"):
        constraints.get("maxnorm2")
    with pytest.raises(ValueError, match="axis"):
        constraints.MaxNorm(axis="0")


def test_dense_applies_a_named_constraint_after_each_step_like_keras() -> None:
    x = np.random.default_rng(1).standard_normal((16, 6)).astype("float32")
    y = np.random.default_rng(2).standard_normal((16, 3)).astype("float32")

    def build(k):
        model = k.Sequential([k.Input((6,)), k.layers.Dense(
            3, kernel_constraint="max_norm", bias_constraint=k.constraints.NonNeg())])
        model.compile(optimizer=k.optimizers.SGD(0.5), loss="mse")
        return model

    km, nm = build(keras), build(nk)
    weights = [w * 5 for w in km.get_weights()]  # large: the constraints bite
    km.set_weights(weights)
    nm.set_weights(weights)
    km.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    nm.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for got, want in zip(nm.get_weights(), km.get_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    kernel, bias = nm.get_weights()
    assert np.sqrt((kernel ** 2).sum(0)).max() <= 2 + 1e-5 and bias.min() >= 0


LAYERS = [
    ("Dense", {"units": 2}, "kernel_constraint"),
    ("Conv2D", {"filters": 2, "kernel_size": 3}, "kernel_constraint"),
    ("DepthwiseConv2D", {"kernel_size": 3}, "depthwise_constraint"),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 3}, "pointwise_constraint"),
    ("Embedding", {"input_dim": 5, "output_dim": 2}, "embeddings_constraint"),
    ("LSTM", {"units": 2}, "recurrent_constraint"),
    ("MultiHeadAttention", {"num_heads": 2, "key_dim": 2}, "kernel_constraint"),
    ("PReLU", {}, "alpha_constraint"),
]


@pytest.mark.parametrize("name,kwargs,arg", LAYERS)
def test_layer_configs_carry_constraints_like_keras(name, kwargs, arg) -> None:
    ours = getattr(nk.layers, name)(**kwargs, **{arg: "unit_norm"})
    theirs = getattr(keras.layers, name)(**kwargs, **{arg: "unit_norm"})
    got, want = ours.get_config()[arg], theirs.get_config()[arg]
    assert got["class_name"] == want["class_name"] == "UnitNorm"
    assert got["config"] == want["config"]
    rebuilt = type(ours).from_config(ours.get_config())
    assert rebuilt.get_config()[arg] == got


def test_a_saved_model_keeps_its_constraints(tmp_path) -> None:
    model = nk.Sequential([nk.Input((4,)), nk.layers.Dense(
        3, kernel_constraint=constraints.MinMaxNorm(0.5, 1.0, rate=0.5, axis=0))])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = nk.models.load_model(path)
    c = loaded.layers[0].kernel_constraint
    assert isinstance(c, constraints.MinMaxNorm) and (c.min_value, c.rate) == (0.5, 0.5)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(constraints, extraglobs={"np": np}).failed == 0
