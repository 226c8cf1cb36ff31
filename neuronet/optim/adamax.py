"""Adamax: Adam with the infinity norm in place of the second moment."""

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
    _lerp_,
    _new_step,
    _zeros_like,
)
from .optimizer import Optimizer


class Adamax(Optimizer):
    """Adamax, as `torch.optim.Adamax` (Kingma & Ba, "Adam: A Method for Stochastic
    Optimization", ICLR 2015, section 7.1).

    Formula (step t = 1, 2, ...; g = dL/dparam; m, u start at 0):
        g <- -g if maximize
        g <- g + weight_decay * param
        m <- beta1 * m + (1 - beta1) * g
        u <- max(beta2 * u, |g| + eps)
        m_hat = m / (1 - beta1**t)
        param <- param - lr * m_hat / u

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 2e-3).
        betas: (beta1, beta2) (default (0.9, 0.999)).
        eps: added to |g| for numerical stability (default 1e-8).
        weight_decay: L2 penalty coefficient (default 0).
        maximize: maximize the objective instead of minimizing it.
        foreach: accepted for PyTorch compatibility; no effect.
        capturable, differentiable: must be False.

    State: `step`, `exp_avg` (m), `exp_inf` (u).

    Example:
        >>> import neuronet
        >>> from neuronet.optim import Adamax
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = Adamax([w], lr=0.1)
        >>> w.grad = neuronet.tensor([-4.0])
        >>> opt.step()   # m_hat = -4, u = 4
        >>> round(w.item(), 4)
        1.1
    """

    _param_shaped_state = ("exp_avg", "exp_inf")

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_nonneg("Adamax", lr=lr, eps=eps, weight_decay=weight_decay)
        betas = _check_betas("Adamax", betas)
        _check_options("Adamax", foreach, None, capturable, differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["exp_avg"] = _zeros_like(p)
        state["exp_inf"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        for param, g, state, (s1,) in self._params_with_grad(group, 1):
            t = _advance(state["step"])
            m = state["exp_avg"]._data
            u = state["exp_inf"]._data
            _lerp_(m, g, 1.0 - beta1, s1)  # m = beta1 * m + (1 - beta1) * g
            u *= beta2  # u = max(beta2 * u, |g| + eps)
            np.abs(g, out=s1)
            s1 += eps
            np.maximum(u, s1, out=u)
            clr = lr / (1.0 - beta1**t)  # param = param - lr * m_hat / u
            np.divide(m, u, out=s1)
            s1 *= clr
            param -= s1
