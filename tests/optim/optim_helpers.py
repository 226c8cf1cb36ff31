"""Shared helpers of the optimizer tests: the same parameters and gradient sequence in
neuronet and PyTorch, stepped side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import neuronet

# Shapes of the test parameters: a matrix, a vector, a 0-d scalar.
SHAPES = [(4, 3), (5,), ()]


def make_params(seed: int = 0, dtype: str = "float64", shapes=SHAPES) -> tuple[list, list]:
    """The same starting parameters as neuronet and torch leaves."""
    import torch

    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ours = [neuronet.tensor(a, dtype=getattr(neuronet, dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def grad_sequence(steps: int, seed: int = 1, dtype: str = "float64", shapes=SHAPES) -> list:
    """steps x params gradients; the last parameter gets None on every third step."""
    rng = np.random.default_rng(seed)
    seq = []
    for t in range(steps):
        grads = [rng.standard_normal(s).astype(dtype) for s in shapes]
        if t % 3 == 2:
            grads[-1] = None
        seq.append(grads)
    return seq


def set_grads(ours: list, theirs: list, grads: list) -> None:
    import torch

    for a, b, g in zip(ours, theirs, grads):
        if g is None:
            a.grad = None
            b.grad = None
        else:
            a.grad = neuronet.tensor(g, dtype=getattr(neuronet, str(g.dtype)))
            b.grad = torch.tensor(g)


def run_side_by_side(make_ours: Callable, make_theirs: Callable, steps: int = 50, seed: int = 0,
                     dtype: str = "float64", shapes=SHAPES) -> tuple[Any, Any, list, list]:
    """Step both optimizers over one gradient sequence; returns (ours, theirs, params...)."""
    p_ours, p_theirs = make_params(seed, dtype, shapes)
    opt_ours, opt_theirs = make_ours(p_ours), make_theirs(p_theirs)
    for grads in grad_sequence(steps, seed + 1, dtype, shapes):
        set_grads(p_ours, p_theirs, grads)
        opt_ours.step()
        opt_theirs.step()
    return opt_ours, opt_theirs, p_ours, p_theirs


def assert_params_close(ours: list, theirs: list, rtol: float = 1e-6, atol: float = 1e-10) -> None:
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=rtol, atol=atol)


def assert_state_close(opt_ours: Any, opt_theirs: Any, p_ours: list, p_theirs: list,
                       rtol: float = 1e-6, atol: float = 1e-10) -> None:
    """Same state keys per parameter, same values (arrays and step counters)."""
    import torch

    for a, b in zip(p_ours, p_theirs):
        sa, sb = opt_ours.state.get(a, {}), opt_theirs.state.get(b, {})
        assert sorted(sa) == sorted(sb)
        for key in sb:
            va, vb = sa[key], sb[key]
            if torch.is_tensor(vb):
                assert va.shape == tuple(vb.shape), key
                np.testing.assert_allclose(va._data, vb.numpy(), rtol=rtol, atol=atol,
                                           err_msg=key)
            else:
                assert va == vb, key
