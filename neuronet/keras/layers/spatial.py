"""Image-shaped helper layers with Keras 3's names and defaults (channels_last by default):

    UpSampling2D      y = x repeated size[0] times along height and size[1] along width
                      (interpolation='nearest'), or resized bilinearly (half-pixel centres)
    ZeroPadding2D     y = x with rows/columns of zeros added: ((top, bottom), (left, right))
    Cropping2D        y = x with rows/columns removed: ((top, bottom), (left, right))
    SpatialDropout2D  whole feature maps zeroed with probability rate while training, the rest
                      scaled by 1 / (1 - rate); identity at inference
"""

from __future__ import annotations

from typing import Any

from ...nn import functional as F
from ...ops._util import float_operand
from ...tensor import Tensor
from . import _conv_utils as cu
from .layer import Layer
from .regularization import _seed, dropout


def _pairs(owner: str, name: str, value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """int, (symmetric_h, symmetric_w) or ((top, bottom), (left, right)), all >= 0."""
    if isinstance(value, int):
        value = ((value, value), (value, value))
    elif isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(v, int) for v in value):
        value = ((value[0], value[0]), (value[1], value[1]))
    try:
        out = tuple(cu.int_tuple(owner, name, v, 2, minimum=0) for v in value)
    except (TypeError, ValueError):
        out = ()
    if len(out) != 2:
        raise ValueError(f"{owner}: `{name}` should be an int, a tuple of 2 ints or a tuple of "
                         f"2 tuples of 2 ints, received {name}={value!r}")
    return out  # type: ignore[return-value]


class UpSampling2D(Layer):
    """Upsamples height and width by `size` (an int or a pair of ints).

    Args:
        size: the factors (default (2, 2)).
        interpolation: 'nearest' (default) or 'bilinear'.

    Shape:
        (N, H, W, C) -> (N, H * size[0], W * size[1], C).
    """

    def __init__(self, size: Any = (2, 2), data_format: str | None = None,
                 interpolation: str = "nearest", **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        self.size = cu.int_tuple("UpSampling2D", "size", size, 2)
        self.data_format = cu.data_format("UpSampling2D", data_format)
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: `interpolation` must be 'nearest' or 'bilinear', "
                             f"received interpolation={interpolation!r}")
        self.interpolation = interpolation
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"UpSampling2D {self.name}", inputs, 2, self.data_format)
        x = cu.to_channels_first(inputs, self.data_format)
        size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        if self.interpolation == "nearest":
            y = F.interpolate(x, size=size, mode="nearest")
        else:
            y = F.interpolate(x, size=size, mode="bilinear", align_corners=False)
        return cu.to_channels_last(y, self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        dims = tuple(None if n is None else n * f for n, f in zip(
            cu.spatial(input_shape, self.data_format), self.size))
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        return cu.with_spatial(tuple(input_shape), self.data_format, dims, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format,
                "interpolation": self.interpolation}


class ZeroPadding2D(Layer):
    """Adds rows and columns of zeros around each image.

    Shape:
        (N, H, W, C) -> (N, H + top + bottom, W + left + right, C).
    """

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        self.padding = _pairs("ZeroPadding2D", "padding", padding)
        self.data_format = cu.data_format("ZeroPadding2D", data_format)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"ZeroPadding2D {self.name}", inputs, 2, self.data_format)
        (t, b), (left, r) = self.padding
        widths = (0, 0, left, r, t, b) if self.data_format == "channels_last" else \
            (left, r, t, b)
        return F.pad(inputs, widths)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        dims = tuple(None if n is None else n + sum(p) for n, p in zip(
            cu.spatial(input_shape, self.data_format), self.padding))
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        return cu.with_spatial(tuple(input_shape), self.data_format, dims, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping2D(Layer):
    """Removes rows and columns at the edges of each image.

    Shape:
        (N, H, W, C) -> (N, H - top - bottom, W - left - right, C).
    """

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        self.cropping = _pairs("Cropping2D", "cropping", cropping)
        self.data_format = cu.data_format("Cropping2D", data_format)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        cu.check_input(f"Cropping2D {self.name}", inputs, 2, self.data_format)
        (t, b), (left, r) = self.cropping
        h, w = cu.spatial(tuple(inputs.shape), self.data_format)
        if t + b >= h or left + r >= w:
            raise ValueError(f"Cropping2D {self.name}: cropping {self.cropping} removes every "
                             f"row or column of inputs of shape {tuple(inputs.shape)}")
        rows, cols = slice(t, h - b), slice(left, w - r)
        if self.data_format == "channels_last":
            return inputs[:, rows, cols, :]
        return inputs[:, :, rows, cols]

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        dims = tuple(None if n is None else n - sum(p) for n, p in zip(
            cu.spatial(input_shape, self.data_format), self.cropping))
        c = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        return cu.with_spatial(tuple(input_shape), self.data_format, dims, c)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class SpatialDropout2D(Layer):
    """Dropout of whole feature maps: one keep/drop draw per (sample, channel)."""

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**cu.named(type(self), kwargs))
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ValueError(f"SpatialDropout2D: invalid value received for argument `rate`. "
                             f"Expected a float value between 0 and 1. Received: rate={rate!r}")
        self.rate, self.seed = float(rate), seed
        self.data_format = cu.data_format("SpatialDropout2D", data_format)
        self._generator = _seed("SpatialDropout2D", seed)
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        cu.check_input(f"SpatialDropout2D {self.name}", inputs, 2, self.data_format)
        if not training or self.rate == 0:
            return inputs
        if self._generator is not None:  # one draw per (sample, channel), from its own stream
            n, c = inputs.shape[0], inputs.shape[-1 if self.data_format == "channels_last" else 1]
            shape = (n, 1, 1, c) if self.data_format == "channels_last" else (n, c, 1, 1)
            return dropout(float_operand(inputs), self.rate, shape, self._generator)
        x = cu.to_channels_first(inputs, self.data_format)
        return cu.to_channels_last(F.dropout2d(x, self.rate, training=True), self.data_format)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "data_format": self.data_format,
                "seed": self.seed}
