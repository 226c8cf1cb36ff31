"""NAdam: Adam with Nesterov momentum."""

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
    _scalar_dtype,
    _zeros_like,
)
from .optimizer import Optimizer


class NAdam(Optimizer):
    """NAdam, as `torch.optim.NAdam` (Dozat, "Incorporating Nesterov Momentum into Adam",
    ICLR 2016 workshop; decoupled weight decay as in AdamW).

    Formula (step t = 1, 2, ...; g = dL/dparam; m, v start at 0, mu_product at 1):
        g <- -g if maximize
        param <- param * (1 - lr * weight_decay)   if decoupled_weight_decay
        g <- g + weight_decay * param              otherwise
        mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))
        mu_next = beta1 * (1 - 0.5 * 0.96**((t + 1) * momentum_decay))
        mu_product <- mu_product * mu_t             (kept in the step counter's dtype)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        v_hat = v / (1 - beta2**t)
        denom = sqrt(v_hat) + eps
        param <- param - lr * (1 - mu_t) / (1 - mu_product) * g / denom
        param <- param - lr * mu_next / (1 - mu_product * mu_next) * m / denom

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 2e-3).
        betas: (beta1, beta2) (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        momentum_decay: psi, the decay of the momentum schedule mu_t (default 4e-3).
        decoupled_weight_decay: shrink the weights directly (NAdamW) instead of an L2 term.
        maximize: maximize the objective instead of minimizing it.
        foreach: accepted for PyTorch compatibility; no effect.
        capturable, differentiable: must be False.

    State: `step`, `mu_product`, `exp_avg` (m), `exp_avg_sq` (v). `mu_product` is a scalar in
    the step counter's dtype (float32 unless the default dtype is float64), as in PyTorch;
    unlike PyTorch, `load_state_dict` keeps that dtype instead of casting it to the
    parameter's, so a reloaded run continues exactly as the uninterrupted one.

    Example:
        >>> import neuronet
        >>> from neuronet.optim import NAdam
        >>> w = neuronet.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = NAdam([w], lr=0.1)
        >>> w.grad = neuronet.tensor([2.0, -2.0])
        >>> opt.step()   # the Nesterov look-ahead moves a bit more than lr on step one
        >>> w
        tensor([ 0.8944, -0.8944], requires_grad=True)
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq")
    _counter_state = ("step", "mu_product")

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_nonneg("NAdam", lr=lr, eps=eps, weight_decay=weight_decay,
                      momentum_decay=momentum_decay)
        betas = _check_betas("NAdam", betas)
        _check_options("NAdam", foreach, None, capturable, differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["mu_product"] = Tensor._wrap(np.ones((), dtype=_scalar_dtype()))
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        momentum_decay = float(group["momentum_decay"])
        decoupled = group["decoupled_weight_decay"]
        for param, g, state, (s1, s2) in self._params_with_grad(group, 2, decoupled):
            t = _advance(state["step"])
            m = state["exp_avg"]._data
            v = state["exp_avg_sq"]._data
            mu_product = state["mu_product"]._data
            bias_correction2 = 1.0 - beta2**t
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
            mu_product *= mu
            mu_product_t = float(mu_product)
            mu_product_next = mu_product_t * mu_next
            _lerp_(m, g, 1.0 - beta1, s1)  # m = beta1 * m + (1 - beta1) * g
            _ema_sq_(v, g, beta2, s1)  # v = beta2 * v + (1 - beta2) * g**2
            np.divide(v, bias_correction2, out=s1)  # denom = sqrt(v_hat) + eps
            np.sqrt(s1, out=s1)
            s1 += eps
            np.divide(g, s1, out=s2)  # the gradient's (Nesterov) share
            s2 *= lr * (1.0 - mu) / (1.0 - mu_product_t)
            param -= s2
            np.divide(m, s1, out=s2)  # the momentum's share
            s2 *= lr * mu_next / (1.0 - mu_product_next)
            param -= s2
