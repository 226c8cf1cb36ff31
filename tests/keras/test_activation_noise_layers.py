"""ReLU, LeakyReLU, PReLU, ELU, Softmax, Identity, UnitNormalization, GaussianNoise,
GaussianDropout, ActivityRegularization and SpatialDropout1D against real Keras 3 (torch
backend): weight names and shapes, parameter counts, output shapes, configs and, with the weights
copied, the same outputs and gradients (float32); the noise layers' training-time statistics;
masks passing through."""

from __future__ import annotations

import doctest
import math
import os
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers import (  # noqa: E402
    activation_layers,
    identity,
    regularization,
    unit_normalization,
)

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::UserWarning"),
              pytest.mark.filterwarnings("ignore::DeprecationWarning")]

MODULES = (activation_layers, identity, regularization, unit_normalization)
NAMES = ("ReLU LeakyReLU PReLU ELU Softmax Identity UnitNormalization GaussianNoise "
         "GaussianDropout ActivityRegularization SpatialDropout1D").split()
OURS = {name: next(getattr(m, name) for m in MODULES if hasattr(m, name)) for name in NAMES}
L = SimpleNamespace(**OURS)  # our layers, spelled like keras.layers.X
SHAPE = (5, 3)  # (steps, channels) of a (batch, steps, channels) input
CASES = [
    ("ReLU", {}),
    ("ReLU", {"max_value": 6.0}),
    ("ReLU", {"max_value": 2.5}),
    ("ReLU", {"negative_slope": 0.1}),
    ("ReLU", {"threshold": 1.0}),
    ("ReLU", {"max_value": 6.0, "negative_slope": 0.2}),
    ("ReLU", {"max_value": 3.0, "threshold": 1.0}),
    ("ReLU", {"max_value": 6.0, "negative_slope": 0.2, "threshold": 0.5}),
    ("ReLU", {"negative_slope": 0.3, "threshold": 2.0}),
    ("LeakyReLU", {}),
    ("LeakyReLU", {"negative_slope": 0.05}),
    ("PReLU", {}),
    ("PReLU", {"shared_axes": [1]}),
    ("PReLU", {"shared_axes": 2}),
    ("PReLU", {"shared_axes": [1, 2], "alpha_initializer": "ones"}),
    ("ELU", {}),
    ("ELU", {"alpha": 0.5}),
    ("Softmax", {}),
    ("Softmax", {"axis": 1}),
    ("Softmax", {"axis": [1, 2]}),
    ("Softmax", {"axis": [-2]}),
    ("Identity", {}),
    ("UnitNormalization", {}),
    ("UnitNormalization", {"axis": 1}),
    ("UnitNormalization", {"axis": [1, 2]}),
    ("GaussianNoise", {"stddev": 0.1}),
    ("GaussianDropout", {"rate": 0.3}),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.01}),
    ("SpatialDropout1D", {"rate": 0.4}),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


def _np(value):
    if isinstance(value, neuronet.Tensor):
        return value.detach().numpy()
    return keras.ops.convert_to_numpy(value)


def _x(seed: int = 0) -> np.ndarray:
    """Normal values plus the kinks: 0, the thresholds and the ceilings used above."""
    x = 3 * np.random.default_rng(seed).standard_normal((4,) + SHAPE).astype("float32")
    x.reshape(-1)[:10] = [0.0, 1.0, 6.0, 2.5, 0.5, 2.0, 3.0, -1.0, -0.0, 8.0]
    x[3, 1] = 0.0  # an all-zero vector (UnitNormalization's lower bound)
    return x


