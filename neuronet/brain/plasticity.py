"""Local learning rules: each updates a layer's weights in place from the activity on its two
sides alone, with no backpropagated error (optimizer-like: build once, call `step`).

W is (out, in) as in `nn.Linear` (y = x W^T); pre x: (N, in), post y: (N, out); each rule
averages its update over the N samples of the batch.

    Hebbian  dW = eta * y^T x / N;  then each row w_i <- w_i / ||w_i|| (normalize=True), the
             normalisation that keeps pure Hebbian growth bounded (Hebb 1949)
    Oja      dW = eta / N * (y^T x - diag(sum_n y_n**2) W)    (Oja 1982: the decay term makes
             ||w|| -> 1 and w -> the first principal component of x)
    Sanger   dW = eta / N * (y^T x - tril(y^T y) W)           (Sanger 1989, the generalized
             Hebbian algorithm: row i learns the i-th principal component)
    BCM      dW = eta / N * (y * (y - theta))^T x,  theta <- theta + (mean_n y**2 - theta) / tau
             (Bienenstock, Cooper & Munro 1982: a sliding threshold; above it, potentiation)
    STDP     pair-based, with exponential traces (Song, Miller & Abbott 2000; Morrison 2008):
             x_pre  <- x_pre  * exp(-1 / tau_plus)  + s_pre     (each step)
             x_post <- x_post * exp(-1 / tau_minus) + s_post
             dW = a_plus * s_post^T x_pre - a_minus * x_post_before^T s_pre,  W clipped to
             [w_min, w_max]: a post spike potentiates by the pre trace (pre before post), a pre
             spike depresses by the post trace (post before pre); for a single pair at lag
             dt = t_post - t_pre: dw = a_plus exp(-dt / tau_plus) for dt >= 0,
             -a_minus exp(dt / tau_minus) for dt < 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..nn.modules.module import Module
from ..tensor import Tensor

__all__ = ["BCM", "STDP", "Hebbian", "LocalRule", "Oja", "Sanger"]


def _weight(owner: str, target: Any) -> Tensor:
    w = target.weight if isinstance(target, Module) else target
    if not isinstance(w, Tensor) or w.dim() != 2 or not w.is_floating_point():
        raise ValueError(f"{owner}: expected a 2-D floating-point weight (out, in) or a module "
                         f"with one (nn.Linear), received "
                         f"{tuple(w.shape) if isinstance(w, Tensor) else type(w).__name__}")
    return w


def _positive(owner: str, **values: Any) -> None:
    for key, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
            raise ValueError(f"{owner}: {key} must be a positive number, received {key}={v!r}")


class LocalRule:
    """Base of the local rules: holds the weight, checks activity shapes, writes in place."""

    def __init__(self, target: Any, lr: float) -> None:
        self.weight = _weight(type(self).__name__, target)
        _positive(type(self).__name__, lr=lr)
        self.lr = float(lr)

    def _activity(self, pre: Any, post: Any) -> tuple[np.ndarray, np.ndarray]:
        w = self.weight._data
        x = np.asarray(pre._data if isinstance(pre, Tensor) else pre, dtype=w.dtype)
        x = x.reshape(1, -1) if x.ndim == 1 else x
        if x.ndim != 2 or x.shape[1] != w.shape[1]:
            raise ValueError(f"{type(self).__name__}.step: expected pre activity (N, {w.shape[1]})"
                             f" for a weight {w.shape}, received shape {x.shape}")
        if post is None:
            y = x @ w.T
        else:
            y = np.asarray(post._data if isinstance(post, Tensor) else post, dtype=w.dtype)
            y = y.reshape(1, -1) if y.ndim == 1 else y
        if y.shape != (x.shape[0], w.shape[0]):
            raise ValueError(f"{type(self).__name__}.step: expected post activity "
                             f"({x.shape[0]}, {w.shape[0]}), received shape {y.shape}")
        return x, y

    def _apply(self, dw: np.ndarray) -> None:
        self.weight._data += dw.astype(self.weight._data.dtype, copy=False)
        self.weight._version += 1

    def step(self, pre: Any, post: Any = None) -> None:
        """Update the weight from pre (N, in) and post (N, out) activity (post None: the
        linear response y = x W^T)."""
        x, y = self._activity(pre, post)
        self._apply(self.delta(x, y))

    def delta(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must define delta(x, y)")


class Hebbian(LocalRule):
    """dW = eta * y^T x / N, rows renormalised to unit length (normalize=True)."""

    def __init__(self, target: Any, lr: float = 0.01, normalize: bool = True) -> None:
        super().__init__(target, lr)
        self.normalize = bool(normalize)

    def step(self, pre: Any, post: Any = None) -> None:
        super().step(pre, post)
        if self.normalize:
            w = self.weight._data
            w /= np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1e-12)

    def delta(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.lr * (y.T @ x) / len(x)


class Oja(LocalRule):
    """dW = eta / N * (y^T x - diag(sum_n y_n**2) W)."""

    def __init__(self, target: Any, lr: float = 0.01) -> None:
        super().__init__(target, lr)

    def delta(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        w = self.weight._data
        return self.lr / len(x) * (y.T @ x - (y * y).sum(0)[:, None] * w)


class Sanger(LocalRule):
    """dW = eta / N * (y^T x - tril(y^T y) W)  (the generalized Hebbian algorithm)."""

    def __init__(self, target: Any, lr: float = 0.01) -> None:
        super().__init__(target, lr)

    def delta(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        w = self.weight._data
        return self.lr / len(x) * (y.T @ x - np.tril(y.T @ y) @ w)


class BCM(LocalRule):
    """dW = eta / N * (y (y - theta))^T x, theta (one per output) slides toward mean y**2.

    Args: lr (eta); tau: the threshold's averaging time in steps; theta: its initial value."""

    def __init__(self, target: Any, lr: float = 0.01, tau: float = 10.0,
                 theta: float = 0.0) -> None:
        super().__init__(target, lr)
        _positive("BCM", tau=tau)
        self.tau = float(tau)
        self.theta = np.full(self.weight.shape[0], float(theta), np.float64)

    def delta(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        dw = self.lr / len(x) * ((y * (y - self.theta)).T @ x)
        self.theta += ((y * y).mean(0) - self.theta) / self.tau
        return dw


class STDP(LocalRule):
    """Pair-based STDP with exponential traces; `step(pre_spikes, post_spikes)` once per time
    step with (N, in) and (N, out) arrays of 0/1. See the module docstring for the rule.

    Args:
        a_plus, a_minus: potentiation / depression amplitudes.
        tau_plus, tau_minus: the potentiation / depression windows, in steps.
        w_min, w_max: the weight bounds (None: unbounded).
        trace: 'all' (x <- x + s: every earlier spike pairs with each new one) or 'nearest'
            (x <- 1 at a spike: only the nearest earlier spike counts, as Masquelier 2008).
    """

    def __init__(self, target: Any, a_plus: float = 0.01, a_minus: float = 0.012,
                 tau_plus: float = 20.0, tau_minus: float = 20.0, w_min: float | None = 0.0,
                 w_max: float | None = 1.0, trace: str = "all") -> None:
        super().__init__(target, lr=1.0)
        if trace not in ("all", "nearest"):
            raise ValueError(f"STDP: trace must be 'all' or 'nearest', received trace={trace!r}")
        self.trace = trace
        _positive("STDP", a_plus=a_plus, a_minus=a_minus, tau_plus=tau_plus,
                  tau_minus=tau_minus)
        self.a_plus, self.a_minus = float(a_plus), float(a_minus)
        self.tau_plus, self.tau_minus = float(tau_plus), float(tau_minus)
        self.w_min, self.w_max = w_min, w_max
        self.pre_trace: np.ndarray | None = None
        self.post_trace: np.ndarray | None = None

    def reset(self) -> None:
        """Forget the traces (between independent presentations)."""
        self.pre_trace = self.post_trace = None

    def _add(self, trace: np.ndarray, spikes: np.ndarray) -> None:
        if self.trace == "all":
            trace += spikes
        else:
            np.maximum(trace, spikes, out=trace)  # x <- 1 at a spike

    def step(self, pre: Any, post: Any = None) -> None:
        if post is None:
            raise ValueError("STDP.step: needs both pre and post spikes")
        s_pre, s_post = self._activity(pre, post)
        if self.pre_trace is None or self.pre_trace.shape != s_pre.shape:
            self.pre_trace, self.post_trace = np.zeros_like(s_pre), np.zeros_like(s_post)
        self.pre_trace *= math.exp(-1.0 / self.tau_plus)
        self._add(self.pre_trace, s_pre)
        self.post_trace *= math.exp(-1.0 / self.tau_minus)
        # depression uses the post trace before this step's post spikes (post strictly first)
        ltd = self.post_trace.T @ s_pre
        self._add(self.post_trace, s_post)
        ltp = s_post.T @ self.pre_trace
        self._apply((self.a_plus * ltp - self.a_minus * ltd) / len(s_pre))
        if self.w_min is not None or self.w_max is not None:
            np.clip(self.weight._data, self.w_min, self.w_max, out=self.weight._data)
