"""The fast paths of conv and pooling against PyTorch in float64: batch blocks run on several
threads (ops._blocks.run_blocks), the stride-1 input gradient as a transposed convolution (including
padding wider than the kernel), and pooling windows that tile the input (2x2/2 and kin: ties,
NaN, infinite gradients, cropped edges, channels-last memory, double backward)."""

from __future__ import annotations

import os

import numpy as np
import pytest
from _conv_check import check_gradcheck, compare, randn, torch

import neuronet
import neuronet.nn.functional_conv as F
from neuronet.ops import _blocks as blocks_ops

TF = torch.nn.functional


@pytest.fixture(params=[0, 1, 3], ids=["no-thread-control", "1-thread", "3-threads"])
def blocks(request, monkeypatch):
    """Every item its own block (tiny workspace, no size below which work stays on one
    thread), spread over 0 (one block), 1 or 3 threads."""
    monkeypatch.setattr(blocks_ops, "WORKSPACE_BYTES", 1)
    monkeypatch.setattr(blocks_ops, "SMALL_BYTES", 0)
    monkeypatch.setattr(blocks_ops, "block_threads", lambda: request.param)
    return request.param


def _channels_last(t):
    """The same values, channels-last memory, still in the graph."""
    return t.permute(0, 2, 3, 1).clone().permute(0, 3, 1, 2)


# (N, C, O, H, W, kernel, stride, padding, dilation, groups)
BLOCK_CASES = [
    (5, 3, 4, 6, 7, (3, 3), 1, 1, 1, 1),
    (4, 4, 6, 7, 6, (3, 2), 2, 1, 1, 2),
    (3, 2, 3, 5, 6, (2, 3), 1, (1, 2), 2, 1),
    (4, 4, 4, 6, 6, (3, 3), 1, 1, 1, 4),  # depthwise
]


@pytest.mark.parametrize("case", BLOCK_CASES, ids=lambda c: "-".join(map(str, c)))
def test_conv2d_in_blocks_matches_torch(case, blocks, columns):
    n, c, o, h, w, k, s, p, d, g = case
    compare(lambda x, wt, b: F.conv2d(x, wt, b, s, p, d, g),
            lambda x, wt, b: TF.conv2d(x, wt, b, s, p, d, g),
            randn(n, c, h, w), randn(o, c // g, *k, seed=1), randn(o, seed=2),
            second_order=True)


def test_conv_transpose2d_in_blocks_matches_torch(blocks, columns):
    compare(lambda x, wt: F.conv_transpose2d(x, wt, stride=2, padding=1, output_padding=1),
            lambda x, wt: TF.conv_transpose2d(x, wt, stride=2, padding=1, output_padding=1),
            randn(4, 3, 3, 4), randn(3, 2, 3, 3, seed=1), second_order=True)


@pytest.mark.parametrize("p,d", [(4, 1), ((1, 5), 2), ((3, 0), (1, 2))])
def test_stride1_input_gradient_with_padding_wider_than_the_kernel(p, d):
    """The transposed convolution's canvas then cuts off gradient rows instead of padding."""
    compare(lambda x, wt: F.conv2d(x, wt, padding=p, dilation=d),
            lambda x, wt: TF.conv2d(x, wt, padding=p, dilation=d),
            randn(2, 3, 4, 5), randn(2, 3, 3, 2, seed=1), second_order=True)
    check_gradcheck(lambda x, wt: F.conv2d(x, wt, padding=p, dilation=d),
                    randn(1, 2, 3, 3), randn(2, 2, 2, 2, seed=1))


def test_conv2d_float32_in_blocks_matches_torch(blocks, columns):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 8, 9, 9), dtype=np.float32)
    w = rng.standard_normal((5, 8, 3, 3), dtype=np.float32)
    g = rng.standard_normal((6, 5, 9, 9), dtype=np.float32)
    ours = [neuronet.from_numpy(a).requires_grad_() for a in (x, w)]
    ref = [torch.from_numpy(a).requires_grad_() for a in (x, w)]
    y = F.conv2d(*ours, padding=1)
    y.backward(neuronet.from_numpy(g))
    ty = TF.conv2d(*ref, padding=1)
    ty.backward(torch.from_numpy(g))
    assert y.dtype == ours[0].grad.dtype == ours[1].grad.dtype == neuronet.float32
    for a, b in ((y, ty), (ours[0].grad, ref[0].grad), (ours[1].grad, ref[1].grad)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-4, atol=1e-4)


