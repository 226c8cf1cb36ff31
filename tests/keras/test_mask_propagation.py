"""Keras masks (`Embedding(mask_zero=True)`, `Masking`) travel through the layers that support
masking (Dense, Activation, Dropout, normalization, merges, attention) to the layers that use
them (RNNs, GlobalAveragePooling1D, Attention), in Sequential and functional models, with the
same numbers as real Keras 3 (torch backend) given the same weights."""

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

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

TOKENS = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [6, 0, 7, 8, 9, 1]])

SEQUENTIAL = {
    "gap": lambda L: [L.GlobalAveragePooling1D()],
    "dense-gap": lambda L: [L.Dense(3), L.GlobalAveragePooling1D()],
    "dense-lstm": lambda L: [L.Dense(3), L.LSTM(2)],
    "activation-dropout-gru": lambda L: [L.Activation("tanh"), L.Dropout(0.2), L.GRU(3)],
    "layernorm-dense-simplernn": lambda L: [L.LayerNormalization(), L.Dense(5, "relu"),
                                            L.SimpleRNN(3)],
    "lstm-sequences-gap": lambda L: [L.LSTM(2, return_sequences=True),
                                     L.GlobalAveragePooling1D()],
    "bidirectional-gap": lambda L: [L.Bidirectional(L.GRU(2, return_sequences=True)),
                                    L.GlobalAveragePooling1D()],
    "gap-channels-first": lambda L: [L.Permute((2, 1)),
                                     L.GlobalAveragePooling1D(data_format="channels_first")],
}


def _same(km, nm, x) -> np.ndarray:
    nm.set_weights(km.get_weights())
    want = keras.ops.convert_to_numpy(km(x))
    got = nm(x).detach().numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    return got


@pytest.mark.parametrize("case", list(SEQUENTIAL))
def test_sequential_masks_match_keras(case: str) -> None:
    def build(k):
        return k.Sequential([k.Input(shape=(6,)), k.layers.Embedding(10, 4, mask_zero=True)]
                            + SEQUENTIAL[case](k.layers))

    km = build(keras)
    got = _same(km, build(nk), TOKENS)
    if case != "gap-channels-first":  # Permute drops the mask in both libraries
        # the same weights without a mask give other numbers: the mask really is used
        plain = nk.Sequential([nk.Input(shape=(6,)), nk.layers.Embedding(10, 4)]
                              + SEQUENTIAL[case](nk.layers))
        plain.set_weights(km.get_weights())
        assert not np.allclose(plain(TOKENS).detach().numpy(), got, atol=1e-4)


def _functional(k, merge: str):
    tokens = k.Input(shape=(6,), dtype="int32")
    a = k.layers.Embedding(10, 4, mask_zero=True, name="emb_a")(tokens)
    b = k.layers.Dense(4, name="proj")(k.layers.Embedding(10, 4, mask_zero=True,
                                                          name="emb_b")(tokens))
    if merge == "add":
        h = k.layers.Add()([a, b])
    elif merge == "multiply":
        h = k.layers.Multiply()([a, b])
    elif merge == "concatenate":
        h = k.layers.Concatenate()([a, b])
    elif merge == "attention":
        h = k.layers.Attention(name="att")([a, b])
    else:
        h = k.layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(a, b)
    out = k.layers.GlobalAveragePooling1D()(k.layers.LSTM(3, return_sequences=True,
                                                          name="rnn")(h))
    return k.Model(tokens, out)


@pytest.mark.parametrize("merge", ["add", "multiply", "concatenate", "attention", "mha"])
def test_functional_merge_and_attention_masks_match_keras(merge: str) -> None:
    km, nm = _functional(keras, merge), _functional(nk, merge)
    for layer in km.layers:  # by name: the two embeddings have the same shapes
        if layer.weights:
            nm.get_layer(layer.name).set_weights(layer.get_weights())
    want = keras.ops.convert_to_numpy(km(TOKENS))
    np.testing.assert_allclose(nm(TOKENS).detach().numpy(), want, rtol=1e-5, atol=1e-5)


def test_masking_layer_and_gap_gradients_match_keras() -> None:
    import torch

    x = np.random.default_rng(0).standard_normal((3, 5, 2)).astype("float32")
    x[0, 3:] = 0.0
    x[1, 1:] = 0.0

    def build(k):
        return k.Sequential([k.Input(shape=(5, 2)), k.layers.Masking(), k.layers.Dense(3),
                             k.layers.GlobalAveragePooling1D()])

    km, nm = build(keras), build(nk)
    nm.set_weights(km.get_weights())
    xt = torch.tensor(x, requires_grad=True)
    (km(xt) ** 2).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    (nm(xn) ** 2).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for wn, wk in zip(nm.weights, km.weights):
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-5,
                                   atol=1e-6)


