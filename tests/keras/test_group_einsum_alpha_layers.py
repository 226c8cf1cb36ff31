"""GroupNormalization, EinsumDense and AlphaDropout against real Keras 3 (torch backend): weight
names, shapes and trainability, parameter counts, output shapes, configs and, with the weights
copied, the same outputs and gradients (input and weights) in float32 and float64; LoRA; the
einsum kernel's fan-aware initialization; AlphaDropout with the same mask; masks; bad
arguments; a short fit."""

from __future__ import annotations

import doctest
import os
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers import alpha_dropout, einsum_dense, group_normalization  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

GroupNormalization = group_normalization.GroupNormalization
EinsumDense = einsum_dense.EinsumDense
AlphaDropout = alpha_dropout.AlphaDropout
OURS = {"GroupNormalization": GroupNormalization, "EinsumDense": EinsumDense,
        "AlphaDropout": AlphaDropout}
L = SimpleNamespace(**OURS)  # our layers, spelled like keras.layers.X
TOL = {"float32": {"rtol": 2e-5, "atol": 2e-5}, "float64": {"rtol": 1e-10, "atol": 1e-10}}

# (name, kwargs, input shape without the batch)
GROUP = [
    ("GroupNormalization", {"groups": 2}, (6, 4)),
    ("GroupNormalization", {"groups": -1}, (5, 6)),
    ("GroupNormalization", {"groups": 1}, (3, 4)),
    ("GroupNormalization", {"groups": 4, "axis": 1}, (8, 3, 3)),
    ("GroupNormalization", {"groups": 3, "axis": -2}, (4, 6, 2)),
    ("GroupNormalization", {"groups": 2, "center": False}, (6, 4)),
    ("GroupNormalization", {"groups": 2, "scale": False, "epsilon": 1e-5}, (6, 4)),
    ("GroupNormalization", {"groups": 2, "center": False, "scale": False}, (6, 4)),
    ("GroupNormalization", {"groups": 4, "epsilon": 0.1}, (8,)),
    ("GroupNormalization", {"groups": -1}, (1, 6)),  # one value per group: var = 0
]
EINSUM = [
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 5, "bias_axes": "c"}, (4,)),
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 5}, (4,)),
    ("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (None, 6), "bias_axes": "d",
                     "activation": "tanh"}, (3, 4)),
    ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (3, 2, 5),
                     "bias_axes": "de"}, (3, 4)),
    ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (3, 2, 5),
                     "bias_axes": "be"}, (3, 4)),
    ("EinsumDense", {"equation": "abcd,cde->abe", "output_shape": (None, 5),
                     "bias_axes": "e", "activation": "relu"}, (3, 2, 4)),
    ("EinsumDense", {"equation": "abc,bcd->ad", "output_shape": (5,), "bias_axes": "d"},
     (3, 4)),
    ("EinsumDense", {"equation": "ab,bcd->acd", "output_shape": (2, 3), "bias_axes": "cd"},
     (4,)),
    ("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 6, "bias_axes": "c"},
     (3, 4)),
    ("EinsumDense", {"equation": "...b,bc->...c", "output_shape": 6, "bias_axes": "c"}, (4,)),
    ("EinsumDense", {"equation": "...bc,cd->...bd", "output_shape": (3, 6),
                     "bias_axes": "bd"}, (2, 3, 4)),
    ("EinsumDense", {"equation": "ab...,bc->ac...", "output_shape": (6,), "bias_axes": "c"},
     (4, 3)),
    ("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (None, 6), "bias_axes": "d",
                     "lora_rank": 2, "lora_alpha": 3}, (3, 4)),
    ("EinsumDense", {"equation": "ab,bc->ac", "output_shape": 5, "lora_rank": 3}, (4,)),
]
CASES = GROUP + EINSUM + [("AlphaDropout", {"rate": 0.3}, (5, 3)),
                          ("AlphaDropout", {"rate": 0.2, "noise_shape": (None, 1, 3),
                                            "seed": 3}, (5, 3))]
IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(CASES)]
LAYER_CASES = GROUP + EINSUM
LAYER_IDS = [f"{name}-{i}" for i, (name, _, _) in enumerate(LAYER_CASES)]