def _pair(name: str, kw: dict, seed: int = 0):
    kl, nl = getattr(keras.layers, name)(**kw), OURS[name](**kw)
    kl.build((None,) + SHAPE)
    nl.build((None,) + SHAPE)
    if kl.weights:  # random weights, so that a wrong broadcast cannot hide
        rng = np.random.default_rng(seed + 1)
        kl.set_weights([rng.uniform(-1, 1, w.shape).astype("float32")
                        for w in kl.get_weights()])
    nl.set_weights(kl.get_weights())
    return kl, nl


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_weights_params_shapes_outputs(name: str, kw: dict) -> None:
    kl, nl = _pair(name, kw)
    assert [w.name for w in nl.weights] == [w.name for w in kl.weights]
    assert [tuple(w.shape) for w in nl.get_weights()] == [
        tuple(w.shape) for w in kl.get_weights()]
    assert [w.trainable for w in nl.weights] == [w.trainable for w in kl.weights]
    assert nl.count_params() == kl.count_params()
    assert tuple(nl.compute_output_shape((None,) + SHAPE)) == tuple(
        kl.compute_output_shape((None,) + SHAPE))
    symbolic = OURS[name](**kw)(nk.Input(shape=SHAPE))
    assert tuple(symbolic.shape) == (None,) + SHAPE
    x = _x()
    got = nl(x)
    assert got.dtype == neuronet.float32
    np.testing.assert_allclose(_np(got), _np(kl(x)), rtol=1e-6, atol=1e-6)
    assert nl.supports_masking is True and kl.supports_masking is True


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_gradients_match_keras(name: str, kw: dict) -> None:
    kl, nl = _pair(name, kw)
    x = _x(1)
    weights = np.random.default_rng(2).standard_normal(x.shape).astype("float32")
    xt = torch.tensor(x, requires_grad=True)
    (kl(xt) * torch.tensor(weights)).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    (nl(xn) * neuronet.tensor(weights)).sum().backward()
    want = xt.grad.numpy()
    if name == "UnitNormalization":  # Keras: NaN for the all-zero vector, ours 1e12 * dL/dy
        zero = np.isnan(want)
        assert zero.any() == (kw.get("axis", -1) == -1)  # only x[3, 1] is all zero
        assert np.isfinite(xn.grad.numpy()).all()
        np.testing.assert_allclose(xn.grad.numpy()[zero], 1e12 * np.broadcast_to(
            weights, x.shape)[zero], rtol=1e-5)
        want = np.where(zero, xn.grad.numpy(), want)
    np.testing.assert_allclose(xn.grad.numpy(), want, rtol=1e-5, atol=1e-6)
    for wn, wk in zip(nl.weights, kl.weights):
        np.testing.assert_allclose(wn.grad.numpy(), wk.value.grad.numpy(), rtol=1e-5,
                                   atol=1e-6, err_msg=wk.name)


GRADCHECK = [("ReLU", {"max_value": 3.0, "negative_slope": 0.2, "threshold": 0.5}),
             ("ReLU", {"max_value": 6.0}), ("LeakyReLU", {}), ("PReLU", {"shared_axes": [1]}),
             ("ELU", {"alpha": 0.5}), ("Softmax", {"axis": [1, 2]}), ("Softmax", {}),
             ("UnitNormalization", {"axis": 1}), ("ActivityRegularization", {"l1": 0.1,
                                                                             "l2": 0.2})]


@pytest.mark.parametrize(("name", "kw"), GRADCHECK, ids=[n for n, _ in GRADCHECK])
def test_gradcheck_float64(name: str, kw: dict) -> None:
    x = np.random.default_rng(10).uniform(-4, 4, (2,) + SHAPE)
    for kink in (0.0, 0.5, 3.0, 6.0):  # finite differences need distance from the kinks
        x = np.where(np.abs(x - kink) < 0.05, x + 0.1, x)
    layer = OURS[name](**kw, dtype="float64")
    layer.build((None,) + SHAPE)
    if layer.weights:
        layer.set_weights([np.random.default_rng(11).uniform(-1, 1, w.shape)
                           for w in layer.get_weights()])

    def f(t):
        y = layer(t)
        return layer._call_losses.pop() if name == "ActivityRegularization" else y

    xn = neuronet.tensor(x, requires_grad=True)
    assert f(xn).dtype == neuronet.float64
    assert neuronet.autograd.gradcheck(f, (xn,), eps=1e-6, atol=1e-7, rtol=1e-5)


def _strip(config: dict) -> dict:
    """Configs without what legitimately differs: the dtype policy and the objects' module."""
    out = {}
    for key, value in config.items():
        if key == "dtype":
            continue
        if isinstance(value, dict) and "class_name" in value:
            value = (value["class_name"], value.get("config"))
        out[key] = value
    return out


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_config_matches_keras_and_round_trips(name: str, kw: dict) -> None:
    kl, nl = _pair(name, kw)
    config = nl.get_config()
    want = _strip(kl.get_config())
    want["name"] = config["name"]
    assert _strip(config) == want
    clone = OURS[name].from_config(config)
    assert clone.get_config() == config
    if nl.weights:
        clone.build((None,) + SHAPE)
        clone.set_weights(nl.get_weights())
    x = _x()
    np.testing.assert_allclose(_np(clone(x)), _np(nl(x)))
    # Keras reads our config back (names of objects aside) and builds the same layer
    keras_clone = type(kl).from_config({**kl.get_config(), **{
        k: v for k, v in config.items() if k not in ("dtype", "alpha_initializer")}})
    assert _strip(keras_clone.get_config()) == want


# --- the activations' edge values ---------------------------------------------------------

