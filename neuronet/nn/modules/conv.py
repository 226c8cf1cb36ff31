"""Conv1d, Conv2d, ConvTranspose2d: PyTorch's parameter names, shapes and default init.

    weight  (out_channels, in_channels / groups, *kernel_size)      (Conv)
            (in_channels, out_channels / groups, *kernel_size)      (ConvTranspose)
    init    weight ~ kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
            bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)),  fan_in = weight.shape[1] * prod(kernel)
"""

from __future__ import annotations

import math
from typing import Any

from ... import creation
from ...tensor import Tensor
from .. import functional_conv as F
from .. import init
from ..parameter import Parameter
from .module import Module

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(value: Any, n: int, name: str, layer: str) -> tuple:
    vals = (value,) * n if isinstance(value, int) else tuple(value)
    if len(vals) != n or not all(isinstance(v, int) and v >= 0 for v in vals):
        raise ValueError(f"{layer}: {name} must be a non-negative int or a tuple of {n} ints, "
                         f"got {name}={value!r}")
    return vals


class _ConvNd(Module):
    """Shared constructor, init and repr of the convolution layers."""

    _nd = 2
    _transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 padding: Any, dilation: Any, groups: int, bias: bool, padding_mode: str,
                 output_padding: Any = 0, dtype: Any = None) -> None:
        super().__init__()
        name, nd = type(self).__name__, self._nd
        for key, v in (("in_channels", in_channels), ("out_channels", out_channels),
                       ("groups", groups)):
            if not isinstance(v, int) or v <= 0:
                raise ValueError(f"{name}: {key} must be a positive integer, got {key}={v!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels={in_channels} and out_channels={out_channels} "
                             f"must be divisible by groups={groups}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {_PADDING_MODES}, got "
                             f"padding_mode={padding_mode!r}")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: invalid padding string {padding!r}, should be one of "
                                 f"['valid', 'same']")
            if padding == "same" and any(s != 1 for s in _ntuple(stride, nd, "stride", name)):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _ntuple(kernel_size, nd, "kernel_size", name)
        self.stride = _ntuple(stride, nd, "stride", name)
        self.padding = padding if isinstance(padding, str) else \
            _ntuple(padding, nd, "padding", name)
        self.dilation = _ntuple(dilation, nd, "dilation", name)
        self.output_padding = _ntuple(output_padding, nd, "output_padding", name)
        self.transposed = self._transposed
        self.groups, self.padding_mode = groups, padding_mode
        shape = (in_channels, out_channels // groups) if self._transposed else \
            (out_channels, in_channels // groups)
        self.weight = Parameter(creation.empty(*shape, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _padded(self, x: Tensor) -> tuple[Tensor, Any]:
        """Non-zero padding modes pad explicitly (F.pad), then convolve without padding."""
        if self.padding_mode == "zeros":
            return x, self.padding
        from ..functional import pad

        if isinstance(self.padding, str):
            raise ValueError(f"{type(self).__name__}: padding={self.padding!r} needs "
                             f"padding_mode='zeros'")
        widths = [w for p in reversed(self.padding) for w in (p, p)]
        return pad(x, widths, mode=self.padding_mode), 0

    def extra_repr(self) -> str:
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution: y = conv2d(x, W) + b.

    Args:
        in_channels, out_channels: channels of input and output.
        kernel_size, stride, padding ('same', 'valid', int or pair), dilation: as PyTorch.
        groups: split the channels into groups convolved separately (= in_channels:
            depthwise).
        bias: learn an additive bias (default True).
        padding_mode: 'zeros' (default), 'reflect', 'replicate' or 'circular'.

    Shape:
        (N, C_in, H, W) -> (N, C_out, H_out, W_out),
        H_out = floor((H + 2 padding - dilation (kernel_size - 1) - 1) / stride) + 1

    Example:
        >>> import neuronet as nt
        >>> nt.nn.Conv2d(3, 8, 3, padding=1)(nt.zeros(2, 3, 5, 5)).shape
        neuronet.Size([2, 8, 5, 5])
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x, padding = self._padded(input)
        return F.conv2d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class Conv1d(_ConvNd):
    """1-D convolution: (N, C_in, L) -> (N, C_out, L_out); arguments as Conv2d.

    Example:
        >>> import neuronet as nt
        >>> nt.nn.Conv1d(2, 4, 3)(nt.zeros(1, 2, 10)).shape
        neuronet.Size([1, 4, 8])
    """

    _nd = 1

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype=dtype)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        x, padding = self._padded(input)
        return F.conv1d(x, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution (the gradient of Conv2d with respect to its input).

    Shape:
        (N, C_in, H, W) -> (N, C_out, H_out, W_out), H_out = (H - 1) stride - 2 padding
        + dilation (kernel_size - 1) + output_padding + 1

    Example:
        >>> import neuronet as nt
        >>> nt.nn.ConvTranspose2d(4, 2, 2, stride=2)(nt.zeros(1, 4, 3, 3)).shape
        neuronet.Size([1, 2, 6, 6])
    """

    _transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f"ConvTranspose2d: only 'zeros' padding mode is supported, got "
                             f"padding_mode={padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"ConvTranspose2d: padding must be an int or a pair, got "
                             f"padding={padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, output_padding, dtype=dtype)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        out_pad = self.output_padding
        if output_size is not None:  # PyTorch's: pick output_padding to reach output_size
            size = tuple(output_size)[-2:]
            out_pad = tuple(
                size[i] - ((input.shape[-2 + i] - 1) * self.stride[i] - 2 * self.padding[i]
                           + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
                for i in range(2))
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  out_pad, self.groups, self.dilation)
