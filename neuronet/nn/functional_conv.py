"""Convolution and pooling under PyTorch's functional names (re-exported by
`neuronet.nn.functional`). The maths lives in `neuronet.ops.conv` and `neuronet.ops.pooling`;
this file turns PyTorch's arguments (ints or tuples, 'same'/'valid', unbatched inputs) into
the primitives' geometry and checks them loudly.

    conv2d            y = conv(x, w) + b,   OH = floor((H + 2p - d (k - 1) - 1) / s) + 1
    conv_transpose2d  y = Dx(x, w) + b,     OH = (H - 1) s - 2p + d (k - 1) + output_padding + 1
    max/avg_pool2d    OH as conv2d (ceil instead of floor with ceil_mode)
    adaptive pools    window i covers [floor(i H / OH), ceil((i + 1) H / OH))
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.grad_mode import state as _grad_mode
from ..ops import conv as _conv
from ..ops import conv_pool as _conv_pool
from ..ops import pooling as _pool
from ..ops.elementwise import Relu, relu
from ..ops.elementwise import relu as relu_
from ..ops.indexing import gather
from ..ops.linalg import matmul
from ..ops.shape import Permute
from ..tensor import Tensor


def _tuple(value: Any, n: int, name: str, op: str, minimum: int = 1) -> tuple:
    """An int or a length-n sequence of ints >= minimum, as a tuple of n ints."""
    vals = (value,) * n if isinstance(value, (int, np.integer)) else tuple(value)
    if len(vals) != n or not all(isinstance(v, (int, np.integer)) for v in vals):
        raise ValueError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in vals):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {name}={value!r}")
    return tuple(int(v) for v in vals)


def _check_input(op: str, x: Any, nd: int, layout: str) -> tuple[Tensor, bool]:
    """x as a batched (N, C, *spatial) tensor; True when it came unbatched."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(x).__name__}")
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input of shape "
            f"{layout}, but got input of shape {tuple(x.shape)}")
    if x.ndim == nd + 1:
        return x.unsqueeze(0), True
    return x, False


def _check_float(op: str, x: Tensor, w: Tensor, b: Tensor | None) -> None:
    if x.dtype != w.dtype or not x.is_floating_point():
        raise TypeError(f"{op}: input ({x.dtype}) and weight ({w.dtype}) must have the same "
                        f"floating point dtype")
    if b is not None and b.dtype != x.dtype:
        raise TypeError(f"{op}: bias ({b.dtype}) must have the input's dtype ({x.dtype})")


def _conv_padding(padding: Any, kernel: tuple, dilation: tuple, stride: tuple, op: str) -> tuple:
    """(top, bottom, left, right); 'same' puts the odd extra row/column at the bottom/right
    as PyTorch does, 'valid' is no padding."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'same', 'valid', an int or a tuple of ints, "
                             f"got padding={padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        out = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            out += [total // 2, total - total // 2]
        return tuple(out)
    ph, pw = _tuple(padding, 2, "padding", op, minimum=0)
    return (ph, ph, pw, pw)


def _conv_geometry(op: str, x: Tensor, w: Tensor, b: Tensor | None, stride: Any,
                   padding: Any, dilation: Any, groups: int, in_channels: int) -> Any:
    """Validate a conv's operands (batched 4-D x, 4-D w) and build its geometry."""
    if not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive integer, got groups={groups!r}")
    n_in, n_out = in_channels, w.shape[0]
    if x.shape[1] != n_in:
        raise RuntimeError(
            f"{op}: expected input of shape {tuple(x.shape)} to have {n_in} channels "
            f"(weight of shape {tuple(w.shape)} with groups={groups}), but got "
            f"{x.shape[1]} channels instead")
    if n_out % groups or n_in % groups:
        raise RuntimeError(f"{op}: channels ({n_in} in, {n_out} out) must be divisible by "
                           f"groups={groups} (weight of shape {tuple(w.shape)})")
    kernel = tuple(w.shape[2:])
    stride = _tuple(stride, 2, "stride", op)
    dilation = _tuple(dilation, 2, "dilation", op)
    pad = _conv_padding(padding, kernel, dilation, stride, op)
    return _conv.ConvGeometry(kernel, stride, dilation, pad, int(groups), tuple(x.shape[2:]))


