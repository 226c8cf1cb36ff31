"""Gradient clipping, in place on `.grad`.

    clip_grad_norm_   total = norm of the vector of all gradients (p-norm, or max for inf);
                      every grad *= min(1, max_norm / (total + 1e-6))
    clip_grad_value_  every grad element clamped to [-clip_value, clip_value]
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...tensor import Tensor


def _grads(parameters: Any) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale all gradients together so that their total norm is at most max_norm.

    Returns the total norm of the original gradients as a 0-d tensor (in the gradients'
    dtype). NumPy work only: no graph is recorded.

    Example:
        >>> import neuronet as nt
        >>> p = nt.nn.Parameter(nt.zeros(2)); p.grad = nt.tensor([3.0, 4.0])
        >>> nt.nn.utils.clip_grad_norm_([p], 1.0).item()
        5.0
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return Tensor._wrap(np.array(0.0, np.float32))
    dt = grads[0]._data.dtype
    if math.isinf(norm_type):
        total = max(float(np.abs(g._data).max()) if g._data.size else 0.0 for g in grads)
    else:
        per = [np.sum(np.abs(g._data.astype(np.float64, copy=False)) ** norm_type)
               for g in grads] if norm_type != 2.0 else \
            [float(np.dot(g._data.ravel(), g._data.ravel())) for g in grads]
        total = float(sum(per)) ** (1.0 / norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    coef = max_norm / (total + 1e-6)
    if coef < 1.0 or math.isnan(coef):
        for g in grads:
            g._data *= g._data.dtype.type(coef)
    return Tensor._wrap(np.array(total, dtype=dt))


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)


def clip_grad_norm(parameters: Any, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated alias of clip_grad_norm_."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)
