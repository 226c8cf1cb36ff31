"""Keras callbacks that collect what the report draws: per-layer gradient norms and the
wall time of each epoch."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from ..keras.callbacks import Callback

__all__ = ["EpochTimer", "GradientNormLogger"]


class GradientNormLogger(Callback):
    """Record the L2 norm of each layer's kernel gradient every `every_n_batches` batches.

    Formula:
        norm = sqrt(sum_ij (dL/dW_ij)**2), read from each kernel's `.grad` at
        `on_train_batch_end`, i.e. after backward and the optimizer step of that batch
        (the gradient is cleared only when the next batch begins).

    Falling norms in the first layers mean vanishing gradients; norms growing by orders of
    magnitude mean exploding ones. `plot_gradient_norms(logger.steps, logger.norms)` draws them.

    Args:
        every_n_batches: record once every this many training batches (counted across epochs).
        weights: "kernel" for the kernels (every weight whose name contains 'kernel', as Dense,
            Conv and recurrent layers name them), or "all" for every trainable weight.

    Attributes:
        steps: the global batch index (1-based) of each record.
        norms: weight path (e.g. 'dense/kernel') -> one norm per record; NaN when the weight
            had no gradient at that step.
    """

    def __init__(self, every_n_batches: int = 10, weights: str = "kernel") -> None:
        super().__init__()
        if not isinstance(every_n_batches, int) or every_n_batches < 1:
            raise ValueError("GradientNormLogger: every_n_batches must be a positive integer, "
                             f"received every_n_batches={every_n_batches!r}")
        if weights not in ("kernel", "all"):
            raise ValueError("GradientNormLogger: weights must be 'kernel' or 'all', "
                             f"received weights={weights!r}")
        self.every_n_batches = every_n_batches
        self.weights = weights
        self.steps: list[int] = []
        self.norms: dict[str, list[float]] = {}
        self._tracked: list[tuple[str, Any]] = []
        self._step = 0

    def _select(self) -> list[tuple[str, Any]]:
        variables = list(self.model.trainable_weights)
        chosen = variables
        if self.weights == "kernel":
            chosen = [v for v in variables if "kernel" in str(getattr(v, "name", ""))]
            if not chosen:  # a model without Keras-named kernels: its matrices
                chosen = [v for v in variables if v.ndim >= 2]
        out, used = [], set()
        for index, variable in enumerate(chosen):
            name = str(getattr(variable, "path", None) or getattr(variable, "name", "")
                       or f"weight_{index}")
            while name in used:
                name += "'"
            used.add(name)
            out.append((name, variable))
        return out

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._tracked = self._select()
        self.steps = []
        self.norms = {name: [] for name, _ in self._tracked}
        self._step = 0

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._step += 1
        if self._step % self.every_n_batches:
            return
        self.steps.append(self._step)
        for name, variable in self._tracked:
            grad = variable.grad
            if grad is None:
                self.norms[name].append(math.nan)
            else:
                array = np.asarray(grad._data if hasattr(grad, "_data") else grad, np.float64)
                self.norms[name].append(float(np.sqrt(np.sum(array * array))))


class EpochTimer(Callback):
    """Record the wall time of each training epoch in `times` (seconds, validation included)."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.times = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.times.append(time.perf_counter() - self._start)