def _np(value) -> np.ndarray:
    if isinstance(value, neuronet.Tensor):
        return value.detach().numpy()
    return keras.ops.convert_to_numpy(value)


def _pair(name: str, kw: dict, shape: tuple, dtype: str = "float32", seed: int = 0):
    """The Keras layer and ours, built, with the same random weights."""
    kl = getattr(keras.layers, name)(**kw, dtype=dtype)
    nl = OURS[name](**kw, dtype=dtype)
    kl.build((None,) + shape)
    nl.build((None,) + shape)
    rng = np.random.default_rng(seed + 1)
    kl.set_weights([rng.uniform(-1, 1, w.shape).astype(w.dtype) for w in kl.get_weights()])
    nl.set_weights(kl.get_weights())
    return kl, nl


def _x(shape: tuple, dtype: str = "float32", seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (2 * rng.standard_normal((4,) + shape) + rng.uniform(-1, 1)).astype(dtype)


@pytest.mark.parametrize(("name", "kw", "shape"), CASES, ids=IDS)
def test_weights_params_and_shapes_match_keras(name: str, kw: dict, shape: tuple) -> None:
    kl, nl = _pair(name, kw, shape)
    assert [w.name for w in nl.weights] == [w.name for w in kl.weights]
    assert [tuple(w.shape) for w in nl.weights] == [tuple(w.shape) for w in kl.weights]
    assert [w.trainable for w in nl.weights] == [w.trainable for w in kl.weights]
    assert [str(w.dtype) for w in nl.get_weights()] == [str(w.dtype) for w in kl.get_weights()]
    assert nl.count_params() == kl.count_params()
    want = tuple(kl.compute_output_shape((None,) + shape))
    assert tuple(nl.compute_output_shape((None,) + shape)) == want
    assert tuple(OURS[name](**kw)(nk.Input(shape=shape)).shape) == tuple(
        getattr(keras.layers, name)(**kw)(keras.Input(shape=shape)).shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kw", "shape"), LAYER_CASES, ids=LAYER_IDS)
def test_outputs_and_gradients_match_keras(name: str, kw: dict, shape: tuple,
                                           dtype: str) -> None:
    kl, nl = _pair(name, kw, shape, dtype)
    tol = TOL[dtype]
    if dtype == "float64" and (name == "GroupNormalization" or kw.get("lora_rank")):
        # Keras's GroupNormalization computes float64 inputs in float32
        # (backend.result_type("float64", "float32") is float32); LoRA's adapters are float32
        tol = TOL["float32"]
    x = _x(shape, dtype, seed=1)
    xt = torch.tensor(x, requires_grad=True)
    want = kl(xt)
    weights = np.random.default_rng(2).standard_normal(tuple(want.shape)).astype(dtype)
    (want * torch.tensor(weights)).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    got = nl(xn)
    assert str(_np(got).dtype) == dtype
    np.testing.assert_allclose(_np(got), _np(want), **tol)
    (got * neuronet.tensor(weights)).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), **tol)
    for wn, wk in zip(nl.weights, kl.weights):
        if not wk.trainable:  # LoRA freezes the kernel
            assert wn.grad is None and wk.value.grad is None
            continue
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), **tol,
                                   err_msg=wk.name)


