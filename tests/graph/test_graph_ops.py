"""ops/graph.py primitives: against torch (float64) and finite differences, double backward."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import gradcheck, gradgradcheck
from neuronet.ops.graph import (
    gather_rows,
    segment_max,
    segment_mean,
    segment_softmax,
    segment_sum,
    spmm,
)

torch = pytest.importorskip("torch")

INDEX = np.array([2, 0, 2, 4, 0, 2])  # segment 1 and 3 empty, 5 segments


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape)
    return nt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def test_segment_sum_matches_torch_index_add():
    x, tx = _pair((6, 3))
    y = segment_sum(x, INDEX, 5)
    ty = torch.zeros(5, 3, dtype=torch.float64).index_add(0, torch.tensor(INDEX), tx)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(1).standard_normal((5, 3))
    y.backward(nt.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_gather_rows_matches_torch_index_select():
    x, tx = _pair((5, 2))
    y = gather_rows(x, INDEX)
    ty = tx.index_select(0, torch.tensor(INDEX))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy())
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_segment_max_matches_torch_scatter_reduce_with_ties():
    a = np.array([[1.0, 5.0], [2.0, 3.0], [1.0, 5.0], [7.0, -1.0], [2.0, 0.0], [0.5, 5.0]])
    x, tx = nt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y = segment_max(x, INDEX, 5)
    idx = torch.tensor(INDEX)[:, None].expand(6, 2)
    ty = torch.zeros(5, 2, dtype=torch.float64).scatter_reduce(0, idx, tx, "amax",
                                                               include_self=False)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy())
    g = np.arange(10.0).reshape(5, 2)
    y.backward(nt.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_segment_mean_and_softmax_match_dense_numpy():
    a = np.random.default_rng(2).standard_normal((6, 2)) * 50  # large: naive exp overflows
    x = nt.tensor(a)
    mean = segment_mean(x, INDEX, 5).numpy()
    soft = segment_softmax(x, INDEX, 5).numpy()
    for s in range(5):
        rows = INDEX == s
        want = a[rows].mean(0) if rows.any() else np.zeros(2)
        np.testing.assert_allclose(mean[s], want, rtol=1e-12)
        if rows.any():
            e = np.exp(a[rows] - a[rows].max(0))
            np.testing.assert_allclose(soft[rows], e / e.sum(0), rtol=1e-12)
    assert np.isfinite(soft).all()


def test_spmm_matches_dense_transpose_product():
    ei = np.array([[0, 1, 1, 3, 2], [1, 0, 2, 2, 2]])
    w, tw = _pair((5,), 3)
    x, tx = _pair((4, 3), 4)
    y = spmm(ei, w, x, 4)
    a = torch.zeros(4, 4, dtype=torch.float64).index_put((torch.tensor(ei[0]),
                                                          torch.tensor(ei[1])), tw,
                                                         accumulate=True)
    ty = a.T @ tx
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(5).standard_normal((4, 3))
    y.backward(nt.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("fn", [
    lambda x: segment_sum(x, INDEX, 5),
    lambda x: segment_max(x, INDEX, 5),
    lambda x: segment_mean(x, INDEX, 5),
    lambda x: segment_softmax(x, INDEX, 5),
    lambda x: gather_rows(x, INDEX[:4]),
])
def test_gradcheck_and_double_backward(fn):
    x = nt.tensor(np.random.default_rng(6).standard_normal((6, 2)), requires_grad=True)
    assert gradcheck(fn, (x,))
    assert gradgradcheck(lambda t: fn(t) * fn(t), (x,))


def test_spmm_gradcheck_and_double_backward():
    ei = np.array([[0, 1, 1, 3, 2, 2], [1, 0, 2, 2, 2, 2]])  # a duplicate edge
    w = nt.tensor(np.random.default_rng(7).random(6), requires_grad=True)
    x = nt.tensor(np.random.default_rng(8).standard_normal((4, 2)), requires_grad=True)
    assert gradcheck(lambda w, x: spmm(ei, w, x), (w, x))
    assert gradgradcheck(lambda w, x: spmm(ei, w, x), (w, x))


def test_dtype_preserved_and_empty_inputs():
    x = nt.randn(6, 3)
    assert segment_sum(x, INDEX, 5).dtype == nt.float32
    assert segment_softmax(x, INDEX, 5).dtype == nt.float32
    assert spmm(np.zeros((2, 0), np.int64), None, x).dtype == nt.float32
    empty = segment_sum(nt.zeros(0, 3), np.zeros(0, np.int64), 4)
    assert tuple(empty.shape) == (4, 3) and not empty.numpy().any()
    assert tuple(segment_max(nt.zeros(0, 3), np.zeros(0, np.int64), 2).shape) == (2, 3)


def test_noncontiguous_input():
    a = np.random.default_rng(9).standard_normal((3, 6)).T  # (6, 3), not C-contiguous
    y = segment_sum(nt.tensor(a), INDEX, 5).numpy()
    want = np.zeros((5, 3))
    np.add.at(want, INDEX, a)
    np.testing.assert_allclose(y, want, rtol=1e-12)


def test_bad_inputs_raise_clearly():
    x = nt.randn(6, 3)
    with pytest.raises(IndexError, match="segment_sum: index 4 is out of range"):
        segment_sum(x, INDEX, 4)
    with pytest.raises(ValueError, match="one row per index entry"):
        segment_sum(x, INDEX[:5], 5)
    with pytest.raises(TypeError, match="integer"):
        segment_sum(x, INDEX.astype(float), 5)
    with pytest.raises(ValueError, match=r"shape \(2, E\)"):
        spmm(np.zeros((3, 2), np.int64), None, x)
    with pytest.raises(ValueError, match="edge_weight must have shape"):
        spmm(np.array([[0], [1]]), nt.ones(2), x)
