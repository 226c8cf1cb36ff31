"""Engine benchmarks (issue: autodiff engine): an MLP forward+backward step and the
per-op overhead of a chain of 100 small-tensor ops."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import torch

import neuronet

from .common import mlp_backprop
from .harness import Case

BATCH, SIZES = 128, (784, 128, 128, 10)


def _mlp_params(seed: int = 0) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    layers = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(n_in)
        layers.append((rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                       rng.uniform(-bound, bound, n_out).astype(np.float32)))
    return x, layers


def _labels() -> np.ndarray:
    return np.random.default_rng(1).integers(0, SIZES[-1], BATCH)


def _mlp(torch) -> Callable[[], object]:
    """The same program for both libraries: `torch` is neuronet or PyTorch."""
    F = torch.nn.functional
    x_np, layers = _mlp_params()
    x, y = torch.from_numpy(x_np), torch.from_numpy(_labels())
    params = [(torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
              for w, b in layers]

    def step() -> object:
        for w, b in params:
            w.grad = b.grad = None
        h = x
        for i, (w, b) in enumerate(params):
            h = F.linear(h, w, b)
            if i < len(params) - 1:
                h = F.relu(h)
        loss = F.cross_entropy(h, y)
        loss.backward()
        return loss

    return step


def mlp_numpy() -> Callable[[], object]:
    """Forward and hand-derived backward of the same MLP in plain NumPy."""
    x, layers = _mlp_params()
    y = _labels()
    params = [a for layer in layers for a in layer]

    def step() -> object:
        return mlp_backprop(params, x, y)[0]

    return step


CHAIN = 100


def _chain(torch) -> Callable[[], object]:
    """The same program for both libraries: `torch` is neuronet or PyTorch."""
    x = torch.tensor(np.linspace(-1, 1, 16, dtype=np.float32), requires_grad=True)

    def step() -> object:
        x.grad = None
        h = x
        for i in range(CHAIN // 2):
            h = h * 0.9 if i % 2 else h.tanh()
            h = h + 0.1
        h.sum().backward()
        return h

    return step


def chain_numpy() -> Callable[[], object]:
    x = np.linspace(-1, 1, 16, dtype=np.float32)

    def step() -> object:
        h, saved = x, []
        for i in range(CHAIN // 2):
            if i % 2:
                h = h * np.float32(0.9)
                saved.append(None)
            else:
                h = np.tanh(h)
                saved.append(h)
            h = h + np.float32(0.1)
        g = np.ones_like(h)
        for s in reversed(saved):
            g = g * np.float32(0.9) if s is None else g * (1 - s * s)
        return g

    return step


def cases() -> list[Case]:
    return [
        Case("MLP 784-128-128-10 fwd+bwd, batch 128",
             {"neuronet": partial(_mlp, neuronet), "torch": partial(_mlp, torch),
              "numpy": mlp_numpy},
             number=20, repeat=21),
        Case("chain of 100 small ops fwd+bwd, per op",
             {"neuronet": partial(_chain, neuronet), "torch": partial(_chain, torch),
              "numpy": chain_numpy},
             number=20, repeat=21, unit_divisor=CHAIN, unit="us"),
    ]
