"""Adadelta: step sizes from running averages of squared gradients and squared updates."""

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
    _new_step,
    _zeros_like,
)
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta, as `torch.optim.Adadelta` (Zeiler, "ADADELTA: An Adaptive Learning Rate
    Method", 2012).

    Formula (g = dL/dparam; v, u start at 0):
        g <- -g if maximize
        g <- g + weight_decay * param
        v <- rho * v + (1 - rho) * g**2
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u <- rho * u + (1 - rho) * delta**2
        param <- param - lr * delta

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: coefficient that scales delta (default 1.0).
        rho: decay rate of the running averages (default 0.9).
        eps: added inside both square roots for numerical stability (default 1e-6).
        weight_decay: L2 penalty coefficient (default 0).
        maximize: maximize the objective instead of minimizing it.
        foreach: accepted for PyTorch compatibility; no effect.
        capturable, differentiable: must be False.

    State: `step`, `square_avg` (v), `acc_delta` (u).

    Example:
        >>> import neuronet
        >>> from neuronet.optim import Adadelta
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = Adadelta([w], rho=0.75, eps=1e-2)
        >>> w.grad = neuronet.tensor([2.0])
        >>> opt.step()   # v = 1, delta = sqrt(0.01) / sqrt(1.01) * 2
        >>> round(w.item(), 4)
        0.801
    """

    _param_shaped_state = ("square_avg", "acc_delta")

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg("Adadelta", lr=lr, eps=eps, weight_decay=weight_decay)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: invalid rho: must be in [0, 1], received rho={rho}")
        _check_options("Adadelta", foreach, None, capturable, differentiable)
        defaults = {
            "lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize, "capturable": capturable, "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["square_avg"] = _zeros_like(p)
        state["acc_delta"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        rho = float(group["rho"])
        eps = float(group["eps"])
        for param, g, state, (s1, s2) in self._params_with_grad(group, 2):
            _advance(state["step"])
            v = state["square_avg"]._data
            u = state["acc_delta"]._data
            _ema_sq_(v, g, rho, s1)  # v = rho * v + (1 - rho) * g**2
            np.add(v, eps, out=s1)  # std = sqrt(v + eps)
            np.sqrt(s1, out=s1)
            np.add(u, eps, out=s2)  # delta = sqrt(u + eps) / std * g
            np.sqrt(s2, out=s2)
            s2 /= s1
            s2 *= g
            _ema_sq_(u, s2, rho, s1)  # u = rho * u + (1 - rho) * delta**2
            s2 *= lr  # param = param - lr * delta
            param -= s2
