"""CNN training-epoch benchmark on Fashion-MNIST: conv32-pool-conv64-pool-fc128-fc10 (3x3
convs, 2x2 max pools, ReLU), batch 128, Adam, data loading included, for neuronet (nn
modules), PyTorch (CPU, same thread count) and a hand-written NumPy im2col version; and a
per-op profile of one neuronet training step.

    python -m benchmarks.bench_cnn [--limit N] [--repeat R]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial

import numpy as np
import torch

import neuronet

from .common import BATCH, Adam, fashion_mnist, numpy_epoch, train_epoch
from .harness import time_epochs


def _modules(nn):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Linear(128, 10))


# --- hand-written NumPy: im2col + GEMM, channels-last -----------------------------------

def _im2col(x: np.ndarray, k: int) -> np.ndarray:
    """x (N, H, W, C) -> (N*OH*OW, k*k*C) for a valid k x k convolution."""
    n, h, w, c = x.shape
    oh, ow = h - k + 1, w - k + 1
    s = x.strides
    view = np.lib.stride_tricks.as_strided(x, (n, oh, ow, k, k, c), s[:3] + s[1:])
    return view.reshape(n * oh * ow, k * k * c)


def _col2im(d: np.ndarray, shape: tuple, k: int) -> np.ndarray:
    n, h, w, c = shape
    oh, ow = h - k + 1, w - k + 1
    d = d.reshape(n, oh, ow, k, k, c)
    dx = np.zeros(shape, d.dtype)
    for p in range(k):
        for q in range(k):
            dx[:, p:p + oh, q:q + ow] += d[:, :, :, p, q]
    return dx


def _pool(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pool of (N, H, W, C) (odd edges dropped) and the argmax mask."""
    n, h, w, c = x.shape
    xs = x[:, :h // 2 * 2, :w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, c)
    y = xs.max(axis=(2, 4))
    mask = xs == y[:, :, None, :, None]
    return y, mask


def _unpool(g: np.ndarray, mask: np.ndarray, shape: tuple) -> np.ndarray:
    n, h, w, c = shape
    dx = np.zeros(shape, g.dtype)
    dx[:, :h // 2 * 2, :w // 2 * 2] = (mask * g[:, :, None, :, None]).reshape(
        n, h // 2 * 2, w // 2 * 2, c)
    return dx


def epoch_numpy(data: tuple) -> Callable[[], float]:
    """The same network with hand-derived backprop and Adam, NumPy only."""
    x, y = data
    x = np.ascontiguousarray(x.transpose(0, 2, 3, 1))  # channels-last
    rng = np.random.default_rng(0)

    def uniform(fan_in: int, shape: tuple) -> np.ndarray:
        b = 1 / np.sqrt(fan_in)
        return rng.uniform(-b, b, shape).astype(np.float32)

    params = [uniform(9, (9, 32)), uniform(9, (32,)), uniform(288, (288, 64)),
              uniform(288, (64,)), uniform(1600, (1600, 128)), uniform(1600, (128,)),
              uniform(128, (128, 10)), uniform(128, (10,))]
    adam = Adam(params)

    def step(xb: np.ndarray, yb: np.ndarray) -> float:
        n = len(xb)
        w1, b1, w2, b2, w3, b3, w4, b4 = params
        c1 = _im2col(xb, 3)
        a1 = np.maximum(c1 @ w1 + b1, 0).reshape(n, 26, 26, 32)
        p1, m1 = _pool(a1)
        c2 = _im2col(p1, 3)
        a2 = np.maximum(c2 @ w2 + b2, 0).reshape(n, 11, 11, 64)
        p2, m2 = _pool(a2)
        f = p2.reshape(n, -1)
        h = np.maximum(f @ w3 + b3, 0)
        z = h @ w4 + b4
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        prob = e / e.sum(1, keepdims=True)
        loss = float(-np.log(prob[np.arange(n), yb]).mean())
        g = prob
        g[np.arange(n), yb] -= 1
        g /= n
        grads = [None] * 8
        grads[6], grads[7] = h.T @ g, g.sum(0)
        g = (g @ w4.T) * (h > 0)
        grads[4], grads[5] = f.T @ g, g.sum(0)
        g = _unpool((g @ w3.T).reshape(p2.shape), m2, a2.shape) * (a2 > 0)
        g = g.reshape(-1, 64)
        grads[2], grads[3] = c2.T @ g, g.sum(0)
        g = _col2im(g @ w2.T, p1.shape, 3)
        g = (_unpool(g, m1, a1.shape) * (a1 > 0)).reshape(-1, 32)
        grads[0], grads[1] = c1.T @ g, g.sum(0)
        adam.step(grads)
        return loss

    return numpy_epoch(step, x, y, rng)


def run_cnn_epoch(repeat: int = 1, limit: int | None = None) -> list[str]:
    """Seconds per epoch (median of `repeat`) and the ratios, one line each."""
    data = fashion_mnist(limit, (1, 28, 28))
    med = time_epochs({"neuronet": partial(train_epoch, neuronet, _modules),
                       "torch": partial(train_epoch, torch, _modules), "numpy": epoch_numpy},
                      data, repeat)
    images = len(data[0])
    out = [f"CNN epoch ({images} images), Fashion-MNIST, batch 128, Adam (s): " + "  ".join(
        f"{k} {v:.2f}" for k, v in med.items())]
    ratios = [f"neuronet/{k} {med['neuronet'] / med[k]:.2f}" for k in ("torch", "numpy")
              if "neuronet" in med and k in med]
    if ratios:
        out.append("  " + "  ".join(ratios))
    for line in out:
        print(line)
    return out


def profile_cnn_step(steps: int = 10) -> list[str]:
    """Where one neuronet training step's time goes, by primitive (forward of each op)."""
    from neuronet import nn
    from neuronet.ops import conv, conv_pool, elementwise, fused, linalg, losses, pooling

    watched = {conv.Conv2d: "conv forward", conv.Conv2dGradInput: "conv input-grad",
               conv.Conv2dGradWeight: "conv weight-grad", pooling.MaxPool2d: "max-pool forward",
               pooling.MaxPool2dScatter: "max-pool backward",
               conv_pool.Conv2dMaxPool2d: "conv+pool forward"}
    # backward rules that compute arrays themselves (not through other primitives' forward)
    watched_backward = {conv_pool.Conv2dMaxPool2d: "conv+pool backward (fused)"}
    for module, tag in ((elementwise, "elementwise"), (linalg, "linear/matmul"),
                        (fused, "softmax/cross-entropy"), (losses, "softmax/cross-entropy")):
        for obj in vars(module).values():
            if isinstance(obj, type) and "forward" in vars(obj) and obj.__module__ == \
                    module.__name__:
                watched.setdefault(obj, f"{tag} ({obj.__name__})")
    spent: dict[str, float] = defaultdict(float)
    originals = {(cls, "forward"): cls.forward for cls in watched}
    originals.update({(cls, "backward"): cls.backward for cls in watched_backward})

    def timed(cls, label, method="forward"):
        inner = originals[cls, method]

        def run(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return inner(self, *args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - t0
        return run

    neuronet.manual_seed(0)
    model = _modules(nn)
    opt = neuronet.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = fashion_mnist(BATCH, (1, 28, 28))
    xb, yb = neuronet.from_numpy(x), neuronet.from_numpy(y)
    phases: dict[str, float] = defaultdict(float)
    try:
        for cls, label in watched.items():
            cls.forward = timed(cls, label)
        for cls, label in watched_backward.items():
            cls.backward = timed(cls, label, "backward")
        for i in range(steps + 2):
            if i == 2:  # warm-up done
                spent.clear()
                phases.clear()
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            t3 = time.perf_counter()
            phases["forward"] += t1 - t0
            phases["backward"] += t2 - t1
            phases["optimizer (Adam)"] += t3 - t2
    finally:
        for (cls, method), fn in originals.items():
            setattr(cls, method, fn)
    total = sum(phases.values())
    out = [f"CNN training step, batch {BATCH}: {total / steps * 1e3:.1f} ms  (" + ", ".join(
        f"{k} {v / steps * 1e3:.1f}" for k, v in phases.items()) + ")"]
    merged: dict[str, float] = defaultdict(float)
    for label, sec in spent.items():
        merged[label.split(" (")[0] if label.startswith(("linear", "softmax")) else label] += sec
    for label, sec in sorted(merged.items(), key=lambda kv: -kv[1]):
        if sec / steps * 1e3 >= 0.05:
            out.append(f"  {label:28s} {sec / steps * 1e3:8.2f} ms  {100 * sec / total:5.1f}%")
    rest = total - sum(merged.values())
    out.append(f"  {'other (engine, views, ...)':28s} {rest / steps * 1e3:8.2f} ms  "
               f"{100 * rest / total:5.1f}%")
    for line in out:
        print(line)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--profile-steps", type=int, default=10)
    args = parser.parse_args()
    profile_cnn_step(args.profile_steps)
    run_cnn_epoch(args.repeat, args.limit)