def test_run_blocks_covers_the_batch_once_in_order(monkeypatch):
    monkeypatch.setattr(blocks_ops, "block_threads", lambda: 3)
    for n, item in [(1, 10**9), (2, 10**9), (7, 10**9), (50, 10**5), (40, 1)]:
        got = blocks_ops.run_blocks(lambda s, e: list(range(s, e)), n, item)
        assert [i for block in got for i in block] == list(range(n)), (n, item)


def test_run_blocks_gives_each_thread_an_equal_share(monkeypatch):
    """Blocks come in a multiple of the thread count, of near-equal size (128 items in
    blocks of at most 49 on two threads: 4 x 32, not 49 + 49 + 30)."""
    monkeypatch.setattr(blocks_ops, "block_threads", lambda: 2)
    for n, per_block, want in [(128, 49, [32] * 4), (128, 60, [32] * 4), (7, 6, [4, 3]),
                               (10, 1, [1] * 10), (128, 200, [64, 64])]:
        got = blocks_ops.run_blocks(lambda s, e: e - s, n, 10**6, workspace=per_block * 10**6)
        assert got == want, (n, per_block, got)


def test_empty_batch(blocks, columns):
    x = neuronet.zeros(0, 3, 6, 6, requires_grad=True)
    w = neuronet.randn(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    p = F.max_pool2d(y, 2)
    assert tuple(y.shape) == (0, 4, 6, 6) and tuple(p.shape) == (0, 4, 3, 3)
    p.sum().backward()
    assert tuple(x.grad.shape) == (0, 3, 6, 6) and not w.grad.numpy().any()


def test_run_blocks_reraises_and_restores_blas_threads(monkeypatch):
    monkeypatch.setattr(blocks_ops, "WORKSPACE_BYTES", 1)
    monkeypatch.setattr(blocks_ops, "block_threads", lambda: 2)
    before = [lib.num_threads for lib in blocks_ops._blas()]

    def work(s: int, e: int) -> None:
        if s == 5:
            raise ValueError("block 5 failed")

    with pytest.raises(ValueError, match="block 5 failed"):
        blocks_ops.run_blocks(work, 12, 10**6)
    assert [lib.num_threads for lib in blocks_ops._blas()] == before


def test_concurrent_callers_get_right_results_and_leave_blas_threads_alone(monkeypatch):
    import threading

    monkeypatch.setattr(blocks_ops, "WORKSPACE_BYTES", 1)
    monkeypatch.setattr(blocks_ops, "SMALL_BYTES", 0)
    monkeypatch.setattr(blocks_ops, "block_threads", lambda: 2)
    before = [lib.num_threads for lib in blocks_ops._blas()]
    x, w = neuronet.tensor(randn(6, 3, 5, 5)), neuronet.tensor(randn(4, 3, 3, 3, seed=1))
    ref = TF.conv2d(torch.tensor(x.numpy()), torch.tensor(w.numpy()), padding=1).numpy()
    bad: list = []

    def user() -> None:
        for _ in range(20):
            if not np.allclose(F.conv2d(x, w, padding=1).numpy(), ref, rtol=1e-9, atol=1e-10):
                bad.append(True)

    users = [threading.Thread(target=user) for _ in range(3)]
    for t in users:
        t.start()
    for t in users:
        t.join()
    assert not bad
    assert [lib.num_threads for lib in blocks_ops._blas()] == before


def test_block_threads_are_kept_and_blas_runs_one_thread_in_them(monkeypatch):
    """The block threads outlive a call (no thread per call), and inside them BLAS runs one
    thread while the calling thread's count is back to the process-wide one afterwards."""
    import threading

    monkeypatch.setattr(blocks_ops, "block_threads", lambda: 2)
    monkeypatch.setattr(blocks_ops, "WORKSPACE_BYTES", 1)
    seen: set = set()
    blocks_ops.run_blocks(lambda s, e: seen.add(threading.get_ident()), 8, 10**6)
    kept = {t.ident for t in threading.enumerate() if t.name.startswith("neuronet-blocks")}
    blocks_ops.run_blocks(lambda s, e: seen.add(threading.get_ident()), 8, 10**6)
    assert kept and kept == {t.ident for t in threading.enumerate()
                             if t.name.startswith("neuronet-blocks")}
    assert seen <= kept | {threading.get_ident()}
    libs, setters = blocks_ops._blas(), blocks_ops._local_setters()
    if setters:
        counts: list = []
        blocks_ops.run_blocks(lambda s, e: counts.append(libs[0].num_threads), 8, 10**6)
        assert set(counts) == {1}
        assert libs[0].num_threads == max(lib.num_threads for lib in libs) >= 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_run_blocks_in_a_forked_child(monkeypatch):
    """A forked child has none of the parent's block threads: it starts its own."""
    import multiprocessing

    monkeypatch.setattr(blocks_ops, "block_threads", lambda: 2)
    blocks_ops.run_blocks(lambda s, e: None, 8, 10**6)  # the parent's threads exist
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(1) as pool:
        got = pool.apply_async(_blocks_in_child).get(timeout=60)
    assert got == list(range(8))


def _blocks_in_child() -> list:
    blocks_ops.block_threads = lambda: 2
    blocks_ops.WORKSPACE_BYTES = 1
    parts = blocks_ops.run_blocks(lambda s, e: list(range(s, e)), 8, 10**6)
    return [i for p in parts for i in p]


# --- pooling windows that tile the input ----------------------------------------------------

def _ties(*shape: int, seed: int = 0) -> np.ndarray:
    """ReLU'd integers: many windows hold equal maxima (all zeros, or repeated values)."""
    return np.maximum(np.random.default_rng(seed).integers(-3, 3, shape), 0).astype(float)


@pytest.mark.parametrize("h,w,k", [(6, 6, 2), (7, 5, 2), (9, 8, 3), (6, 9, (2, 3)), (5, 4, 1)])
@pytest.mark.parametrize("layout", ["contiguous", "channels_last"])
def test_tiled_max_pool_ties_gradients_and_indices_match_torch(h, w, k, layout):
    x = _ties(3, 4, h, w)
    prep = _channels_last if layout == "channels_last" else (lambda t: t)
    compare(lambda t: F.max_pool2d(prep(t), k), lambda t: TF.max_pool2d(t, k), x,
            second_order=True)
    ours = F.max_pool2d(prep(neuronet.tensor(x, requires_grad=True)), k, return_indices=True)
    ref = TF.max_pool2d(torch.tensor(x), k, return_indices=True)
    np.testing.assert_array_equal(ours[1].numpy(), ref[1].numpy())
    np.testing.assert_array_equal(ours[0].detach().numpy(), ref[0].numpy())


def test_tiled_max_pool_gradcheck():
    x = randn(1, 2, 4, 6) + np.arange(48).reshape(1, 2, 4, 6) * 1e-3
    check_gradcheck(lambda t: F.max_pool2d(t, 2), x)


def test_tiled_max_pool_nan_windows_route_like_torch():
    x = _ties(1, 2, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = np.nan  # two NaNs in one window: the last one wins
    x[0, 1, 3, 3] = np.nan
    compare(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), x)
    ours = F.max_pool2d(neuronet.tensor(x, requires_grad=True), 2, return_indices=True)[1]
    np.testing.assert_array_equal(ours.numpy(),
                                  TF.max_pool2d(torch.tensor(x), 2, return_indices=True)[1])


def test_tiled_max_pool_infinite_gradient_stays_at_the_argmax():
    x = neuronet.tensor(randn(1, 1, 4, 4), requires_grad=True)
    tx = torch.tensor(x.detach().numpy(), requires_grad=True)
    g = np.array([[[[np.inf, 1.0], [-np.inf, 2.0]]]])
    F.max_pool2d(x, 2).backward(neuronet.tensor(g))
    TF.max_pool2d(tx, 2).backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


@pytest.mark.parametrize("h,w,k,div", [(6, 6, 2, None), (7, 5, 2, None), (9, 7, (3, 2), 5)])
def test_tiled_avg_pool_matches_torch(h, w, k, div):
    compare(lambda t: F.avg_pool2d(_channels_last(t), k, divisor_override=div),
            lambda t: TF.avg_pool2d(t, k, divisor_override=div), randn(2, 3, h, w),
            second_order=True)


def test_tiled_pools_in_blocks_match_torch(blocks):
    x = _ties(5, 3, 6, 4)
    compare(lambda t: F.max_pool2d(_channels_last(t), 2), lambda t: TF.max_pool2d(t, 2), x,
            second_order=True)
    compare(lambda t: F.avg_pool2d(t, 2), lambda t: TF.avg_pool2d(t, 2), x)


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1)])
def test_max_pool_gradient_keeps_the_inputs_channels_last_layout(k, s, p):
    """Even for a channels-first upstream gradient (as a Flatten's backward gives), so the
    ReLU and conv backward before it read channels-last memory."""
    x = _channels_last(neuronet.randn(2, 4, 6, 6)).detach().requires_grad_()
    y = F.max_pool2d(x, k, s, p)
    assert y.dtype == neuronet.float32 and y._data.strides[1] == 4
    y.backward(neuronet.randn(*y.shape))  # C-contiguous: channels-first
    assert x.grad.dtype == neuronet.float32 and x.grad._data.strides[1] == 4
    ref = torch.tensor(x.detach().numpy(), requires_grad=True)
    g = np.random.default_rng(0).standard_normal(tuple(y.shape)).astype(np.float32)
    x.grad = None
    F.max_pool2d(x, k, s, p).backward(neuronet.from_numpy(g))
    TF.max_pool2d(ref, k, s, p).backward(torch.from_numpy(g))
    # float32: overlapping windows may add their shares in another order
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("k,s,p", [(2, None, 0), (3, 2, 1)])
def test_avg_pool_gradient_keeps_the_inputs_channels_last_layout(k, s, p):
    x = _channels_last(neuronet.randn(2, 4, 6, 6)).detach().requires_grad_()
    g = np.random.default_rng(0).standard_normal((2, 4, 3, 3)).astype(np.float32)
    F.avg_pool2d(x, k, s, p).backward(neuronet.from_numpy(g))  # channels-first g
    assert x.grad._data.strides[1] == 4
    ref = torch.tensor(x.detach().numpy(), requires_grad=True)
    TF.avg_pool2d(ref, k, s, p).backward(torch.from_numpy(g))
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_tiled_pools_keep_float32_and_channels_last():
    x = _channels_last(neuronet.randn(2, 4, 6, 6)).detach().requires_grad_()
    for fn in (lambda t: F.max_pool2d(t, 2), lambda t: F.avg_pool2d(t, 2)):
        y = fn(x)
        assert y.dtype == neuronet.float32 and y._data.strides[1] == 4
        y.sum().backward()
        assert x.grad.dtype == neuronet.float32
        x.grad = None


