"""Shared argument checks and geometry of the Keras convolution and pooling layers.

Keras's 'same' padding (TensorFlow's rule, also Keras 3's torch backend), per spatial axis with
input length n, kernel k, stride s, dilation d, effective kernel e = d (k - 1) + 1:
    out = ceil(n / s),  total = max((out - 1) s + e - n, 0)  (= e - 1 when s = 1),
    left = total // 2,  right = total - left   (the odd pixel goes at the end)
'valid':  out = floor((n - e) / s) + 1.

Layouts: Keras layers default to channels_last (N, *spatial, C); the `nn.functional` ops are
channels-first. `to_channels_first` / `to_channels_last` are permutations (zero-copy views): the
convolution op writes its output in channels-last memory behind a channels-first view, so
permuting it back for the next Keras layer costs nothing.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend

DATA_FORMATS = ("channels_last", "channels_first")


def named(cls: type, kwargs: dict) -> dict:
    """kwargs with Keras's default name ('conv2d', 'max_pooling2d', ...) when none is given.
    NOTE: `backend.snake_case` splits digits from capitals ('conv2_d'); Keras's
    `to_snake_case` does not, and these layers' names have a digit before a capital."""
    if kwargs.get("name") is None:
        name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", cls.__name__)
        kwargs["name"] = backend.unique_name(re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower())
    return kwargs


def int_tuple(owner: str, name: str, value: Any, n: int, minimum: int = 1) -> tuple[int, ...]:
    """An int or a sequence of n ints (each >= minimum) as a tuple of n ints."""
    vals = (value,) * n if isinstance(value, int | np.integer) else tuple(value) \
        if isinstance(value, list | tuple) else None
    if vals is None or len(vals) != n or not all(
            isinstance(v, int | np.integer) and not isinstance(v, bool) for v in vals):
        raise ValueError(f"{owner}: the `{name}` argument must be an int or a tuple of {n} "
                         f"integers, received {name}={value!r}")
    if any(v < minimum for v in vals):
        raise ValueError(f"{owner}: the `{name}` argument must be >= {minimum}, received "
                         f"{name}={value!r}")
    return tuple(int(v) for v in vals)


def data_format(owner: str, value: str | None) -> str:
    fmt = "channels_last" if value is None else str(value).lower()
    if fmt not in DATA_FORMATS:
        raise ValueError(f"{owner}: the `data_format` argument must be one of "
                         f"{list(DATA_FORMATS)}, received data_format={value!r}")
    return fmt


def padding_mode(owner: str, value: str, allowed: tuple = ("valid", "same")) -> str:
    mode = str(value).lower()
    if mode not in allowed:
        raise ValueError(f"{owner}: the `padding` argument must be one of {list(allowed)}, "
                         f"received padding={value!r}")
    return mode


def same_pads(length: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(left, right) zero padding of Keras's 'same' (module docstring)."""
    effective = dilation * (kernel - 1) + 1
    out = -(-length // stride)
    total = max((out - 1) * stride + effective - length, 0)
    return total // 2, total - total // 2


def out_length(length: int | None, kernel: int, stride: int, dilation: int, padding: str
               ) -> int | None:
    """The output length of a conv/pool window along one axis (None stays None)."""
    if length is None:
        return None
    if padding == "same":
        return -(-length // stride)
    effective = dilation * (kernel - 1) + 1
    if padding == "causal":
        return -(-length // stride)
    return max((length - effective) // stride + 1, 0)


def to_channels_first(x: Tensor, fmt: str) -> Tensor:
    """(N, *spatial, C) -> (N, C, *spatial) view when fmt is channels_last."""
    if fmt == "channels_first":
        return x
    nd = x.ndim
    return x.permute(0, nd - 1, *range(1, nd - 1))


def to_channels_last(y: Tensor, fmt: str) -> Tensor:
    """(N, C, *spatial) -> (N, *spatial, C) view when fmt is channels_last."""
    if fmt == "channels_first":
        return y
    nd = y.ndim
    return y.permute(0, *range(2, nd), 1)


def channels(input_shape: tuple, fmt: str, owner: str, rank: int) -> int:
    """The channel count of a (N, *spatial, C) or (N, C, *spatial) input shape."""
    if len(input_shape) != rank + 2:
        raise ValueError(f"{owner}: expected an input of rank {rank + 2} (batch, "
                         f"{'spatial..., channels' if fmt == 'channels_last' else 'channels, '}"
                         f"{'' if fmt == 'channels_last' else 'spatial...'}), received "
                         f"input_shape={tuple(input_shape)}")
    c = input_shape[-1] if fmt == "channels_last" else input_shape[1]
    if c is None:
        raise ValueError(f"{owner}: the channel dimension of the inputs should be defined, "
                         f"received input_shape={tuple(input_shape)}")
    return int(c)


def spatial(shape: tuple, fmt: str) -> tuple:
    return tuple(shape[1:-1]) if fmt == "channels_last" else tuple(shape[2:])


def with_spatial(shape: tuple, fmt: str, dims: tuple, c: int | None) -> tuple:
    """An output shape from the batch size, new spatial dims and the channel count."""
    if fmt == "channels_last":
        return (shape[0], *dims, c)
    return (shape[0], c, *dims)


def check_input(owner: str, x: Tensor, rank: int, fmt: str, c: int | None = None) -> None:
    """Loud check of a call's input rank (and channel count when c is given)."""
    if x.ndim != rank + 2:
        raise ValueError(f"{owner}: expected inputs of rank {rank + 2} ({fmt}), received "
                         f"inputs of shape {tuple(x.shape)}")
    if c is not None:
        got = x.shape[-1] if fmt == "channels_last" else x.shape[1]
        if got != c:
            raise ValueError(f"{owner}: expected {c} input channels ({fmt}), received inputs "
                             f"of shape {tuple(x.shape)}")
