"""Convolution layers with Keras 3's names, arguments, defaults and weight layouts.

    Conv1D           y = activation(conv1d(x, kernel) + bias),  kernel (k, in / groups, filters)
    Conv2D           y = activation(conv2d(x, kernel) + bias),  kernel (kh, kw, in / groups,
                     filters);  params kh kw (in / groups) filters + filters
    Conv2DTranspose  y = activation(conv_transpose2d(x, kernel) + bias), kernel (kh, kw,
                     filters, in);  out = (n - 1) s + e - crop_left - crop_right  (Keras's rule)

conv is cross-correlation, as in Keras and PyTorch:
    y[n, i, j, o] = bias[o] + sum_{p, q, c} kernel[p, q, c, o] x_pad[n, i s + p d, j s + q d, c]
The maths and gradients are `nn.functional.conv2d`'s; these layers only permute the kernel to
PyTorch's (filters, in / groups, kh, kw) order (a view) and the channels_last input to
channels-first (a view; see `_conv_utils`), and pad where Keras's 'same' is asymmetric.
Depthwise and separable convolutions are in `convolutional_depthwise`.
"""

from __future__ import annotations

from typing import Any

from ...nn import functional as F
from ...tensor import Tensor
from .. import activations
from . import _conv_utils as cu
from ._weight_options import (
    KERNEL_BIAS_OPTIONS,
    add_weight_with_options,
    set_weight_options,
    weight_options_config,
)
from .layer import Layer


