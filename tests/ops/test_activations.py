"""Activations of nn.functional (relu ... log_softmax), one_hot and dropout against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_check import check, check_float32, noncontig, randn

import neuronet
import neuronet.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

# (name, keyword arguments); the same call works in both libraries
ACTIVATIONS = [
    ("relu", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 2.0}),
    ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("silu", {}), ("mish", {}),
    ("softplus", {}), ("softplus", {"beta": 2.0}), ("softplus", {"beta": 0.5, "threshold": 1.0}),
    ("hardtanh", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("relu6", {}),
    ("hardsigmoid", {}), ("hardswish", {}), ("logsigmoid", {}), ("softsign", {}),
    ("sigmoid", {}), ("tanh", {}), ("tanhshrink", {}),
    ("softmax", {"dim": -1}), ("softmax", {"dim": 0}), ("log_softmax", {"dim": 1}),
    ("softmin", {"dim": 1}),
]
IDS = [f"{n}-{kw}" for n, kw in ACTIVATIONS]


# torch's hardsigmoid backward multiplies by 1/6 rounded to float32, even in float64
LOOSE = {"hardsigmoid": 1e-7, "hardswish": 1e-7}


def _fn(name: str, kw: dict):
    return lambda t: getattr(F if isinstance(t, neuronet.Tensor) else TF, name)(t, **kw)


def _x(*shape: int, seed: int = 0) -> np.ndarray:
    """Spread over the interesting range, away from kinks (0, +-1, 3, 6) and thresholds."""
    x = randn(*shape, seed=seed) * 3.0
    kinks = np.array([0.0, 1.0, -1.0, 3.0, -3.0, 6.0, 2.0, -0.5, 0.5, 10.0, 20.0])
    near = np.min(np.abs(x[..., None] - kinks), axis=-1) < 0.05
    return np.where(near, x + 0.1, x)


@pytest.mark.parametrize(("name", "kw"), ACTIVATIONS, ids=IDS)
def test_activation_against_torch(name, kw):
    fn, rtol = _fn(name, kw), LOOSE.get(name, 1e-10)
    # torch has no double backward for hardsigmoid: finite differences check ours instead
    check(fn, None, _x(3, 5, seed=1), second_order=name != "hardsigmoid", rtol=rtol)
    x64 = neuronet.tensor(_x(2, 3, seed=5), dtype=neuronet.float64, requires_grad=True)
    assert neuronet.autograd.gradgradcheck(lambda t: getattr(F, name)(t, **kw), (x64,))
    check(fn, None, noncontig(_x(4, 3, seed=2)), rtol=rtol)
    check(fn, None, _x(2, 1, 3, seed=3), rtol=rtol)
    if "dim" not in kw or kw["dim"] != 1:
        check(fn, None, _x(0, 3, seed=3), run_gradcheck=False)
    out = check_float32(fn, _x(3, 5, seed=4))
    assert out.shape == (3, 5)


@pytest.mark.parametrize(("name", "kw"), ACTIVATIONS, ids=IDS)
def test_activation_extreme_inputs(name, kw):
    x = np.array([[-1000.0, -50.0, -20.5, 0.0, 20.5, 50.0, 1000.0]])
    # sigmoid is 0.5 tanh(x / 2) + 0.5 (fast, absolute error ~1e-16): compare absolutely
    check(_fn(name, kw), None, x, run_gradcheck=False, rtol=LOOSE.get(name, 1e-10), atol=1e-9)
    out = _fn(name, kw)(neuronet.tensor(x.astype(np.float32)))
    assert np.all(np.isfinite(out.numpy())), (name, out)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "hardtanh", "relu6", "hardsigmoid",
                                  "hardswish", "elu", "celu", "selu", "softplus"])
def test_kinks_match_torch(name):
    x = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0])  # the kinks themselves
    check(_fn(name, {}), None, x, second_order=name != "hardsigmoid", run_gradcheck=False,
          rtol=LOOSE.get(name, 1e-10))
    # softplus at its threshold (beta x == 20): still the log1p branch, as torch
    check(_fn(name, {}), None, np.array([19.0, 20.0, 21.0]), run_gradcheck=False)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu", "celu", "silu", "mish",
                                  "hardtanh", "relu6", "hardsigmoid", "hardswish"])
def test_inplace_matches_out_of_place(name):
    x = _x(3, 4, seed=5)
    a = neuronet.tensor(x)
    out = getattr(F, name)(a, inplace=True)
    want = getattr(TF, name)(torch.tensor(x))
    np.testing.assert_allclose(a.numpy(), want.numpy(), rtol=1e-12)
    assert out is a
    # through a graph: in place on a non-leaf, the gradient as the out-of-place op
    leaf = neuronet.tensor(x, requires_grad=True)
    h = leaf * 1.0
    getattr(F, name)(h, inplace=True).sum().backward()
    tleaf = torch.tensor(x, requires_grad=True)
    getattr(TF, name)(tleaf * 1.0).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), tleaf.grad.numpy(), rtol=LOOSE.get(name, 1e-12))
    with pytest.raises(RuntimeError, match="leaf"):  # as torch: a leaf that requires grad
        getattr(F, name)(neuronet.tensor(x, requires_grad=True), inplace=True)


def test_activation_argument_errors():
    with pytest.raises(ValueError, match="gelu"):
        F.gelu(neuronet.ones(2), approximate="fast")
    with pytest.raises(ValueError, match="hardtanh"):
        F.hardtanh(neuronet.ones(2), min_val=1.0, max_val=0.0)


# --- one_hot -------------------------------------------------------------------------------

def test_one_hot():
    idx = np.array([[0, 2], [1, 3]])
    for n in (-1, 4, 6):
        got = F.one_hot(neuronet.tensor(idx), n)
        want = TF.one_hot(torch.tensor(idx), n)
        assert got.dtype == neuronet.int64 and tuple(got.shape) == tuple(want.shape)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert F.one_hot(neuronet.tensor([], dtype=neuronet.int64), 3).shape == (0, 3)
    assert F.one_hot(neuronet.tensor(2), 3).tolist() == [0, 0, 1]
    with pytest.raises(RuntimeError, match="one_hot"):
        F.one_hot(neuronet.tensor([0, 3]), 3)
    with pytest.raises(RuntimeError, match="one_hot"):
        F.one_hot(neuronet.tensor([-1, 0]), 3)
    with pytest.raises(RuntimeError, match="one_hot"):
        F.one_hot(neuronet.tensor([0.0, 1.0]), 3)


# --- dropout -------------------------------------------------------------------------------

def test_dropout_statistics_and_gradient():
    neuronet.manual_seed(0)
    x = neuronet.ones(200, 500, requires_grad=True)
    for p in (0.1, 0.5, 0.8):
        y = F.dropout(x, p=p, training=True)
        kept = y.detach().numpy() != 0
        assert abs(kept.mean() - (1 - p)) < 0.01
        np.testing.assert_allclose(y.detach().numpy()[kept], 1.0 / (1.0 - p), rtol=1e-6)
        assert abs(float(y.mean()) - 1.0) < 0.03  # the mean is preserved
        assert y.dtype == neuronet.float32
        x.grad = None
        y.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), y.detach().numpy(), rtol=1e-6)


def test_dropout_edge_probabilities_and_eval():
    x = neuronet.randn(4, 5)
    np.testing.assert_array_equal(F.dropout(x, 0.5, training=False).numpy(), x.numpy())
    np.testing.assert_array_equal(F.dropout(x, 0.0).numpy(), x.numpy())
    assert not np.any(F.dropout(x, 1.0).numpy())
    assert F.dropout(x, 1.0).shape == x.shape
    xd = neuronet.randn(4, 5, dtype=neuronet.float64, requires_grad=True)
    F.dropout(xd, 1.0).sum().backward()
    assert not np.any(xd.grad.numpy()) and xd.grad.dtype == neuronet.float64
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout"):
            F.dropout(x, p)


def test_dropout_reproducible_with_seed():
    x = neuronet.ones(10, 10)
    neuronet.manual_seed(3)
    a = F.dropout(x, 0.5)
    neuronet.manual_seed(3)
    b = F.dropout(x, 0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
