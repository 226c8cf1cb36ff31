"""softmax and log_softmax: against PyTorch along every dim, extreme logits, second order."""

from __future__ import annotations

import numpy as np
import pytest
from _oracle_shape import check, check_float32, randn, torch

import neuronet
import neuronet.nn.functional as F

X = randn(2, 3, 4)
EXTREME = np.array([[1000.0, -1000.0, 0.0, 999.0], [-1000.0, -1000.0, -999.5, -1000.0],
                    [1000.0, 1000.0, 1000.0, 1000.0]])


def _softmax(t, x, dim):
    return t.softmax(x, dim)


def _log_softmax(t, x, dim):
    return t.log_softmax(x, dim)


def _f_softmax(t, x, dim):
    return t.nn.functional.softmax(x, dim=dim)


def _f_log_softmax(t, x, dim):
    return t.nn.functional.log_softmax(x, dim=dim)


def _method_softmax(t, x, dim):
    return x.softmax(dim)


def _method_log_softmax(t, x, dim):
    return x.log_softmax(dim)


FUNCS = [_softmax, _log_softmax, _f_softmax, _f_log_softmax, _method_softmax,
         _method_log_softmax]
IDS = ["softmax", "log_softmax", "F.softmax", "F.log_softmax", "Tensor.softmax",
       "Tensor.log_softmax"]


@pytest.mark.parametrize("fn", FUNCS, ids=IDS)
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -2, -3])
def test_against_torch_every_dim(fn, dim):
    check(lambda t, x: fn(t, x, dim), X)


@pytest.mark.parametrize("fn", FUNCS[:2], ids=IDS[:2])
@pytest.mark.parametrize("shape, dim", [((5,), 0), ((1, 4), 0), ((3, 1), 1), ((0, 3), 1),
                                        ((3, 0), 1), ((), 0), ((), -1)])
def test_edge_shapes(fn, shape, dim):
    check(lambda t, x: fn(t, x, dim), randn(*shape))


@pytest.mark.parametrize("fn", FUNCS[:2], ids=IDS[:2])
def test_non_contiguous(fn):
    check(lambda t, x: fn(t, x, 1), randn(5, 3).T)
    check(lambda t, x: fn(t, x, 0), randn(3, 8)[:, ::2])


@pytest.mark.parametrize("fn", FUNCS[:2], ids=IDS[:2])
@pytest.mark.parametrize("dim", [0, 1])
def test_extreme_logits(fn, dim):
    out = check(lambda t, x: fn(t, x, dim), EXTREME, grad_check=False)[0]
    assert np.isfinite(out.numpy(force=True)).all()  # log_softmax: -2000 is finite too
    for dtype in (np.float32, np.float64):
        x = neuronet.tensor(EXTREME.astype(dtype), requires_grad=True)
        y = fn(neuronet, x, dim)
        (y * neuronet.tensor(randn(3, 4).astype(dtype))).sum().backward()
        assert y.dtype == x.dtype and x.grad.dtype == x.dtype
        assert not np.isnan(y.numpy(force=True)).any()
        assert np.isfinite(x.grad.numpy()).all()
        if fn is _softmax:
            assert np.isfinite(y.numpy(force=True)).all()
            np.testing.assert_allclose(y.numpy(force=True).sum(dim), 1.0, rtol=1e-6)
        ref = fn(torch, torch.tensor(EXTREME.astype(dtype)), dim).numpy()
        np.testing.assert_allclose(y.numpy(force=True), ref, rtol=1e-6)


@pytest.mark.parametrize("fn", FUNCS[:2], ids=IDS[:2])
@pytest.mark.parametrize("dim", [0, -1])
def test_second_order(fn, dim):
    check(lambda t, x: fn(t, x, dim), randn(3, 4), second_order=True)


@pytest.mark.parametrize("fn", FUNCS, ids=IDS)
def test_float32_preserved(fn):
    check_float32(lambda t, x: fn(t, x, -1), X)


def test_integer_input_gives_default_float():
    y = neuronet.softmax(neuronet.tensor([1, 2, 3]), 0)
    assert y.dtype == neuronet.float32
    np.testing.assert_allclose(y.numpy(), torch.softmax(torch.tensor([1.0, 2, 3]), 0).numpy(),
                               rtol=1e-6)


def test_dtype_argument():
    x = neuronet.tensor(randn(2, 3).astype(np.float32))
    assert F.softmax(x, dim=1, dtype=neuronet.float64).dtype == neuronet.float64
    assert F.log_softmax(x, dim=1, dtype=neuronet.float64).dtype == neuronet.float64


def test_out_of_range_dim_raises():
    with pytest.raises(IndexError, match="softmax.*range"):
        neuronet.softmax(neuronet.zeros(2, 3), 2)
    with pytest.raises(IndexError, match="log_softmax.*range"):
        neuronet.log_softmax(neuronet.zeros(2, 3), -3)
