"""Surrogate spikes: forward is the step, backward matches finite differences of the smooth
stand-in, a direct formula, PyTorch, and can be differentiated again."""

import math

import numpy as np
import pytest
from _torch_surrogate import torch_spike

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.brain.surrogate import SURROGATES, Surrogate, get

NAMES = sorted(SURROGATES)
U = np.array([-2.0, -0.3, -0.01, 0.0, 0.02, 0.4, 1.5])


def direct(name, u, k):
    if name == "fast_sigmoid":
        return 1.0 / (1.0 + k * np.abs(u)) ** 2
    if name == "atan":
        return (k / 2) / (1.0 + (math.pi / 2 * k * u) ** 2)
    if name == "sigmoid":
        s = 1.0 / (1.0 + np.exp(-k * u))
        return k * s * (1 - s)
    return np.ones_like(u)


def grad_of(sur, u, dtype=nt.float64):
    x = nt.tensor(u, dtype=dtype, requires_grad=True)
    y = sur(x)
    (y * nt.tensor(np.arange(1.0, len(u) + 1), dtype=dtype)).sum().backward()
    return y, x.grad.numpy() / np.arange(1.0, len(u) + 1)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("slope", [None, 5.0])
def test_forward_is_heaviside_and_backward_is_the_formula(name, slope):
    sur = Surrogate(name, slope)
    y, g = grad_of(sur, U)
    np.testing.assert_array_equal(y.detach().numpy(), (U > 0).astype(float))
    np.testing.assert_allclose(g, direct(name, U, sur.slope), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences_of_the_smooth_function(name):
    sur = Surrogate(name, 3.0)
    _, g = grad_of(sur, U)
    eps = 1e-6
    fd = (sur.smooth(U + eps) - sur.smooth(U - eps)) / (2 * eps)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8)  # the kink of |u| at 0


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_with_smooth_forward(name):
    sur = Surrogate(name, 2.0, smooth_forward=True)
    x = nt.tensor(U + 0.05, dtype=nt.float64, requires_grad=True)
    assert gradcheck(sur, (x,))


@pytest.mark.parametrize("name", ["fast_sigmoid", "atan", "sigmoid"])
def test_double_backward_matches_the_second_derivative(name):
    sur = Surrogate(name, 2.0)
    x = nt.tensor(U + 0.05, dtype=nt.float64, requires_grad=True)
    (g,) = nt.autograd.grad(sur(x).sum(), x, create_graph=True)
    (gg,) = nt.autograd.grad(g.sum(), x)
    eps = 1e-6
    fd = (direct(name, U + 0.05 + eps, 2.0) - direct(name, U + 0.05 - eps, 2.0)) / (2 * eps)
    np.testing.assert_allclose(gg.numpy(), fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", NAMES)
def test_against_a_torch_autograd_function(name):
    torch = pytest.importorskip("torch")
    k = 4.0

    Ref = torch_spike(name, k)

    w = np.random.default_rng(0).normal(size=U.shape)
    ut = torch.tensor(U, requires_grad=True)
    (Ref.apply(ut) * torch.tensor(w)).sum().backward()
    _, g = grad_of(Surrogate(name, k), U)
    np.testing.assert_allclose(g, direct(name, U, k), rtol=1e-10, atol=1e-15)
    x = nt.tensor(U, dtype=nt.float64, requires_grad=True)
    (Surrogate(name, k)(x) * nt.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), ut.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_dtype_preserved_and_edge_shapes():
    sur = get("atan")
    for shape in [(), (0,), (1,), (2, 3)]:
        x = nt.zeros(*shape, requires_grad=True) + 0.1
        y = sur(x)
        assert y.dtype == nt.float32 and tuple(y.shape) == shape
    x = nt.randn(4, 6, dtype=nt.float64).t()  # non-contiguous
    assert sur(x).dtype == nt.float64


def test_bad_input_errors():
    with pytest.raises(ValueError, match="unknown surrogate 'tanh'"):
        Surrogate("tanh")
    with pytest.raises(ValueError, match="slope=0"):
        Surrogate("atan", 0)
    with pytest.raises(TypeError, match="floating-point"):
        Surrogate()(nt.tensor([1, 2]))
    with pytest.raises(ValueError, match="received 3"):
        get(3)
    assert get(None).name == "atan" and get(Surrogate("sigmoid")).name == "sigmoid"
