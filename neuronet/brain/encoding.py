"""Spike encoders: turn an intensity or a signal into spike trains (T, N, ...) of 0s and 1s.

    rate      spike_t ~ Bernoulli(p),  p = clip(gain * x, 0, 1) each step (snnTorch's spikegen.rate)
    poisson   spike_t ~ Bernoulli(f_max * dt * x): a Poisson process of rate f_max * x
              sampled in bins of dt seconds (Norse's PoissonEncoder)
    latency   one spike per input at t = tau * log(x / (x - threshold)) for x > threshold
              (the RC charging time to threshold; stronger input fires earlier; x <= threshold
              never fires), or t = (1 - x) * (T - 1) with linear=True; times are normalised to
              fill the T steps with normalize=True
    delta     on a signal x: (T, N, ...), spike +1 where x_t - x_{t-1} >= threshold and, with
              off_spike=True, -1 where it falls by threshold or more (the first step compares
              with 0 when padding=False, with itself - no spike - when padding=True)

Every encoder is a pure function of the data (no gradient: encoding happens before the network)
and draws its random numbers from `generator` (a neuronet or NumPy generator) or the global one.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as nt_random
from ..tensor import Tensor


def _array(owner: str, data: Any) -> np.ndarray:
    arr = data._data if isinstance(data, Tensor) else np.asarray(data)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{owner}: expected numeric data, received dtype {arr.dtype}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float32)


def _steps(owner: str, num_steps: Any) -> int:
    if isinstance(num_steps, bool) or not isinstance(num_steps, int | np.integer) or \
            num_steps <= 0:
        raise ValueError(f"{owner}: num_steps must be a positive integer, received "
                         f"num_steps={num_steps!r}")
    return int(num_steps)


def rate(data: Any, num_steps: int, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Rate coding: (N, ...) intensities in [0, 1] -> (T, N, ...) Bernoulli spike trains.

    Example:
        >>> import neuronet as nt
        >>> rate(nt.tensor([0.0, 1.0]), num_steps=3).tolist()
        [[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]]
    """
    x = _array("rate", data)
    T = _steps("rate", num_steps)
    p = np.clip(x * gain, 0.0, 1.0)
    u = nt_random.rng(generator).random((T,) + x.shape, dtype=np.float64)
    return Tensor._wrap((u < p).astype(x.dtype))


def poisson(data: Any, num_steps: int, f_max: float = 100.0, dt: float = 1e-3,
            generator: Any = None) -> Tensor:
    """Poisson coding: spike with probability f_max * dt * x per bin of dt seconds."""
    if not f_max * dt <= 1.0 or f_max <= 0 or dt <= 0:
        raise ValueError(f"poisson: need f_max > 0, dt > 0 and f_max * dt <= 1 (one spike per "
                         f"bin at most), received f_max={f_max!r}, dt={dt!r}")
    return rate(data, num_steps, gain=f_max * dt, generator=generator)


def latency(data: Any, num_steps: int, tau: float = 5.0, threshold: float = 0.01,
            linear: bool = False, normalize: bool = False) -> Tensor:
    """Latency (time-to-first-spike) coding: (N, ...) -> (T, N, ...), one spike at most each.

    Example:
        >>> import neuronet as nt
        >>> latency(nt.tensor([1.0, 0.5, 0.0]), num_steps=3, linear=True).tolist()
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    x = _array("latency", data)
    T = _steps("latency", num_steps)
    if linear:
        times = (1.0 - np.clip(x, 0.0, 1.0)) * (T - 1)
        fires = np.ones(x.shape, bool)
    else:
        fires = x > threshold
        safe = np.where(fires, x, threshold + 1.0)
        times = tau * np.log(safe / (safe - threshold))
        if normalize and np.any(fires):
            t_max = times[fires].max()
            t_min = times[fires].min()
            span = t_max - t_min
            times = (times - t_min) / (span if span > 0 else 1.0) * (T - 1)
    steps = np.rint(times).astype(np.int64)
    fires &= steps < T
    out = np.zeros((T,) + x.shape, x.dtype)
    idx = np.nonzero(fires)
    out[(steps[idx],) + idx] = 1.0
    return Tensor._wrap(out)


def delta(data: Any, threshold: float = 0.1, padding: bool = False,
          off_spike: bool = False) -> Tensor:
    """Delta modulation of a signal (T, N, ...): spike where it changes by >= threshold.

    Example:
        >>> import neuronet as nt
        >>> delta(nt.tensor([0.0, 0.5, 0.5, 0.1]), threshold=0.3, off_spike=True).tolist()
        [0.0, 1.0, 0.0, -1.0]
    """
    x = _array("delta", data)
    if x.ndim < 1:
        raise ValueError(f"delta: expected a signal with time first (T, ...), received shape "
                         f"{x.shape}")
    first = x[:1] if padding else np.zeros_like(x[:1])
    diff = np.diff(x, axis=0, prepend=first)
    out = (diff >= threshold).astype(x.dtype)
    if off_spike:
        out -= (diff <= -threshold).astype(x.dtype)
    return Tensor._wrap(out)