@pytest.mark.parametrize(("name", "kw", "shape"), GROUP, ids=LAYER_IDS[:len(GROUP)])
def test_group_norm_matches_a_numpy_float64_reference(name: str, kw: dict,
                                                       shape: tuple) -> None:
    """Our float64 path stays in float64 (Keras's drops to float32): the formula in NumPy."""
    kl, nl = _pair(name, kw, shape, "float64")
    x = _x(shape, "float64", seed=3)
    axis = kw.get("axis", -1) % x.ndim
    groups = nl.groups
    grouped = x.reshape(x.shape[:axis] + (groups, x.shape[axis] // groups) + x.shape[axis + 1:])
    reduce = tuple(a for a in range(1, grouped.ndim) if a != axis)
    mean = grouped.mean(reduce, keepdims=True)
    var = grouped.var(reduce, keepdims=True)
    want = ((grouped - mean) / np.sqrt(var + kw.get("epsilon", 1e-3))).reshape(x.shape)
    param_shape = [1] * x.ndim
    param_shape[axis] = x.shape[axis]
    weights = iter(nl.get_weights())
    if kw.get("scale", True):
        want = want * next(weights).reshape(param_shape)
    if kw.get("center", True):
        want = want + next(weights).reshape(param_shape)
    np.testing.assert_allclose(_np(nl(neuronet.tensor(x))), want, rtol=1e-12, atol=1e-12)


GRADCHECK = [GROUP[0], GROUP[3], GROUP[4], EINSUM[3], EINSUM[6], EINSUM[11], EINSUM[12]]


@pytest.mark.parametrize(("name", "kw", "shape"), GRADCHECK,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(GRADCHECK)])
def test_gradcheck_float64(name: str, kw: dict, shape: tuple) -> None:
    layer = OURS[name](**kw, dtype="float64")
    layer.build((None,) + shape)
    rng = np.random.default_rng(11)
    layer.set_weights([rng.uniform(-1, 1, w.shape).astype(w.dtype)
                       for w in layer.get_weights()])
    x = neuronet.tensor(_x(shape, "float64", seed=12)[:2], requires_grad=True)
    params = [w for w in layer.weights if w.trainable and w.dtype == neuronet.float64]

    def f(inputs, *_):
        return layer(inputs)

    assert neuronet.autograd.gradcheck(f, (x, *params), eps=1e-6, atol=1e-6, rtol=1e-4)


# --- configs --------------------------------------------------------------------------------

def _strip(config: dict) -> dict:
    """What legitimately differs: the dtype policy, quantization (not in neuronet) and the
    initializers' extra keys (Keras's input_axes/output_axes are None until build)."""
    out = {}
    for key, value in config.items():
        if key in ("dtype", "quantization_config"):
            continue
        if isinstance(value, dict) and "class_name" in value:
            inner = value.get("config") or {}
            value = (value["class_name"], inner.get("seed"))
        out[key] = value
    return out


@pytest.mark.parametrize(("name", "kw", "shape"), CASES, ids=IDS)
def test_config_matches_keras_and_round_trips(name: str, kw: dict, shape: tuple) -> None:
    kl, nl = _pair(name, kw, shape)
    config = nl.get_config()
    want = _strip(kl.get_config())
    want["name"] = config["name"]
    assert _strip(config) == want
    clone = OURS[name].from_config(config)
    assert clone.get_config() == config
    clone.build((None,) + shape)
    clone.set_weights(nl.get_weights())
    x = _x(shape)
    np.testing.assert_array_equal(_np(clone(x)), _np(nl(x)))
    keras_clone = type(kl).from_config({**kl.get_config(), **{
        k: v for k, v in config.items() if k != "dtype" and not isinstance(v, dict)}})
    assert _strip(keras_clone.get_config()) == want


def test_group_norm_instance_mode_stores_the_channel_count_like_keras() -> None:
    kl, nl = keras.layers.GroupNormalization(groups=-1), GroupNormalization(groups=-1)
    assert nl.get_config()["groups"] == kl.get_config()["groups"] == -1
    kl.build((None, 5, 6))
    nl.build((None, 5, 6))
    assert nl.groups == kl.groups == 6
    assert nl.get_config()["groups"] == 6


# --- regularizers, constraints and a short fit ---------------------------------------------

def test_regularizer_losses_match_keras() -> None:
    for name, kw, shape in [
            ("GroupNormalization", {"groups": 2, "gamma_regularizer": "l2",
                                    "beta_regularizer": "l1"}, (6, 4)),
            ("EinsumDense", {"equation": "abc,cde->abde", "output_shape": (3, 2, 5),
                             "bias_axes": "de", "kernel_regularizer": "l2",
                             "bias_regularizer": "l1"}, (3, 4)),
            ("EinsumDense", {"equation": "abc,cd->abd", "output_shape": (None, 6),
                             "kernel_regularizer": "l1", "lora_rank": 2}, (3, 4))]:
        kl, nl = _pair(name, kw, shape)
        got = sorted(float(loss.item()) for loss in nl.losses)
        want = sorted(float(_np(loss)) for loss in kl.losses)
        np.testing.assert_allclose(got, want, rtol=1e-5)


def _fit(k, layers: list, x: np.ndarray, y: np.ndarray, weights: list | None) -> tuple:
    model = k.Sequential([k.Input(x.shape[1:]), *layers])
    if weights is not None:
        model.set_weights(weights)
    model.compile(optimizer=k.optimizers.SGD(0.5), loss="categorical_crossentropy")
    history = model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    return history.history["loss"], model.get_weights()


def test_fit_with_constraints_and_a_softmax_einsum_head_matches_keras() -> None:
    """Three SGD epochs: the fused softmax + cross-entropy on EinsumDense's logits, the
    constraints after each step (gamma kept non-negative)."""
    rng = np.random.default_rng(20)
    x = rng.standard_normal((16, 3, 4)).astype("float32")
    y = np.eye(5, dtype="float32")[rng.integers(0, 5, (16, 3))]

    def non_negative(w):
        return w * (w >= 0)

    def layers(k):
        own = keras.layers if k is keras else L
        return [own.EinsumDense("abc,cd->abd", (None, 8), bias_axes="d"),
                own.GroupNormalization(groups=4, gamma_constraint=non_negative),
                own.EinsumDense("abc,cd->abd", (None, 5), bias_axes="d",
                                activation="softmax")]

    keras_model = keras.Sequential([keras.Input((3, 4)), *layers(keras)])
    start = [w + rng.uniform(-0.5, 0.5, w.shape).astype("float32")
             for w in keras_model.get_weights()]
    want_loss, want_weights = _fit(keras, layers(keras), x, y, start)
    got_loss, got_weights = _fit(nk, layers(nk), x, y, start)
    np.testing.assert_allclose(got_loss, want_loss, rtol=1e-4)
    for got, want in zip(got_weights, want_weights):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert (got_weights[2] >= 0).all()


# --- EinsumDense: LoRA and initialization -----------------------------------------------------

def test_lora_matches_keras_and_starts_as_the_plain_layer() -> None:
    kl = keras.layers.EinsumDense("abc,cde->abde", (3, 2, 5), bias_axes="e")
    nl = EinsumDense("abc,cde->abde", (3, 2, 5), bias_axes="e")
    kl.build((None, 3, 4))
    nl.build((None, 3, 4))
    nl.set_weights(kl.get_weights())
    x = _x((3, 4), seed=5)
    before = _np(nl(x))
    kl.enable_lora(2, lora_alpha=6)
    nl.enable_lora(2, lora_alpha=6)
    assert [(w.name, tuple(w.shape), w.trainable) for w in nl.weights] == [
        (w.name, tuple(w.shape), w.trainable) for w in kl.weights]
    assert [w.name for w in nl.trainable_weights] == ["bias", "lora_kernel_a", "lora_kernel_b"]
    np.testing.assert_allclose(_np(nl(x)), before, rtol=1e-6)  # B starts at zero
    assert nl.get_config()["lora_rank"] == kl.get_config()["lora_rank"] == 2
    assert nl.get_config()["lora_alpha"] == kl.get_config()["lora_alpha"] == 6
    np.testing.assert_allclose(_np(nl.kernel), _np(nl.get_weights()[0]), rtol=1e-6)


def test_lora_errors_match_keras() -> None:
    for make in (keras.layers.EinsumDense, EinsumDense):
        layer = make("ab,bc->ac", 3)
        with pytest.raises(ValueError, match="isn't yet built"):
            layer.enable_lora(2)
        with pytest.raises(AttributeError):
            layer.kernel  # noqa: B018
        layer.build((None, 4))
        layer.enable_lora(2)
        with pytest.raises(ValueError, match="already enabled"):
            layer.enable_lora(2)
        constrained = make("ab,bc->ac", 3, kernel_constraint=lambda w: w)
        constrained.build((None, 4))
        with pytest.raises(ValueError, match="incompatible with kernel constraints"):
            constrained.enable_lora(2)


@pytest.mark.parametrize("initializer", ["glorot_uniform", "he_normal", "lecun_uniform"])
def test_einsum_kernel_initializer_counts_fans_like_keras(initializer: str) -> None:
    """'abc,cde->abde' with c=64, d=8, e=16: fan_in 64, fan_out 128 (not Keras's
    convolution fans of a 3-D shape: 64*8, 16*8)."""
    stds = []
    for make in (keras.layers.EinsumDense, EinsumDense):
        layer = make("abc,cde->abde", (3, 8, 16), kernel_initializer=initializer)
        layer.build((None, 3, 64))
        kernel = _np(layer.get_weights()[0])
        assert kernel.shape == (64, 8, 16)
        stds.append(kernel.std())
    fan_in, fan_out = 64, 128
    want = {"glorot_uniform": np.sqrt(2 / (fan_in + fan_out)),
            "he_normal": np.sqrt(2 / fan_in), "lecun_uniform": np.sqrt(1 / fan_in)}[initializer]
    np.testing.assert_allclose(stds, want, rtol=0.06)


# --- bad arguments ----------------------------------------------------------------------------

def test_group_norm_bad_arguments_raise_like_keras() -> None:
    for make in (keras.layers.GroupNormalization, GroupNormalization):
        for groups in (0, -2, 2.0):
            with pytest.raises(ValueError, match="invalid value for argument `groups`"):
                make(groups=groups)
        with pytest.raises(ValueError, match=r"Number of groups \(3\)"):
            make(groups=3).build((None, 4))
        with pytest.raises(ValueError, match=r"cannot be more than the number of channels"):
            make(groups=8).build((None, 4))
        with pytest.raises(ValueError, match="should have a defined dimension"):
            make(groups=2).build((None, None))
        with pytest.raises(ValueError, match="out of bounds"):
            make(groups=2, axis=3).compute_output_shape((None, 4, 6))
    with pytest.raises(TypeError, match="axis"):
        GroupNormalization(2, axis=[1])
    with pytest.raises(ValueError, match="epsilon"):
        GroupNormalization(2, epsilon=-1.0)
    with pytest.raises(ValueError, match="constraint identifier"):
        GroupNormalization(2, gamma_constraint="no_such_constraint")
    layer = GroupNormalization(2)
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="incompatible"):
        layer(np.ones((2, 6), "float32"))


