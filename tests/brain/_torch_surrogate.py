"""The spike function with each surrogate gradient written as a torch.autograd.Function, the
reference the brain tests check neuronet's surrogates and neurons against."""

from __future__ import annotations

from typing import Any


def torch_spike(name: str, k: float) -> Any:
    """H(u) forward; backward g times the surrogate's slope at u (slope parameter k)."""
    import torch

    class Spike(torch.autograd.Function):
        @staticmethod
        def forward(ctx, u):
            ctx.save_for_backward(u)
            return (u > 0).to(u.dtype)

        @staticmethod
        def backward(ctx, g):
            (u,) = ctx.saved_tensors
            if name == "fast_sigmoid":
                return g / (k * u.abs() + 1) ** 2
            if name == "atan":
                return g * k / 2 / (1 + (torch.pi / 2 * k * u) ** 2)
            if name == "sigmoid":
                s = torch.sigmoid(k * u)
                return g * k * s * (1 - s)
            return g  # straight through

    return Spike
