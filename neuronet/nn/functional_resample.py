"""`interpolate` (PyTorch's `F.interpolate`, re-exported by `neuronet.nn.functional`): resize
the spatial axes of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input. The maths is in
`neuronet.ops.resample`:

    nearest          y[i] = x[min(floor(i * scale), in - 1)]
    nearest-exact    y[i] = x[min(floor((i + 0.5) * scale), in - 1)]
    linear/bilinear/trilinear  y[i] = (1 - l) x[i0] + l x[i0 + 1] per spatial axis, with the
                     source coordinate u = i (in - 1) / (out - 1) (align_corners=True) or
                     u = max(scale (i + 0.5) - 0.5, 0) (False), i0 = floor(u), l = u - i0
    area             adaptive average pooling to the output size
    out = size, or floor(in * scale_factor);  scale = 1 / scale_factor when a scale factor is
    given (and recompute_scale_factor is not True), else in / out.
"""

from __future__ import annotations

import math
from typing import Any

from ..ops import resample as _rs
from ..tensor import Tensor

_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}
_MODES = ("nearest", "nearest-exact", "linear", "bilinear", "trilinear", "area")


def _per_axis(value: Any, n: int, name: str) -> tuple:
    vals = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    if len(vals) != n:
        raise ValueError(f"interpolate: {name} must be a number or a sequence of {n} numbers "
                         f"for an input with {n} spatial dimensions, got {name}={value!r}")
    return vals


def _sizes_and_scales(x: Tensor, size: Any, scale_factor: Any,
                      recompute_scale_factor: bool | None) -> tuple[tuple, tuple]:
    n = x.ndim - 2
    in_sizes = tuple(x.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: exactly one of size or scale_factor must be given, got "
                         f"size={size!r} and scale_factor={scale_factor!r}")
    if size is not None:
        sizes = tuple(int(s) for s in _per_axis(size, n, "size"))
        if any(s < 1 for s in sizes):
            raise ValueError(f"interpolate: size must be positive, got size={size!r}")
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an "
                             "explicit size")
        return sizes, (None,) * n
    scales = tuple(float(s) for s in _per_axis(scale_factor, n, "scale_factor"))
    if any(not s > 0 for s in scales):
        raise ValueError(f"interpolate: scale_factor must be positive, got "
                         f"scale_factor={scale_factor!r}")
    sizes = tuple(int(math.floor(s * f)) for s, f in zip(in_sizes, scales))
    if any(s < 1 for s in sizes):
        raise ValueError(f"interpolate: input of shape {tuple(x.shape)} with scale_factor="
                         f"{scale_factor!r} gives an empty output size {sizes}")
    return sizes, ((None,) * n if recompute_scale_factor else scales)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,  # noqa: A002
                mode: str = "nearest", align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of `input` (module docstring for the formulas).

    Args:
        input: (N, C, L), (N, C, H, W) or (N, C, D, H, W), floating point.
        size: the output spatial size (an int or one per axis), or
        scale_factor: a multiplier (one or one per axis); exactly one of the two.
        mode: 'nearest' (default), 'nearest-exact', 'linear' (3-D), 'bilinear' (4-D),
            'trilinear' (5-D) or 'area'.
        align_corners: linear modes only (default False): map corner pixel centres onto each
            other instead of the corners of the pixel grid.
        recompute_scale_factor: True: use in / out as the scale even with scale_factor.

    Shape:
        (N, C, *in_spatial) -> (N, C, *out_spatial).

    Example:
        >>> import neuronet as nt
        >>> from neuronet.nn.functional import interpolate
        >>> interpolate(nt.arange(4.0).reshape(1, 1, 2, 2), scale_factor=2).shape
        neuronet.Size([1, 1, 4, 4])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise ValueError(f"interpolate: mode must be one of {', '.join(_MODES)}; got {mode!r}")
    if input.ndim not in (3, 4, 5):
        raise ValueError(f"interpolate: expected a 3-D, 4-D or 5-D input (N, C, *spatial), got "
                         f"input of shape {tuple(input.shape)}")
    if not input.is_floating_point():
        raise TypeError(f"interpolate: expected a floating point input, got {input.dtype}")
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported")
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise ValueError(f"interpolate: got {input.ndim}D input, but {mode} mode needs "
                         f"{_LINEAR[mode]}D input")
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError("interpolate: align_corners option can only be set with the "
                         f"interpolating modes: linear | bilinear | trilinear (mode={mode!r})")
    sizes, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor)
    in_sizes = tuple(input.shape[2:])
    if mode in ("nearest", "nearest-exact"):
        idx = tuple(_rs.nearest_indices(i, o, s, mode == "nearest-exact")
                    for i, o, s in zip(in_sizes, sizes, scales))
        return _rs.NearestGather.apply(input, indices=idx)
    if mode == "area":
        return _area(input, sizes)
    y, dtype = input, input._data.dtype
    for k, (i, o, s) in enumerate(zip(in_sizes, sizes, scales)):
        if i == o and (align_corners or s in (None, 1.0)):
            continue  # the identity map
        a = _rs.linear_weights(i, o, s, bool(align_corners), dtype)
        y = _rs.ResampleAxis.apply(y, matrix=a, axis=2 + k)
    return input.clone() if y is input else y


def _area(x: Tensor, sizes: tuple) -> Tensor:
    from .functional_conv import adaptive_avg_pool2d

    if x.ndim == 3:
        return adaptive_avg_pool2d(x.unsqueeze(2), (1, sizes[0])).squeeze(2)
    if x.ndim == 4:
        return adaptive_avg_pool2d(x, sizes)
    raise ValueError(f"interpolate: mode 'area' supports 3-D and 4-D input, got input of shape "
                     f"{tuple(x.shape)}")


def upsample_nearest(input: Tensor, size: Any = None,  # noqa: A002
                     scale_factor: Any = None) -> Tensor:
    """interpolate(input, size, scale_factor, mode='nearest') (PyTorch's deprecated name)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None,  # noqa: A002
                      scale_factor: Any = None) -> Tensor:
    """interpolate(..., mode='bilinear', align_corners=True) (PyTorch's deprecated name)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


__all__ = ["interpolate", "upsample_bilinear", "upsample_nearest"]
