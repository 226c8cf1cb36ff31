"""Adam and AdamW: adaptive moment estimation, with L2 or decoupled weight decay."""

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


class Adam(Optimizer):
    """Adam, as `torch.optim.Adam` (Kingma & Ba, "Adam: A Method for Stochastic Optimization",
    ICLR 2015; AMSGrad from Reddi et al., "On the Convergence of Adam and Beyond", ICLR 2018).

    Formula (step t = 1, 2, ...; g = dL/dparam; m, v start at 0):
        g <- -g if maximize
        param <- param * (1 - lr * weight_decay)   if decoupled_weight_decay   (AdamW)
        g <- g + weight_decay * param              otherwise (L2 penalty)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        v_max <- max(v_max, v);  v <- v_max         if amsgrad
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        param <- param - lr * m_hat / (sqrt(v_hat) + eps)

    eps is added after the square root of the bias-corrected v (PyTorch's placement). The code
    moves both bias corrections into scalars, one pass fewer over the arrays:
        lr * m_hat / (sqrt(v_hat) + eps)
            = (lr * sqrt(1 - beta2**t) / (1 - beta1**t)) * m / (sqrt(v) + eps * sqrt(1 - beta2**t))

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 1e-3).
        betas: (beta1, beta2), decay rates of m and v (default (0.9, 0.999)).
        eps: added to the denominator for numerical stability (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        amsgrad: use the AMSGrad variant (default False).
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: shrink the weights directly (AdamW) instead of adding an L2
            term to the gradient.
        foreach, fused: accepted for PyTorch compatibility; no effect.
        capturable, differentiable: must be False.

    Example:
        >>> import neuronet
        >>> from neuronet.optim import Adam
        >>> w = neuronet.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> w.grad = neuronet.tensor([3.0, -0.5])
        >>> opt.step()   # the first step moves each weight by about lr, against the gradient
        >>> w
        tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    _param_shaped_state = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        name = type(self).__name__
        _check_nonneg(name, lr=lr, eps=eps, weight_decay=weight_decay)
        betas = _check_betas(name, betas)
        _check_options(name, foreach, fused, capturable, differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
            "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
            "capturable": capturable, "differentiable": differentiable, "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["exp_avg"] = _zeros_like(p)
        state["exp_avg_sq"] = _zeros_like(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_like(p)

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        amsgrad = group["amsgrad"]
        decoupled = group["decoupled_weight_decay"]
        for param, g, state, (s1,) in self._params_with_grad(group, 1, decoupled):
            t = _advance(state["step"])
            m = state["exp_avg"]._data
            v = state["exp_avg_sq"]._data
            _lerp_(m, g, 1.0 - beta1, s1)  # m = beta1 * m + (1 - beta1) * g
            _ema_sq_(v, g, beta2, s1)  # v = beta2 * v + (1 - beta2) * g**2
            if amsgrad:
                v_max = state["max_exp_avg_sq"]._data
                np.maximum(v_max, v, out=v_max)
                v = v_max
            # param = param - lr * m_hat / (sqrt(v_hat) + eps), with both bias corrections
            # moved into scalars: (lr * sqrt(bc2) / bc1) * m / (sqrt(v) + eps * sqrt(bc2))
            bias_correction1 = 1.0 - beta1**t
            bias_correction2_sqrt = (1.0 - beta2**t) ** 0.5
            np.sqrt(v, out=s1)
            s1 += eps * bias_correction2_sqrt
            np.divide(m, s1, out=s1)
            s1 *= lr / bias_correction1 * bias_correction2_sqrt
            param -= s1


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay, as `torch.optim.AdamW` (Loshchilov & Hutter,
    "Decoupled Weight Decay Regularization", ICLR 2019).

    Formula (step t; g = dL/dparam; m, v start at 0):
        g <- -g if maximize
        param <- param * (1 - lr * weight_decay)   (the decay never enters m or v)
        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        v_max <- max(v_max, v);  v <- v_max         if amsgrad
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        param <- param - lr * m_hat / (sqrt(v_hat) + eps)

    Args: as `Adam`, with weight_decay defaulting to 1e-2 and decoupled_weight_decay fixed to
    True.

    Example:
        >>> import neuronet
        >>> from neuronet.optim import AdamW
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = neuronet.tensor([0.0])
        >>> opt.step()   # zero gradient: only the decay acts, w * (1 - 0.1 * 0.5)
        >>> round(w.item(), 4)
        0.95
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
