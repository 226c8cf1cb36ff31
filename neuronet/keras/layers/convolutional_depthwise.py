"""Depthwise and depthwise-separable 2-D convolutions (Keras 3's layers and weight layouts).

    DepthwiseConv2D  each input channel c convolved with its own depth_multiplier filters:
                     y[..., c * m + j] = sum_{p, q} kernel[p, q, c, j] x_pad[.., i s + p d, .., c]
                     kernel (kh, kw, in, m), bias (in * m,);  a grouped conv with groups = in
    SeparableConv2D  depthwise conv (no bias), then a 1x1 conv mixing the in * m channels:
                     depthwise_kernel (kh, kw, in, m), pointwise_kernel (1, 1, in * m, filters),
                     bias (filters,)
"""

from __future__ import annotations

from typing import Any

from ...nn import functional as F
from ...tensor import Tensor
from . import _conv_utils as cu
from ._weight_options import add_weight_with_options, set_weight_options, weight_options_config
from .convolutional import BaseConv

# the depthwise kernel's options: Keras's config keys, kept in BaseConv's kernel_* attributes
_DEPTHWISE_OPTIONS = {"depthwise_initializer": "kernel_initializer",
                      "depthwise_regularizer": "kernel_regularizer",
                      "depthwise_constraint": "kernel_constraint"}


def _depthwise_weight(kernel: Tensor) -> Tensor:
    """(kh, kw, in, m) -> PyTorch's grouped weight (in * m, 1, kh, kw), channel c * m + j."""
    kh, kw, c, m = kernel.shape
    return kernel.reshape(kh, kw, 1, c * m).permute(3, 2, 0, 1)


class DepthwiseConv2D(BaseConv):
    """Depthwise 2-D convolution (module docstring).

    Args:
        kernel_size, strides, padding, dilation_rate, data_format, activation, use_bias: as
            Conv2D. depth_multiplier: filters per input channel.
        depthwise_initializer/regularizer/constraint: for the kernel.

    Shape:
        (N, H, W, C) -> (N, OH, OW, C * depth_multiplier).
    """

    rank = 2

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: Any = (1, 1), activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) or \
                depth_multiplier <= 0:
            raise ValueError(f"{type(self).__name__}: invalid value for argument "
                             f"`depth_multiplier`. Expected a strictly positive value. "
                             f"Received depth_multiplier={depth_multiplier!r}")
        super().__init__(1, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)

    def build(self, input_shape: tuple) -> None:
        owner = f"{type(self).__name__} {self.name}"
        c = cu.channels(input_shape, self.data_format, owner, self.rank)
        self.filters = c * self.depth_multiplier
        self.kernel = add_weight_with_options(self, "kernel",
                                              self.kernel_size + (c, self.depth_multiplier))
        if self.use_bias:
            self.bias = add_weight_with_options(self, "bias", (self.filters,))
        self._in_channels = c
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x, pad = self._pad(self._prepare(inputs))
        y = F.conv2d(x, _depthwise_weight(self.kernel), self.bias, self.strides, pad,
                     self.dilation_rate, self._in_channels)
        return self._finish(y)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        c = cu.channels(input_shape, self.data_format, self.name, self.rank)
        self.filters = c * self.depth_multiplier
        return super().compute_output_shape(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("filters", "groups", "kernel_initializer", "kernel_regularizer",
                    "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier,
                **weight_options_config(self, **_DEPTHWISE_OPTIONS)}


class SeparableConv2D(BaseConv):
    """Depthwise-separable 2-D convolution: DepthwiseConv2D (no bias) then a 1x1 Conv2D.

    Args:
        filters: output channels; depth_multiplier: depthwise filters per input channel;
        the rest as Conv2D, with depthwise_/pointwise_ initializer, regularizer, constraint.

    Shape:
        (N, H, W, C) -> (N, OH, OW, filters); params kh kw C m + C m filters + filters.
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", data_format: str | None = None,
                 dilation_rate: Any = (1, 1), depth_multiplier: int = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) or \
                depth_multiplier <= 0:
            raise ValueError(f"SeparableConv2D: invalid value for argument `depth_multiplier`. "
                             f"Expected a strictly positive value. Received "
                             f"depth_multiplier={depth_multiplier!r}")
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate, 1,
                         activation, use_bias, depthwise_initializer, bias_initializer,
                         depthwise_regularizer, bias_regularizer, activity_regularizer,
                         depthwise_constraint, bias_constraint, **kwargs)
        self.depth_multiplier = int(depth_multiplier)
        set_weight_options(self, pointwise_initializer=pointwise_initializer,
                           pointwise_regularizer=pointwise_regularizer,
                           pointwise_constraint=pointwise_constraint)
        self.depthwise_kernel = self.pointwise_kernel = None

    def build(self, input_shape: tuple) -> None:
        c = cu.channels(input_shape, self.data_format, f"SeparableConv2D {self.name}", 2)
        m = self.depth_multiplier
        self.depthwise_kernel = add_weight_with_options(
            self, "depthwise_kernel", self.kernel_size + (c, m), options="kernel")
        self.pointwise_kernel = add_weight_with_options(
            self, "pointwise_kernel", (1, 1, c * m, self.filters), options="pointwise")
        if self.use_bias:
            self.bias = add_weight_with_options(self, "bias", (self.filters,))
        self.kernel = self.depthwise_kernel  # _prepare reads the dtype from it
        self._in_channels = c
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        x, pad = self._pad(self._prepare(inputs))
        h = F.conv2d(x, _depthwise_weight(self.depthwise_kernel), None, self.strides, pad,
                     self.dilation_rate, self._in_channels)
        y = F.conv2d(h, self.pointwise_kernel.permute(3, 2, 0, 1), self.bias)
        return self._finish(y)

    def get_config(self) -> dict:
        config = super().get_config()
        for key in ("groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"):
            config.pop(key)
        return {**config, "depth_multiplier": self.depth_multiplier,
                **weight_options_config(self, "pointwise_initializer", "pointwise_regularizer",
                                        "pointwise_constraint", **_DEPTHWISE_OPTIONS)}