def test_layers_without_masking_drop_the_mask_and_pooling_consumes_it() -> None:
    emb = nk.layers.Embedding(10, 4, mask_zero=True)
    h = emb(TOKENS)
    assert nk.layers.Dense(2)(h)._keras_mask is not None
    with pytest.warns(UserWarning, match="does not support masking"):
        assert getattr(nk.layers.Flatten()(h), "_keras_mask", None) is None
    assert getattr(nk.layers.GlobalAveragePooling1D()(h), "_keras_mask", None) is None
    assert nk.layers.Dense(2).supports_masking and not nk.layers.Flatten().supports_masking


@pytest.mark.parametrize("merge", ["Add", "Multiply", "Concatenate"])
def test_merging_branches_with_different_masks_matches_keras(merge: str) -> None:
    """Two inputs masked at different steps: Keras 3 keeps a step any input keeps (Multiply
    counting a masked-out value as 1); the merged mask and the LSTM after it agree."""
    other = np.array([[1, 0, 3, 0, 0, 0], [4, 5, 6, 0, 0, 0], [6, 7, 7, 8, 0, 0]])

    def build(k):
        t1, t2 = k.Input(shape=(6,), dtype="int32"), k.Input(shape=(6,), dtype="int32")
        a = k.layers.Embedding(10, 4, mask_zero=True, name="e1")(t1)
        b = k.layers.Embedding(10, 4, mask_zero=True, name="e2")(t2)
        h = getattr(k.layers, merge)()([a, b])
        return k.Model([t1, t2], k.layers.LSTM(3, return_sequences=True, name="rnn")(h))

    km, nm = build(keras), build(nk)
    for layer in km.layers:
        if layer.weights:
            nm.get_layer(layer.name).set_weights(layer.get_weights())
    want = keras.ops.convert_to_numpy(km([TOKENS, other]))
    np.testing.assert_allclose(nm([TOKENS, other]).detach().numpy(), want, rtol=1e-5,
                               atol=1e-5)


@pytest.mark.parametrize("merge", ["Add", "Multiply"])
def test_add_and_multiply_take_inputs_of_different_ranks_as_keras(merge: str) -> None:
    """Keras's Merge shape rule: (batch, 4) with (batch, 3, 4) gives (batch, 3, 4)."""
    rng = np.random.default_rng(2)
    a, b = rng.random((2, 4), dtype=np.float32), rng.random((2, 3, 4), dtype=np.float32)
    want = keras.ops.convert_to_numpy(getattr(keras.layers, merge)()([a, b]))
    layer = getattr(nk.layers, merge)()
    np.testing.assert_allclose(layer([a, b]).numpy(), want, rtol=1e-6)
    assert layer.compute_output_shape([(None, 4), (None, 3, 4)]) == \
        tuple(getattr(keras.layers, merge)().compute_output_shape([(None, 4), (None, 3, 4)]))


@pytest.mark.parametrize("kind", ["function", "fixed"])
def test_lambda_mask_argument_matches_keras(kind: str) -> None:
    """Lambda(mask=...) starts a mask (a function of the inputs, or a fixed one) that the next
    LSTM uses, as in Keras; the config keeps it."""
    x = np.random.default_rng(0).standard_normal((3, 6, 4)).astype("float32")
    x[0, 4:] = 0
    x[1, 2:] = 0
    fixed = np.array([[True] * 6, [True, True, False, False, True, True], [True] * 3 + [False] * 3])

    def build(k):
        def mask_fn(inputs, mask=None):
            if k is keras:
                return keras.ops.any(keras.ops.not_equal(inputs, 0), axis=-1)
            return (inputs != 0).any(-1)

        mask = mask_fn if kind == "function" else fixed
        return k.Sequential([k.Input(shape=(6, 4)),
                             k.layers.Lambda(lambda t: t * 2.0, mask=mask), k.layers.LSTM(3)])

    km, nm = build(keras), build(nk)
    _same(km, nm, x)
    layer = nm.layers[0]
    assert layer.supports_masking and nk.layers.Lambda(lambda t: t).supports_masking is False
    if kind == "fixed":
        again = nk.layers.Lambda.from_config(
            {**layer.get_config(), "function": layer.function})
        np.testing.assert_array_equal(again.mask, fixed)
