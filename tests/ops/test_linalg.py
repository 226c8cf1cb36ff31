"""matmul, mm, bmm, dot, outer, einsum and linear against PyTorch (first and second order)."""

from __future__ import annotations

import numpy as np
import pytest
from _oracle_shape import check, check_float32, randn

import neuronet


def _case(fn, *arrays, id):  # noqa: A002
    return pytest.param(fn, arrays, id=id)


def _mm(t, a, b):
    return a @ b


MATMUL = [
    _case(_mm, randn(4), randn(4, seed=2), id="1d@1d"),
    _case(_mm, randn(3), randn(3, 5, seed=2), id="1d@2d"),
    _case(_mm, randn(3), randn(2, 3, 5, seed=2), id="1d@3d"),
    _case(_mm, randn(4, 3), randn(3, seed=2), id="2d@1d"),
    _case(_mm, randn(2, 4, 3), randn(3, seed=2), id="3d@1d"),
    _case(_mm, randn(4, 3), randn(3, 5, seed=2), id="2d@2d"),
    _case(_mm, randn(2, 4, 3), randn(3, 5, seed=2), id="3d@2d"),
    _case(_mm, randn(4, 3), randn(2, 3, 5, seed=2), id="2d@3d"),
    _case(_mm, randn(2, 4, 3), randn(2, 3, 5, seed=2), id="3d@3d"),
    _case(_mm, randn(2, 1, 3, 4), randn(5, 4, 2, seed=2), id="broadcast-batch"),
    _case(_mm, randn(1, 2, 3), randn(4, 1, 3, 2, seed=2), id="broadcast-batch-2"),
    _case(_mm, randn(1, 4), randn(4, 1, seed=2), id="size-1"),
    _case(_mm, randn(0, 3), randn(3, 2, seed=2), id="zero-rows"),
    _case(_mm, randn(2, 0), randn(0, 3, seed=2), id="zero-inner"),
    _case(_mm, randn(0, 2, 3), randn(3, 4, seed=2), id="zero-batch"),
    _case(_mm, randn(5, 3, seed=3).T, randn(5, 6, seed=4)[:, ::2], id="noncontig"),
    _case(lambda t, a, b: a.transpose(1, 2) @ b, randn(2, 3, 4, 5), randn(5, 2, seed=2),
          id="noncontig-4d@2d"),
    _case(lambda t, a, b: t.matmul(a.mT, b), randn(2, 3, 4), randn(2, 3, 5, seed=2),
          id="noncontig-batched"),
    _case(lambda t, a, b: a.matmul(b), randn(3, 4), randn(4, seed=2), id="method"),
    _case(lambda t, a, b: t.mm(a, b), randn(3, 4), randn(4, 2, seed=2), id="mm"),
    _case(lambda t, a, b: t.bmm(a, b), randn(2, 3, 4), randn(2, 4, 5, seed=2), id="bmm"),
    _case(lambda t, a, b: t.dot(a, b), randn(5), randn(5, seed=2), id="dot"),
    _case(lambda t, a, b: t.outer(a, b), randn(3), randn(4, seed=2), id="outer"),
    _case(lambda t, a, b: a.mv(b), randn(3, 4), randn(4, seed=2), id="mv"),
]