@pytest.mark.parametrize("kw", [c[1] for c in CASES if c[0] == "ReLU"])
def test_relu_at_the_kinks(kw: dict) -> None:
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 2.5, 3.0, 6.0, 7.0], "float32")
    xt = torch.tensor(x, requires_grad=True)
    keras.layers.ReLU(**kw)(xt).sum().backward()
    xn = neuronet.tensor(x, requires_grad=True)
    y = L.ReLU(**kw)(xn)
    y.sum().backward()
    np.testing.assert_array_equal(_np(y), _np(keras.layers.ReLU(**kw)(x)))
    np.testing.assert_array_equal(xn.grad.numpy(), xt.grad.numpy())


def test_softmax_with_mask_matches_keras() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 5, 3)).astype("float32")
    weights = rng.standard_normal(x.shape).astype("float32")
    masks = [rng.random((4, 5, 3)) > 0.4, rng.random((4, 1, 3)) > 0.3,
             (rng.random((5, 3)) > 0.5).astype("float32"), np.zeros((4, 5, 1), bool)]
    masks[1][0] = False  # a fully masked row: zeros, not 1/3
    for axis in (-1, 1, [1, 2]):
        for mask in masks:
            kl, nl = keras.layers.Softmax(axis=axis), L.Softmax(axis=axis)
            xt = torch.tensor(x, requires_grad=True)
            want = kl(xt, mask=torch.tensor(mask))
            (want * torch.tensor(weights)).sum().backward()
            xn = neuronet.tensor(x, requires_grad=True)
            got = nl(xn, mask=mask)
            (got * neuronet.tensor(weights)).sum().backward()
            np.testing.assert_allclose(_np(got), _np(want), rtol=1e-6, atol=1e-7)
            np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_softmax_rejects_a_mask_that_does_not_broadcast_like_keras() -> None:
    x = np.zeros((2, 6, 4), "float32")
    with pytest.raises(ValueError, match="broadcastable"):
        keras.layers.Softmax()(x, mask=np.ones((2, 6), bool))
    with pytest.raises(ValueError, match="broadcastable"):
        L.Softmax()(x, mask=np.ones((2, 6), bool))
    # an Embedding's (batch, steps) mask reaches Softmax the same way, and fails the same way
    tokens = np.array([[1, 2, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0]])
    for k, softmax in ((keras, keras.layers.Softmax), (nk, L.Softmax)):
        model = k.Sequential([k.Input((6,)), k.layers.Embedding(10, 4, mask_zero=True),
                              softmax()])
        with pytest.raises(ValueError, match="broadcastable"):
            model(tokens)


def test_unit_normalization_is_unit_norm_and_bounded() -> None:
    x = _x()
    y = L.UnitNormalization(axis=[1, 2])(x).numpy()
    norms = np.sqrt((y ** 2).sum(axis=(1, 2)))
    np.testing.assert_allclose(norms, 1.0, rtol=1e-6)
    tiny = np.full((1, 3), 1e-20, "float32")
    np.testing.assert_allclose(L.UnitNormalization()(tiny).numpy(), _np(
        keras.layers.UnitNormalization()(tiny)), rtol=1e-6)


def test_prelu_alpha_regularizer_and_shared_axes_errors() -> None:
    kl = keras.layers.PReLU(alpha_regularizer="l2", alpha_initializer="ones")
    nl = L.PReLU(alpha_regularizer="l2", alpha_initializer="ones")
    kl.build((None,) + SHAPE)
    nl.build((None,) + SHAPE)
    np.testing.assert_allclose(float(nl.losses[0].item()), float(_np(kl.losses[0])), rtol=1e-6)
    with pytest.raises(ValueError, match="known size"):
        L.PReLU().build((None, None, 3))
    L.PReLU(shared_axes=[1]).build((None, None, 3))  # a shared unknown axis is fine
    with pytest.raises(ValueError, match="shared_axes"):
        L.PReLU(shared_axes=[3]).build((None, 5, 3))


def test_constructors_validate_like_keras() -> None:
    bad = [("ReLU", {"max_value": -1.0}), ("ReLU", {"negative_slope": -0.1}),
           ("ReLU", {"threshold": -1.0}), ("LeakyReLU", {"negative_slope": -1}),
           ("GaussianNoise", {"stddev": 1.5}), ("GaussianDropout", {"rate": -0.1}),
           ("SpatialDropout1D", {"rate": 2.0})]
    for layers in (keras.layers, L):
        for name, kw in bad:
            with pytest.raises(ValueError):
                getattr(layers, name)(**kw)
        with pytest.raises(TypeError):
            layers.UnitNormalization(axis="channels")
        with pytest.raises(ValueError, match="ndim=3"):
            layers.SpatialDropout1D(0.5)(np.ones((2, 3), "float32"))
    with pytest.warns(UserWarning, match="negative_slope"):
        layer = L.LeakyReLU(alpha=0.1)
    assert layer.negative_slope == 0.1


