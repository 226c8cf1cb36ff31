"""Elementwise maths (exp, log, ..., clamp, maximum, where) against PyTorch and finite
differences, with second derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_check import check, check_float32, noncontig, randn, uniform

import neuronet

torch = pytest.importorskip("torch")

# name -> (input sampler (shape, seed) -> array); every op is a Tensor method in both libraries
POSITIVE = lambda *s, seed=0: uniform(0.3, 3.0, *s, seed=seed)  # noqa: E731
REAL = lambda *s, seed=0: randn(*s, seed=seed) * 1.5  # noqa: E731
ABOVE_M1 = lambda *s, seed=0: uniform(-0.7, 3.0, *s, seed=seed)  # noqa: E731
NONZERO = lambda *s, seed=0: (uniform(0.3, 2.0, *s, seed=seed)  # noqa: E731
                              * np.where(randn(*s, seed=seed + 1) < 0, -1, 1))

UNARY = {
    "exp": REAL, "log": POSITIVE, "log1p": ABOVE_M1, "expm1": REAL, "sqrt": POSITIVE,
    "rsqrt": POSITIVE, "abs": NONZERO, "sin": REAL, "cos": REAL, "tanh": REAL,
    "sigmoid": REAL, "relu": NONZERO, "reciprocal": NONZERO, "erf": REAL, "neg": REAL,
}
PIECEWISE_CONSTANT = ["sign", "floor", "ceil", "round", "trunc"]
SHAPES = [(3, 4), (1,), (), (2, 0, 3), (2, 1, 3)]


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_unary_against_torch(name, shape):
    x = np.asarray(UNARY[name](*shape, seed=len(name)))
    check(lambda t: getattr(t, name)(), None, x, second_order=True)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_noncontiguous_and_functions(name):
    x = noncontig(UNARY[name](4, 3, seed=3))
    fn_nn = getattr(neuronet, name)
    fn_t = getattr(torch, name)
    check(fn_nn, fn_t, x, second_order=True)


@pytest.mark.parametrize("name", list(UNARY) + PIECEWISE_CONSTANT)
def test_unary_float32_and_int_inputs(name):
    out = check_float32(lambda t: getattr(t, name)(), UNARY.get(name, REAL)(3, 4))
    assert out.dtype == neuronet.float32
    ints = np.array([1, 2, 3])
    got = getattr(neuronet.tensor(ints), name)()
    want = getattr(torch.tensor(ints), name)()
    assert got.dtype.name == str(want.dtype).replace("torch.", ""), (name, got.dtype, want.dtype)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("name", PIECEWISE_CONSTANT)
def test_piecewise_constant_zero_gradient(name):
    x = np.array([-2.7, -1.5, -0.5, 0.0, 0.3, 0.5, 1.5, 2.5, 3.49])
    check(lambda t: getattr(t, name)(), None, x, second_order=True, run_gradcheck=False)
    # away from jumps finite differences agree that the derivative is 0
    check(lambda t: getattr(t, name)(), None, np.array([-2.7, -1.2, 0.3, 2.2]))


def test_round_decimals():
    x = randn(3, 4, seed=5) * 10
    check(lambda t: t.round(decimals=2), None, x, run_gradcheck=False)
    check(lambda t: t.round(decimals=-1), None, x, run_gradcheck=False)
    # round half to even, as torch
    check(lambda t: t.round(), None, np.array([0.5, 1.5, 2.5, -0.5, -1.5]), run_gradcheck=False)


def test_kinks_take_torch_subgradient():
    x = np.array([-1.0, 0.0, 0.0, 2.0])
    for name in ("abs", "relu", "sign"):
        check(lambda t, n=name: getattr(t, n)(), None, x, second_order=True, run_gradcheck=False)


def test_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, 1e-300, 710.0, -745.0])
    for name in ("exp", "expm1", "tanh", "sigmoid", "erf", "abs", "relu"):
        check(lambda t, n=name: getattr(t, n)(), None, x, run_gradcheck=False)
    big = np.array([-800.0, -50.0, 50.0, 800.0])
    check(lambda t: t.sigmoid(), None, big, run_gradcheck=False)
    out = neuronet.tensor([-100.0, 100.0]).sigmoid()
    assert np.all(np.isfinite(out.numpy()))


# --- clamp -------------------------------------------------------------------------------

@pytest.mark.parametrize("bounds", [(-0.5, 0.5), (-0.5, None), (None, 0.5), (0, 1), (1.0, -1.0)],
                         ids=str)
def test_clamp_scalar_bounds(bounds):
    lo, hi = bounds
    x = randn(4, 5, seed=6)
    check(lambda t: t.clamp(lo, hi), None, x, second_order=True)
    check(lambda t: t.clip(min=lo, max=hi), None, noncontig(x))
    check(lambda t: t.clamp(min=lo, max=hi), None, np.array([-0.5, 0.5, 0.0, 1.0, -1.0]),
          run_gradcheck=False)  # values at the bounds pass the gradient, as torch
    check_float32(lambda t: t.clamp(lo, hi), x)


def test_clamp_tensor_bounds():
    x = randn(3, 4, seed=7)
    lo = randn(4, seed=8) - 0.5
    hi = randn(3, 1, seed=9) + 0.5
    check(lambda t, a, b: t.clamp(a, b), None, x, lo, hi, second_order=True)
    check(lambda t, a: t.clamp(min=a), None, x, lo)
    check(lambda t, b: t.clamp(max=b), None, x, hi)
    check(lambda t, a, b: neuronet.clamp(t, a, b) if isinstance(t, neuronet.Tensor)
          else torch.clamp(t, a, b), None, noncontig(x), lo, hi)


def test_clamp_tensor_bounds_ties():
    # x equal to a bound: torch gives the gradient to x, none to the bound
    x = np.array([0.0, 1.0, -1.0, 0.5, 2.0])
    lo = np.array([0.0, 0.0, -1.0, 0.0, 0.0])
    hi = np.array([1.0, 1.0, 1.0, 0.5, 2.0])
    check(lambda t, a, b: t.clamp(a, b), None, x, lo, hi, run_gradcheck=False)
    check(lambda t, a: t.clamp(min=a), None, x, lo, run_gradcheck=False)
    check(lambda t, b: t.clamp(max=b), None, x, hi, run_gradcheck=False)
    # crossed bounds: min > max gives max everywhere
    check(lambda t, a, b: t.clamp(a, b), None, x, lo + 3.0, hi, run_gradcheck=False)


def test_clamp_int_and_errors():
    i = neuronet.tensor([-3, 0, 5])
    assert i.clamp(-1, 2).dtype == neuronet.int64
    assert i.clamp(-1, 2).tolist() == [-1, 0, 2]
    want = torch.tensor([-3, 0, 5]).clamp(-0.5, 2.5)
    got = i.clamp(-0.5, 2.5)
    assert got.dtype.name == str(want.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.numpy(), want.numpy())
    with pytest.raises((ValueError, RuntimeError), match="clamp"):
        neuronet.ones(3).clamp()


# --- maximum / minimum / where --------------------------------------------------------------

@pytest.mark.parametrize("name", ["maximum", "minimum"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)),
                                    ((0, 3), (1, 3))], ids=str)
def test_maximum_minimum(name, shapes):
    a, b = randn(*shapes[0], seed=10), randn(*shapes[1], seed=11)
    check(lambda x, y: getattr(x, name)(y), None, a, b, second_order=True)
    check(lambda x, y: getattr(neuronet, name)(x, y) if isinstance(x, neuronet.Tensor)
          else getattr(torch, name)(x, y), None, b, a)


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_ties_split_gradient(name):
    a = np.array([1.0, 2.0, 3.0, 0.0, -1.0])
    b = np.array([1.0, 1.0, 4.0, 0.0, -1.0])
    check(lambda x, y: getattr(x, name)(y), None, a, b, second_order=True, run_gradcheck=False)
    # broadcast ties: one b shared by three equal a's
    check(lambda x, y: getattr(x, name)(y), None, np.ones((3, 2)), np.ones(2),
          run_gradcheck=False)
    check(lambda x, y: x.max(y) if name == "maximum" else x.min(y), None, a, b,
          run_gradcheck=False)
    check(lambda x, y: getattr(x, name)(y), None, noncontig(randn(3, 2)), randn(3, 1))
    check_float32(lambda x, y: getattr(x, name)(y), a, b)
    check_float32(lambda x: getattr(x, name)(neuronet.tensor(0.5, dtype=neuronet.float64)), a)


@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)),
                                    ((2, 1, 4), (3, 1), (1,)), ((0, 2), (2,), (0, 1))], ids=str)
def test_where(shapes):
    cond_shape = tuple(np.broadcast_shapes(*shapes))
    cond = randn(*cond_shape, seed=12) > 0
    a, b = randn(*shapes[0], seed=13), randn(*shapes[1], seed=14)

    def fn(c, x, y):
        if isinstance(c, neuronet.Tensor):
            return neuronet.where(c, x, y)
        x, y = (torch.tensor(v, dtype=torch.float64) if isinstance(v, float) else v
                for v in (x, y))
        return torch.where(c, x, y)

    check(fn, None, cond, a, b, second_order=True)
    check(lambda c, x: x.where(c, 0.5), None, cond, randn(*cond_shape, seed=3))
    check(lambda c, x: fn(c, 0.0, x), None, cond, randn(*cond_shape, seed=3))
    check(lambda c, x: fn(c, x, x * 2.0), None, noncontig(cond) if cond.ndim > 1 else cond,
          randn(*cond_shape, seed=4))


def test_where_dtypes():
    c = neuronet.tensor([True, False])
    f32 = neuronet.tensor([1.0, 2.0])
    assert neuronet.where(c, f32, 0.0).dtype == neuronet.float32
    assert neuronet.where(c, f32, 0).dtype == neuronet.float32
    assert neuronet.where(c, neuronet.tensor([1, 2]), 0.5).dtype == neuronet.float32
    assert neuronet.where(c, neuronet.tensor([1, 2]), 0).dtype == neuronet.int64
    check_float32(lambda x: neuronet.where(x > 0, x, x * 0.1), randn(3, 4))


def test_binary_elementwise_broadcast_errors():
    with pytest.raises(ValueError, match=r"maximum.*\(3,\).*\(4,\)"):
        neuronet.maximum(neuronet.ones(3), neuronet.ones(4))
    with pytest.raises(ValueError, match=r"minimum.*\(3,\).*\(4,\)"):
        neuronet.minimum(neuronet.ones(3), neuronet.ones(4))
    with pytest.raises(ValueError, match=r"where.*\(2,\).*\(3,\)"):
        neuronet.where(neuronet.ones(2) > 0, neuronet.ones(3), 0.0)
    with pytest.raises(ValueError, match=r"clamp.*\(3,\).*\(2,\)"):
        neuronet.ones(3).clamp(neuronet.zeros(2))


def test_checker_catches_wrong_values_and_gradients():
    """The oracle itself must fail on a wrong forward, a wrong backward and a wrong second
    derivative (a check that cannot fail proves nothing)."""
    from neuronet.autograd import Function

    class BadExp(Function):
        def forward(self, x):
            return np.exp(x)

        def backward(self, g):
            return g * neuronet.exp(self.inputs[0]) * 1.001  # 0.1 % off

    class BadSecond(Function):
        def forward(self, x):
            return np.exp(x)

        def backward(self, g):
            return g * neuronet.exp(self.inputs[0].detach())  # right value, no second order

    x = randn(3, seed=1)
    with pytest.raises(AssertionError):
        check(lambda t: t.exp() * 1.001 if isinstance(t, neuronet.Tensor) else t.exp(), None, x)
    with pytest.raises(AssertionError):
        check(lambda t: BadExp.apply(t) if isinstance(t, neuronet.Tensor) else t.exp(), None, x,
              run_gradcheck=False)
    check(lambda t: BadSecond.apply(t) if isinstance(t, neuronet.Tensor) else t.exp(), None, x)
    with pytest.raises(AssertionError):
        check(lambda t: BadSecond.apply(t) if isinstance(t, neuronet.Tensor) else t.exp(), None,
              x, second_order=True, run_gradcheck=False)
    # torch given the same wrong gradient: only the finite differences can tell
    def torch_bad(t):
        extra = t.exp() * 0.001
        return t.exp() + (extra - extra.detach())

    with pytest.raises(Exception, match="Jacobian"):
        check(lambda t: BadExp.apply(t) if isinstance(t, neuronet.Tensor) else torch_bad(t),
              None, x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_tails_keep_relative_precision_like_torch(dtype):
    """Far into the left tail the result is tiny but exact to float precision, as in torch
    (0.5 tanh(x / 2) + 0.5 rounds to 0 there)."""
    import torch

    x = np.array([-700.0, -100.0, -87.0, -50.0, -30.0, -20.0, -10.0, -1.0, 0.0, 3.0, 20.0],
                 dtype=dtype)
    x = x[np.isfinite(np.exp(-x.astype(np.float64)).astype(dtype))] if dtype == "float32" \
        else x
    got = neuronet.tensor(x).sigmoid().numpy()
    want = torch.sigmoid(torch.tensor(x)).numpy()
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=0)
    assert got[x <= -20].min() > 0
