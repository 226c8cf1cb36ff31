"""Dropout: zero elements with probability p while training and scale the rest by 1/(1-p)."""

from __future__ import annotations

from ...tensor import Tensor
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    """The probability check and attributes the dropout modules share (PyTorch's _DropoutNd)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """y = x * mask / (1 - p), mask ~ Bernoulli(1 - p), while training; y = x in eval mode.

    Example:
        >>> import neuronet as nt
        >>> nt.nn.Dropout(0.5).eval()(nt.ones(3)).tolist()
        [1.0, 1.0, 1.0]
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels with probability p during training (scaled by 1 / (1 - p)).

    Shape: (N, C, H, W) or (C, H, W); the mask is drawn per (sample, channel).
    """

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.dropout2d(input, self.p, self.training, self.inplace)
