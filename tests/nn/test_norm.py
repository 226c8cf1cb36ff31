"""BatchNorm / LayerNorm / GroupNorm against torch, gradcheck and double backward of the fused
primitives, and a torch state_dict round trip with running statistics."""

from __future__ import annotations

import numpy as np
import pytest
from _nn_helpers import check_module, close, copy_from_torch, leaf

import neuronet as nt
import neuronet.nn as nn
import neuronet.nn.functional as F
from neuronet.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
tnn = torch.nn

RNG = np.random.default_rng(1)


def randn(*shape):
    return RNG.standard_normal(shape)


def _f64(*shape, scale=1.0):
    return nt.tensor(randn(*shape) * scale + 0.3, dtype=nt.float64, requires_grad=True)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize("affine", [True, False])
def test_batchnorm1d_train_and_eval_match_torch(shape, affine):
    ours, theirs = nn.BatchNorm1d(3, affine=affine), tnn.BatchNorm1d(3, affine=affine)
    for _ in range(3):  # several training steps: outputs, grads and running stats
        check_module(ours, theirs, randn(*shape) * 2 + 1)
        close(ours.running_mean, theirs.running_mean)
        close(ours.running_var, theirs.running_var)
        assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked)
    ours.eval()
    theirs.eval()
    check_module(ours, theirs, randn(*shape))


def test_batchnorm_momentum_none_and_no_running_stats():
    ours, theirs = nn.BatchNorm1d(4, momentum=None), tnn.BatchNorm1d(4, momentum=None)
    ours.double()
    theirs.double()
    for _ in range(3):
        x = randn(5, 4)
        close(ours(nt.tensor(x)), theirs(torch.tensor(x)))
    close(ours.running_mean, theirs.running_mean)
    close(ours.running_var, theirs.running_var)
    ours, theirs = nn.BatchNorm1d(4, track_running_stats=False), \
        tnn.BatchNorm1d(4, track_running_stats=False)
    assert ours.running_mean is None and "running_mean" not in ours.state_dict()
    check_module(ours.eval(), theirs.eval(), randn(5, 4))  # batch statistics in eval too
    assert repr(ours) == repr(theirs)


def test_batchnorm2d_matches_torch():
    check_module(nn.BatchNorm2d(3), tnn.BatchNorm2d(3), randn(2, 3, 4, 5))


def test_batchnorm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(nt.randn(1, 3))
    with pytest.raises(ValueError, match="expected 3 channels"):
        bn(nt.randn(4, 2))
    with pytest.raises(ValueError, match="2D or 3D"):
        bn(nt.randn(4, 3, 2, 2))


def test_functional_batch_norm_nd_matches_torch():
    x = randn(3, 2, 4, 2, 2)
    (xa, xb), (wa, wb), (ba, bb) = leaf(x), leaf(randn(2)), leaf(randn(2))
    rma, rva = nt.zeros(2, dtype=nt.float64), nt.ones(2, dtype=nt.float64)
    rmb, rvb = torch.zeros(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)
    ya = F.batch_norm(xa, rma, rva, wa, ba, training=True, momentum=0.3, eps=1e-3)
    yb = torch.nn.functional.batch_norm(xb, rmb, rvb, wb, bb, training=True, momentum=0.3,
                                        eps=1e-3)
    close(ya, yb)
    close(rma, rmb)
    close(rva, rvb)
    ((ya * ya).sum()).backward()
    ((yb * yb).sum()).backward()
    for a, b in ((xa, xb), (wa, wb), (ba, bb)):
        close(a.grad, b.grad)
    close(F.batch_norm(xa, rma, rva, wa, ba), torch.nn.functional.batch_norm(xb, rmb, rvb, wb, bb))


def test_batch_norm_gradcheck_and_double_backward():
    x, w, b = _f64(4, 3, 2), _f64(3), _f64(3)

    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


@pytest.mark.parametrize("shape,normalized", [((4, 5), 5), ((2, 3, 4), (3, 4))])
@pytest.mark.parametrize("affine,bias", [(True, True), (True, False), (False, True)])
def test_layernorm_matches_torch(shape, normalized, affine, bias):
    ours = nn.LayerNorm(normalized, eps=1e-4, elementwise_affine=affine, bias=bias)
    theirs = tnn.LayerNorm(normalized, eps=1e-4, elementwise_affine=affine, bias=bias)
    if affine:
        with torch.no_grad():
            theirs.weight.normal_()
            if bias:
                theirs.bias.normal_()
    check_module(ours, theirs, randn(*shape) * 3)
    assert repr(ours) == repr(theirs)


def test_layer_norm_gradcheck_and_double_backward():
    x, w, b = _f64(3, 4), _f64(4), _f64(4)
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))
    assert gradgradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b), (x, w, b))
    assert gradcheck(lambda x: F.layer_norm(x, (3, 4)), (x,))
    with pytest.raises(RuntimeError, match="normalized_shape"):
        F.layer_norm(x, (5,))


