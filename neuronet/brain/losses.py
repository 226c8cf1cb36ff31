"""Decoders and losses for spiking outputs; `spk` and `mem` are (T, N, C) sequences.

    spike_count(spk)    = sum_t spk_t                                  (N, C)
    spike_rate(spk)     = (1 / T) sum_t spk_t                          (N, C)
    predict(spk)        = argmax_c spike_count                         (N,)
    ce_count_loss       = cross_entropy(spike_count(spk), y)           (snnTorch's ce_count_loss)
    ce_membrane_loss    = (1 / T) sum_t cross_entropy(mem_t, y)        (the membrane potential
                          of non-firing readout neurons read as logits at every step)
    mse_rate_loss       = mean over (N, C) of (spike_rate - r)**2,  r = correct_rate for the
                          target class and incorrect_rate for the others (snnTorch's
                          mse_count_loss, written per step instead of per count)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn.functional_losses import cross_entropy, mse_loss
from ..tensor import Tensor


def _check_seq(op: str, x: Any) -> Tensor:
    if not isinstance(x, Tensor) or x.dim() != 3:
        raise ValueError(f"{op}: expected a (T, N, C) tensor of outputs over time, received "
                         f"{tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__}")
    return x


def _targets(op: str, targets: Any, n: int, c: int) -> np.ndarray:
    y = np.asarray(targets._data if isinstance(targets, Tensor) else targets)
    if y.shape != (n,) or y.dtype.kind not in "iu" or (y.size and (y.min() < 0 or y.max() >= c)):
        raise ValueError(f"{op}: expected integer class targets of shape ({n},) in [0, {c}), "
                         f"received shape {y.shape}, dtype {y.dtype}")
    return y.astype(np.int64)


def spike_count(spk: Tensor) -> Tensor:
    return _check_seq("spike_count", spk).sum(0)


def spike_rate(spk: Tensor) -> Tensor:
    return _check_seq("spike_rate", spk).mean(0)


def predict(spk: Tensor) -> Tensor:
    """The class with the most spikes (ties: the lowest index)."""
    return spike_count(spk).argmax(-1)


def ce_count_loss(spk: Tensor, targets: Any) -> Tensor:
    T, N, C = _check_seq("ce_count_loss", spk).shape
    y = _targets("ce_count_loss", targets, N, C)
    return cross_entropy(spk.sum(0), Tensor._wrap(y))


def ce_membrane_loss(mem: Tensor, targets: Any) -> Tensor:
    T, N, C = _check_seq("ce_membrane_loss", mem).shape
    y = _targets("ce_membrane_loss", targets, N, C)
    # mean over T of the mean over N == one mean over the T * N rows
    return cross_entropy(mem.reshape(T * N, C), Tensor._wrap(np.tile(y, T)))


def mse_rate_loss(spk: Tensor, targets: Any, correct_rate: float = 0.8,
                  incorrect_rate: float = 0.2) -> Tensor:
    T, N, C = _check_seq("mse_rate_loss", spk).shape
    y = _targets("mse_rate_loss", targets, N, C)
    for name, r in (("correct_rate", correct_rate), ("incorrect_rate", incorrect_rate)):
        if not 0.0 <= r <= 1.0:
            raise ValueError(f"mse_rate_loss: {name} must be in [0, 1], received {name}={r!r}")
    target = np.full((N, C), incorrect_rate, dtype=spk._data.dtype)
    target[np.arange(N), y] = correct_rate
    return mse_loss(spk.mean(0), Tensor._wrap(target))