# --- noise and dropout --------------------------------------------------------------------

NOISE = [("GaussianNoise", {"stddev": 0.3}), ("GaussianDropout", {"rate": 0.4}),
         ("SpatialDropout1D", {"rate": 0.4})]


@pytest.mark.parametrize(("name", "kw"), NOISE, ids=[n for n, _ in NOISE])
def test_noise_is_identity_at_inference_and_random_in_training(name: str, kw: dict) -> None:
    x = np.random.default_rng(4).uniform(0.5, 1.5, (8, 6, 5)).astype("float32")
    layer = OURS[name](**kw)
    for training in (None, False):
        np.testing.assert_array_equal(layer(x, training=training).numpy(), x)
    model = nk.Sequential([nk.Input((6, 5)), OURS[name](**kw)])
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    first, second = layer(x, training=True).numpy(), layer(x, training=True).numpy()
    assert first.dtype == np.float32
    assert not np.array_equal(first, x) and not np.array_equal(first, second)
    # a seed makes the sequence reproducible, as Keras's SeedGenerator(seed)
    a, b = OURS[name](**kw, seed=7), OURS[name](**kw, seed=7)
    np.testing.assert_array_equal(a(x, training=True).numpy(), b(x, training=True).numpy())
    # the gradient is the noise's slope: dy/dx = y / x (multiplicative) or 1 (additive)
    xn = neuronet.tensor(x, requires_grad=True)
    y = a(xn, training=True)
    y.sum().backward()
    slope = np.ones_like(x) if name == "GaussianNoise" else y.detach().numpy() / x
    np.testing.assert_allclose(xn.grad.numpy(), slope, rtol=1e-5, atol=1e-6)


def test_gaussian_noise_statistics_match_keras() -> None:
    x = np.full((200, 50, 10), 2.0, "float32")
    for make in (lambda: keras.layers.GaussianNoise(0.3), lambda: L.GaussianNoise(0.3)):
        noise = _np(make()(x, training=True)) - x
        assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.3) < 0.01


def test_gaussian_dropout_preserves_the_mean_like_keras() -> None:
    x = np.full((200, 50, 10), 2.0, "float32")
    sigma = math.sqrt(0.3 / 0.7)
    for make in (lambda: keras.layers.GaussianDropout(0.3), lambda: L.GaussianDropout(0.3)):
        factor = _np(make()(x, training=True)) / x
        assert abs(factor.mean() - 1) < 0.01 and abs(factor.std() - sigma) < 0.01


def test_spatial_dropout1d_drops_whole_channels_like_keras() -> None:
    rate = 0.4
    x = np.random.default_rng(5).uniform(0.5, 1.5, (400, 6, 20)).astype("float32")
    for make in (lambda: keras.layers.SpatialDropout1D(rate), lambda: L.SpatialDropout1D(rate)):
        factor = _np(make()(x, training=True)) / x
        np.testing.assert_allclose(factor, np.broadcast_to(factor[:, :1, :], x.shape),
                                   rtol=1e-6)  # one draw per (sample, channel)
        values = np.unique(factor.round(5))
        np.testing.assert_allclose(values, [0.0, 1 / (1 - rate)], rtol=1e-5)
        dropped = (factor[:, 0, :] == 0).mean()
        assert abs(dropped - rate) < 0.03 and abs(factor.mean() - 1) < 0.05
    assert (L.SpatialDropout1D(1.0)(x, training=True).numpy() == 0).all()


# --- ActivityRegularization -----------------------------------------------------------------