def test_groupnorm_matches_torch():
    ours, theirs = nn.GroupNorm(2, 4), tnn.GroupNorm(2, 4)
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    check_module(ours, theirs, randn(3, 4, 5))
    assert repr(ours) == repr(theirs)
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)


def test_norms_float32_preserved():
    x = nt.randn(4, 3, 2)
    assert nn.BatchNorm1d(3)(x).dtype == nt.float32
    assert nn.LayerNorm(2)(x).dtype == nt.float32
    assert nn.GroupNorm(1, 3)(x).dtype == nt.float32
    bn = nn.BatchNorm1d(3)
    bn(x)
    assert bn.running_mean.dtype == nt.float32 and bn.running_var.dtype == nt.float32


def _torch_mlp():
    torch.manual_seed(0)
    return tnn.Sequential(tnn.Linear(5, 8), tnn.BatchNorm1d(8), tnn.ReLU(), tnn.Linear(8, 3))


def test_state_dict_round_trip_from_torch():
    theirs = _torch_mlp()
    ours = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_from_torch(ours, theirs)  # float32 arrays into float32 parameters
    for _ in range(4):  # train mode: running stats update identically
        x = randn(6, 5).astype(np.float32)
        close(ours(nt.tensor(x)), theirs(torch.tensor(x)), atol=1e-5, rtol=1e-5)
        close(ours[1].running_mean, theirs[1].running_mean, atol=1e-6, rtol=1e-5)
        close(ours[1].running_var, theirs[1].running_var, atol=1e-6, rtol=1e-5)
    assert int(ours[1].num_batches_tracked.item()) == 4
    ours.eval()
    theirs.eval()
    x = randn(6, 5).astype(np.float32)
    close(ours(nt.tensor(x)), theirs(torch.tensor(x)), atol=1e-5, rtol=1e-5)
    # and back: our state_dict loads into torch
    theirs2 = _torch_mlp()
    theirs2.load_state_dict({k: torch.from_numpy(v.numpy().copy())
                             for k, v in ours.state_dict().items()})
    theirs2.eval()
    close(ours(nt.tensor(x)), theirs2(torch.tensor(x)), atol=1e-5, rtol=1e-5)


def test_group_norm_gradcheck():
    x, w, b = _f64(2, 4, 3), _f64(4), _f64(4)
    assert gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), (x, w, b))


def _channels_last_leaf(x):
    """The same values in channels-last memory (an (N, C, H, W) view of (N, H, W, C) data)."""
    ours = nt.tensor(np.ascontiguousarray(x.transpose(0, 2, 3, 1)), dtype=nt.float64)
    ours = ours.permute(0, 3, 1, 2).detach().requires_grad_()
    assert ours._data.strides[1] == ours._data.itemsize
    return ours, torch.tensor(x, requires_grad=True)


def test_batchnorm2d_on_channels_last_memory_matches_torch():
    """Conv outputs are channels-last memory: batch norm then runs as (M, C) matrices."""
    x = randn(4, 3, 5, 6) * 2 + 1
    (xa, xb), (wa, wb), (ba, bb) = _channels_last_leaf(x), leaf(randn(3)), leaf(randn(3))
    rma, rva = nt.zeros(3, dtype=nt.float64), nt.ones(3, dtype=nt.float64)
    rmb, rvb = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    ya = F.batch_norm(xa, rma, rva, wa, ba, training=True)
    yb = torch.nn.functional.batch_norm(xb, rmb, rvb, wb, bb, training=True)
    close(ya, yb)
    close(rma, rmb)
    close(rva, rvb)
    g = randn(4, 3, 5, 6)
    ya.backward(nt.tensor(g))
    yb.backward(torch.tensor(g))
    for a, b in ((xa, xb), (wa, wb), (ba, bb)):
        close(a.grad, b.grad)


def test_batch_norm_matrix_path_gradcheck_and_double_backward():
    """(N, C) input and channels-last memory take the matrix path; under create_graph the
    generic formulas take over."""
    x2 = _f64(6, 3)
    x4 = _channels_last_leaf(randn(3, 2, 3, 2))[0]
    w, b = _f64(x2.shape[1]), _f64(x2.shape[1])
    w4, b4 = _f64(2), _f64(2)

    def fn(x, w, b):
        return F.batch_norm(x, None, None, w, b, training=True)

    for args in ((x2, w, b), (x4, w4, b4)):
        assert gradcheck(fn, args)
        assert gradgradcheck(fn, args)


def test_batch_norm_float32_matrix_path_keeps_dtype():
    x = nt.randn(8, 4, 3, 3).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
    x.requires_grad_()
    y = F.batch_norm(x, None, None, nt.ones(4, requires_grad=True), nt.zeros(4),
                     training=True)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == nt.float32
    np.testing.assert_allclose(y.detach().numpy().mean((0, 2, 3)), 0, atol=1e-5)
