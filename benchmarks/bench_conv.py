"""Convolution benchmarks: conv2d forward + backward (input, weight and bias gradients) at
N=128, C=32 -> 64, 14x14, 3x3, padding 1, for neuronet, PyTorch and the classic hand-written
NumPy im2col + GEMM (fancy-index im2col, np.add.at col2im, as in course notes); and 2x2
max pooling forward + backward at N=128, C=32, 28x28 (the NumPy version: reshape, max, and
the gradient sent to every tied maximum, as in course notes)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import torch

import neuronet

from .harness import Case

N, C, O, H, W, K, PAD = 128, 32, 64, 14, 14, 3, 1


def _arrays(seed: int = 0) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C, H, W), dtype=np.float32)
    w = rng.standard_normal((O, C, K, K), dtype=np.float32) * 0.1
    b = rng.standard_normal(O, dtype=np.float32)
    g = rng.standard_normal((N, O, H, W), dtype=np.float32)
    return x, w, b, g


def _conv(torch) -> Callable[[], object]:
    """The same program for both libraries: `torch` is neuronet or PyTorch."""
    x_np, w_np, b_np, g_np = _arrays()
    x = torch.from_numpy(x_np).requires_grad_()
    w, b = torch.from_numpy(w_np).requires_grad_(), torch.from_numpy(b_np).requires_grad_()
    g = torch.from_numpy(g_np)

    def step() -> object:
        x.grad = w.grad = b.grad = None
        torch.nn.functional.conv2d(x, w, b, padding=PAD).backward(g)
        return w.grad

    return step


def _im2col_indices(c: int, h: int, w: int, k: int, pad: int) -> tuple[np.ndarray, ...]:
    oh, ow = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    i0 = np.tile(np.repeat(np.arange(k), k), c).reshape(-1, 1)
    j0 = np.tile(np.arange(k), k * c).reshape(-1, 1)
    i1 = np.repeat(np.arange(oh), ow).reshape(1, -1)
    j1 = np.tile(np.arange(ow), oh).reshape(1, -1)
    ch = np.repeat(np.arange(c), k * k).reshape(-1, 1)
    return ch, i0 + i1, j0 + j1


def conv_numpy() -> Callable[[], object]:
    """The textbook version: cols = xp[:, c, i, j] (N, C*K*K, OH*OW), y = W @ cols,
    dW = sum_n g_n @ cols_n^T, dcols = W^T @ g scattered back with np.add.at."""
    x, w, b, g = _arrays()
    ch, ii, jj = _im2col_indices(C, H, W, K, PAD)
    w2 = w.reshape(O, -1)

    def step() -> object:
        xp = np.pad(x, ((0, 0), (0, 0), (PAD, PAD), (PAD, PAD)))
        cols = xp[:, ch, ii, jj]  # (N, C*K*K, OH*OW)
        y = (w2 @ cols).reshape(N, O, H, W) + b.reshape(1, -1, 1, 1)
        g2 = g.reshape(N, O, -1)
        dw = np.einsum("nop,nkp->ok", g2, cols, optimize=True).reshape(w.shape)
        db = g.sum((0, 2, 3))
        dcols = w2.T @ g2
        dxp = np.zeros_like(xp)
        np.add.at(dxp, (slice(None), ch, ii, jj), dcols)
        dx = dxp[:, :, PAD:-PAD, PAD:-PAD]
        return y, dw, db, dx

    return step


PN, PC, PH = 128, 32, 28  # max pooling: N, C, H = W


def _pool_arrays(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.maximum(rng.standard_normal((PN, PC, PH, PH), dtype=np.float32), 0)  # ReLU'd
    g = rng.standard_normal((PN, PC, PH // 2, PH // 2), dtype=np.float32)
    return x, g


def _pool(torch) -> Callable[[], object]:
    """The same program for both libraries: `torch` is neuronet or PyTorch."""
    x_np, g_np = _pool_arrays()
    x, g = torch.from_numpy(x_np).requires_grad_(), torch.from_numpy(g_np)

    def step() -> object:
        x.grad = None
        torch.nn.functional.max_pool2d(x, 2).backward(g)
        return x.grad

    return step


def pool_numpy() -> Callable[[], object]:
    x, g = _pool_arrays()
    o = PH // 2

    def step() -> object:
        x6 = x.reshape(PN, PC, o, 2, o, 2)
        y = x6.max(axis=(3, 5))
        mask = x6 == y[:, :, :, None, :, None]
        dx = (mask * g[:, :, :, None, :, None]).reshape(x.shape)
        return y, dx

    return step


def conv_gemms_alone() -> Callable[[], object]:
    """Only the three GEMMs of conv2d's forward and backward, as neuronet runs them (batch
    blocks of 8 images on the BLAS threads, NumPy's BLAS), on operands already in cache: no
    im2col, no padding, no bias, no graph. Against PyTorch's whole op this is the floor of any
    im2col + BLAS convolution here: y = cols @ Wm (M x 288 @ 288 x 64), dW = g^T @ cols
    (64 x M @ M x 288), dcols = g @ Wm^T (M x 64 @ 64 x 288, the faster of the two input
    gradient GEMMs), M = 8 * 14 * 14 rows a block."""
    from neuronet.ops._blocks import run_blocks

    rows, k = 8 * H * W, C * K * K
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((rows, k), dtype=np.float32)
    wm = rng.standard_normal((k, O), dtype=np.float32)
    gm = rng.standard_normal((rows, O), dtype=np.float32)

    def block(s: int, e: int) -> None:  # each thread its own outputs; the inputs are read-only
        y, dw, dcols = np.dot(cols, wm), np.dot(gm.T, cols), np.dot(gm, wm.T)
        del y, dw, dcols

    def step() -> object:
        return run_blocks(block, N, (2 << 20) // 8)  # 16 blocks of 8 images, as conv2d

    return step


def cases() -> list[Case]:
    return [Case("conv2d fwd+bwd 128x32->64 14x14 3x3",
                 {"neuronet": partial(_conv, neuronet), "torch": partial(_conv, torch),
                  "numpy": conv_numpy},
                 number=3, repeat=15),
            Case("conv2d's 3 GEMMs alone (floor) vs torch",
                 {"neuronet": conv_gemms_alone, "torch": partial(_conv, torch)},
                 number=3, repeat=15),
            Case("max_pool2d fwd+bwd 128x32 28x28 2x2",
                 {"neuronet": partial(_pool, neuronet), "torch": partial(_pool, torch),
                  "numpy": pool_numpy},
                 number=5, repeat=15)]
