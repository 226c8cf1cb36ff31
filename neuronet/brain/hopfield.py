"""Associative memory: the classical Hopfield network and the modern continuous Hopfield layer.

Classical (Hopfield 1982), states s in {-1, +1}^N, P stored patterns xi^mu:
    storage (Hebbian)   W = (1 / N) sum_mu xi^mu xi^mu^T,  W_ii = 0
    update of unit i    s_i <- sign(sum_j W_ij s_j)   (sign(0) keeps s_i)
    asynchronous        one unit at a time, in random order: the energy
                        E(s) = -1/2 s^T W s never increases (W symmetric, W_ii = 0)
    synchronous         all units at once, s <- sign(W s) (may end in a 2-cycle)
    capacity            random patterns are recalled while P / N < ~0.138 (Amit, Gutfreund &
                        Sompolinsky 1985); beyond it recall collapses.
Modern continuous (Ramsauer et al. 2020, "Hopfield Networks is All You Need"): stored patterns
X = (x_1 .. x_M), (M, d); a state (query) xi, (d,); one update retrieves
    xi_new = X^T softmax(beta X xi)
its energy E = -lse(beta, X xi) + xi^T xi / 2 + const is minimised by that step, and the
storage capacity is exponential in d.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import random as nt_random
from ..nn.modules.module import Module
from ..nn.parameter import Parameter
from ..ops.fused import softmax
from ..tensor import Tensor

__all__ = ["Hopfield", "HopfieldLayer", "HopfieldNetwork", "capacity_curve", "corrupt"]


def _sign(h: np.ndarray, previous: np.ndarray) -> np.ndarray:
    return np.where(h > 0, 1.0, np.where(h < 0, -1.0, previous))


class HopfieldNetwork:
    """The classical binary Hopfield network (NumPy arrays in {-1, +1}; no gradients).

    Args:
        n_units: N, the number of binary units.

    Example:
        >>> net = HopfieldNetwork(8)
        >>> p = np.array([[1, -1, 1, -1, 1, -1, 1, -1.0]])
        >>> net.store(p)
        >>> cue = p.copy(); cue[0, 0] = -1
        >>> (net.recall(cue) == p).all()
        np.True_
    """

    def __init__(self, n_units: int) -> None:
        if isinstance(n_units, bool) or not isinstance(n_units, int) or n_units <= 0:
            raise ValueError(f"HopfieldNetwork: n_units must be a positive integer, received "
                             f"n_units={n_units!r}")
        self.n_units = n_units
        self.weight = np.zeros((n_units, n_units))
        self.n_patterns = 0

    def _check(self, owner: str, s: Any) -> np.ndarray:
        arr = np.asarray(s._data if isinstance(s, Tensor) else s, dtype=np.float64)
        arr = arr[None] if arr.ndim == 1 else arr
        if arr.ndim != 2 or arr.shape[1] != self.n_units or not np.all(np.abs(arr) == 1):
            raise ValueError(f"HopfieldNetwork.{owner}: expected states of -1/+1 with shape "
                             f"(P, {self.n_units}), received shape {arr.shape}")
        return arr

    def store(self, patterns: Any) -> None:
        """Add patterns (P, N) by the Hebbian rule W += (1/N) sum xi xi^T, zero diagonal."""
        xi = self._check("store", patterns)
        self.weight += xi.T @ xi / self.n_units
        np.fill_diagonal(self.weight, 0.0)
        self.n_patterns += len(xi)

    def energy(self, states: Any) -> np.ndarray:
        """E(s) = -1/2 s^T W s, one value per state row."""
        s = self._check("energy", states)
        return -0.5 * np.einsum("bi,ij,bj->b", s, self.weight, s)

    def recall(self, cues: Any, mode: str = "async", max_sweeps: int = 50,
               generator: Any = None, record_energy: bool = False) -> Any:
        """Run the dynamics from cues (B, N) until no unit changes (or max_sweeps).

        mode 'async': units updated one at a time in a random order each sweep (the same
        order for the whole batch, which runs in parallel); 'sync': s <- sign(W s).
        With record_energy=True returns (states, energies) where energies is (updates + 1, B)."""
        if mode not in ("async", "sync"):
            raise ValueError(f"HopfieldNetwork.recall: mode must be 'async' or 'sync', "
                             f"received mode={mode!r}")
        s = self._check("recall", cues).copy()
        rng = nt_random.rng(generator)
        energies = [self.energy(s)] if record_energy else None
        for _ in range(max_sweeps):
            before = s.copy()
            if mode == "sync":
                s = _sign(s @ self.weight, s)
                if record_energy:
                    energies.append(self.energy(s))
            else:
                for i in rng.permutation(self.n_units):
                    s[:, i] = _sign(s @ self.weight[:, i], s[:, i])
                    if record_energy:
                        energies.append(self.energy(s))
            if np.array_equal(before, s):
                break
        return (s, np.asarray(energies)) if record_energy else s


def corrupt(patterns: np.ndarray, fraction: float, generator: Any = None) -> np.ndarray:
    """Flip round(fraction * N) randomly chosen units of each pattern."""
    rng = nt_random.rng(generator)
    out = np.array(patterns, dtype=np.float64, copy=True)
    n_flip = int(round(fraction * out.shape[1]))
    for row in out:
        row[rng.choice(out.shape[1], n_flip, replace=False)] *= -1
    return out


def capacity_curve(n_units: int = 100, loads: Any = None, noise: float = 0.2,
                   trials: int = 5, mode: str = "async", seed: int = 0) -> dict[str, np.ndarray]:
    """Recall accuracy from corrupted cues as the number P of stored random patterns grows.

    For each P: store P random +-1 patterns, cue with each one corrupted by `noise`, and count
    it recalled when the fixed point equals the pattern exactly (also the mean overlap
    m = s . xi / N). Returns {'n_patterns', 'load' (P / N), 'accuracy', 'overlap'}."""
    rng = np.random.default_rng(seed)
    loads = np.arange(1, int(0.3 * n_units) + 1) if loads is None else np.asarray(loads)
    acc, overlap = [], []
    for p in loads:
        hits = m = 0.0
        for _ in range(trials):
            xi = rng.choice([-1.0, 1.0], size=(int(p), n_units))
            net = HopfieldNetwork(n_units)
            net.store(xi)
            s = net.recall(corrupt(xi, noise, rng), mode=mode, generator=rng)
            hits += np.all(s == xi, axis=1).mean()
            m += np.mean(np.sum(s * xi, axis=1) / n_units)
        acc.append(hits / trials)
        overlap.append(m / trials)
    return {"n_patterns": loads, "load": loads / n_units, "accuracy": np.asarray(acc),
            "overlap": np.asarray(overlap)}


class Hopfield(Module):
    """Modern continuous Hopfield retrieval, a differentiable layer:

        xi_new = softmax(beta * xi X^T) X     (rows: states xi (.., S, d), patterns X (.., M, d))

    repeated `update_steps` times. It is attention: with queries Q = xi, keys K = X and values
    V = X, one step is softmax(beta Q K^T) V, and beta = 1 / sqrt(d) gives the scaled
    dot-product attention of a Transformer (Ramsauer et al. 2020). Learned projections
    W_Q, W_K, W_V turn it into exactly one attention head; `HopfieldLayer` stores learnable
    patterns instead.

    Args:
        beta: the inverse temperature (None: 1 / sqrt(d)); large beta retrieves the single
            nearest stored pattern, small beta a mixture (a metastable state).
        update_steps: the number of retrieval steps.

    Shape:
        state (*, S, d), stored (*, M, d) -> (*, S, d); or state (d,) with stored (M, d).

    Example:
        >>> import neuronet as nt
        >>> X = nt.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> Hopfield(beta=50.0)(nt.tensor([[0.9, 0.2]]), X).round().tolist()
        [[1.0, 0.0]]
    """

    def __init__(self, beta: float | None = None, update_steps: int = 1) -> None:
        super().__init__()
        if beta is not None and (isinstance(beta, bool) or not beta > 0):
            raise ValueError(f"Hopfield: beta must be a positive number or None, received "
                             f"beta={beta!r}")
        if isinstance(update_steps, bool) or not isinstance(update_steps, int) or \
                update_steps < 1:
            raise ValueError(f"Hopfield: update_steps must be a positive integer, received "
                             f"update_steps={update_steps!r}")
        self.beta, self.update_steps = beta, update_steps

    def forward(self, state: Tensor, stored: Tensor) -> Tensor:
        if state.shape[-1] != stored.shape[-1] or stored.dim() < 2:
            raise ValueError(f"Hopfield: state (*, S, d) and stored patterns (*, M, d) must "
                             f"share d, received shapes {tuple(state.shape)} and "
                             f"{tuple(stored.shape)}")
        beta = self.beta if self.beta is not None else 1.0 / float(np.sqrt(state.shape[-1]))
        xi = state
        keys = stored.transpose(-1, -2)  # (*, d, M)
        for _ in range(self.update_steps):
            xi = softmax((xi @ keys) * beta, dim=-1) @ stored
        return xi

    def extra_repr(self) -> str:
        return f"beta={self.beta}, update_steps={self.update_steps}"


class HopfieldLayer(Module):
    """A Hopfield layer whose stored patterns are learned Parameters (M, d): the state pattern
    retrieves softmax(beta * xi X^T) X (hopfield-layers' `HopfieldLayer` with shared
    keys/values; the stored patterns act as a learned memory / prototype bank).

    Args: in_features d; num_patterns M; beta (None: 1 / sqrt(d)); update_steps.
    Shape: (*, d) -> (*, d)."""

    def __init__(self, in_features: int, num_patterns: int, beta: float | None = None,
                 update_steps: int = 1) -> None:
        super().__init__()
        for key, v in (("in_features", in_features), ("num_patterns", num_patterns)):
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"HopfieldLayer: {key} must be a positive integer, received "
                                 f"{key}={v!r}")
        self.in_features, self.num_patterns = in_features, num_patterns
        self.retrieve = Hopfield(beta, update_steps)
        scale = 1.0 / np.sqrt(in_features)
        init = nt_random.rng().uniform(-scale, scale, size=(num_patterns, in_features))
        self.patterns = Parameter(Tensor._wrap(init.astype(np.float32)))

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return self.retrieve(input, self.patterns)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, num_patterns={self.num_patterns}"
