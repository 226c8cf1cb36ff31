"""Oracle for the convolution and pooling tests: run one function on neuronet and on torch
tensors made from the same float64 arrays and compare the forward, every input gradient
(for a random upstream gradient) and, when asked, the gradient of a function of those
gradients (double backward, create_graph=True)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet.autograd import gradcheck  # noqa: E402

RTOL, ATOL = 1e-9, 1e-10


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _close(ours, ref, what: str) -> None:
    assert ref is not None and ours is not None, f"{what}: one side is None"
    assert tuple(ours.shape) == tuple(ref.shape), (
        f"{what}: shape {tuple(ours.shape)} != torch {tuple(ref.shape)}")
    np.testing.assert_allclose(np.asarray(ours.detach()._data, np.float64),
                               ref.detach().numpy(), rtol=RTOL, atol=ATOL, err_msg=what)


def compare(fn: Callable, tfn: Callable, *arrays: np.ndarray, second_order: bool = False,
            seed: int = 1) -> None:
    """fn(*neuronet tensors) against tfn(*torch tensors): outputs, gradients, 2nd order."""
    rng = np.random.default_rng(seed)
    xs = [neuronet.tensor(a, dtype=neuronet.float64, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y, ty = fn(*xs), tfn(*ts)
    _close(y, ty, "forward")
    v = rng.standard_normal(tuple(ty.shape))
    gs = neuronet.autograd.grad(y, xs, neuronet.tensor(v), create_graph=second_order)
    tgs = torch.autograd.grad(ty, ts, torch.tensor(v), create_graph=second_order)
    for i, (g, tg) in enumerate(zip(gs, tgs)):
        _close(g, tg, f"gradient of input {i}")
    if not second_order:
        return
    ws = [rng.standard_normal(a.shape) for a in arrays]
    s = sum((g * neuronet.tensor(w)).sum() for g, w in zip(gs, ws))
    ts_ = sum((g * torch.tensor(w)).sum() for g, w in zip(tgs, ws))
    # second-order terms also flow through y (the engine keeps what the graph needs)
    s = s + (y * y).sum()
    ts_ = ts_ + (ty * ty).sum()
    hh = neuronet.autograd.grad(s, xs, allow_unused=True)
    thh = torch.autograd.grad(ts_, ts, allow_unused=True)
    for i, (h, th) in enumerate(zip(hh, thh)):
        if th is None or h is None:
            assert (h is None or not np.any(h._data)) and (th is None or not torch.any(th)), (
                f"second derivative {i}: one side is None, the other nonzero")
        else:
            _close(h, th, f"second derivative of input {i}")


def check_gradcheck(fn: Callable, *arrays: np.ndarray) -> None:
    xs = tuple(neuronet.tensor(a, dtype=neuronet.float64, requires_grad=True) for a in arrays)
    assert gradcheck(fn, xs, eps=1e-6, atol=1e-5, rtol=1e-4)
