"""Upsampling layers: thin Modules over `functional_resample.interpolate` with PyTorch's
constructor arguments, attributes and repr (no parameters).

    Upsample                y = interpolate(x, size, scale_factor, mode, align_corners)
    UpsamplingNearest2d     mode='nearest'
    UpsamplingBilinear2d    mode='bilinear', align_corners=True
"""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from ..functional_resample import interpolate
from .module import Module


class Upsample(Module):
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to `size` or by `scale_factor`.

    Args:
        size: output spatial size; scale_factor: multiplier (give exactly one).
        mode: 'nearest' (default), 'nearest-exact', 'linear', 'bilinear', 'trilinear', 'area'.
        align_corners: linear modes only.
        recompute_scale_factor: use in / out as the scale even when scale_factor is given.

    Shape:
        (N, C, *in) -> (N, C, *out), out = size or floor(in * scale_factor).

    Example:
        >>> import neuronet as nt
        >>> nt.nn.Upsample(scale_factor=2, mode="bilinear")(nt.zeros(1, 3, 4, 5)).shape
        neuronet.Size([1, 3, 8, 10])
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        if (size is None) == (scale_factor is None):
            raise ValueError(f"{type(self).__name__}: give exactly one of size and scale_factor, "
                             f"got size={size!r}, scale_factor={scale_factor!r}")
        self.name = type(self).__name__
        self.size = size
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, int | float) \
            else scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self) -> str:
        if self.scale_factor is not None:
            info = f"scale_factor={self.scale_factor!r}"
        else:
            info = f"size={self.size!r}"
        return info + f", mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """Nearest-neighbour upsampling of (N, C, H, W) input (Upsample with mode='nearest')."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Bilinear upsampling of (N, C, H, W) input with align_corners=True (as PyTorch's)."""

    def __init__(self, size: Any = None, scale_factor: Any = None) -> None:
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