EINSUM_BAD = [
    ({"equation": "ab,bc", "output_shape": 3}, "Invalid einsum equation"),
    ({"equation": "ab->b", "output_shape": 3}, "Invalid einsum equation"),
    ({"equation": "ab,bc->ad", "output_shape": 3}, "Dimension 'd' was specified"),
    ({"equation": "ab,bcd->ac", "output_shape": 3}, "Weight dimension 'd'"),
    ({"equation": "ab,bc->ac", "output_shape": 3, "bias_axes": "x"}, "Bias dimension 'x'"),
]


@pytest.mark.parametrize(("kw", "message"), EINSUM_BAD, ids=[m for _, m in EINSUM_BAD])
def test_einsum_bad_equations_raise_like_keras(kw: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):  # Keras: at build
        keras.layers.EinsumDense(**kw).build((None, 4))
    with pytest.raises(ValueError, match=message):  # neuronet: already in the constructor
        EinsumDense(**kw)


def test_einsum_bad_shapes_raise() -> None:
    for make in (keras.layers.EinsumDense, EinsumDense):
        with pytest.raises(ValueError, match="fully-defined"):
            make("abc,cd->abd", (None, None)).build((None, 5, 4))
        with pytest.raises(ValueError, match="do not match at shared dimension 'b'"):
            make("abc,cd->abd", (7, 3)).build((None, 5, 4))
    with pytest.raises(ValueError, match="output_shape must give 1"):
        EinsumDense("ab,bc->ac", (3, 4))
    with pytest.raises(ValueError, match="output_shape"):
        EinsumDense("ab,bc->ac", 0)
    with pytest.raises(ValueError, match="expects inputs of rank 2"):
        EinsumDense("ab,bc->ac", 3).build((None, 5, 4))
    with pytest.raises(TypeError, match="equation"):
        EinsumDense(None, 3)
    with pytest.raises(TypeError, match="bias_axes"):
        EinsumDense("ab,bc->ac", 3, bias_axes="")
    with pytest.raises(ValueError, match="lora_rank"):
        EinsumDense("ab,bc->ac", 3, lora_rank=0)
    with pytest.raises(NotImplementedError, match="quantization"):
        EinsumDense("ab,bc->ac", 3, quantization_config={"mode": "int8"})