# --- overlapping windows (the offset scan) ---------------------------------------------------

@pytest.mark.parametrize("k,s,p,d,ceil", [(3, 2, 1, 1, False), (3, 1, 1, 1, True),
                                          ((2, 3), (1, 2), (1, 0), (2, 1), True)])
def test_scanned_max_pool_ties_nan_and_infinite_gradients_match_torch(k, s, p, d, ceil):
    x = _ties(2, 3, 7, 6)
    compare(lambda t: F.max_pool2d(_channels_last(t), k, s, p, d, ceil),
            lambda t: TF.max_pool2d(t, k, s, p, d, ceil), x, second_order=True)
    x[0, 0, 1, 1] = x[0, 0, 2, 2] = x[1, 2, 5, 4] = np.nan
    xs, txs = neuronet.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours = F.max_pool2d(xs, k, s, p, d, ceil, return_indices=True)
    ref = TF.max_pool2d(txs, k, s, p, d, ceil, return_indices=True)
    np.testing.assert_array_equal(ours[1].numpy(), ref[1].numpy())
    np.testing.assert_array_equal(ours[0].detach().numpy(), ref[0].detach().numpy())
    g = np.ones(tuple(ref[0].shape))
    g[0, 0, 0, 0], g[1, 1, 1, 1] = np.inf, -np.inf
    ours[0].backward(neuronet.tensor(g))
    ref[0].backward(torch.tensor(g))
    np.testing.assert_array_equal(xs.grad.numpy(), txs.grad.numpy())


def test_relu_in_blocks_matches_torch(blocks):
    """ReLU and its backward run in batch blocks (threads when large); layouts are kept."""
    compare(lambda t: neuronet.relu(_channels_last(t)) * 2.0, lambda t: TF.relu(t) * 2.0,
            randn(5, 3, 4, 6), second_order=True)
    x = _channels_last(neuronet.tensor(randn(5, 3, 4, 6))).detach().requires_grad_()
    y = neuronet.relu(x)
    assert y._data.strides == x._data.strides and x._data.strides[1] == x._data.itemsize
    y.backward(-neuronet.ones_like(y))
    assert not np.signbit(x.grad.numpy()[x.detach().numpy() <= 0]).any()  # 0.0, not -0.0
