"""Arithmetic ops (+ - * / ** and negation, comparisons) against PyTorch and finite differences."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from _torch_check import check, check_float32, noncontig, randn, uniform

import neuronet

torch = pytest.importorskip("torch")

BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
}

SHAPE_PAIRS = [
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),  # both broadcast
    ((4,), (2, 3, 4)),  # rank differs
    ((), (3,)),  # 0-d with a vector
    ((2, 1, 3), (2, 5, 1)),
    ((1,), (1,)),  # single element
    ((2, 0, 3), (1, 3)),  # zero-size
    ((0,), ()),
]


def _nonzero(*shape: int, seed: int = 0) -> np.ndarray:
    """Values bounded away from 0 (divisors)."""
    a = uniform(0.5, 2.0, *shape, seed=seed)
    return a * np.where(randn(*shape, seed=seed + 7) < 0, -1.0, 1.0)


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("shapes", SHAPE_PAIRS, ids=str)
def test_binary_broadcasting_against_torch(name, shapes):
    op = BINARY[name]
    a = randn(*shapes[0], seed=1)
    b = _nonzero(*shapes[1], seed=2)
    check(op, None, a, b, second_order=True)
    check(op, None, b, a if name != "div" else _nonzero(*shapes[0], seed=3), second_order=True)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_noncontiguous(name):
    a = noncontig(randn(3, 4, seed=4))
    b = noncontig(_nonzero(4, 3, seed=5)).T  # a transposed view of a transposed copy
    assert not a.flags.c_contiguous
    check(BINARY[name], None, a, b, second_order=True)
    check(BINARY[name], None, randn(6, seed=1)[::2], _nonzero(3, seed=2))


@pytest.mark.parametrize("name", list(BINARY))
@pytest.mark.parametrize("scalar", [2.5, -3, 0.5])
def test_scalar_right_and_reflected(name, scalar):
    op = BINARY[name]
    x = _nonzero(2, 3, seed=6)
    check(lambda t: op(t, scalar), None, x, second_order=True)
    check(lambda t: op(scalar, t), None, x, second_order=True)


def test_neg_and_pos():
    x = randn(3, 2, seed=7)
    check(lambda t: -t, None, x, second_order=True)
    check(lambda t: t.neg(), None, noncontig(x))
    check(lambda t: +t * 2.0, None, x)


def test_same_tensor_both_operands():
    x = randn(2, 3, seed=8)
    check(lambda t: t * t - t / (t * t + 1.0), None, x, second_order=True)


# --- pow ---------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [2, 3, 0.5, -1, -2.5, 1, 0, 1.5, 2.0])
def test_pow_scalar_exponent_positive_base(p):
    x = uniform(0.5, 2.0, 3, 4, seed=9)
    check(lambda t: t ** p, None, x, second_order=True)
    check(lambda t: t.pow(p), None, noncontig(x))


@pytest.mark.parametrize("p", [2, 3, -1, -2, 2.0, 3.0, 0])
def test_pow_negative_base_integer_exponent(p):
    x = -uniform(0.5, 2.0, 5, seed=10)
    check(lambda t: t ** p, None, x, second_order=True)


def test_pow_zero_base():
    x = np.array([0.0, 0.0, 1.5, -2.0])
    for p in (0, 0.0, 1, 2, 3, 2.5):
        check(lambda t, p=p: t ** p, None, x, second_order=p != 2.5, run_gradcheck=False)
    out = neuronet.tensor([0.0]) ** 0
    assert out.item() == 1.0  # 0**0 = 1 as in PyTorch


def test_pow_tensor_exponent():
    a = uniform(0.5, 2.0, 3, 1, seed=11)
    b = randn(1, 4, seed=12)
    check(lambda x, y: x ** y, None, a, b, second_order=True)
    check(lambda x, y: x.pow(y), None, noncontig(uniform(0.5, 2, 3, 4)), randn(4, seed=1))


def test_pow_tensor_exponent_zeros_and_negative_base():
    # 0**0, 0**1, 0**2, negative bases with integer exponents (d/db is nan there, as torch)
    a = np.array([0.0, 0.0, 0.0, -2.0, -1.5, 3.0])
    b = np.array([0.0, 1.0, 2.0, 2.0, 3.0, 0.0])
    check(lambda x, y: x ** y, None, a, b, run_gradcheck=False)
    check(lambda x, y: x ** y, None, a, b.astype(np.int64), run_gradcheck=False)
    # away from 0, second derivatives with respect to a negative base (integer exponents)
    check(lambda x, y: x ** y, None, a[3:5], b[3:5].astype(np.int64), second_order=True)


def test_pow_reflected_scalar_base():
    x = randn(2, 3, seed=13)
    check(lambda t: 2.0 ** t, None, x, second_order=True)
    check(lambda t: 0.5 ** t, None, x)
    check(lambda t: 3 ** t, None, x)


def test_pow_dtypes():
    i = neuronet.tensor([1, 2, 3])
    assert (i ** 2).dtype == neuronet.int64
    assert (i ** 2).tolist() == [1, 4, 9]
    assert (i ** 0.5).dtype == neuronet.float32
    f = neuronet.ones(3)
    assert (f ** 2).dtype == neuronet.float32
    assert (f ** neuronet.tensor([2, 3, 4])).dtype == neuronet.float32
    assert (2 ** neuronet.tensor([1, 2])).dtype == neuronet.int64
    assert (2.0 ** neuronet.tensor([1, 2])).dtype == neuronet.float32
    with pytest.raises(RuntimeError, match="negative integer powers"):
        i ** -1


# --- dtype preservation ------------------------------------------------------------------

@pytest.mark.parametrize("name", list(BINARY) + ["pow"])
def test_float32_preserved(name):
    op = BINARY.get(name, operator.pow)
    a, b = uniform(0.5, 2, 3, 4, seed=14), uniform(0.5, 2, 4, seed=15)
    check_float32(op, a, b)
    check_float32(lambda t: op(t, 2.5), a)
    check_float32(lambda t: op(1.5, t), a)
    check_float32(lambda t: op(t, 3), a)
    check_float32(lambda t: op(t, np.float64(2.0)), a)


def test_promotion_matches_torch():
    cases = [
        (np.array([1, 2]), 2.5),  # int tensor + float scalar -> default float
        (np.array([1, 2]), 2),  # int tensor + int scalar -> int64
        (np.array([1.0, 2.0], np.float32), np.array([1.0, 2.0])),  # f32 + f64 -> f64
        (np.array([1.0, 2.0], np.float32), np.array(2.0)),  # f32 + 0-d f64 -> f32
        (np.array([1, 2]), np.array([0.5, 1.5], np.float32)),
        (np.array([True, False]), np.array([1, 2])),
        (np.array([True, False]), 1.5),
        (np.array([1, 2], np.int32), np.array([3, 4])),
    ]
    for a, b in cases:
        ta = torch.from_numpy(a) if isinstance(a, np.ndarray) else a
        tb = torch.from_numpy(b) if isinstance(b, np.ndarray) else b
        na = neuronet.from_numpy(a) if isinstance(a, np.ndarray) else a
        nb = neuronet.from_numpy(b) if isinstance(b, np.ndarray) else b
        for name, op in BINARY.items():
            if name == "sub" and a.dtype == np.bool_:
                continue  # torch refuses bool subtraction (tested below)
            want = op(ta, tb)
            got = op(na, nb)
            assert got.dtype.name == str(want.dtype).replace("torch.", ""), (name, a, b)
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
            got_r, want_r = op(nb, na), op(tb, ta)
            assert got_r.dtype.name == str(want_r.dtype).replace("torch.", ""), (name, b, a)


def test_int_true_division_gives_float32():
    a, b = neuronet.tensor([1, 2, 7]), neuronet.tensor([2, 4, 2])
    out = a / b
    assert out.dtype == neuronet.float32
    assert out.tolist() == [0.5, 0.5, 3.5]
    assert (a / 2).dtype == neuronet.float32
    assert (1 / a).dtype == neuronet.float32


def test_python_float_never_widens_float32():
    x = neuronet.ones(2, 3, requires_grad=True)
    y = ((x * 0.1 + 1e-300) / 3.0 - 2.0) ** 2.0
    assert y.dtype == neuronet.float32
    y.sum().backward()
    assert x.grad.dtype == neuronet.float32


# --- comparisons -------------------------------------------------------------------------

COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"]


@pytest.mark.parametrize("name", COMPARE)
def test_comparisons(name):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    op = getattr(operator, name)
    x = neuronet.tensor(a, requires_grad=True)
    for other, tother in ((neuronet.tensor(b), torch.tensor(b)), (2.0, 2.0), (2, 2)):
        got = op(x, other)
        want = op(torch.tensor(a), tother)
        assert got.dtype == neuronet.bool and not got.requires_grad and got.grad_fn is None
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    rev = op(2.0, x)  # reflected: Python swaps to the mirrored comparison
    np.testing.assert_array_equal(rev.numpy(), op(2.0, torch.tensor(a)).numpy())
    assert getattr(x, name)(neuronet.tensor(b)).dtype == neuronet.bool


def test_comparison_result_has_no_gradient_path():
    x = neuronet.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = (x * (x > 0)).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.0, 1.0])


# --- errors ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
def test_broadcast_error_names_op_and_shapes(name):
    op = BINARY.get(name, operator.pow)
    with pytest.raises(ValueError) as info:
        op(neuronet.ones(3), neuronet.ones(4))
    msg = str(info.value)
    assert name in msg and "(3,)" in msg and "(4,)" in msg
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        op(neuronet.ones(2, 3, requires_grad=True), neuronet.ones(3, 2))


def test_comparison_broadcast_error():
    with pytest.raises(ValueError, match=r"\(3,\).*\(4,\)"):
        _ = neuronet.ones(3) < neuronet.ones(4)


def test_bool_subtraction_error():
    t = neuronet.tensor([True, False])
    with pytest.raises(RuntimeError, match="sub"):
        t - t
