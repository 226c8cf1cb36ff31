"""conv2d followed by a tiling max pool as one op (F.conv2d_max_pool2d, ops.conv_pool) and
nn.Sequential's use of it: forward, gradients and double backward against torch's
max_pool2d(conv2d(...)) in float64, ties, NaN, finite differences, and the containers'
fallbacks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _conv_check import check_gradcheck, compare, randn, torch

import neuronet
import neuronet.nn.functional_conv as F
from neuronet import nn

TF = torch.nn.functional

# (N, C, H, W, O, kernel, stride, padding, dilation, groups, pool)
CASES = [
    (2, 1, 12, 12, 4, 3, 1, 0, 1, 1, 2),  # one input channel (offset-major columns)
    (2, 3, 13, 11, 5, 3, 1, 1, 1, 1, 2),  # odd output: last row/column not pooled
    (2, 8, 9, 10, 6, 3, 1, 0, 1, 1, 2),  # 7x8 output
    (1, 8, 14, 14, 8, 3, 2, 1, 1, 2, 2),  # strided, groups
    (2, 4, 15, 13, 6, (3, 2), 1, (2, 1), 2, 2, 3),  # dilation, non-square, 3x3 pool
    (2, 12, 8, 8, 12, 1, 1, 0, 1, 12, 2),  # depthwise 1x1
    (3, 16, 10, 10, 10, 3, 1, 1, 1, 1, (2, 1)),  # non-square pool
    (1, 9, 21, 20, 4, 3, 1, 0, 1, 1, 2),  # input gradient by transposed conv, uncovered rows
]


def _ids(case: tuple) -> str:
    return "-".join(map(str, case))


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_max_pool_matches_torch(case, bias, columns):
    n, c, h, w, o, k, s, p, d, g, pk = case
    kh, kw = (k, k) if isinstance(k, int) else k
    arrays = [randn(n, c, h, w), randn(o, c // g, kh, kw, seed=1)] + \
        ([randn(o, seed=2)] if bias else [])

    def ours(*t):
        out = F.conv2d_max_pool2d(*t[:2], t[2] if bias else None, s, p, d, g, pk)
        assert type(out.grad_fn).__name__ == "Conv2dMaxPool2d"
        return out

    def ref(*t):
        return TF.max_pool2d(TF.conv2d(*t[:2], t[2] if bias else None, s, p, d, g), pk)

    compare(ours, ref, *arrays)
    compare(ours, ref, *arrays, second_order=True)  # the composed backward, to 2nd order


@pytest.mark.parametrize("case", CASES[:4], ids=_ids)
def test_conv_max_pool_relu_matches_torch(case, columns):
    """relu=True: relu(max_pool(conv)) = max_pool(relu(conv)), to second order, with whole
    tiles tied at relu's zero (rounded inputs, a negative bias)."""
    n, c, h, w, o, k, s, p, d, g, pk = case
    arrays = [np.round(randn(n, c, h, w), 0), np.round(randn(o, c // g, k, k, seed=1), 0),
              np.full(o, -0.5)]

    def ours(*t):
        out = F.conv2d_max_pool2d(*t, s, p, d, g, pk, relu=True)
        assert type(out.grad_fn).__name__ == "Conv2dMaxPool2d"
        return out

    def ref(*t):
        return TF.max_pool2d(TF.relu(TF.conv2d(*t, s, p, d, g)), pk)

    compare(ours, ref, *arrays)
    compare(ours, ref, *arrays, second_order=True)


def test_conv_max_pool_relu_does_not_touch_the_incoming_gradient():
    """The ReLU's backward writes its own array: the gradient handed in (a channels-last
    array, used as is) is left as it was."""
    x = neuronet.randn(2, 3, 8, 8)
    w = neuronet.randn(4, 3, 3, 3, requires_grad=True)
    out = F.conv2d_max_pool2d(x, w, padding=1, relu=True)
    g = np.ascontiguousarray(np.random.default_rng(0).standard_normal((2, 4, 4, 4)).transpose(
        0, 2, 3, 1)).transpose(0, 3, 1, 2)
    kept = g.copy()
    out.backward(neuronet.tensor(g))
    np.testing.assert_array_equal(g, kept)


@pytest.mark.parametrize("relu", [True, False])
@pytest.mark.parametrize("case", [CASES[0], CASES[1], CASES[3], CASES[7]], ids=_ids)
def test_max_pool_of_a_fresh_conv_takes_the_fused_backward(case, relu, columns):
    """F.max_pool2d(F.relu(F.conv2d(...)), k) and F.max_pool2d(F.conv2d(...), k), the
    functional form of PyTorch programs: pooled through the conv+pool op from the computed
    conv output; values, gradients and second derivatives as torch's, ties included."""
    n, c, h, w, o, k, s, p, d, g, pk = case
    arrays = [np.round(randn(n, c, h, w), 0), np.round(randn(o, c // g, k, k, seed=1), 0),
              np.full(o, -0.5)]
    act = (neuronet.relu, TF.relu) if relu else (lambda t: t, lambda t: t)

    def ours(*t):
        out = F.max_pool2d(act[0](F.conv2d(*t, s, p, d, g)), pk)
        assert type(out.grad_fn).__name__ == "Conv2dMaxPool2d"
        return out

    def ref(*t):
        return TF.max_pool2d(act[1](TF.conv2d(*t, s, p, d, g)), pk)

    compare(ours, ref, *arrays)
    compare(ours, ref, *arrays, second_order=True)


def test_max_pool_of_a_conv_used_elsewhere_or_changed():
    """The conv's output also used elsewhere: both paths' gradients add up, as torch's; a
    conv output changed in place, return_indices, or an overlapping pool: the plain ops."""
    x, w, b = randn(2, 3, 9, 9), randn(4, 3, 3, 3, seed=1), randn(4, seed=2)
    compare(lambda *t: _pool_and_square(*t, lib=F, relu=neuronet.relu),
            lambda *t: _pool_and_square(*t, lib=TF, relu=TF.relu), x, w, b)
    xt, wt = neuronet.tensor(x, requires_grad=True), neuronet.tensor(w, requires_grad=True)
    conv = F.conv2d(xt, wt)
    conv.mul_(2.0)
    out = F.max_pool2d(conv, 2)
    assert type(out.grad_fn).__name__ == "MaxPool2d"
    ref = TF.max_pool2d(2 * TF.conv2d(torch.tensor(x), torch.tensor(w)), 2)
    np.testing.assert_allclose(out.detach().numpy(), ref.numpy(), rtol=1e-9)
    assert type(F.max_pool2d(F.conv2d(xt, wt), 2, return_indices=True)[0].grad_fn).__name__ \
        == "MaxPool2d"
    assert type(F.max_pool2d(F.conv2d(xt, wt), 3, 2).grad_fn).__name__ == "MaxPool2d"


def _pool_and_square(x, w, b, lib, relu):
    conv = lib.conv2d(x, w, b)
    return lib.max_pool2d(relu(conv), 2).sum((1, 2, 3)) + (conv ** 2).mean((1, 2, 3))


def test_conv_max_pool_ties_take_the_first_maximum_like_torch(columns):
    """An input with flat regions (zeros, as an image's background) gives equal conv outputs
    across whole tiles: the gradient goes to each tile's first maximum, as torch's."""
    x = np.zeros((2, 3, 10, 10))
    x[:, :, 3:6, 4:8] = np.round(randn(2, 3, 3, 4), 0)
    w = np.round(randn(5, 3, 3, 3, seed=1), 0)
    b = randn(5, seed=2)
    compare(lambda *t: F.conv2d_max_pool2d(*t, padding=1),
            lambda *t: TF.max_pool2d(TF.conv2d(*t, padding=1), 2), x, w, b)


def test_conv_max_pool_with_nan_follows_torch():
    """A NaN in a tile: torch sends the gradient to the (last) NaN; the op recomputes the
    conv and takes the pool's own rule."""
    x = randn(1, 2, 6, 6)
    x[0, 1, 2, 3] = np.nan
    w, b = randn(3, 2, 1, 1, seed=1), randn(3, seed=2)
    xs = [neuronet.tensor(a, requires_grad=True) for a in (x, w, b)]
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = F.conv2d_max_pool2d(*xs)
    ref = TF.max_pool2d(TF.conv2d(*ts), 2)
    np.testing.assert_array_equal(np.isnan(out.detach().numpy()), np.isnan(ref.detach().numpy()))
    v = randn(*ref.shape, seed=3)
    out.backward(neuronet.tensor(v))
    ref.backward(torch.tensor(v))
    for a, t in zip(xs, ts):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12,
                                   equal_nan=True)


def test_conv_max_pool_gradcheck():
    check_gradcheck(lambda x, w, b: F.conv2d_max_pool2d(x, w, b, padding=1),
                    randn(2, 2, 6, 7), randn(3, 2, 3, 3, seed=1), randn(3, seed=2))


def test_conv_max_pool_float32_and_inference():
    """float32 stays float32; without a graph (no_grad) the op runs without marks."""
    x = neuronet.randn(4, 3, 12, 12)
    w, b = neuronet.randn(8, 3, 3, 3), neuronet.randn(8)
    ref = TF.max_pool2d(TF.conv2d(*(torch.tensor(t.numpy()) for t in (x, w, b))), 2)
    with neuronet.no_grad():
        out = F.conv2d_max_pool2d(x, w, b)
    assert out.dtype == neuronet.float32 and out.grad_fn is None
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)


def test_conv_max_pool_falls_back_where_the_pool_does_not_tile():
    x, w = neuronet.randn(2, 3, 9, 9), neuronet.randn(4, 3, 3, 3, requires_grad=True)
    out = F.conv2d_max_pool2d(x, w, kernel_size=3, pool_stride=2)  # overlapping windows
    assert type(out.grad_fn).__name__ == "MaxPool2d"
    ref = TF.max_pool2d(TF.conv2d(torch.tensor(x.numpy()), torch.tensor(w.detach().numpy())),
                        3, 2)
    np.testing.assert_allclose(out.detach().numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    assert tuple(F.conv2d_max_pool2d(x[0], w).shape) == (4, 3, 3)  # unbatched
    with pytest.raises(RuntimeError, match="conv2d: expected input"):
        F.conv2d_max_pool2d(x, neuronet.randn(4, 2, 3, 3))


def _net(lib, relu: Any = True, pool=None):
    layers = [lib.nn.Conv2d(1, 6, 3), lib.nn.ReLU(), pool or lib.nn.MaxPool2d(2),
              lib.nn.Conv2d(6, 8, 3, padding=1), lib.nn.MaxPool2d(2), lib.nn.Flatten()]
    if relu == "after":  # Conv2d -> MaxPool2d -> ReLU
        layers[1], layers[2] = layers[2], layers[1]
    elif not relu:
        del layers[1]
    return lib.nn.Sequential(*layers)


@pytest.mark.parametrize("relu", [True, "after", False])
def test_sequential_runs_conv_pool_as_one_op_like_torch(relu):
    """Conv2d [-> ReLU] -> MaxPool2d in nn.Sequential: one fused op per pair, the outputs and
    every parameter's gradient as torch's (weights copied), ties at relu's zero included."""
    x = np.round(randn(3, 1, 13, 13), 0)
    x[0, 0, :6] = 0.0  # a flat region: tied conv outputs
    nets = (_net(neuronet, relu), _net(torch, relu))
    nets[1].double()
    for p, tp in zip(nets[0].parameters(), nets[1].parameters()):
        with neuronet.no_grad():
            p.copy_(neuronet.tensor(tp.detach().numpy()))
    xt = neuronet.tensor(x, dtype=neuronet.float32, requires_grad=True)
    nets[0].float()
    out = nets[0](xt)
    kinds = set()
    node = out.grad_fn
    while node is not None:  # walk the single-input chain down from the output
        kinds.add(type(node).__name__)
        node = next((t.grad_fn for t in node.inputs if t.grad_fn is not None), None)
    assert "Conv2dMaxPool2d" in kinds and "Conv2d" not in kinds
    tx = torch.tensor(x, requires_grad=True)
    ref = nets[1](tx)
    v = randn(*ref.shape, seed=5)
    out.backward(neuronet.tensor(v, dtype=neuronet.float32))
    ref.backward(torch.tensor(v))
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(xt.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    for p, tp in zip(nets[0].parameters(), nets[1].parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-3)


def test_sequential_keeps_conv_and_pool_apart_where_it_must():
    """A hook on the conv (it must see the conv's output), a pool that does not tile, a
    ceil_mode pool or return_indices: the modules run one by one (max_pool2d may still pool
    the fresh conv output through the fused backward); a reflect-padded conv pools its
    padded input's conv, as torch."""
    x = neuronet.randn(2, 1, 12, 12)

    def first_kind(net) -> set:
        out = net(x.clone().requires_grad_())
        if isinstance(out, tuple):
            out = out[0]
        kinds, node = set(), out.grad_fn
        while node is not None:
            kinds.add(type(node).__name__)
            node = next((t.grad_fn for t in node.inputs if t.grad_fn is not None), None)
        return kinds

    net = _net(neuronet)
    seen = []
    net[0].register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape)))
    kinds = first_kind(net)
    assert seen == [(2, 6, 10, 10)] and "Conv2dMaxPool2d" in kinds
    assert "Conv2d" in first_kind(_net(neuronet, pool=nn.MaxPool2d(3, 2)))
    ceil = _net(neuronet, pool=nn.MaxPool2d(2, ceil_mode=True))
    from neuronet.nn.modules.container import _conv_pool

    assert _conv_pool(list(ceil), 0) == 0
    reflect = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1, padding_mode="reflect"),
                            nn.MaxPool2d(2))
    ref = TF.max_pool2d(TF.conv2d(TF.pad(torch.tensor(x.numpy()), (1, 1, 1, 1), "reflect"),
                                  torch.tensor(reflect[0].weight.detach().numpy()),
                                  torch.tensor(reflect[0].bias.detach().numpy())), 2)
    np.testing.assert_allclose(reflect(x).detach().numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    indices = nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2, return_indices=True))
    out, idx = indices(x)
    assert idx.dtype == neuronet.int64 and tuple(out.shape) == (2, 2, 5, 5)


@pytest.mark.parametrize("wanted", [(True, False, False), (False, True, False),
                                    (False, False, True), (True, True, False)])
def test_conv_max_pool_computes_only_the_wanted_gradients(wanted):
    """Frozen weights, a frozen bias, an input without gradient: the others as torch's."""
    arrays = (randn(2, 3, 9, 9), randn(4, 3, 3, 3, seed=1), randn(4, seed=2))
    ours = [neuronet.tensor(a, requires_grad=r) for a, r in zip(arrays, wanted)]
    ref = [torch.tensor(a, requires_grad=r) for a, r in zip(arrays, wanted)]
    out = F.conv2d_max_pool2d(*ours, padding=1, relu=True)
    assert type(out.grad_fn).__name__ == "Conv2dMaxPool2d"
    (out * out).sum().backward()
    (TF.relu(TF.max_pool2d(TF.conv2d(*ref, padding=1), 2)) ** 2).sum().backward()
    for a, t, r in zip(ours, ref, wanted):
        if not r:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-9)
