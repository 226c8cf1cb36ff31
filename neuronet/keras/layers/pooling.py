"""Pooling layers with Keras 3's names and defaults (channels_last unless data_format says).

    MaxPooling1D/2D       y = max over each pool_size window (stride default = pool_size)
    AveragePooling1D/2D   y = mean over each window; with padding='same' the mean is over
                          the window's real (unpadded) elements only
    GlobalMaxPooling1D/2D y = max over the spatial axes;  GlobalAveragePooling: the mean

'same' padding follows Keras (`_conv_utils.same_pads`); where it is asymmetric the input is
padded here (-inf for max, 0 for average with the mean divided by the real element count).
The maths and gradients are `nn.functional.max_pool2d` / `avg_pool2d`'s.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...nn import functional as F
from ...ops.elementwise import where
from ...tensor import Tensor
from . import _conv_utils as cu
from .layer import Layer


def _real_counts(length: int, k: int, s: int, left: int, out: int) -> np.ndarray:
    """How many real (unpadded) elements each of the `out` windows covers along one axis."""
    start = np.arange(out) * s - left
    return np.minimum(start + k, length) - np.maximum(start, 0)


class BasePooling(Layer):
    """Shared by the max and average pooling layers of rank 1 and 2."""

    rank = 2
    mode = "max"

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        owner = type(self).__name__
        self.pool_size = cu.int_tuple(owner, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else cu.int_tuple(
            owner, "strides", strides, self.rank)
        self.padding = cu.padding_mode(owner, padding)
        self.data_format = cu.data_format(owner, data_format)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"{type(self).__name__} {self.name}", inputs, self.rank, self.data_format)
        x = cu.to_channels_first(inputs, self.data_format)
        if self.rank == 1:
            x = x.unsqueeze(2)  # (N, C, 1, L): pool as 2-D with a unit height
        k, s = (1,) * (2 - self.rank) + self.pool_size, (1,) * (2 - self.rank) + self.strides
        y = self._pool2d(x, k, s)
        if self.rank == 1:
            y = y.squeeze(2)
        return cu.to_channels_last(y, self.data_format)

    def _pool2d(self, x: Tensor, k: tuple, s: tuple) -> Tensor:
        pads = [(0, 0)] * 2
        if self.padding == "same":
            pads = [cu.same_pads(n, kk, ss) for n, kk, ss in zip(x.shape[2:], k, s)]
        symmetric = all(lo == hi for lo, hi in pads)
        if self.mode == "max":
            if symmetric:
                return F.max_pool2d(x, k, s, tuple(lo for lo, _ in pads))
            flat = [p for pair in reversed(pads) for p in pair]
            return F.max_pool2d(F.pad(x, flat, value=-np.inf), k, s)
        if symmetric:
            return F.avg_pool2d(x, k, s, tuple(lo for lo, _ in pads), count_include_pad=False)
        flat = [p for pair in reversed(pads) for p in pair]
        sums = F.avg_pool2d(F.pad(x, flat), k, s, divisor_override=1)
        oh, ow = sums.shape[2], sums.shape[3]
        counts = np.outer(_real_counts(x.shape[2], k[0], s[0], pads[0][0], oh),
                          _real_counts(x.shape[3], k[1], s[1], pads[1][0], ow))
        return sums * Tensor._wrap((1.0 / counts).astype(x._data.dtype))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        dims = tuple(cu.out_length(n, k, s, 1, self.padding) for n, k, s in zip(
            cu.spatial(input_shape, self.data_format), self.pool_size, self.strides))
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        return cu.with_spatial(tuple(input_shape), self.data_format, dims, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class MaxPooling2D(BasePooling):
    """Max over pool_size windows of (N, H, W, C) input (channels_last) or (N, C, H, W).

    Example:
        >>> from neuronet import keras
        >>> tuple(keras.layers.MaxPooling2D(2)(np.zeros((1, 26, 26, 8), "float32")).shape)
        (1, 13, 13, 8)
    """

    rank, mode = 2, "max"

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class AveragePooling2D(BasePooling):
    """Mean over pool_size windows of (N, H, W, C) input (channels_last) or (N, C, H, W);
    pool_size is required, as in Keras 3."""

    rank, mode = 2, "avg"

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class MaxPooling1D(BasePooling):
    """Max over pool_size windows of (N, L, C) input (channels_last) or (N, C, L)."""

    rank, mode = 1, "max"


class AveragePooling1D(BasePooling):
    """Mean over pool_size windows of (N, L, C) input (channels_last) or (N, C, L);
    pool_size is required, as in Keras 3."""

    rank, mode = 1, "avg"

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


class BaseGlobalPooling(Layer):
    """Reduce over the spatial axes; keepdims=True keeps them as size 1."""

    rank = 2
    mode = "avg"

    def __init__(self, data_format: str | None = None, keepdims: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        self.data_format = cu.data_format(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)
        self.built = True

    def _axes(self) -> tuple:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.rank))

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"{type(self).__name__} {self.name}", inputs, self.rank, self.data_format)
        if self.mode == "avg":
            return inputs.mean(self._axes(), keepdim=self.keepdims)
        return inputs.amax(self._axes(), keepdim=self.keepdims)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        axes = self._axes()
        if self.keepdims:
            return tuple(1 if i in axes else d for i, d in enumerate(input_shape))
        return tuple(d for i, d in enumerate(input_shape) if i not in axes)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}


class GlobalAveragePooling2D(BaseGlobalPooling):
    """(N, H, W, C) -> (N, C): the mean over height and width."""

    rank, mode = 2, "avg"


class GlobalMaxPooling2D(BaseGlobalPooling):
    """(N, H, W, C) -> (N, C): the max over height and width."""

    rank, mode = 2, "max"


class GlobalAveragePooling1D(BaseGlobalPooling):
    """(N, L, C) -> (N, C): the mean over the steps; with a mask (batch, steps), the mean over
    the kept steps: sum_t m_t x_t / sum_t m_t (Keras)."""

    rank, mode = 1, "avg"

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        if mask is None:
            return super().call(inputs)
        cu.check_input(f"{type(self).__name__} {self.name}", inputs, self.rank, self.data_format)
        m = np.asarray(mask._data if isinstance(mask, Tensor) else mask, bool)
        m = m[:, :, None] if self.data_format == "channels_last" else m[:, None, :]
        kept = Tensor._wrap(m.astype(inputs._data.dtype))
        axis = self._axes()
        return (where(Tensor._wrap(m), inputs, 0.0).sum(axis, keepdim=self.keepdims)
                / kept.sum(axis, keepdim=self.keepdims))

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None  # the steps are gone


class GlobalMaxPooling1D(BaseGlobalPooling):
    """(N, L, C) -> (N, C): the max over the steps."""

    rank, mode = 1, "max"


# Keras's short aliases
MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