def _check_out(op: str, geo: Any, x: Tensor) -> None:
    if min(geo.out_hw) < 1:
        raise RuntimeError(
            f"{op}: input of shape {tuple(x.shape)} padded to {geo.padded_hw} is smaller than "
            f"the (dilated) kernel {geo.kernel} with dilation {geo.dilation}: the output would "
            f"be {geo.out_hw}")


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W) input with
    weight (O, C / groups, KH, KW); padding is an int, a pair, 'same' or 'valid'."""
    x, unbatched = _check_input("conv2d", input, 2, "(N, C, H, W)")
    if weight.ndim != 4:
        raise RuntimeError(f"conv2d: expected a 4-D weight (out_channels, in_channels/groups, "
                           f"kH, kW), got weight of shape {tuple(weight.shape)}")
    geo = _checked_conv2d(x, weight, bias, stride, padding, dilation, groups)
    args = (x, weight) if bias is None else (x, weight, bias)
    y = _conv.Conv2d.apply(*args, geo=geo)
    return y.squeeze(0) if unbatched else y


def _checked_conv2d(x: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
                    padding: Any, dilation: Any, groups: int) -> Any:
    """conv2d's operand checks past the input's and weight's rank; its geometry."""
    _check_float("conv2d", x, weight, bias)
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"conv2d: expected bias of shape ({weight.shape[0]},), got "
                           f"{tuple(bias.shape)}")
    geo = _conv_geometry("conv2d", x, weight, bias, stride, padding, dilation, groups,
                         weight.shape[1] * groups)
    _check_out("conv2d", geo, x)
    return geo


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
           stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) or (C, L) input with weight (O, C / groups, K): conv2d
    on a unit height."""
    x, unbatched = _check_input("conv1d", input, 1, "(N, C, L)")
    if weight.ndim != 3:
        raise RuntimeError(f"conv1d: expected a 3-D weight (out_channels, in_channels/groups, "
                           f"kW), got weight of shape {tuple(weight.shape)}")
    one = _tuple(stride, 1, "stride", "conv1d") + _tuple(dilation, 1, "dilation", "conv1d")
    pad = padding if isinstance(padding, str) else (0,) + _tuple(padding, 1, "padding",
                                                                "conv1d", 0)
    y = conv2d(x.unsqueeze(2), weight.unsqueeze(2), bias, (1, one[0]), pad, (1, one[1]), groups)
    y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed convolution (the input gradient of conv2d) of (N, C_in, H, W) input with
    weight (C_in, C_out / groups, KH, KW)."""
    op = "conv_transpose2d"
    x, unbatched = _check_input(op, input, 2, "(N, C_in, H, W)")
    if weight.ndim != 4:
        raise RuntimeError(f"{op}: expected a 4-D weight (in_channels, out_channels/groups, "
                           f"kH, kW), got weight of shape {tuple(weight.shape)}")
    _check_float(op, x, weight, bias)
    s = _tuple(stride, 2, "stride", op)
    d = _tuple(dilation, 2, "dilation", op)
    p = _tuple(padding, 2, "padding", op, 0)
    op_ = _tuple(output_padding, 2, "output_padding", op, 0)
    if any(o >= si for o, si in zip(op_, s)):
        raise ValueError(f"{op}: output_padding must be smaller than stride, got "
                         f"output_padding={op_} and stride={s}")
    k = tuple(weight.shape[2:])
    out_hw = tuple((x.shape[2 + i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + op_[i] + 1
                   for i in range(2))
    if min(out_hw) < 1:
        raise RuntimeError(f"{op}: input of shape {tuple(x.shape)} gives a non-positive output "
                           f"size {out_hw}")
    geo = _conv_geometry(op, x, weight, bias, s, p, d, groups, weight.shape[0])
    geo = _conv.ConvGeometry(k, s, d, geo.padding, geo.groups, out_hw)
    y = _conv.Conv2dGradInput.apply(x, weight, geo=geo)
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y.squeeze(0) if unbatched else y


# --- pooling ------------------------------------------------------------------------------

def _pool_geometry(op: str, x: Tensor, kernel_size: Any, stride: Any, padding: Any,
                   dilation: Any, ceil_mode: bool) -> Any:
    k = _tuple(kernel_size, 2, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) else \
        _tuple(stride, 2, "stride", op)
    p = _tuple(padding, 2, "padding", op, 0)
    d = _tuple(dilation, 2, "dilation", op)
    for i in range(2):
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2:
            raise RuntimeError(f"{op}: pad should be at most half of effective kernel size, but "
                               f"got pad={p[i]}, kernel_size={k[i]} and dilation={d[i]}")
    geo = _pool.PoolGeometry(k, s, p, d, bool(ceil_mode), tuple(x.shape[2:]))
    if min(geo.out_hw) < 1:
        raise RuntimeError(f"{op}: given input of shape {tuple(x.shape)}, the calculated output "
                           f"size {geo.out_hw} is too small (kernel_size={k}, padding={p}, "
                           f"dilation={d})")
    return geo


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max over KH x KW windows of (N, C, H, W) or (C, H, W) input; with return_indices also
    the flat position (row * W + col) of each maximum in its input plane (int64)."""
    x, unbatched = _check_input("max_pool2d", input, 2, "(N, C, H, W)")
    geo = _pool_geometry("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
    fused = None if return_indices or unbatched else _pool_of_conv(x, geo)
    if fused is not None:
        return fused
    pre = None if return_indices or unbatched else _relu_input(x)
    if pre is not None:
        # max_pool(relu(a)) = relu(max_pool(a)) (relu is monotone): the same values, and the
        # same gradient (to the window's first maximum of a where it is > 0, else none), with
        # the ReLU's backward on the pooled (KH*KW times smaller) tensor instead of on x
        return relu(_pool.MaxPool2d.apply(pre, geo=geo, route=_grad_mode.enabled))
    y = _pool.MaxPool2d.apply(x, geo=geo, route=_grad_mode.enabled and x.requires_grad)
    idx = Tensor._wrap(np.broadcast_to(y.grad_fn.indices(), y.shape).copy()) \
        if return_indices and y.grad_fn is not None else None
    if return_indices and idx is None:  # no graph recorded: recompute the argmax
        fn = _pool.MaxPool2d()
        fn.forward(x._data, geo=geo)
        idx = Tensor._wrap(fn.indices())
    if unbatched:
        y = y.squeeze(0)
        idx = idx.squeeze(0) if idx is not None else None
    return (y, idx) if return_indices else y


def conv2d_max_pool2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                      stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                      kernel_size: Any = 2, pool_stride: Any = None,
                      relu: bool = False) -> Tensor:
    """max_pool2d(conv2d(input, weight, bias, stride, padding, dilation, groups), kernel_size,
    pool_stride), and with relu=True its relu (= the pool of the conv's relu): the same
    values and gradients, computed as one op (ops.conv_pool: the conv's full-size output is
    never stored) when the pool's windows tile the conv output (pool_stride == kernel_size,
    the CNN's 2x2/2); otherwise the ops in turn. nn.Sequential runs Conv2d [-> ReLU] ->
    MaxPool2d [-> ReLU] through it, keras.Sequential Conv2D(activation="relu") ->
    MaxPooling2D."""
    x, unbatched = _check_input("conv2d", input, 2, "(N, C, H, W)")
    if unbatched or weight.ndim != 4 or isinstance(padding, str) and padding != "valid":
        y = max_pool2d(conv2d(input, weight, bias, stride, padding, dilation, groups),
                       kernel_size, pool_stride)
        return relu_(y) if relu else y
    geo = _checked_conv2d(x, weight, bias, stride, padding, dilation, groups)
    k = _tuple(kernel_size, 2, "kernel_size", "max_pool2d")
    s = k if pool_stride is None else _tuple(pool_stride, 2, "stride", "max_pool2d")
    pool = _pool.PoolGeometry(k, s, (0, 0), (1, 1), False, geo.out_hw)
    args = (x, weight) if bias is None else (x, weight, bias)
    if s != k or min(pool.out_hw) < 1:  # not tiling (or too small: let max_pool2d say so)
        y = max_pool2d(_conv.Conv2d.apply(*args, geo=geo), k, s)
        return relu_(y) if relu else y
    route = _grad_mode.enabled and any(a.requires_grad for a in args)
    return _conv_pool.Conv2dMaxPool2d.apply(*args, geo=geo, pool=pool, route=route,
                                            relu=relu)


def _pool_of_conv(x: Tensor, geo: Any) -> Tensor | None:
    """max_pool2d(x) through the conv+pool op (ops.conv_pool) when x is a fresh conv2d
    output, or the fresh relu of one, and the pool's windows tile it: the pooling runs on the
    computed conv output, and backward takes the fused route (the marks, the ReLU's mask and
    the conv's gradients per batch block, without a full-size dL/dconv). The conv's own node
    stays valid for any other use of its output."""
    if not _pool._tiling(geo):
        return None
    conv, relu = x, False
    pre = _relu_input(x)
    if pre is not None:
        conv, relu = pre, True
    node = conv.grad_fn
    if type(node) is not _conv.Conv2d or node._freed or conv._version != 0 or any(
            t._version != v for t, v in zip(node.inputs, node._versions)):
        return None
    pool = _pool.PoolGeometry(geo.kernel, geo.stride, (0, 0), (1, 1), False, geo.in_hw)
    return _conv_pool.Conv2dMaxPool2d.apply(*node.inputs, geo=node.geo, pool=pool,
                                            route=True, relu=relu, conv=conv._data)


def _relu_input(y: Tensor) -> Tensor | None:
    """a, when y is relu(a) fresh from its graph node (recording gradients, neither changed
    since), or a's permutation when y is a permutation of relu(a) (Keras's channels-last
    conv -> relu -> pooling), else None."""
    node = y.grad_fn
    if node is None or node._freed or y._version != 0:
        return None
    dims = None
    if type(node) is Permute:  # y = permute(relu(a), dims): pool permute(a, dims) instead
        dims = tuple(int(d) for d in np.argsort(node.inverse))
        y = node.inputs[0]
        node = y.grad_fn
        if node is None or node._freed or y._version != 0:
            return None
    if type(node) is not Relu:
        return None
    a = node.inputs[0]
    if a._version != node._versions[0]:
        return None
    return a if dims is None else a.permute(*dims)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """max_pool2d on a unit height: (N, C, L) or (C, L) input."""
    _check_input("max_pool1d", input, 1, "(N, C, L)")
    one = lambda v, name: (1,) + _tuple(v, 1, name, "max_pool1d", 0)  # noqa: E731
    out = max_pool2d(input.unsqueeze(-2), one(kernel_size, "kernel_size"),
                     None if stride is None else one(stride, "stride"),
                     (0,) + _tuple(padding, 1, "padding", "max_pool1d", 0),
                     one(dilation, "dilation"), ceil_mode, return_indices)
    if return_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """Mean over KH x KW windows of (N, C, H, W) or (C, H, W) input."""
    x, unbatched = _check_input("avg_pool2d", input, 2, "(N, C, H, W)")
    if not x.is_floating_point():
        raise TypeError(f"avg_pool2d: expected a floating point input, got {x.dtype}")
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor must be not zero")
    geo = _pool_geometry("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
    divisor = _pool.avg_divisor(geo, count_include_pad, divisor_override, x._data.dtype)
    y = _pool.AvgPool2d.apply(x, geo=geo, divisor=divisor)
    return y.squeeze(0) if unbatched else y


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """avg_pool2d on a unit height: (N, C, L) or (C, L) input."""
    _check_input("avg_pool1d", input, 1, "(N, C, L)")
    k = (1,) + _tuple(kernel_size, 1, "kernel_size", "avg_pool1d")
    s = None if stride is None else (1,) + _tuple(stride, 1, "stride", "avg_pool1d")
    p = (0,) + _tuple(padding, 1, "padding", "avg_pool1d", 0)
    return avg_pool2d(input.unsqueeze(-2), k, s, p, ceil_mode, count_include_pad).squeeze(-2)


def _adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Window i covers [floor(i size / out), ceil((i + 1) size / out))."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _output_size(op: str, x: Tensor, output_size: Any) -> tuple[int, int]:
    vals = (output_size,) * 2 if isinstance(output_size, (int, np.integer)) or \
        output_size is None else tuple(output_size)
    if len(vals) != 2:
        raise ValueError(f"{op}: output_size must be an int or a pair, got {output_size!r}")
    out = tuple(int(x.shape[2 + i]) if v is None else int(v) for i, v in enumerate(vals))
    if min(out) < 1:
        raise ValueError(f"{op}: output_size must be positive, got {output_size!r}")
    return out  # type: ignore[return-value]


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """y = P_h x P_w^T with P[i, h] = 1 / |window i| on the window's rows (two matmuls)."""
    x, unbatched = _check_input("adaptive_avg_pool2d", input, 2, "(N, C, H, W)")
    oh, ow = _output_size("adaptive_avg_pool2d", x, output_size)
    h, w = x.shape[2], x.shape[3]
    if (oh, ow) == (1, 1):
        y = x.mean((2, 3), keepdim=True)
    else:
        mats = []
        for size, out in ((h, oh), (w, ow)):
            start, end = _adaptive_bounds(size, out)
            cols = np.arange(size)
            inside = (cols >= start[:, None]) & (cols < end[:, None])
            mats.append(Tensor._wrap((inside / (end - start)[:, None]).astype(x._data.dtype)))
        y = matmul(mats[0], matmul(x, mats[1].mT))
    return y.squeeze(0) if unbatched else y


def adaptive_max_pool2d(input: Tensor, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Max over adaptive windows; indices as max_pool2d's (flat positions in the plane)."""
    x, unbatched = _check_input("adaptive_max_pool2d", input, 2, "(N, C, H, W)")
    oh, ow = _output_size("adaptive_max_pool2d", x, output_size)
    n, c, h, w = x.shape
    pos = []
    for size, out in ((h, oh), (w, ow)):
        start, end = _adaptive_bounds(size, out)
        width = int((end - start).max())
        # (out, width) positions; short windows repeat their last position (max unchanged)
        pos.append(np.minimum(start[:, None] + np.arange(width), end[:, None] - 1))
    rows, cols = pos
    flat = rows[:, None, :, None] * w + cols[None, :, None, :]  # (OH, OW, KH, KW)
    flat = flat.reshape(oh, ow, -1)
    vals = x._data.reshape(n, c, h * w)[:, :, flat]  # (N, C, OH, OW, KH*KW)
    best = np.take_along_axis(flat[None, None], vals.argmax(-1)[..., None], -1)[..., 0]
    idx = np.ascontiguousarray(np.broadcast_to(best, (n, c, oh, ow))).astype(np.int64)
    y = gather(x.flatten(2), 2, Tensor._wrap(idx.reshape(n, c, -1))).reshape(n, c, oh, ow)
    ind = Tensor._wrap(idx)
    if unbatched:
        y, ind = y.squeeze(0), ind.squeeze(0)
    return (y, ind) if return_indices else y


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zero whole channels (one Bernoulli(1 - p) draw per (n, c)) and scale the kept ones by
    1 / (1 - p); identity when not training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        raise RuntimeError(f"dropout2d: expected a 3-D or 4-D input, got input of shape "
                           f"{tuple(input.shape)}")
    if not training or p == 0.0:
        return input
    from .. import random as _random

    shape = tuple(input.shape[:-2]) + (1, 1)
    keep = _random.rng().random(shape, dtype=np.float32) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    out = input * Tensor._wrap((keep * scale).astype(input._data.dtype))
    if inplace:
        from .functional import _maybe_inplace

        return _maybe_inplace(input, out, True)
    return out


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    """im2col: (N, C, H, W) -> (N, C * KH * KW, L), L the number of window positions."""
    x, unbatched = _check_input("unfold", input, 2, "(N, C, H, W)")
    k = _tuple(kernel_size, 2, "kernel_size", "unfold")
    ph, pw = _tuple(padding, 2, "padding", "unfold", 0)
    geo = _conv.ConvGeometry(k, _tuple(stride, 2, "stride", "unfold"),
                             _tuple(dilation, 2, "dilation", "unfold"), (ph, ph, pw, pw), 1,
                             tuple(x.shape[2:]))
    _check_out("unfold", geo, x)
    y = _conv.Unfold.apply(x, geo=geo)
    return y.squeeze(0) if unbatched else y


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """col2im: (N, C * KH * KW, L) -> (N, C, H, W), summing overlapping values."""
    x, unbatched = _check_input("fold", input, 1, "(N, C * kH * kW, L)")
    k = _tuple(kernel_size, 2, "kernel_size", "fold")
    ph, pw = _tuple(padding, 2, "padding", "fold", 0)
    geo = _conv.ConvGeometry(k, _tuple(stride, 2, "stride", "fold"),
                             _tuple(dilation, 2, "dilation", "fold"), (ph, ph, pw, pw), 1,
                             _tuple(output_size, 2, "output_size", "fold"))
    if x.shape[1] % (k[0] * k[1]):
        raise RuntimeError(f"fold: expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size {k}, but got input of shape {tuple(x.shape)}")
    if min(geo.out_hw) < 1 or x.shape[2] != math.prod(geo.out_hw):
        raise RuntimeError(f"fold: given output_size={geo.in_hw}, kernel_size={k}, "
                           f"dilation={geo.dilation}, padding={(ph, pw)}, stride={geo.stride}, "
                           f"expected size of input's dimension 2 to be "
                           f"{math.prod(geo.out_hw)}, but got input of shape {tuple(x.shape)}")
    y = _conv.Fold.apply(x, geo=geo)
    return y.squeeze(0) if unbatched else y
