"""keras.layers.MultiHeadAttention / Attention / AdditiveAttention against real Keras 3 (torch
backend): weight layout and parameter counts, output shapes, and outputs and attention scores
with the weights copied via get_weights/set_weights (float32); gradients by finite
differences; use inside a functional model and fit."""

from __future__ import annotations

import os

import numpy as np
import pytest

import neuronet as nt
from neuronet import keras as nk
from neuronet.autograd import gradcheck

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
if keras.backend.backend() != "torch":
    pytest.skip("these comparisons need Keras on its torch backend", allow_module_level=True)

RNG = np.random.default_rng(7)
ATOL = 2e-5
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def randn(*shape):
    return RNG.standard_normal(shape).astype("float32")


def np_of(x):
    if isinstance(x, nt.Tensor):
        return x.detach().numpy()
    return keras.ops.convert_to_numpy(x)


def compare_mha(init_kw, q, v, k=None, check_default=True, **call_kw):
    theirs = keras.layers.MultiHeadAttention(**init_kw)
    ours = nk.layers.MultiHeadAttention(**init_kw)
    args = (q, v) if k is None else (q, v, k)
    yt, st = theirs(*args, return_attention_scores=True, **call_kw)
    ours(*args)  # builds
    assert [w.shape for w in ours.get_weights()] == [tuple(w.shape) for w in theirs.weights]
    assert ours.count_params() == theirs.count_params()
    ours.set_weights(theirs.get_weights())
    yo, so = ours(*args, return_attention_scores=True, **call_kw)
    assert tuple(yo.shape) == tuple(yt.shape)
    np.testing.assert_allclose(np_of(yo), np_of(yt), atol=ATOL)
    np.testing.assert_allclose(np_of(so), np_of(st), atol=ATOL)
    if check_default:  # the default path (no scores) gives the same output
        np.testing.assert_allclose(np_of(ours(*args, **call_kw)), np_of(yt), atol=ATOL)
    return ours


def test_mha_self_and_cross_attention():
    x = randn(2, 5, 8)
    ours = compare_mha(dict(num_heads=2, key_dim=4), x, x)
    assert [w.path for w in ours.weights][0] == f"{ours.name}/query/kernel"
    compare_mha(dict(num_heads=3, key_dim=2, value_dim=5), randn(2, 4, 6), randn(2, 7, 3))


def test_mha_separate_key_output_shape_and_no_bias():
    compare_mha(dict(num_heads=2, key_dim=3, output_shape=(4, 2), use_bias=False),
                randn(2, 4, 6), randn(2, 5, 3), randn(2, 5, 7))
    compare_mha(dict(num_heads=2, key_dim=3, output_shape=9), randn(2, 4, 6), randn(2, 5, 3))


def test_mha_attention_mask_and_causal_mask():
    q, v = randn(2, 4, 6), randn(2, 5, 6)
    mask = RNG.random((2, 4, 5)) > 0.4
    mask[..., 0] = True
    compare_mha(dict(num_heads=2, key_dim=3), q, v, attention_mask=mask)
    x = randn(2, 5, 6)
    compare_mha(dict(num_heads=2, key_dim=3), x, x, use_causal_mask=True)
    compare_mha(dict(num_heads=2, key_dim=3), x, x, use_causal_mask=True,
                attention_mask=np.ones((2, 5, 5), bool))


def test_mha_query_and_value_masks():
    q, v = randn(2, 4, 6), randn(2, 5, 6)
    vm = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    qm = np.array([[1, 1, 0, 1], [1, 1, 1, 1]], bool)
    compare_mha(dict(num_heads=2, key_dim=3), q, v, value_mask=vm)
    compare_mha(dict(num_heads=2, key_dim=3), q, v, randn(2, 5, 4), value_mask=vm,
                key_mask=np.array([[1, 0, 1, 1, 1], [1, 1, 1, 1, 0]], bool))
    # NOTE: Keras 3.15 replaces an explicit query_mask by the query's own Keras mask (None
    # here), so it is checked on its own: a masked query row attends to nothing
    layer = nk.layers.MultiHeadAttention(2, 3)
    _, scores = layer(q, v, query_mask=qm, value_mask=vm, return_attention_scores=True)
    s = np_of(scores)
    assert np.all(s[0, :, 2] == 0) and np.all(s[0, :, :, 3:] == 0)
    np.testing.assert_allclose(s[1].sum(-1), 1.0, rtol=1e-5)


@pytest.mark.parametrize("axes", [(2,), (1, 2), (1,)])
def test_mha_attention_axes_rank4(axes):
    x = randn(2, 3, 4, 6)
    compare_mha(dict(num_heads=2, key_dim=3, attention_axes=axes), x, x)


