"""Helpers for the nn tests: copy weights from torch modules and compare results."""

from __future__ import annotations

import numpy as np

import neuronet as nt


def copy_from_torch(ours, theirs) -> None:
    """Load a torch module's state into ours (float64 arrays)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def leaf(arr: np.ndarray):
    """(neuronet leaf, torch leaf) with the same float64 values, both requiring grad."""
    import torch

    return (nt.tensor(arr, dtype=nt.float64, requires_grad=True),
            torch.tensor(arr, dtype=torch.float64, requires_grad=True))


def close(ours, theirs, atol: float = 1e-10, rtol: float = 1e-7) -> None:
    a = ours.detach().numpy() if hasattr(ours, "detach") else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol)


def check_module(ours, theirs, x: np.ndarray, seed_grad: int = 0) -> None:
    """Same outputs, input gradients and parameter gradients (float64, weights copied)."""
    ours.double()
    theirs.double()
    copy_from_torch(ours, theirs)
    xa, xb = leaf(x)
    ya, yb = ours(xa), theirs(xb)
    close(ya, yb)
    g = np.random.default_rng(seed_grad).standard_normal(tuple(yb.shape))
    import torch

    ya.backward(nt.tensor(g, dtype=nt.float64))
    yb.backward(torch.tensor(g))
    close(xa.grad, xb.grad)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        assert p.dtype == nt.float64
        close(p.grad, tp[name].grad)
