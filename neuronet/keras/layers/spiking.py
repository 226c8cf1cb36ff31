"""Spiking layers, the Keras face of `neuronet.brain` (batch first, time second, as Keras's
recurrent layers):

    RateEncoding(num_steps)  (batch, ...) -> (batch, T, ...): spike_t ~ Bernoulli(clip(gain x))
    LIF                      (batch, T, ...) -> (batch, T, ...): mem = beta mem + x,
                             spike = H(mem - threshold), reset (see brain.functional)
    SynapticLIF              syn = alpha syn + x, then LIF on syn
    AdaptiveLIF              threshold + adaptation * a, a = rho a + spike
    SpikeCount / SpikeRate   (batch, T, ...) -> (batch, ...): the sum / mean over time

The spike's gradient is a surrogate (`spike_grad`, `slope`; brain.surrogate). Dense acts on the
last axis, so `Dense` between spiking layers runs all T steps in one matrix product:

    keras.Sequential([keras.Input((784,)), RateEncoding(25), Dense(256), LIF(),
                      Dense(10), LIF(), SpikeCount(), Activation("softmax")])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import random as nt_random
from ...brain import encoding
from ...brain import functional as SF
from ...brain.surrogate import Surrogate
from ...brain.surrogate import get as get_surrogate
from ...ops.shape import stack
from ...tensor import Tensor
from .layer import Layer

OUTPUTS = ("spike", "membrane")


def _in_range(owner: str, name: str, value: Any, low: float, high: float | None) -> float:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and value >= low and (
        high is None or value <= high)
    if not ok:
        bounds = f"in [{low}, {high}]" if high is not None else f"> {low}"
        raise ValueError(f"{owner}: {name} must be a number {bounds}, received {name}={value!r}")
    return float(value)


class RateEncoding(Layer):
    """Rate-codes intensities in [0, 1] into `num_steps` Bernoulli spike frames (no weights).

    Example:
        >>> tuple(RateEncoding(5)(np.ones((2, 3), "float32")).shape)
        (2, 5, 3)
    """

    def __init__(self, num_steps: int, gain: float = 1.0, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps <= 0:
            raise ValueError(f"RateEncoding: num_steps must be a positive integer, received "
                             f"num_steps={num_steps!r}")
        self.num_steps, self.seed = num_steps, seed
        self.gain = _in_range("RateEncoding", "gain", gain, 0.0, None)
        self._rng = np.random.default_rng(seed) if seed is not None else None
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        spikes = encoding.rate(inputs, self.num_steps, self.gain,
                               self._rng if self._rng is not None else nt_random.rng())
        return spikes.movedim(0, 1)  # (T, batch, ...) -> (batch, T, ...)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0], self.num_steps) + tuple(input_shape[1:])

    def get_config(self) -> dict:
        return {**super().get_config(), "num_steps": self.num_steps, "gain": self.gain,
                "seed": self.seed}


class LIF(Layer):
    """Leaky integrate-and-fire neurons over a sequence (batch, T, ...).

    Args:
        beta: membrane decay in [0, 1]; threshold: firing threshold (> 0).
        spike_grad: 'atan' (default, as snnTorch), 'fast_sigmoid', 'sigmoid', 'straight_through';
            slope: the surrogate's steepness (None: its default).
        reset_mechanism: 'subtract', 'zero' or 'none'.
        learn_beta, learn_threshold: train them (weights 'beta', 'threshold').
        output: 'spike' (default) or 'membrane' (the potentials, e.g. for a readout).
        detach_reset: no gradient through the reset term (default True).
    """

    _kind = "LIF"

    def __init__(self, beta: float = 0.9, threshold: float = 1.0,
                 spike_grad: Any = "atan", slope: float | None = None,
                 reset_mechanism: str = "subtract", learn_beta: bool = False,
                 learn_threshold: bool = False, output: str = "spike",
                 detach_reset: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.beta_value = _in_range(owner, "beta", beta, 0.0, 1.0)
        self.threshold_value = _in_range(owner, "threshold", threshold, 1e-12, None)
        self.spike_fn: Surrogate = get_surrogate(spike_grad, slope)
        self.reset_mechanism = SF.check_reset(owner, reset_mechanism)
        self.learn_beta, self.learn_threshold = bool(learn_beta), bool(learn_threshold)
        self.detach_reset = bool(detach_reset)
        if output not in OUTPUTS:
            raise ValueError(f"{owner}: output must be one of {OUTPUTS}, received "
                             f"output={output!r}")
        self.output_kind = output
        self.beta = self.threshold = None

    def _scalar(self, name: str, value: float, learn: bool) -> Any:
        if not learn:
            return value
        return self.add_weight(shape=(), initializer=lambda shape, dtype: np.full(
            shape, value, dtype), name=name)

    def build(self, input_shape: tuple) -> None:
        if len(input_shape) < 3:
            raise ValueError(f"{type(self).__name__} {self.name}: expected inputs (batch, time, "
                             f"...), received input_shape={input_shape}")
        self.beta = self._scalar("beta", self.beta_value, self.learn_beta)
        self.threshold = self._scalar("threshold", self.threshold_value, self.learn_threshold)
        self.built = True

    def _decay(self, value: Any, x: Tensor) -> Any:
        if isinstance(value, Tensor):
            return value.to(x.dtype).clamp(0.0, 1.0)
        return value

    def _thr(self, x: Tensor) -> Any:
        return self.threshold.to(x.dtype) if isinstance(self.threshold, Tensor) else \
            self.threshold

    def step(self, x: Tensor, state: Any) -> tuple[Tensor, Any, Tensor]:
        """One time step: returns (spike, new state, membrane)."""
        spk, mem = SF.leaky_step(x, state, self._decay(self.beta, x), self._thr(x),
                                 self.spike_fn, self.reset_mechanism, self.detach_reset)
        return spk, mem, mem

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dim() < 3:
            raise ValueError(f"{type(self).__name__} {self.name}: expected inputs (batch, time, "
                             f"...), received shape {tuple(inputs.shape)}")
        state, outs = None, []
        for t in range(inputs.shape[1]):
            spk, state, mem = self.step(inputs[:, t], state)
            outs.append(spk if self.output_kind == "spike" else mem)
        return stack(outs, 1) if outs else inputs * 0.0

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "beta": self.beta_value,
                "threshold": self.threshold_value, "spike_grad": self.spike_fn.name,
                "slope": self.spike_fn.slope, "reset_mechanism": self.reset_mechanism,
                "learn_beta": self.learn_beta, "learn_threshold": self.learn_threshold,
                "output": self.output_kind, "detach_reset": self.detach_reset}


class SynapticLIF(LIF):
    """Second-order LIF: syn = alpha * syn + x, mem = beta * mem + syn. Extra arg: alpha."""

    def __init__(self, alpha: float = 0.8, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = _in_range("SynapticLIF", "alpha", alpha, 0.0, 1.0)

    def step(self, x: Tensor, state: Any) -> tuple[Tensor, Any, Tensor]:
        syn, mem = state if state is not None else (None, None)
        spk, syn, mem = SF.synaptic_step(x, syn, mem, self.alpha, self._decay(self.beta, x),
                                         self._thr(x), self.spike_fn, self.reset_mechanism,
                                         self.detach_reset)
        return spk, (syn, mem), mem

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class AdaptiveLIF(LIF):
    """Adaptive-threshold LIF: theta = threshold + adaptation * a, a = rho * a + spike."""

    def __init__(self, rho: float = 0.95, adaptation: float = 0.2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rho = _in_range("AdaptiveLIF", "rho", rho, 0.0, 1.0)
        self.adaptation = _in_range("AdaptiveLIF", "adaptation", adaptation, 0.0, None)

    def step(self, x: Tensor, state: Any) -> tuple[Tensor, Any, Tensor]:
        mem, a = state if state is not None else (None, None)
        spk, mem, a = SF.adaptive_step(x, mem, a, self._decay(self.beta, x), self._thr(x),
                                       self.rho, self.adaptation, self.spike_fn,
                                       self.reset_mechanism, self.detach_reset)
        return spk, (mem, a), mem

    def get_config(self) -> dict:
        return {**super().get_config(), "rho": self.rho, "adaptation": self.adaptation}


class SpikeCount(Layer):
    """(batch, T, ...) -> (batch, ...): spikes summed over time (count decoding)."""

    _mean = False

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dim() < 2:
            raise ValueError(f"{type(self).__name__} {self.name}: expected inputs (batch, time, "
                             f"...), received shape {tuple(inputs.shape)}")
        return inputs.mean(1) if self._mean else inputs.sum(1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return (input_shape[0],) + tuple(input_shape[2:])


class SpikeRate(SpikeCount):
    """(batch, T, ...) -> (batch, ...): the mean over time: the firing rate of spikes, or the
    mean potential of a `LIF(output='membrane', reset_mechanism='none')` readout (the logits
    of a membrane-potential decoder)."""

    _mean = True
