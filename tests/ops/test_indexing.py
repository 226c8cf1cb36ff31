"""`__getitem__` and `__setitem__` against PyTorch, and the cost of indexing."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from _oracle_shape import check, check_float32, randn, torch

import neuronet

X = randn(3, 4, 5)
M = randn(4, 6, seed=4)
NONCONTIG = randn(6, 4, seed=5).T  # (4, 6) transposed view


def _case(fn, *arrays, id):  # noqa: A002
    return pytest.param(fn, arrays, id=id)


GETITEM = [
    # ints and slices (negative steps are not allowed in torch)
    _case(lambda t, x: x[1], X, id="int"),
    _case(lambda t, x: x[-1], X, id="int-neg"),
    _case(lambda t, x: x[1, -2], X, id="int-int"),
    _case(lambda t, x: x[2, 3, 4], X, id="scalar"),
    _case(lambda t, x: x[1:3], X, id="slice"),
    _case(lambda t, x: x[:, 1:], X, id="slice-dim1"),
    _case(lambda t, x: x[::2, :, 1::3], X, id="slice-step"),
    _case(lambda t, x: x[-2:, :-1], X, id="slice-neg-bounds"),
    _case(lambda t, x: x[1:1], X, id="slice-empty"),
    _case(lambda t, x: x[:, 10:], X, id="slice-past-end"),
    _case(lambda t, x: x[1, 1:3], NONCONTIG, id="noncontig"),
    # None and ...
    _case(lambda t, x: x[None], X, id="none"),
    _case(lambda t, x: x[:, None, 1], X, id="none-mid"),
    _case(lambda t, x: x[..., 1], X, id="ellipsis"),
    _case(lambda t, x: x[..., None, 1:3], X, id="ellipsis-none-slice"),
    _case(lambda t, x: x[1, ..., ::2], X, id="int-ellipsis-step"),
    _case(lambda t, x: x[None, ..., None], np.array(1.5), id="0d-none"),
    _case(lambda t, x: x[...], np.array(1.5), id="0d-ellipsis"),
    # integer arrays and tensors (repeated indices add up in the gradient)
    _case(lambda t, x: x[[0, 2, 0]], X, id="list"),
    _case(lambda t, x: x[t.tensor([2, 0, 2, 2])], X, id="tensor"),
    _case(lambda t, x: x[t.tensor(1)], X, id="tensor-0d"),
    _case(lambda t, x: x[:, [1, 1, 3]], X, id="list-dim1"),
    _case(lambda t, x: x[[0, 1], [2, 3]], X, id="paired"),
    _case(lambda t, x: x[t.tensor([[0, 1], [1, 0]])], X, id="2d-index"),
    _case(lambda t, x: x[[-1, 0, -1]], X, id="negative"),
    _case(lambda t, x: x[[0, 2], :, [4, 4]], X, id="non-adjacent"),
    _case(lambda t, x: x[1:, [0, 0]], X, id="slice-array"),
    _case(lambda t, x: x[None, [0, 1]], X, id="none-array"),
    _case(lambda t, x: x[[0, 0, 1], 1:3, None], X, id="array-slice-none"),
    _case(lambda t, x: x[..., t.tensor([[0, 4], [4, 4]])], X, id="ellipsis-2d-tensor"),
    _case(lambda t, x: x[t.tensor([], dtype=t.int64)], X, id="empty-index"),
    _case(lambda t, x: x[[1, 3, 1]], NONCONTIG, id="array-noncontig"),
    # boolean masks
    _case(lambda t, x: x[x > 0.2], X, id="mask-full"),
    _case(lambda t, x: x[t.tensor([True, False, True])], X, id="mask-rows"),
    _case(lambda t, x: x[:, t.tensor([True, False, True, True])], X, id="mask-dim1"),
    _case(lambda t, x: x[t.tensor([False, True, True]), 1], X, id="mask-int"),
    _case(lambda t, x: x[x[:, 0, 0] > 0, ::2], X, id="mask-slice"),
    _case(lambda t, x: x[t.tensor([False] * 3)], X, id="mask-none-true"),
    _case(lambda t, x: x[t.tensor([True, False, True]), [3, 3]], X, id="mask-array"),
    _case(lambda t, x: x[[True, False, True, True]], M, id="mask-list"),
    _case(lambda t, x: x[t.tensor(True)], np.array(2.0), id="mask-0d"),
]


@pytest.mark.parametrize("fn, arrays", GETITEM)
def test_getitem_against_torch(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", GETITEM[::3])
def test_getitem_float32(fn, arrays):
    check_float32(fn, *arrays)


def test_getitem_second_order():
    check(lambda t, x: x[[0, 0, 2], 1:] ** 3, randn(3, 3), second_order=True)


def test_repeated_index_gradient_counts():
    x = neuronet.zeros(4, requires_grad=True)
    x[[1, 1, 1, 3, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 4.0, 0.0, 1.0])
    assert x.grad.dtype == neuronet.float32


def test_float_index_raises():
    x = neuronet.zeros(4)
    with pytest.raises(IndexError, match="float64"):
        x[np.array([0.0, 1.0])]
    with pytest.raises(IndexError, match="out of bounds"):
        x[[0, 4]]


# --- __setitem__ ----------------------------------------------------------------------------
def _set(index, value_is_tensor=True):
    """y = x * 2 (a non-leaf); y[index] = v; return y * y (the overwritten part drops out)."""

    def fn(t, x, v):
        y = x * 2
        y[index] = v if value_is_tensor else 1.5
        return y * y

    return fn


SETITEM = [
    _case(_set(1), randn(3, 4), randn(4), id="int"),
    _case(_set((slice(None), 0)), randn(3, 4), randn(3), id="column"),
    _case(_set((Ellipsis, slice(1, 3))), randn(3, 4), randn(1, 2), id="broadcast-value"),
    _case(_set([2, 0]), randn(3, 4), randn(2, 4), id="int-array"),
    _case(_set(([0, 2], [3, 1])), randn(3, 4), randn(2), id="paired-arrays"),
    _case(_set(np.array([True, False, True])), randn(3, 4), randn(1), id="mask"),
    _case(_set((1, slice(None, None, 2)), False), randn(3, 4), randn(1), id="python-scalar"),
    _case(_set((None, 1)), randn(3, 4), randn(4), id="none"),
]


@pytest.mark.parametrize("fn, arrays", SETITEM)
def test_setitem_on_non_leaf_against_torch(fn, arrays):
    check(fn, *arrays)


def test_setitem_mask_from_tensor_against_torch():
    def fn(t, x):
        y = x.clone()
        y[y < 0] = 0.0  # relu written with setitem
        return y

    check(fn, randn(3, 4))


def test_setitem_value_requires_grad_target_does_not():
    def fn(t, v):
        y = t.zeros(3, 2, dtype=t.float64)
        y[1] = v
        y[2, 0] = v[1] * 3
        return y

    check(fn, randn(2))


def test_setitem_on_leaf_requiring_grad_raises_like_torch():
    x = neuronet.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x[0] = 2.0
    tx = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        tx[0] = 2.0


def test_setitem_under_no_grad_is_in_place():
    x = neuronet.ones(2, 3, requires_grad=True)
    data = x.numpy(force=True)
    version = x._version
    with neuronet.no_grad():
        x[0, 1:] = neuronet.tensor([5.0, 6.0])
        x[1] = 7.0
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert np.shares_memory(x.numpy(force=True), data)
    np.testing.assert_array_equal(x.numpy(force=True), [[1, 5, 6], [7, 7, 7]])
    assert x._version > version
    assert x.dtype == neuronet.float32


def test_setitem_keeps_dtype():
    x = neuronet.zeros(3)
    x[1] = neuronet.tensor(2.5, dtype=neuronet.float64)
    x[[0, 2]] = 4
    assert x.dtype == neuronet.float32
    np.testing.assert_array_equal(x.numpy(), [4.0, 2.5, 4.0])


def test_setitem_then_backward_sees_in_place_change_of_saved_input():
    # y * y saved y; writing into y afterwards must make backward refuse, as PyTorch does
    x = neuronet.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    y[0] = 0.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


# --- cost: views, not copies; vectorized gradient scatter -----------------------------------
def test_basic_slicing_returns_a_view():
    x = neuronet.zeros(1000, 1000, requires_grad=True)
    for index in [(slice(10, 20),), (slice(None), 5), (Ellipsis, slice(None, None, 3)),
                  (None, 3, slice(1, -1))]:
        y = x[index]
        assert np.shares_memory(y._data, x._data), index
        assert not y._data.flags.owndata


def _count_traced_events(fn):
    """Python-level events (calls and executed lines) while fn runs: a Python loop over n
    indices executes at least n lines, a vectorized path a number independent of n."""
    events = [0]

    def tracer(frame, event, arg):
        events[0] += 1
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        fn()
    finally:
        sys.settrace(previous)
    return events[0]


def _backward_events(op, n):
    idx = np.random.default_rng(0).integers(0, 50, n)
    x = neuronet.zeros(50, 8, requires_grad=True)
    y = op(x, idx)
    events = _count_traced_events(lambda: y.sum().backward())
    np.testing.assert_array_equal(x.grad.numpy()[:, 3], np.bincount(idx, minlength=50))
    return events


@pytest.mark.parametrize("op", [
    lambda x, idx: x[idx],
    lambda x, idx: x[idx, 1:][:, None],
    lambda x, idx: x.gather(0, neuronet.tensor(np.tile(idx[:, None], 8))),
    lambda x, idx: x.index_select(0, neuronet.tensor(idx)),
    lambda x, idx: neuronet.zeros(50, 8).index_add(0, neuronet.tensor(idx), x[idx]),
], ids=["getitem", "getitem-mixed", "gather", "index_select", "index_add"])
def test_integer_array_gradient_scatter_is_vectorized(op):
    small, large = _backward_events(op, 200), _backward_events(op, 20_000)
    assert large <= small + 20, (small, large)
