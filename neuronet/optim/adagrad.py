"""Adagrad: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import (
    _advance,
    _check_nonneg,
    _check_options,
    _new_step,
)
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad, as `torch.optim.Adagrad` (Duchi, Hazan & Singer, "Adaptive Subgradient Methods
    for Online Learning and Stochastic Optimization", JMLR 2011).

    Formula (step t = 1, 2, ...; g = dL/dparam; s starts at initial_accumulator_value):
        g <- -g if maximize
        g <- g + weight_decay * param
        clr = lr / (1 + (t - 1) * lr_decay)
        s <- s + g**2
        param <- param - clr * g / (sqrt(s) + eps)

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 1e-2).
        lr_decay: learning-rate decay per step (default 0).
        weight_decay: L2 penalty coefficient (default 0).
        initial_accumulator_value: starting value of s (default 0).
        eps: added to the denominator for numerical stability (default 1e-10).
        maximize: maximize the objective instead of minimizing it.
        foreach, fused: accepted for PyTorch compatibility; no effect.
        differentiable: must be False.

    The state (`step`, `sum`) is created for every parameter in the constructor, as in
    PyTorch.

    Example:
        >>> import neuronet
        >>> from neuronet.optim import Adagrad
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = Adagrad([w], lr=0.5)
        >>> w.grad = neuronet.tensor([2.0])
        >>> opt.step()   # 1 - 0.5 * 2 / sqrt(4)
        >>> round(w.item(), 4)
        0.5
    """

    _param_shaped_state = ("sum",)

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonneg("Adagrad", lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                      initial_accumulator_value=initial_accumulator_value, eps=eps)
        _check_options("Adagrad", foreach, fused, False, differentiable)
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p, group)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        state["step"] = _new_step()
        state["sum"] = Tensor._wrap(
            np.full_like(p._data, group["initial_accumulator_value"], order="C")
        )

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        lr_decay = float(group["lr_decay"])
        eps = float(group["eps"])
        for param, g, state, (s1,) in self._params_with_grad(group, 1):
            t = _advance(state["step"])
            s = state["sum"]._data
            clr = lr / (1 + (t - 1) * lr_decay)
            np.multiply(g, g, out=s1)  # s = s + g**2
            s += s1
            np.sqrt(s, out=s1)  # std = sqrt(s) + eps
            s1 += eps
            np.divide(g, s1, out=s1)  # param = param - clr * g / std
            s1 *= clr
            param -= s1
