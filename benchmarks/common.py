"""What the benchmarks share: Fashion-MNIST as arrays, one training epoch written once as a
PyTorch program (run with neuronet, and with PyTorch, as `torch`), and the hand-written NumPy
side's pieces: the MLP's forward and backward, Adam, and the shuffled-batch epoch loop."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

BATCH = 128


def fashion_mnist(limit: int | None = None, shape: tuple[int, ...] = (28, 28),
                  test: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Fashion-MNIST's training (or test) images as float32 in [0, 1], each of `shape`, and
    their labels as int64; the first `limit` of them."""
    from neuronet.datasets import load_fashion_mnist

    train, test_set = load_fashion_mnist()
    x, y = test_set if test else train
    if limit:
        x, y = x[:limit], y[:limit]
    return x.reshape(len(x), *shape).astype(np.float32) / 255.0, y.astype(np.int64)


def train_epoch(torch, build: Callable, data: tuple) -> Callable[[], float]:
    """One epoch of the model `build(torch.nn)` on `data` (x, y): shuffled batches of 128,
    Adam at 1e-3, cross-entropy, data loading included. The same program for both libraries:
    `torch` is neuronet or PyTorch."""
    x, y = data
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        batch_size=BATCH, shuffle=True)
    model = build(torch.nn)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run() -> float:
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return loss.item()

    return run


# --- hand-written NumPy ------------------------------------------------------------------

def mlp_backprop(params: list[np.ndarray], x: np.ndarray,
                 y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Loss and gradients of a ReLU MLP (weights and biases `params`: w0, b0, w1, b1, ...)
    with softmax cross-entropy: the forward and the hand-derived backward."""
    n, depth = len(x), len(params) // 2
    acts, masks, h = [x], [], x
    for i in range(depth):
        h = h @ params[2 * i].T + params[2 * i + 1]
        if i < depth - 1:
            mask = h > 0
            h = h * mask
            masks.append(mask)
        acts.append(h)
    z = h - h.max(axis=1, keepdims=True)
    e = np.exp(z)
    p = e / e.sum(axis=1, keepdims=True)
    loss = float(-np.log(p[np.arange(n), y]).mean())
    g = p
    g[np.arange(n), y] -= 1
    g /= n
    grads = [None] * len(params)
    for i in reversed(range(depth)):
        grads[2 * i] = g.T @ acts[i]
        grads[2 * i + 1] = g.sum(axis=0)
        if i:
            g = (g @ params[2 * i]) * masks[i - 1]
    return loss, grads


class Adam:
    """Adam (lr 1e-3, betas 0.9 and 0.999, eps 1e-8) updating NumPy arrays in place."""

    def __init__(self, params: list[np.ndarray]) -> None:
        self.params, self.t = params, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        t = self.t
        for p, m, v, g in zip(self.params, self.m, self.v, grads):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= (1e-3 / (1 - 0.9 ** t)) * m / (np.sqrt(v) / np.sqrt(1 - 0.999 ** t) + 1e-8)


def numpy_epoch(step: Callable[[np.ndarray, np.ndarray], float], x: np.ndarray, y: np.ndarray,
                rng: np.random.Generator) -> Callable[[], float]:
    """An epoch of `step(xb, yb)` over shuffled batches of 128 (NumPy's DataLoader)."""

    def run() -> float:
        order = rng.permutation(len(x))
        loss = 0.0
        for s in range(0, len(x), BATCH):
            idx = order[s:s + BATCH]
            loss = step(x[idx], y[idx])
        return loss

    return run
