"""RMSprop: gradients divided by a running root mean square of recent gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import (
    _advance,
    _check_nonneg,
    _check_options,
    _ema_sq_,
    _lerp_,
    _new_step,
    _zeros_like,
)
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, as `torch.optim.RMSprop` (Hinton, Coursera "Neural Networks for Machine
    Learning", lecture 6e, 2012; the centered form from Graves, "Generating Sequences With
    Recurrent Neural Networks", 2013).

    Formula (g = dL/dparam; v, g_avg, b start at 0):
        g <- -g if maximize
        g <- g + weight_decay * param
        v <- alpha * v + (1 - alpha) * g**2
        if centered:
            g_avg <- alpha * g_avg + (1 - alpha) * g
            denom = sqrt(v - g_avg**2) + eps
        else:
            denom = sqrt(v) + eps
        if momentum > 0:
            b <- momentum * b + g / denom
            param <- param - lr * b
        else:
            param <- param - lr * g / denom

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of v (default 0.99).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty coefficient (default 0).
        momentum: momentum factor (default 0).
        centered: normalize by an estimate of the gradient's variance (default False).
        maximize: maximize the objective instead of minimizing it.
        foreach: accepted for PyTorch compatibility; no effect.
        capturable, differentiable: must be False.

    State: `step`, `square_avg` (v), `momentum_buffer` (b, if momentum > 0), `grad_avg`
    (g_avg, if centered).

    Example:
        >>> import neuronet
        >>> from neuronet.optim import RMSprop
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.75, eps=0.0)
        >>> w.grad = neuronet.tensor([2.0])
        >>> opt.step()   # v = 0.25 * 4 = 1, so w = 1 - 0.01 * 2 / 1
        >>> round(w.item(), 4)
        0.98
    """

    _param_shaped_state = ("square_avg", "momentum_buffer", "grad_avg")

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0, momentum: float = 0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg("RMSprop", lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                      alpha=alpha)
        _check_options("RMSprop", foreach, None, capturable, differentiable)
        defaults = {
            "lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
            "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["square_avg"] = _zeros_like(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        alpha = float(group["alpha"])
        eps = float(group["eps"])
        momentum = float(group["momentum"])
        centered = group["centered"]
        for param, g, state, (s1,) in self._params_with_grad(group, 1):
            _advance(state["step"])
            v = state["square_avg"]._data
            _ema_sq_(v, g, alpha, s1)  # v = alpha * v + (1 - alpha) * g**2
            if centered:  # denom = sqrt(v - g_avg**2) + eps
                g_avg = state["grad_avg"]._data
                _lerp_(g_avg, g, 1.0 - alpha, s1)
                np.multiply(g_avg, g_avg, out=s1)
                np.subtract(v, s1, out=s1)
                np.sqrt(s1, out=s1)
            else:  # denom = sqrt(v) + eps
                np.sqrt(v, out=s1)
            s1 += eps
            np.divide(g, s1, out=s1)  # g / denom
            if momentum > 0:  # b = momentum * b + g / denom;  param = param - lr * b
                b = state["momentum_buffer"]._data
                b *= momentum
                b += s1
                np.multiply(b, lr, out=s1)
            else:
                s1 *= lr
            param -= s1
