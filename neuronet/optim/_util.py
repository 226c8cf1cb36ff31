"""Array kernels and argument checks shared by the optimizers.

Every kernel works in place on NumPy arrays with `out=` (no temporaries); the optimizers call
them on `p._data`, their state arrays and scratch buffers from `Optimizer._params_with_grad`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor


def _scalar_dtype() -> np.dtype:
    """The dtype of the `step` counters: float64 if that is the default dtype, else float32."""
    return np.dtype(np.float64) if _dt.get_default_dtype() is _dt.float64 else np.dtype(np.float32)


def _new_step() -> Tensor:
    return Tensor._wrap(np.zeros((), dtype=_scalar_dtype()))


def _advance(step: Tensor) -> float:
    """t <- t + 1 in the state's counter; returns the new t as a Python float."""
    arr = step._data
    t = float(arr) + 1.0
    arr[()] = t  # 20x cheaper than `arr += 1` on a 0-d array; same rounding in arr's dtype
    return float(arr)


def _zeros_like(p: Tensor) -> Tensor:
    return Tensor._wrap(np.zeros_like(p._data, order="C"))


def _grad_array(name: str, p: Tensor) -> np.ndarray:
    g = p.grad._data
    if g.shape != p._data.shape:
        raise RuntimeError(
            f"{name}.step: a parameter of shape {tuple(p._data.shape)} has a gradient of shape "
            f"{tuple(g.shape)}; they must match"
        )
    return g


def _effective_grad(g: np.ndarray, param: np.ndarray, weight_decay: float, maximize: bool,
                    out: np.ndarray) -> np.ndarray:
    """g <- (-g if maximize else g) + weight_decay * param, in `out` unless g is unchanged."""
    if weight_decay != 0:
        np.multiply(param, weight_decay, out=out)
        if maximize:
            np.subtract(out, g, out=out)
        else:
            np.add(g, out, out=out)
        return out
    if maximize:
        np.negative(g, out=out)
        return out
    return g


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
    """start <- start + weight * (end - start), in place, with PyTorch's two-branch rounding."""
    np.subtract(end, start, out=tmp)
    if weight < 0.5:
        tmp *= weight
        start += tmp
    else:
        tmp *= 1.0 - weight
        np.subtract(end, tmp, out=start)


def _ema_sq_(avg: np.ndarray, x: np.ndarray, beta: float, tmp: np.ndarray) -> None:
    """avg <- beta * avg + (1 - beta) * x**2, in place (PyTorch's rounding order)."""
    np.multiply(x, x, out=tmp)
    tmp *= 1.0 - beta
    avg *= beta
    avg += tmp


def _check_options(name: str, foreach: Any, fused: Any, capturable: bool,
                   differentiable: bool) -> None:
    """`foreach`/`fused` pick among PyTorch kernels with equal maths: accepted, no effect."""
    if capturable:
        raise ValueError(
            f"{name}: capturable=True is for CUDA graph capture; neuronet runs on the CPU, "
            "use capturable=False"
        )
    if differentiable:
        raise ValueError(
            f"{name}: differentiable=True (a step that records the graph) is not supported; "
            "use differentiable=False"
        )
    for key, value in (("foreach", foreach), ("fused", fused)):
        if value not in (None, True, False):
            raise ValueError(f"{name}: {key} must be None, True or False, received {value!r}")


def _check_nonneg(name: str, **values: Any) -> None:
    for key, value in values.items():
        if not float(value) >= 0.0:
            raise ValueError(f"{name}: invalid {key}: must be >= 0, received {key}={value}")


def _check_betas(name: str, betas: Any) -> tuple[float, float]:
    try:
        beta1, beta2 = (float(b) for b in betas)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name}: betas must be a pair of floats (beta1, beta2), received betas={betas!r}"
        ) from None
    for i, b in enumerate((beta1, beta2)):
        if not 0.0 <= b < 1.0:
            raise ValueError(
                f"{name}: invalid beta parameter at index {i}: must be in [0, 1), "
                f"received betas={tuple(betas)}"
            )
    return beta1, beta2