def test_mha_functional_model_shapes_and_fit():
    nt.manual_seed(0)
    inp = nk.Input((5, 8))
    out, scores = nk.layers.MultiHeadAttention(2, 4)(inp, inp, return_attention_scores=True)
    assert out.shape == (None, 5, 8) and scores.shape == (None, 2, 5, 5)
    x = nk.layers.MultiHeadAttention(2, 4, dropout=0.1)(inp, inp)
    x = nk.layers.LayerNormalization()(x)
    x = nk.layers.GlobalAveragePooling1D()(x)
    model = nk.Model(inp, nk.layers.Dense(1)(x))
    ref = keras.Model(*_keras_twin())
    assert model.count_params() == ref.count_params()
    model.compile(optimizer="adam", loss="mse")
    data = randn(64, 5, 8)
    target = data.mean((1, 2))[:, None]
    hist = model.fit(data, target, epochs=15, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < 0.5 * hist.history["loss"][0]


def _keras_twin():
    inp = keras.Input((5, 8))
    x = keras.layers.MultiHeadAttention(2, 4, dropout=0.1)(inp, inp)
    x = keras.layers.LayerNormalization()(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return inp, keras.layers.Dense(1)(x)


def test_mha_dropout_only_in_training():
    layer = nk.layers.MultiHeadAttention(2, 3, dropout=0.5)
    x = randn(2, 5, 6)
    a, b = layer(x, x), layer(x, x)
    np.testing.assert_array_equal(np_of(a), np_of(b))
    _, s = layer(x, x, training=True, return_attention_scores=True)
    np.testing.assert_allclose(np_of(s).sum(-1), 1.0, rtol=1e-5)  # Keras: pre-dropout scores
    assert not np.allclose(np_of(layer(x, x, training=True)), np_of(a))


def test_mha_gradcheck_float64():
    layer = nk.layers.MultiHeadAttention(2, 2, dtype="float64")
    q = nt.tensor(RNG.standard_normal((2, 3, 4)), requires_grad=True)
    v = nt.tensor(RNG.standard_normal((2, 4, 4)), requires_grad=True)
    layer(q, v)
    mask = np.tri(3, 4, dtype=bool)[None].repeat(2, 0)
    weights = list(layer.trainable_weights)
    assert gradcheck(lambda q, v, *w: layer(q, v, attention_mask=mask), [q, v] + weights)


def test_mha_errors():
    with pytest.raises(ValueError, match="num_heads"):
        nk.layers.MultiHeadAttention(0, 4)
    with pytest.raises(ValueError, match="key_dim"):
        nk.layers.MultiHeadAttention(2, -1)
    layer = nk.layers.MultiHeadAttention(2, 3)
    with pytest.raises(ValueError, match="rank"):
        layer(randn(4, 6), randn(4, 6))


def compare_attention(cls, init_kw, inputs, **call_kw):
    theirs, ours = getattr(keras.layers, cls)(**init_kw), getattr(nk.layers, cls)(**init_kw)
    yt, st = theirs(inputs, return_attention_scores=True, **call_kw)
    ours(inputs)
    assert ours.count_params() == theirs.count_params()
    if theirs.weights:
        ours.set_weights([w + 0.3 for w in theirs.get_weights()])
        theirs.set_weights([w + 0.3 for w in theirs.get_weights()])
        yt, st = theirs(inputs, return_attention_scores=True, **call_kw)
    yo, so = ours(inputs, return_attention_scores=True, **call_kw)
    np.testing.assert_allclose(np_of(yo), np_of(yt), atol=ATOL)
    np.testing.assert_allclose(np_of(so), np_of(st), atol=ATOL)


@pytest.mark.parametrize("init_kw", [{}, {"use_scale": True}, {"score_mode": "concat"},
                                     {"score_mode": "concat", "use_scale": True}])
def test_attention_modes(init_kw):
    q, v, k = randn(2, 4, 3), randn(2, 5, 3), randn(2, 5, 3)
    compare_attention("Attention", init_kw, [q, v])
    compare_attention("Attention", init_kw, [q, v, k])


def test_attention_masks_and_causal():
    q, v = randn(2, 5, 3), randn(2, 5, 3)
    masks = [np.array([[1, 1, 1, 0, 1], [1, 1, 1, 1, 1]], bool),
             np.array([[1, 1, 0, 0, 1], [1, 1, 1, 1, 0]], bool)]
    compare_attention("Attention", {}, [q, v], mask=masks)
    compare_attention("Attention", {}, [q, v], use_causal_mask=True)
    compare_attention("Attention", {"use_scale": True}, [q, v], mask=masks,
                      use_causal_mask=True)


def test_additive_attention():
    q, v = randn(2, 4, 3), randn(2, 5, 3)
    compare_attention("AdditiveAttention", {}, [q, v])
    compare_attention("AdditiveAttention", {"use_scale": False}, [q, v])
    layer = nk.layers.AdditiveAttention()
    layer([q, v])
    assert [tuple(w.shape) for w in layer.weights] == [(3,)]


def test_attention_errors_and_symbolic_shapes():
    with pytest.raises(ValueError, match="score_mode"):
        nk.layers.Attention(score_mode="cosine")
    with pytest.raises(ValueError, match="list of inputs"):
        nk.layers.Attention()(randn(2, 3, 4))
    q, v = nk.Input((4, 3)), nk.Input((6, 3))
    out, scores = nk.layers.Attention()([q, v], return_attention_scores=True)
    assert out.shape == (None, 4, 3) and scores.shape == (None, 4, 6)


def test_save_and_load_round_trip(tmp_path):
    inp = nk.Input((5, 8))
    x = nk.layers.MultiHeadAttention(2, 4, value_dim=3, output_shape=6)(inp, inp)
    x = nk.layers.Attention(use_scale=True, score_mode="concat")([x, x])
    x = nk.layers.AdditiveAttention()([x, x])
    model = nk.Model(inp, x)
    path = str(tmp_path / "attention.keras")
    model.save(path)
    loaded = nk.models.load_model(path)
    data = randn(3, 5, 8)
    np.testing.assert_array_equal(model.predict(data, verbose=0),
                                  loaded.predict(data, verbose=0))
    assert loaded.count_params() == model.count_params() == (
        8 * 8 + 8) * 2 + (8 * 6 + 6) + (6 * 6 + 6) + 2 + 6
