"""RAdam: Adam with a rectified (variance-corrected) adaptive learning rate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import (
    _advance,
    _check_betas,
    _check_nonneg,
    _check_options,
    _ema_sq_,
    _lerp_,
    _new_step,
    _zeros_like,
)
from .optimizer import Optimizer


class RAdam(Optimizer):
    """RAdam, as `torch.optim.RAdam` (Liu et al., "On the Variance of the Adaptive Learning
    Rate and Beyond", ICLR 2020).

    Formula (step t = 1, 2, ...; g = dL/dparam; m, v start at 0):
        g <- -g if maximize
        param <- param * (1 - lr * weight_decay)   if decoupled_weight_decay
        g <- g + weight_decay * param              otherwise
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho_t > 5:
            r_t = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                       / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            adaptive = sqrt(1 - beta2**t) / (sqrt(v) + eps)
            param <- param - lr * m_hat * adaptive * r_t
        else:
            param <- param - lr * m_hat                (plain momentum while variance is wild)

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 1e-3).
        betas: (beta1, beta2) (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        decoupled_weight_decay: shrink the weights directly (as AdamW) instead of an L2 term.
        maximize: maximize the objective instead of minimizing it.
        foreach: accepted for PyTorch compatibility; no effect.
        capturable, differentiable: must be False.

    State: `step`, `exp_avg` (m), `exp_avg_sq` (v).

    Example:
        >>> import neuronet
        >>> from neuronet.optim import RAdam
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = RAdam([w], lr=0.1)
        >>> w.grad = neuronet.tensor([2.0])
        >>> opt.step()   # rho_1 = 1 <= 5: w = 1 - 0.1 * m_hat = 1 - 0.1 * 2
        >>> round(w.item(), 4)
        0.8
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq")

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg("RAdam", lr=lr, eps=eps, weight_decay=weight_decay)
        betas = _check_betas("RAdam", betas)
        _check_options("RAdam", foreach, None, capturable, differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        decoupled = group["decoupled_weight_decay"]
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        for param, g, state, (s1,) in self._params_with_grad(group, 1, decoupled):
            t = _advance(state["step"])
            m = state["exp_avg"]._data
            v = state["exp_avg_sq"]._data
            _lerp_(m, g, 1.0 - beta1, s1)  # m = beta1 * m + (1 - beta1) * g
            _ema_sq_(v, g, beta2, s1)  # v = beta2 * v + (1 - beta2) * g**2
            bias_correction1 = 1.0 - beta1**t
            bias_correction2 = 1.0 - beta2**t
            rho_t = rho_inf - 2.0 * t * beta2**t / bias_correction2
            if rho_t > 5.0:
                rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                # param = param - lr * m_hat * sqrt(1 - beta2**t) / (sqrt(v) + eps) * r_t
                np.sqrt(v, out=s1)
                s1 += eps
                np.divide(m, s1, out=s1)
                s1 *= lr / bias_correction1 * bias_correction2**0.5 * rect
            else:  # param = param - lr * m_hat
                np.multiply(m, lr / bias_correction1, out=s1)
            param -= s1