# --- AlphaDropout -----------------------------------------------------------------------------

class _Uniform:
    """Stands in for a generator: hands out the given uniform draws."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def random(self, shape: tuple, dtype=None) -> np.ndarray:
        assert tuple(shape) == self.values.shape
        return self.values.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("rate", "noise_shape"), [(0.1, None), (0.5, None),
                                                   (0.3, (None, 1, 3)), (0.4, (4, 5, 1))])
def test_alpha_dropout_matches_keras_for_the_same_draws(monkeypatch, rate: float,
                                                        noise_shape, dtype: str) -> None:
    x = _x((5, 3), dtype, seed=7)
    full = tuple(x.shape if noise_shape is None else (
        n if d is None else d for d, n in zip(noise_shape, x.shape)))
    uniform = np.random.default_rng(8).random(full).astype("float32")
    monkeypatch.setattr(keras.src.ops.random, "uniform",
                        lambda shape, seed=None, **kw: torch.tensor(uniform))
    kl = keras.layers.AlphaDropout(rate, noise_shape=noise_shape, dtype=dtype)
    nl = AlphaDropout(rate, noise_shape=noise_shape, dtype=dtype)
    nl._generator = _Uniform(uniform)
    weights = np.random.default_rng(9).standard_normal(x.shape).astype(dtype)
    xt = torch.tensor(x, requires_grad=True)
    want = kl(xt, training=True)
    (want * torch.tensor(weights)).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    got = nl(xn, training=True)
    (got * neuronet.tensor(weights)).sum().backward()
    assert str(_np(got).dtype) == dtype
    np.testing.assert_allclose(_np(got), _np(want), **TOL[dtype])
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), **TOL[dtype])
    # dL/dx = dL/dy * a * keep: a where kept, 0 where dropped
    alpha_p = -alpha_dropout.SELU_ALPHA * alpha_dropout.SELU_SCALE
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    keep = np.broadcast_to(uniform >= rate, x.shape)
    np.testing.assert_allclose(xn.grad.numpy(), np.where(keep, a * weights, 0), **TOL[dtype])


def test_alpha_dropout_keeps_zero_mean_and_unit_variance_like_keras() -> None:
    rate = 0.3
    x = np.random.default_rng(10).standard_normal((400, 250)).astype("float32")
    alpha_p = -alpha_dropout.SELU_ALPHA * alpha_dropout.SELU_SCALE
    a = ((1 - rate) * (1 + rate * alpha_p ** 2)) ** -0.5
    dropped_value = a * alpha_p - a * alpha_p * rate
    for make in (lambda: keras.layers.AlphaDropout(rate), lambda: AlphaDropout(rate)):
        y = _np(make()(x, training=True))
        assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
        dropped = np.isclose(y, dropped_value, rtol=1e-6) & ~np.isclose(
            x * a - a * alpha_p * rate, dropped_value, rtol=1e-6)
        assert abs(dropped.mean() - rate) < 0.01


def test_alpha_dropout_is_identity_at_inference_and_seeded() -> None:
    x = _x((6, 5), seed=11)
    layer = AlphaDropout(0.4)
    for training in (None, False):
        np.testing.assert_array_equal(_np(layer(x, training=training)), x)
    model = nk.Sequential([nk.Input((6, 5)), AlphaDropout(0.4)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert not np.array_equal(first, x) and not np.array_equal(first, second)
    np.testing.assert_array_equal(AlphaDropout(0.4, seed=5)(x, training=True).numpy(),
                                  AlphaDropout(0.4, seed=5)(x, training=True).numpy())
    np.testing.assert_array_equal(AlphaDropout(0.0)(x, training=True).numpy(), x)


def test_alpha_dropout_bad_arguments() -> None:
    for make in (keras.layers.AlphaDropout, AlphaDropout):
        for rate in (-0.1, 1.1):
            with pytest.raises(ValueError, match="Expected a float value between 0 and 1"):
                make(rate)
    with pytest.raises(ZeroDivisionError):  # Keras: rate=1 only fails while training
        keras.layers.AlphaDropout(1.0)(np.ones((2, 3), "float32"), training=True)
    np.testing.assert_array_equal(AlphaDropout(1.0)(np.ones((2, 3), "float32")).numpy(), 1.0)
    with pytest.raises(ValueError, match="rate=1"):
        AlphaDropout(1.0)(np.ones((2, 3), "float32"), training=True)
    with pytest.raises(ValueError, match="noise_shape"):
        AlphaDropout(0.5, noise_shape=(2, 0))
    with pytest.raises(ValueError, match="does not broadcast"):
        AlphaDropout(0.5, noise_shape=(None, 2))(np.ones((2, 3), "float32"), training=True)
    with pytest.raises(ValueError, match="seed"):
        AlphaDropout(0.5, seed=-1)


# --- masks ------------------------------------------------------------------------------------

TOKENS = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [6, 0, 7, 8, 9, 1]])


@pytest.mark.parametrize("name", ["GroupNormalization", "AlphaDropout"])
def test_mask_passes_through_to_lstm_like_keras(name: str) -> None:
    kw = {"groups": 2} if name == "GroupNormalization" else {"rate": 0.3}

    def build(k, layer):
        return k.Sequential([k.Input(shape=(6,)), k.layers.Embedding(10, 4, mask_zero=True),
                             layer, k.layers.LSTM(3)])

    km = build(keras, getattr(keras.layers, name)(**kw))
    nm = build(nk, OURS[name](**kw))
    nm.set_weights(km.get_weights())
    got = _np(nm(TOKENS))
    np.testing.assert_allclose(got, _np(km(TOKENS)), rtol=1e-5, atol=1e-6)
    plain = nk.Sequential([nk.Input(shape=(6,)), nk.layers.Embedding(10, 4), OURS[name](**kw),
                           nk.layers.LSTM(3)])
    plain.set_weights(km.get_weights())
    assert not np.allclose(_np(plain(TOKENS)), got, atol=1e-4)
    out = OURS[name](**kw)(nk.layers.Embedding(10, 4, mask_zero=True)(TOKENS))
    np.testing.assert_array_equal(out._keras_mask.numpy(), TOKENS != 0)


def test_einsum_dense_does_not_support_masking_like_keras() -> None:
    embedded = nk.layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    with pytest.warns(UserWarning, match="does not support masking"):
        out = EinsumDense("abc,cd->abd", (None, 2))(embedded)
    assert getattr(out, "_keras_mask", None) is None
    assert keras.layers.EinsumDense("abc,cd->abd", (None, 2)).supports_masking is False


def test_save_and_load_round_trip(tmp_path) -> None:
    """A model with the three layers (LoRA on) through a '.keras' file: same weights, same
    predictions, same configs."""
    model = nk.Sequential([
        nk.Input((3, 4)),
        EinsumDense("abc,cde->abde", (3, 2, 5), bias_axes="be", activation="relu"),
        nk.layers.Reshape((3, 10)),
        GroupNormalization(groups=-1, gamma_regularizer="l2"),
        AlphaDropout(0.2, noise_shape=(None, 1, 10), seed=1),
        EinsumDense("...b,bc->...c", 4, bias_axes="c", lora_rank=2)])
    model.set_weights([np.random.default_rng(i).uniform(-1, 1, w.shape).astype(w.dtype)
                       for i, w in enumerate(model.get_weights())])
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = nk.models.load_model(path, custom_objects=OURS)
    x = _x((3, 4), seed=13)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    for a, b in zip(loaded.layers, model.layers):
        assert a.get_config() == b.get_config()
    assert loaded.layers[-1].lora_enabled and not loaded.layers[-1].weights[0].trainable


def test_docstring_examples_run() -> None:
    for module in (group_normalization, einsum_dense, alpha_dropout):
        failed, attempted = doctest.testmod(module)
        assert failed == 0 and attempted > 0, module.__name__
