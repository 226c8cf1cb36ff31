"""Helpers for the attention tests: float64 leaves in both frameworks, weight copying and
comparison of outputs and gradients."""

from __future__ import annotations

import numpy as np

import neuronet as nt


def pair(arr: np.ndarray, requires_grad: bool = True):
    """(neuronet tensor, torch tensor) holding the same float64 (or bool) values."""
    import torch

    if arr.dtype == np.bool_:
        return nt.tensor(arr), torch.tensor(arr)
    return (nt.tensor(arr, dtype=nt.float64, requires_grad=requires_grad),
            torch.tensor(arr, dtype=torch.float64, requires_grad=requires_grad))


def close(ours, theirs, atol: float = 1e-10, rtol: float = 1e-7) -> None:
    a = ours.detach().numpy() if hasattr(ours, "detach") else np.asarray(ours)
    b = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, atol=atol, rtol=rtol)


def copy_state(ours, theirs) -> None:
    """float64 both, then torch's state_dict loaded into ours."""
    ours.double()
    theirs.double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def backward_both(ya, yb, seed: int = 0) -> None:
    """Backpropagate the same random output gradient through both graphs."""
    import torch

    g = np.random.default_rng(seed).standard_normal(tuple(yb.shape))
    ya.backward(nt.tensor(g, dtype=nt.float64))
    yb.backward(torch.tensor(g))


def same_param_grads(ours, theirs) -> None:
    tp = dict(theirs.named_parameters())
    names = [n for n, _ in ours.named_parameters()]
    assert names == list(tp), (names, list(tp))
    for name, p in ours.named_parameters():
        assert p.grad is not None, name
        close(p.grad, tp[name].grad)