class BaseConv(Layer):
    """Shared constructor, build and padding of Conv1D and Conv2D (`rank` spatial dims)."""

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1,
                 activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer,
                         **cu.named(type(self), kwargs))
        owner, n = type(self).__name__, self.rank
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(f"{owner}: invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters!r}")
        if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
            raise ValueError(f"{owner}: the `groups` argument must be a positive integer, "
                             f"received groups={groups!r}")
        if filters % groups:
            raise ValueError(f"{owner}: the number of filters must be evenly divisible by the "
                             f"number of groups. Received: groups={groups}, filters={filters}")
        self.filters, self.groups = int(filters), int(groups)
        self.kernel_size = cu.int_tuple(owner, "kernel_size", kernel_size, n)
        self.strides = cu.int_tuple(owner, "strides", strides, n)
        self.dilation_rate = cu.int_tuple(owner, "dilation_rate", dilation_rate, n)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{owner}: `strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} and "
                             f"dilation_rate={self.dilation_rate}")
        allowed = ("valid", "same", "causal") if n == 1 else ("valid", "same")
        self.padding = cu.padding_mode(owner, padding, allowed)
        self.data_format = cu.data_format(owner, data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.kernel = self.bias = None

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (in_channels // self.groups, self.filters)

    def build(self, input_shape: tuple) -> None:
        owner = f"{type(self).__name__} {self.name}"
        c = cu.channels(input_shape, self.data_format, owner, self.rank)
        if c % self.groups:
            raise ValueError(f"{owner}: the number of input channels must be evenly divisible "
                             f"by the number of groups. Received groups={self.groups}, but the "
                             f"input has {c} channels (full input shape is {input_shape})")
        self.kernel = add_weight_with_options(self, "kernel", self._kernel_shape(c))
        if self.use_bias:
            self.bias = add_weight_with_options(self, "bias", (self.filters,))
        self._in_channels = c
        self.built = True

    def _prepare(self, inputs: Tensor) -> Tensor:
        """Check the input, cast it to the kernel's dtype and make it channels-first."""
        cu.check_input(f"{type(self).__name__} {self.name}", inputs, self.rank,
                       self.data_format, self._in_channels)
        if inputs.dtype != self.kernel.dtype:
            inputs = inputs.to(self.kernel.dtype)
        return cu.to_channels_first(inputs, self.data_format)

    def _pad(self, x: Tensor) -> tuple[Tensor, Any]:
        """(x, the op's padding argument): symmetric padding goes to the op, asymmetric
        ('same' with an even effective kernel or a stride, 'causal') is applied here."""
        if self.padding == "valid":
            return x, 0
        if self.padding == "causal":
            return F.pad(x, (self.dilation_rate[0] * (self.kernel_size[0] - 1), 0)), 0
        pads = [cu.same_pads(n, k, s, d) for n, k, s, d in zip(
            x.shape[2:], self.kernel_size, self.strides, self.dilation_rate)]
        if all(lo == hi for lo, hi in pads):
            return x, tuple(lo for lo, _ in pads)
        flat = [p for pair in reversed(pads) for p in pair]
        return F.pad(x, flat), 0

    def _finish(self, y: Tensor) -> Tensor:
        y = cu.to_channels_last(y, self.data_format)
        return y if self._emit_logits else self.activation(y)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        dims = tuple(cu.out_length(n, k, s, d, self.padding) for n, k, s, d in zip(
            cu.spatial(input_shape, self.data_format), self.kernel_size, self.strides,
            self.dilation_rate))
        return cu.with_spatial(tuple(input_shape), self.data_format, dims, self.filters)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "groups": self.groups,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                **weight_options_config(self, *KERNEL_BIAS_OPTIONS)}


class Conv2D(BaseConv):
    """2-D convolution over (batch, height, width, channels) input (channels_last, default) or
    (batch, channels, height, width) (channels_first).

    Args:
        filters: output channels; kernel_size, strides, dilation_rate: int or pair.
        padding: 'valid' (default) or 'same' (out = ceil(in / stride)).
        groups: split input and filters into this many independent groups.
        activation, use_bias, kernel_/bias_ initializer, regularizer, constraint: as Dense.

    Shape:
        (N, H, W, C) -> (N, OH, OW, filters); kernel (kh, kw, C / groups, filters).

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.Conv2D(32, 3, activation="relu")
        >>> tuple(layer(np.zeros((2, 28, 28, 1), "float32")).shape), layer.count_params()
        ((2, 26, 26, 32), 320)
    """

    rank = 2

    _pool = None  # a MaxPooling2D of tiles that Sequential has this layer run with it

    def call(self, inputs: Tensor) -> Tensor:
        x, pad = self._pad(self._prepare(inputs))
        w = self.kernel.permute(3, 2, 0, 1)  # (kh, kw, in/g, out) -> (out, in/g, kh, kw)
        if self._pool is not None:  # conv then pool as one op (keras.Sequential asks)
            y = F.conv2d_max_pool2d(x, w, self.bias, self.strides, pad, self.dilation_rate,
                                    self.groups, self._pool.pool_size, self._pool.strides,
                                    relu=True)  # the activation: Sequential checks it is relu
        else:
            y = F.conv2d(x, w, self.bias, self.strides, pad, self.dilation_rate, self.groups)
        return self._finish(y)


class Conv1D(BaseConv):
    """1-D convolution over (batch, steps, channels) input (channels_last, default) or
    (batch, channels, steps); padding 'valid', 'same' or 'causal' (left padding only, so
    output t sees inputs <= t).

    Shape:
        (N, L, C) -> (N, OL, filters); kernel (k, C / groups, filters).
    """

    rank = 1

    def call(self, inputs: Tensor) -> Tensor:
        x, pad = self._pad(self._prepare(inputs))
        w = self.kernel.permute(2, 1, 0)  # (k, in/g, out) -> (out, in/g, k)
        y = F.conv1d(x, w, self.bias, self.strides, pad, self.dilation_rate, self.groups)
        return self._finish(y)


def transpose_crops(length: int, kernel: int, stride: int, dilation: int, padding: str,
                    output_padding: int | None) -> tuple[int, int]:
    """(crop_left, crop_right) of Keras's transposed convolution applied to the natural
    output of length (n - 1) s + e, e = d (k - 1) + 1; negative means zero-pad (Keras 3's
    `compute_conv_transpose_output_crops_for_torch`)."""
    e = dilation * (kernel - 1) + 1
    if padding == "valid":
        extra = max(e, stride) - e if output_padding is None else output_padding
        left, right = e - 1, e - 1 + extra
    else:
        total = stride + e - 2 if output_padding is None else e + e % 2 - 2 + output_padding
        left = min(total // 2 + total % 2, e - 1)
        right = total - left
    return e - 1 - left, e - 1 - right


class Conv2DTranspose(BaseConv):
    """Transposed 2-D convolution (the input gradient of Conv2D): upsamples by `strides`.

    Args:
        filters, kernel_size, strides, padding ('valid' or 'same'), dilation_rate, activation,
        use_bias, initializers/regularizers/constraints: as Conv2D.
        output_padding: extra rows/columns at the bottom/right (int or pair, < strides).

    Shape:
        (N, H, W, C) -> (N, OH, OW, filters), 'same': OH = H * sh, 'valid':
        OH = (H - 1) sh + max(e, sh); kernel (kh, kw, filters, C).
    """

    rank = 2

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1),
                 padding: str = "valid", output_padding: Any = None,
                 data_format: str | None = None, dilation_rate: Any = (1, 1), **kwargs: Any
                 ) -> None:
        super().__init__(filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)
        self.output_padding = None if output_padding is None else cu.int_tuple(
            "Conv2DTranspose", "output_padding", output_padding, 2, minimum=0)
        if self.output_padding is not None and any(
                o >= s for o, s in zip(self.output_padding, self.strides)):
            raise ValueError(f"Conv2DTranspose: output_padding must be smaller than strides, "
                             f"received output_padding={self.output_padding} and "
                             f"strides={self.strides}")

    def _kernel_shape(self, in_channels: int) -> tuple:
        return self.kernel_size + (self.filters, in_channels)

    def _crops(self, dims: tuple) -> list[tuple[int, int]]:
        op = self.output_padding or (None, None)
        return [transpose_crops(n, k, s, d, self.padding, o) for n, k, s, d, o in zip(
            dims, self.kernel_size, self.strides, self.dilation_rate, op)]

    def call(self, inputs: Tensor) -> Tensor:
        x = self._prepare(inputs)
        w = self.kernel.permute(3, 2, 0, 1)  # (kh, kw, out, in) -> (in, out, kh, kw)
        y = F.conv_transpose2d(x, w, None, self.strides, 0, 0, 1, self.dilation_rate)
        (ct, cb), (cl, cr) = self._crops(tuple(x.shape[2:]))
        h, wd = y.shape[2], y.shape[3]
        y = y[:, :, max(ct, 0):h - max(cb, 0), max(cl, 0):wd - max(cr, 0)]
        if min(ct, cb, cl, cr) < 0:
            y = F.pad(y, (max(-cl, 0), max(-cr, 0), max(-ct, 0), max(-cb, 0)))
        if self.bias is not None:
            y = y + self.bias.reshape(1, -1, 1, 1)
        return self._finish(y)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        dims = cu.spatial(input_shape, self.data_format)
        out = []
        for n, k, s, d, (cl, cr) in zip(dims, self.kernel_size, self.strides,
                                         self.dilation_rate, self._crops(
                                             tuple(1 if v is None else v for v in dims))):
            out.append(None if n is None else (n - 1) * s + d * (k - 1) + 1 - cl - cr)
        return cu.with_spatial(tuple(input_shape), self.data_format, tuple(out), self.filters)

    def get_config(self) -> dict:
        config = {**super().get_config(), "output_padding": self.output_padding}
        config.pop("groups")
        return config
