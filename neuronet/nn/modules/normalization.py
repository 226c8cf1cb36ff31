"""LayerNorm and GroupNorm.

    LayerNorm  y = gamma * (x - mean) / sqrt(var + eps) + beta over the trailing
               normalized_shape dims of each sample (Ba et al. 2016)
    GroupNorm  the same over each of G groups of C / G channels (and all spatial positions),
               then a per-channel gamma, beta (Wu & He 2018)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import creation
from ...tensor import Tensor
from .. import init
from ..functional_norm import group_norm, layer_norm
from ..parameter import Parameter
from .module import Module


class LayerNorm(Module):
    """Layer normalization over the last len(normalized_shape) dims.

    Example:
        >>> import neuronet as nt
        >>> nt.nn.LayerNorm(4)(nt.randn(2, 4)).shape
        neuronet.Size([2, 4])
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) \
            else tuple(normalized_shape)
        if not shape or any(not isinstance(s, int) or s <= 0 for s in shape):
            raise ValueError(f"LayerNorm: normalized_shape must be positive integers, got "
                             f"{normalized_shape!r}")
        self.normalized_shape, self.eps = shape, eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(creation.ones(*shape, dtype=dtype))
            if bias:
                self.bias = Parameter(creation.zeros(*shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.elementwise_affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class GroupNorm(Module):
    """Group normalization of (N, C, *) input in num_groups groups of channels."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups != 0:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        self.num_groups, self.num_channels = num_groups, num_channels
        self.eps, self.affine = eps, affine
        if affine:
            self.weight = Parameter(creation.ones(num_channels, dtype=dtype))
            if bias:
                self.bias = Parameter(creation.zeros(num_channels, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.ndim < 2 or input.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: expected input of shape (N, {self.num_channels}, *), "
                             f"got {tuple(input.shape)}")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
                f"bias={self.bias is not None}")