@pytest.mark.parametrize("fn, arrays", MATMUL)
def test_matmul_against_torch(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", MATMUL)
def test_matmul_float32(fn, arrays):
    check_float32(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", [MATMUL[i] for i in (0, 1, 3, 5, 6, 9, 16)])
def test_matmul_second_order(fn, arrays):
    check(fn, *arrays, second_order=True)


EINSUM = [
    _case(lambda t, a, b: t.einsum("ij,jk->ik", a, b), randn(2, 3), randn(3, 4), id="mm"),
    _case(lambda t, a, b: t.einsum("bij,bjk->bik", a, b), randn(2, 2, 3), randn(2, 3, 4),
          id="bmm"),
    _case(lambda t, q, k: t.einsum("bhqd,bhkd->bhqk", q, k), randn(2, 2, 3, 4),
          randn(2, 2, 5, 4, seed=2), id="attention"),
    _case(lambda t, a: t.einsum("ij->ji", a), randn(2, 3), id="transpose"),
    _case(lambda t, a: t.einsum("ij->", a), randn(2, 3), id="sum"),
    _case(lambda t, a: t.einsum("ij->j", a), randn(2, 3), id="sum-rows"),
    _case(lambda t, a, b: t.einsum("i,j->ij", a, b), randn(3), randn(4), id="outer"),
    _case(lambda t, a, b: t.einsum("i,i->", a, b), randn(3), randn(3, seed=2), id="dot"),
    _case(lambda t, a, b: t.einsum("...ij,...jk->...ik", a, b), randn(2, 2, 3),
          randn(2, 3, 4), id="ellipsis"),
    _case(lambda t, a, b: t.einsum("...ij,jk->...ik", a, b), randn(2, 5, 2, 3),
          randn(3, 4), id="ellipsis-one-side"),
    _case(lambda t, a, b: t.einsum("...ij,...jk", a, b), randn(2, 2, 3), randn(2, 3, 4),
          id="ellipsis-implicit"),
    _case(lambda t, a, b: t.einsum("ij,jk", a, b), randn(2, 3), randn(3, 4), id="implicit"),
    _case(lambda t, a, b: t.einsum("ba,ca", a, b), randn(2, 3), randn(4, 3), id="implicit-sorted"),
    _case(lambda t, a, b: t.einsum("ij,kj->ik", a, b), randn(2, 3), randn(4, 3), id="abT"),
    _case(lambda t, a, b, c: t.einsum("ij,jk,kl->il", a, b, c), randn(2, 3), randn(3, 4),
          randn(4, 2), id="chain"),
    _case(lambda t, a, b: t.einsum("ij,k->ijk", a, b), randn(2, 3), randn(2), id="no-shared"),
    _case(lambda t, a, b: t.einsum("ij, jk -> ik", a, b), randn(2, 3), randn(3, 4),
          id="spaces"),
    _case(lambda t, a, b: t.einsum("ij,jk->ik", [a, b]), randn(2, 3), randn(3, 4),
          id="list-operands"),
    _case(lambda t, a, b: t.einsum("ij,jk->ik", a, b), randn(3, 2).T, randn(3, 4),
          id="noncontig"),
    _case(lambda t, a, b: t.einsum("bi,bj->bij", a, b), randn(0, 2), randn(0, 3), id="zero"),
    _case(lambda t, a, b: t.einsum("ij,jk->ik", a, b), randn(2, 1), randn(3, 4),
          id="size-1-broadcast"),
    _case(lambda t, a, b: t.einsum("bij,bjk->bik", a, b), randn(1, 2, 3), randn(2, 3, 1),
          id="size-1-broadcast-batch"),
    _case(lambda t, a: t.einsum("ijk->", a), randn(2, 1, 3), id="size-1-sum"),
]


@pytest.mark.parametrize("fn, arrays", EINSUM)
def test_einsum_against_torch(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", EINSUM[::4])
def test_einsum_float32(fn, arrays):
    check_float32(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", [EINSUM[i] for i in (0, 2, 6)])
def test_einsum_second_order(fn, arrays):
    check(fn, *arrays, second_order=True)


@pytest.mark.parametrize("equation", ["ii->", "ii->i", "bii->b"])
def test_einsum_repeated_subscript_raises(equation):
    a = neuronet.ones(*(3,) * len(equation.split("->")[0]))
    with pytest.raises(ValueError, match="einsum.*repeated"):
        neuronet.einsum(equation, a)


def _linear(t, x, w, b=None):
    return t.nn.functional.linear(x, w, b)


LINEAR = [
    _case(_linear, randn(4, 3), randn(5, 3, seed=2), randn(5, seed=3), id="2d-bias"),
    _case(_linear, randn(4, 3), randn(5, 3, seed=2), id="2d-nobias"),
    _case(_linear, randn(2, 4, 3), randn(5, 3, seed=2), randn(5, seed=3), id="3d-bias"),
    _case(_linear, randn(2, 4, 3), randn(5, 3, seed=2), id="3d-nobias"),
    _case(_linear, randn(3), randn(5, 3, seed=2), randn(5, seed=3), id="1d-bias"),
    _case(_linear, randn(1, 3), randn(1, 3, seed=2), randn(1, seed=3), id="size-1"),
    _case(_linear, randn(0, 3), randn(2, 3, seed=2), randn(2, seed=3), id="zero-batch"),
    _case(_linear, randn(3, 4, seed=5).T, randn(3, 2, seed=2).T, randn(2, seed=3),
          id="noncontig"),
]


@pytest.mark.parametrize("fn, arrays", LINEAR)
def test_linear_against_torch(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", LINEAR)
def test_linear_float32(fn, arrays):
    check_float32(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", LINEAR[:4])
def test_linear_second_order(fn, arrays):
    check(fn, *arrays, second_order=True)


def test_linear_without_grad_for_weight():
    # only the input needs a gradient: backward computes dL/dx alone
    x = neuronet.tensor(randn(4, 3), requires_grad=True)
    w = neuronet.tensor(randn(2, 3, seed=2))
    y = neuronet.nn.functional.linear(x, w)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones((4, 2)) @ w.numpy().astype(np.float32),
                               rtol=1e-6)
    assert w.grad is None
