"""Subtract, Average, Maximum, Minimum, Dot, ZeroPadding1D, Cropping1D and UpSampling1D against
real Keras 3 (torch backend) in float32: outputs, input gradients (read through torch),
compute_output_shape, functional models, configs, errors and masks."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers.merging_more import (  # noqa: E402
    Average,
    Dot,
    Maximum,
    Minimum,
    Subtract,
)
from neuronet.keras.layers.reshaping_1d import Cropping1D, UpSampling1D, ZeroPadding1D  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning")]

OURS = {"Subtract": Subtract, "Average": Average, "Maximum": Maximum, "Minimum": Minimum,
        "Dot": Dot, "ZeroPadding1D": ZeroPadding1D, "Cropping1D": Cropping1D,
        "UpSampling1D": UpSampling1D}
ELEMENTWISE = ["Subtract", "Average", "Maximum", "Minimum"]

# (layer, kwargs, input shapes with the batch dim)
MERGE_CASES = [
    *[(name, {}, [(2, 3, 4), (2, 3, 4)]) for name in ELEMENTWISE],
    *[(name, {}, [(2, 3, 4), (2, 1, 4)]) for name in ELEMENTWISE],
    *[(name, {}, [(2, 3, 4), (2, 4)]) for name in ELEMENTWISE],  # ranks differ
    *[(name, {}, [(2, 3, 4), (2, 3, 1)]) for name in ELEMENTWISE],
    *[(name, {}, [(3, 5), (3, 5), (3, 5)]) for name in ("Average", "Maximum", "Minimum")],
    ("Average", {}, [(2, 6)]),
    ("Dot", {"axes": 1}, [(3, 5), (3, 5)]),
    ("Dot", {"axes": 1, "normalize": True}, [(3, 5), (3, 5)]),
    ("Dot", {"axes": -1}, [(2, 3, 4), (2, 5, 4)]),
    ("Dot", {"axes": -1, "normalize": True}, [(2, 3, 4), (2, 5, 4)]),
    ("Dot", {"axes": (2, 1)}, [(2, 3, 4), (2, 4, 5)]),
    ("Dot", {"axes": (2, 1), "normalize": True}, [(2, 3, 4), (2, 4, 5)]),
    ("Dot", {"axes": 1, "normalize": True}, [(2, 3, 4), (2, 3, 5)]),
    ("Dot", {"axes": [2, -1]}, [(2, 3, 4, 2), (2, 6, 4)]),
    ("Dot", {"axes": (-1, 2)}, [(2, 4), (2, 3, 4)]),
    ("Dot", {"axes": (-1, -2), "normalize": True}, [(2, 3, 4), (2, 4, 5)]),
]
RESHAPE_CASES = [
    ("ZeroPadding1D", {}, (2, 4, 3)),
    ("ZeroPadding1D", {"padding": 3}, (2, 4, 3)),
    ("ZeroPadding1D", {"padding": (0, 2)}, (2, 4, 3)),
    ("ZeroPadding1D", {"padding": [2, 1], "data_format": "channels_first"}, (2, 3, 4)),
    ("Cropping1D", {}, (2, 5, 3)),
    ("Cropping1D", {"cropping": 2}, (2, 5, 3)),
    ("Cropping1D", {"cropping": (0, 3)}, (2, 5, 3)),
    ("Cropping1D", {"cropping": (1, 0)}, (2, 5, 3)),
    ("UpSampling1D", {}, (2, 4, 3)),
    ("UpSampling1D", {"size": 3}, (2, 4, 3)),
    ("UpSampling1D", {"size": 1}, (1, 2, 5)),
]


def _inputs(shapes, seed: int = 0):
    rng = np.random.default_rng(seed)
    if isinstance(shapes, tuple):
        return rng.standard_normal(shapes).astype("float32")
    return [rng.standard_normal(s).astype("float32") for s in shapes]


def _np(y) -> np.ndarray:
    return y.detach().numpy() if isinstance(y, neuronet.Tensor) else \
        keras.ops.convert_to_numpy(y)


def _pair(name: str, kw: dict):
    return getattr(keras.layers, name)(**kw), OURS[name](**kw)


def _case_id(case) -> str:
    return f"{case[0]}-{case[1]}-{case[2]}"


ALL_CASES = MERGE_CASES + RESHAPE_CASES


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_outputs_match_keras(case) -> None:
    name, kw, shapes = case
    x = _inputs(shapes)
    kl, nl = _pair(name, kw)
    want, got = _np(kl(x)), nl(x)
    assert got.dtype == neuronet.float32
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(_np(got), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_input_gradients_match_keras(case) -> None:
    name, kw, shapes = case
    x = _inputs(shapes, seed=1)
    xs = x if isinstance(x, list) else [x]
    kl, nl = _pair(name, kw)
    xt = [torch.tensor(a, requires_grad=True) for a in xs]
    out = kl(xt if isinstance(x, list) else xt[0])
    weight = np.random.default_rng(2).standard_normal(tuple(out.shape)).astype("float32")
    (out * torch.tensor(weight)).sum().backward()
    xn = [neuronet.tensor(a, requires_grad=True) for a in xs]
    (nl(xn if isinstance(x, list) else xn[0]) * neuronet.tensor(weight)).sum().backward()
    for a, b in zip(xn, xt):
        assert a.grad.dtype == neuronet.float32
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["Maximum", "Minimum"])
def test_tied_extremes_split_the_gradient_as_keras(name: str) -> None:
    x = _inputs([(2, 4)])[0]
    kl, nl = _pair(name, {})
    xt = [torch.tensor(x, requires_grad=True) for _ in range(3)]
    kl(xt).sum().backward()
    xn = [neuronet.tensor(x, requires_grad=True) for _ in range(3)]
    nl(xn).sum().backward()
    for a, b in zip(xn, xt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def _unknown(shape: tuple) -> tuple:
    return (None,) + tuple(shape[1:])


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_compute_output_shape_matches_keras(case) -> None:
    name, kw, shapes = case
    kl, nl = _pair(name, kw)
    for given in (shapes, [_unknown(s) for s in shapes] if isinstance(shapes, list)
                  else _unknown(shapes)):
        assert tuple(nl.compute_output_shape(given)) == tuple(kl.compute_output_shape(given))
    if name in ("ZeroPadding1D", "UpSampling1D"):  # unknown steps stay unknown
        steps = (None, 3, None) if kw.get("data_format") == "channels_first" else (None, None, 3)
        assert tuple(nl.compute_output_shape(steps)) == tuple(kl.compute_output_shape(steps))


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_functional_model_matches_keras(case) -> None:
    name, kw, shapes = case
    x = _inputs(shapes, seed=3)

    def build(k, layer):
        if isinstance(shapes, list):
            inputs = [k.Input(shape=s[1:]) for s in shapes]
            return k.Model(inputs, layer(inputs))
        inputs = k.Input(shape=shapes[1:])
        return k.Model(inputs, layer(inputs))

    kl, nl = _pair(name, kw)
    km, nm = build(keras, kl), build(nk, nl)
    assert tuple(nm.output_shape) == tuple(km.output_shape)
    np.testing.assert_allclose(_np(nm(x)), _np(km(x)), rtol=1e-5, atol=1e-6)


CONFIG_CASES = [("Subtract", {}), ("Average", {}), ("Maximum", {}), ("Minimum", {}),
                ("Dot", {"axes": 1}), ("Dot", {"axes": (1, 2), "normalize": True}),
                ("ZeroPadding1D", {}), ("ZeroPadding1D", {"padding": (2, 0)}),
                ("ZeroPadding1D", {"padding": 1, "data_format": "channels_first"}),
                ("Cropping1D", {}), ("Cropping1D", {"cropping": 2}),
                ("UpSampling1D", {}), ("UpSampling1D", {"size": 4})]


@pytest.mark.parametrize("case", CONFIG_CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_config_matches_keras_and_round_trips(case) -> None:
    name, kw = case
    kl, nl = _pair(name, kw)
    want, got = kl.get_config(), nl.get_config()
    own = set(want) - {"name", "trainable", "dtype"}
    assert {k: got[k] for k in own} == {k: want[k] for k in own}
    assert set(got) - {"name", "trainable", "dtype"} == own
    again = type(nl).from_config(got)
    assert again.get_config() == got


@pytest.mark.parametrize("name", list(OURS))
def test_default_names_are_keras_names(name: str) -> None:
    kw = {"axes": 1} if name == "Dot" else {}
    kl, nl = _pair(name, kw)
    assert re.sub(r"_\d+$", "", nl.name) == re.sub(r"_\d+$", "", kl.name)


def test_bad_arguments_and_inputs_raise_clearly() -> None:
    x = np.ones((2, 3, 4), "float32")
    with pytest.raises(ValueError, match=r"Subtract subtract.*exactly 2 inputs.*3 inputs.*"
                                         r"\(2, 3, 4\)"):
        Subtract(name="subtract")([x, x, x])
    with pytest.raises(ValueError, match=r"exactly 2 inputs"):
        Subtract().compute_output_shape([(None, 4)] * 3)
    with pytest.raises(ValueError, match=r"Dot my_dot: incompatible input shapes: axis values "
                                         r"3 \(at axis 1\) != 4 \(at axis 1\).*\(2, 3\) and "
                                         r"\(2, 4\)"):
        Dot(axes=1, name="my_dot")([np.ones((2, 3), "float32"), np.ones((2, 4), "float32")])
    with pytest.raises(ValueError, match=r"Dot my_dot_2: incompatible.*\(None, 3\) and "
                                         r"\(None, 4\)"):
        Dot(axes=-1, name="my_dot_2").compute_output_shape([(None, 3), (None, 4)])
    with pytest.raises(ValueError, match="batch axis 0"):
        Dot(axes=0)([x, x])
    with pytest.raises(ValueError, match="out of range"):
        Dot(axes=3)([x, x])
    with pytest.raises(ValueError, match="list of 2 inputs"):
        Dot(axes=1)([x, x, x])
    with pytest.raises(TypeError, match="axes"):
        Dot(axes="1")
    with pytest.raises(ValueError, match="axes"):
        Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match=r"Maximum max_l: inputs have incompatible shapes.*"
                                         r"\(2, 3, 4\), \(2, 3, 5\)"):
        Maximum(name="max_l")([x, np.ones((2, 3, 5), "float32")])
    with pytest.raises(ValueError, match="different batch sizes"):
        Average()([x, np.ones((1, 3, 4), "float32")])
    with pytest.raises(ValueError, match="padding"):
        ZeroPadding1D(padding=-1)
    with pytest.raises(ValueError, match="padding"):
        ZeroPadding1D(padding=(1, 2, 3))
    with pytest.raises(ValueError, match="data_format"):
        ZeroPadding1D(data_format="channels_middle")
    with pytest.raises(ValueError, match=r"Cropping1D crop: cropping=\(2, 2\).*\(2, 4, 3\)"):
        Cropping1D(2, name="crop")(np.ones((2, 4, 3), "float32"))
    with pytest.raises(ValueError, match="Cropping1D"):
        Cropping1D(3).compute_output_shape((None, 5, 3))
    with pytest.raises(TypeError, match="size"):
        UpSampling1D(size=(2,))
    with pytest.raises(ValueError, match="size"):
        UpSampling1D(size=0)
    for layer in (ZeroPadding1D(), Cropping1D(), UpSampling1D()):
        with pytest.raises(ValueError, match="rank 3"):
            layer(np.ones((2, 4), "float32"))
        with pytest.raises(ValueError, match="rank 3"):
            layer.compute_output_shape((None, 4))


TOKENS_A = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [6, 0, 7, 8, 9, 1]])
TOKENS_B = np.array([[2, 0, 0, 0, 0, 0], [1, 2, 3, 4, 0, 0], [6, 1, 0, 0, 2, 0]])


def _masked_model(k, layers_module, merge: str, second_masked: bool = True):
    a_in = k.Input(shape=(6,), dtype="int32", name="tokens_a")
    b_in = k.Input(shape=(6,), dtype="int32", name="tokens_b")
    a = k.layers.Embedding(10, 4, mask_zero=True, name="emb_a")(a_in)
    b = k.layers.Embedding(10, 4, mask_zero=second_masked, name="emb_b")(b_in)
    b = k.layers.Dense(4, name="proj")(b)
    merged = getattr(layers_module, merge)()([a, b])
    out = k.layers.LSTM(3, return_sequences=True, name="rnn")(merged)
    return k.Model([a_in, b_in], out)


class _Ours:
    Subtract, Average, Maximum, Minimum = Subtract, Average, Maximum, Minimum


@pytest.mark.parametrize("second_masked", [True, False])
@pytest.mark.parametrize("merge", ELEMENTWISE)
def test_embedding_masks_through_merge_and_lstm_match_keras(merge: str,
                                                            second_masked: bool) -> None:
    km = _masked_model(keras, keras.layers, merge, second_masked)
    nm = _masked_model(nk, _Ours, merge, second_masked)
    for layer in km.layers:
        if layer.weights:
            nm.get_layer(layer.name).set_weights(layer.get_weights())
    want = _np(km([TOKENS_A, TOKENS_B]))
    np.testing.assert_allclose(_np(nm([TOKENS_A, TOKENS_B])), want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("merge", ELEMENTWISE)
def test_merged_mask_is_keras_or_rule(merge: str) -> None:
    emb_k = keras.layers.Embedding(10, 4, mask_zero=True)
    emb_n = nk.layers.Embedding(10, 4, mask_zero=True)
    emb_k.build((None, 6))
    emb_n.build((None, 6))
    emb_n.set_weights(emb_k.get_weights())
    kl, nl = _pair(merge, {})
    k_out = kl([emb_k(TOKENS_A), emb_k(TOKENS_B)])
    n_out = nl([emb_n(TOKENS_A), emb_n(TOKENS_B)])
    np.testing.assert_array_equal(_np(n_out._keras_mask), _np(k_out._keras_mask))
    np.testing.assert_allclose(_np(n_out), _np(k_out), rtol=1e-6, atol=1e-6)
    unmasked = np.ones((3, 6, 4), "float32")
    assert getattr(nl([emb_n(TOKENS_A), unmasked]), "_keras_mask", None) is None
    assert getattr(kl([emb_k(TOKENS_A), unmasked]), "_keras_mask", None) is None


def test_dot_drops_the_mask_as_keras() -> None:
    emb = nk.layers.Embedding(10, 4, mask_zero=True)
    out = Dot(axes=-1)([emb(TOKENS_A), emb(TOKENS_B)])
    assert getattr(out, "_keras_mask", None) is None
    assert Dot(axes=-1).compute_mask([None, None], [np.ones((3, 6), bool)] * 2) is None


def test_reshaping_layers_drop_a_mask_with_a_warning_as_keras() -> None:
    h = nk.layers.Embedding(10, 4, mask_zero=True)(TOKENS_A)
    for layer in (ZeroPadding1D(), Cropping1D(), UpSampling1D()):
        with pytest.warns(UserWarning, match="does not support masking"):
            assert getattr(layer(h), "_keras_mask", None) is None


@pytest.mark.parametrize("merge", ELEMENTWISE)
def test_masked_merge_gradients_match_keras(merge: str) -> None:
    """Masking -> merge -> Dense -> LSTM: Maximum/Minimum route the gradient around masked-out
    values, and the LSTM skips the steps the merged mask drops."""
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal((3, 5, 2)).astype("float32") for _ in range(2)]
    xs[0][0, 3:] = 0.0
    xs[1][0, 1:3] = 0.0
    xs[1][1, :] = 0.0

    def build(k, layer):
        inputs = [k.Input(shape=(5, 2)) for _ in range(2)]
        merged = layer([k.layers.Masking()(i) for i in inputs])
        return k.Model(inputs, k.layers.LSTM(3, name="rnn")(k.layers.Dense(4, name="d")(merged)))

    kl, nl = _pair(merge, {})
    km, nm = build(keras, kl), build(nk, nl)
    nm.set_weights(km.get_weights())
    xt = [torch.tensor(a, requires_grad=True) for a in xs]
    (km(xt) ** 2).sum().backward()
    xn = [neuronet.tensor(a, requires_grad=True) for a in xs]
    (nm(xn) ** 2).sum().backward()
    for a, b in zip(xn, xt):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_edge_cases_match_keras() -> None:
    empty = [np.zeros((0, 3, 4), "float32"), np.zeros((0, 4, 5), "float32")]
    assert tuple(Dot((2, 1))(empty).shape) == tuple(keras.layers.Dot((2, 1))(empty).shape)
    assert tuple(Subtract()(empty[:1] * 2).shape) == (0, 3, 4)
    one = [np.full((1, 1), 2.0, "float32"), np.full((1, 1), 3.0, "float32")]
    np.testing.assert_array_equal(_np(Dot(1)(one)), _np(keras.layers.Dot(1)(one)))
    zeros = np.zeros((2, 3, 4), "float32")  # normalize keeps an all-zero vector at zero
    x = _inputs((2, 3, 4))
    np.testing.assert_array_equal(_np(Dot(1, normalize=True)([zeros, x])),
                                  _np(keras.layers.Dot(1, normalize=True)([zeros, x])))
    # non-contiguous (transposed) inputs
    base = _inputs((2, 4, 3), seed=5)
    view = neuronet.tensor(base).permute(0, 2, 1)
    want = np.ascontiguousarray(base.transpose(0, 2, 1))
    for name, kw in [("UpSampling1D", {"size": 2}), ("ZeroPadding1D", {"padding": (1, 0)}),
                     ("Cropping1D", {"cropping": (0, 1)})]:
        kl, nl = _pair(name, kw)
        np.testing.assert_array_equal(_np(nl(view)), _np(kl(want)))
    np.testing.assert_allclose(_np(Dot(-1)([view, view])),
                               _np(keras.layers.Dot(-1)([want, want])), rtol=1e-5, atol=1e-6)
    single = _inputs((2, 6))
    np.testing.assert_array_equal(_np(Average()([single])), _np(keras.layers.Average()([single])))


@pytest.mark.parametrize("case", ALL_CASES, ids=_case_id)
def test_gradcheck_float64(case) -> None:
    name, kw, shapes = case
    x = _inputs(shapes, seed=6)
    xs = [neuronet.tensor(a.astype("float64"), requires_grad=True)
          for a in (x if isinstance(x, list) else [x])]
    layer = OURS[name](**kw)
    fn = (lambda *t: layer(list(t))) if isinstance(x, list) else (lambda t: layer(t))
    assert neuronet.autograd.gradcheck(fn, tuple(xs))