def test_activity_regularization_loss_matches_keras() -> None:
    x = np.random.default_rng(6).standard_normal((5, 4)).astype("float32")
    for l1, l2 in ((0.1, 0.0), (0.0, 0.2), (0.05, 0.3), (0.0, 0.0)):
        kl, nl = keras.layers.ActivityRegularization(l1, l2), L.ActivityRegularization(l1, l2)
        xt = torch.tensor(x, requires_grad=True)
        kl(xt)
        xn = neuronet.tensor(x, requires_grad=True)
        np.testing.assert_array_equal(nl(xn).detach().numpy(), x)
        assert len(nl.losses) == len(kl.losses) == 1
        np.testing.assert_allclose(float(nl.losses[0].item()), float(_np(kl.losses[0])),
                                   rtol=1e-6)  # divided by the batch size, as Keras 3
        if l1 or l2:
            kl.losses[0].backward()
            nl.losses[0].backward()
            np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_activity_regularization_in_a_model_matches_keras() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.standard_normal((8, 4)).astype("float32"), rng.standard_normal((8, 2))

    def build(k, layer):
        return k.Sequential([k.Input((4,)), k.layers.Dense(2), layer])

    km = build(keras, keras.layers.ActivityRegularization(0.01, 0.02))
    nm = build(nk, L.ActivityRegularization(0.01, 0.02))
    nm.set_weights(km.get_weights())
    km(x), nm(x)
    np.testing.assert_allclose(float(sum(loss.item() for loss in nm.losses)),
                               float(sum(_np(loss) for loss in km.losses)), rtol=1e-5)
    km.compile(loss="mse"), nm.compile(loss="mse")
    np.testing.assert_allclose(nm.evaluate(x, y, verbose=0), km.evaluate(x, y, verbose=0),
                               rtol=1e-5)


# --- masks ------------------------------------------------------------------------------------

TOKENS = np.array([[1, 2, 3, 0, 0, 0], [4, 5, 0, 0, 0, 0], [6, 0, 7, 8, 9, 1]])
MASKED = [("ReLU", {}), ("ReLU", {"max_value": 1.0, "negative_slope": 0.1}),
          ("LeakyReLU", {}), ("PReLU", {"alpha_initializer": "ones"}), ("ELU", {}),
          ("Identity", {}), ("UnitNormalization", {}), ("GaussianNoise", {"stddev": 0.1}),
          ("GaussianDropout", {"rate": 0.2}), ("ActivityRegularization", {"l2": 0.1}),
          ("SpatialDropout1D", {"rate": 0.2})]


@pytest.mark.parametrize(("name", "kw"), MASKED, ids=[f"{n}-{i}" for i, (n, _) in
                                                      enumerate(MASKED)])
def test_mask_passes_through_to_lstm_like_keras(name: str, kw: dict) -> None:
    def build(k, layer):
        return k.Sequential([k.Input(shape=(6,)), k.layers.Embedding(10, 4, mask_zero=True),
                             layer, k.layers.LSTM(3)])

    km = build(keras, getattr(keras.layers, name)(**kw))
    nm = build(nk, OURS[name](**kw))
    nm.set_weights(km.get_weights())
    got = _np(nm(TOKENS))
    np.testing.assert_allclose(got, _np(km(TOKENS)), rtol=1e-5, atol=1e-6)
    # the mask really is used: without it the LSTM gives other numbers
    plain = nk.Sequential([nk.Input(shape=(6,)), nk.layers.Embedding(10, 4), OURS[name](**kw),
                           nk.layers.LSTM(3)])
    plain.set_weights(km.get_weights())
    assert not np.allclose(_np(plain(TOKENS)), got, atol=1e-4)
    # and the layer's own output carries the mask
    embedded = nk.layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    out = OURS[name](**kw)(embedded)
    np.testing.assert_array_equal(out._keras_mask.numpy(), TOKENS != 0)


def test_softmax_passes_an_explicit_mask_on_like_keras() -> None:
    x = np.random.default_rng(8).standard_normal((2, 3, 4)).astype("float32")
    mask = np.random.default_rng(9).random((2, 3, 4)) > 0.3
    want = keras.layers.Softmax()(torch.tensor(x), mask=torch.tensor(mask))
    got = L.Softmax()(x, mask=mask)
    np.testing.assert_array_equal(got._keras_mask.numpy(), _np(want._keras_mask))


def test_docstring_examples_run() -> None:
    for module in MODULES:
        failed, attempted = doctest.testmod(module)
        assert failed == 0 and attempted > 0, module.__name__


def test_activations_relu_options_match_keras_at_the_kinks() -> None:
    """keras.activations.relu with its options is the ReLU layer's function: equal to Keras's
    everywhere, x == threshold and x == max_value included."""
    x = np.array([-2.0, -0.5, 0.0, 0.5, 1.0, 2.0, 6.0, 7.0], "float32")
    for kw in ({}, {"negative_slope": 0.1}, {"threshold": 0.5}, {"max_value": 1.0},
               {"negative_slope": 0.2, "threshold": 1.0, "max_value": 6.0}):
        want = keras.ops.convert_to_numpy(keras.activations.relu(x, **kw))
        got = nk.activations.relu(neuronet.tensor(x), **kw).numpy()
        np.testing.assert_array_equal(got, want, err_msg=str(kw))
