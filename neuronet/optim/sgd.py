"""Stochastic gradient descent, optionally with (Nesterov) momentum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._util import (
    _check_nonneg,
    _check_options,
)
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as `torch.optim.SGD`.

    Formula (per step, g = dL/dparam):
        g <- -g if maximize
        g <- g + weight_decay * param                    (L2 penalty, if weight_decay != 0)
        if momentum != 0:
            b <- g                                       (first step)
            b <- momentum * b + (1 - dampening) * g      (later steps)
            g <- g + momentum * b  if nesterov  else  b
        param <- param - lr * g

    Momentum: Polyak (1964); the Nesterov form follows Sutskever et al., "On the importance of
    initialization and momentum in deep learning" (ICML 2013).

    Args:
        params: iterable of Tensors or of parameter-group dicts.
        lr: learning rate (default 1e-3, PyTorch 2.13's default).
        momentum: momentum factor (default 0).
        dampening: dampening of the gradient's share in the momentum (default 0).
        weight_decay: L2 penalty coefficient (default 0).
        nesterov: use Nesterov momentum (needs momentum > 0 and dampening = 0).
        maximize: maximize the objective instead of minimizing it.
        foreach, fused: accepted for PyTorch compatibility; no effect (one NumPy kernel).
        differentiable: must be False.

    Example:
        >>> import neuronet
        >>> from neuronet.optim import SGD
        >>> w = neuronet.tensor([1.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     w.grad = neuronet.tensor([1.0])
        ...     opt.step()
        >>> round(w.item(), 4)   # 1 - 0.1 * 1 - 0.1 * 1.9
        0.71
    """

    _param_shaped_state = ("momentum_buffer",)

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_nonneg("SGD", lr=lr, momentum=momentum, weight_decay=weight_decay)
        _check_options("SGD", foreach, fused, False, differentiable)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "SGD: Nesterov momentum requires a momentum and zero dampening, received "
                f"momentum={momentum}, dampening={dampening}"
            )
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening,
            "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
            "foreach": foreach, "differentiable": differentiable, "fused": fused,
        }
        super().__init__(params, defaults)

    def _init_state(self, state: dict[str, Any], p: Tensor, group: dict[str, Any]) -> None:
        """Nothing before the first step: the momentum buffer starts as that step's g."""

    def _step_group(self, group: dict[str, Any]) -> None:
        lr = float(group["lr"])
        momentum = float(group["momentum"])
        dampening = float(group["dampening"])
        nesterov = group["nesterov"]
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        # without momentum SGD keeps no state (as PyTorch): no entry in self.state
        with_state = momentum != 0
        for param, g, state, (s1,) in self._params_with_grad(group, 1, with_state=with_state):
            if momentum != 0:
                buf = state.get("momentum_buffer")
                if buf is None:  # first step: b = g
                    state["momentum_buffer"] = buf = Tensor._wrap(np.array(g, param.dtype))
                    b = buf._data
                else:  # b = momentum * b + (1 - dampening) * g
                    b = buf._data
                    b *= momentum
                    if dampening != 0:
                        np.multiply(g, 1.0 - dampening, out=s1)
                        b += s1
                    else:
                        b += g
                if nesterov:  # g = g + momentum * b
                    np.multiply(b, momentum, out=s1)
                    np.add(g, s1, out=s1)
                    g = s1
                else:
                    g = b
            # param = param - lr * g
            np.multiply(g, lr, out=s1)
            np.subtract(param, s1, out=param)
