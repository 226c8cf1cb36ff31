"""Spiking neuron layers: `Leaky` (LIF), `Synaptic` (second-order LIF) and `AdaptiveLeaky`
(adaptive-threshold LIF). The dynamics and their formulas are in `brain.functional`.

Each layer is an `nn.Module` that works two ways (`step_mode`, SpikingJelly's name):
    'multi'  (default) forward(x) takes a whole sequence x: (T, N, ...) and returns the spikes
             (T, N, ...), starting from rest; so `nn.Sequential(nn.Linear(784, 128),
             Leaky(), nn.Linear(128, 10), Leaky())` runs on (T, N, 784) directly (Linear acts
             on the last dimension, all T steps in one GEMM).
    'single' forward(x_t) takes one time step (N, ...) and keeps the state on the layer
             (snnTorch's init_hidden=True); call `reset()` before each new sample batch.
`step(x_t, state)` is the functional form: one step with the state passed in and returned.
`output` chooses what forward returns: 'spike', 'membrane' (the potential after the reset) or
'both' (a tuple).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn.modules.module import Module
from ..nn.parameter import Parameter
from ..ops.shape import stack
from ..tensor import Tensor
from . import functional as SF
from .surrogate import get as get_surrogate

STEP_MODES = ("multi", "single")
OUTPUTS = ("spike", "membrane", "both")


def _constant(owner: str, name: str, value: Any, learn: bool, low: float | None,
              high: float | None) -> Any:
    """A float, or a Parameter when it is learned; checks the range."""
    arr = np.asarray(value._data if isinstance(value, Tensor) else value, dtype=np.float64)
    if arr.size == 0 or not np.all(np.isfinite(arr)) or (low is not None and np.any(arr < low)) \
            or (high is not None and np.any(arr > high)):
        bounds = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(f"{owner}: {name} must be finite and {bounds}, received {name}={value!r}")
    if learn:
        return Parameter(Tensor._wrap(arr.astype(np.float32)))
    return float(arr) if arr.ndim == 0 else Tensor._wrap(arr.astype(np.float32))


class SpikingNeuron(Module):
    """Shared arguments of the spiking layers.

    Args:
        beta: membrane decay per step, in [0, 1] (a float or one per neuron).
        threshold: firing threshold (> 0).
        spike_grad: surrogate name or `Surrogate`: 'atan' (default, as snnTorch: its heavy
            tails keep silent neurons learning), 'fast_sigmoid', 'sigmoid',
            'straight_through'; slope: its steepness (None: the surrogate's default).
        reset_mechanism: 'subtract' (default), 'zero' or 'none'.
        learn_beta, learn_threshold: make beta / threshold Parameters.
        detach_reset: no gradient through the reset (default True).
        step_mode: 'multi' (whole (T, N, ...) sequences) or 'single' (one step, stateful).
        output: 'spike', 'membrane' or 'both'.
    """

    _state_names: tuple[str, ...] = ("mem",)

    def __init__(self, beta: Any = 0.9, threshold: Any = 1.0, spike_grad: Any = "atan",
                 slope: float | None = None, reset_mechanism: str = "subtract",
                 learn_beta: bool = False, learn_threshold: bool = False,
                 detach_reset: bool = True, step_mode: str = "multi",
                 output: str = "spike") -> None:
        super().__init__()
        name = type(self).__name__
        self.beta = _constant(name, "beta", beta, learn_beta, 0.0, 1.0)
        self.threshold = _constant(name, "threshold", threshold, learn_threshold, 1e-12, None)
        self.spike_fn = get_surrogate(spike_grad, slope)
        self.reset_mechanism = SF.check_reset(name, reset_mechanism)
        self.detach_reset = bool(detach_reset)
        if step_mode not in STEP_MODES:
            raise ValueError(f"{name}: step_mode must be one of {STEP_MODES}, received "
                             f"step_mode={step_mode!r}")
        if output not in OUTPUTS:
            raise ValueError(f"{name}: output must be one of {OUTPUTS}, received "
                             f"output={output!r}")
        self.step_mode, self.output = step_mode, output
        self.state: tuple | None = None  # the hidden state in step_mode='single'

    def reset(self) -> None:
        """Forget the hidden state (step_mode='single'): the next step starts from rest."""
        self.state = None

    def _decay(self, value: Any, x: Tensor) -> Any:
        """A learned decay clamped to [0, 1]; constants pass through, cast to x's dtype."""
        if isinstance(value, Tensor):
            value = value.to(x.dtype) if value.dtype != x.dtype else value
            return value.clamp(0.0, 1.0) if isinstance(value, Parameter) or \
                value.grad_fn is not None else value
        return value

    def _cast(self, value: Any, x: Tensor) -> Any:
        if isinstance(value, Tensor) and value.dtype != x.dtype:
            return value.to(x.dtype)
        return value

    def step(self, input: Tensor, state: tuple | None = None) -> tuple[Tensor, tuple]:  # noqa: A002
        """One time step: returns (spk, new_state); state None means at rest."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _emit(self, spk: Tensor, mem: Tensor) -> Any:
        if self.output == "spike":
            return spk
        return mem if self.output == "membrane" else (spk, mem)

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        if not isinstance(input, Tensor) or not input.is_floating_point():
            raise TypeError(f"{type(self).__name__}: expected a floating-point Tensor, received "
                            f"{getattr(input, 'dtype', type(input).__name__)}")
        if self.step_mode == "single":
            spk, self.state = self.step(input, self.state)
            return self._emit(spk, self.state[self._mem_index])
        if input.dim() < 2:
            raise ValueError(f"{type(self).__name__}: step_mode='multi' expects a sequence "
                             f"(T, N, ...), received shape {tuple(input.shape)}")
        state, spikes, mems = None, [], []
        for t in range(input.shape[0]):
            spk, state = self.step(input[t], state)
            spikes.append(spk)
            if self.output != "spike":
                mems.append(state[self._mem_index])
        spk_seq = stack(spikes) if spikes else input * 0.0
        mem_seq = (stack(mems) if mems else input * 0.0) if self.output != "spike" else None
        return self._emit(spk_seq, mem_seq)

    _mem_index = 0

    def extra_repr(self) -> str:
        beta = "learned" if isinstance(self.beta, Parameter) else self.beta
        thr = "learned" if isinstance(self.threshold, Parameter) else self.threshold
        return (f"beta={beta}, threshold={thr}, spike_grad={self.spike_fn.name}, "
                f"slope={self.spike_fn.slope}, reset_mechanism={self.reset_mechanism!r}, "
                f"step_mode={self.step_mode!r}")


class Leaky(SpikingNeuron):
    """Leaky integrate-and-fire neuron: mem = beta * mem + input, spike = H(mem - threshold),
    reset by subtraction (or to zero). Arguments: see `SpikingNeuron`.

    Shape:
        step_mode='multi': (T, N, *) -> (T, N, *);  'single': (N, *) -> (N, *)

    Example:
        >>> import neuronet as nt
        >>> lif = Leaky(beta=0.5, threshold=1.0)
        >>> lif(nt.full((4, 1, 1), 0.6)).reshape(-1).tolist()
        [0.0, 0.0, 1.0, 0.0]
    """

    def step(self, input: Tensor, state: tuple | None = None) -> tuple[Tensor, tuple]:  # noqa: A002
        mem = None if state is None else state[0]
        spk, mem = SF.leaky_step(input, mem, self._decay(self.beta, input),
                                 self._cast(self.threshold, input), self.spike_fn,
                                 self.reset_mechanism, self.detach_reset)
        return spk, (mem,)


class Synaptic(SpikingNeuron):
    """Second-order (synaptic-current) LIF: syn = alpha * syn + input, mem = beta * mem + syn,
    spike = H(mem - threshold), reset. Extra args: alpha (synaptic decay in [0, 1]),
    learn_alpha. Shapes as `Leaky`; the state is (syn, mem)."""

    _mem_index = 1

    def __init__(self, alpha: Any = 0.8, beta: Any = 0.9, learn_alpha: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(beta=beta, **kwargs)
        self.alpha = _constant("Synaptic", "alpha", alpha, learn_alpha, 0.0, 1.0)

    def step(self, input: Tensor, state: tuple | None = None) -> tuple[Tensor, tuple]:  # noqa: A002
        syn, mem = (None, None) if state is None else state
        spk, syn, mem = SF.synaptic_step(
            input, syn, mem, self._decay(self.alpha, input), self._decay(self.beta, input),
            self._cast(self.threshold, input), self.spike_fn, self.reset_mechanism,
            self.detach_reset)
        return spk, (syn, mem)


class AdaptiveLeaky(SpikingNeuron):
    """Adaptive-threshold LIF (ALIF): theta = threshold + adaptation * a,
    spike = H(mem - theta), a = rho * a + spk. Extra args: rho (adaptation decay in [0, 1]),
    adaptation (>= 0, the threshold increase per unit of a). The state is (mem, a)."""

    def __init__(self, rho: float = 0.95, adaptation: float = 0.2, beta: Any = 0.9,
                 **kwargs: Any) -> None:
        super().__init__(beta=beta, **kwargs)
        self.rho = _constant("AdaptiveLeaky", "rho", rho, False, 0.0, 1.0)
        self.adaptation = _constant("AdaptiveLeaky", "adaptation", adaptation, False, 0.0, None)

    def step(self, input: Tensor, state: tuple | None = None) -> tuple[Tensor, tuple]:  # noqa: A002
        mem, a = (None, None) if state is None else state
        spk, mem, a = SF.adaptive_step(
            input, mem, a, self._decay(self.beta, input), self._cast(self.threshold, input),
            self._cast(self.rho, input), self._cast(self.adaptation, input), self.spike_fn,
            self.reset_mechanism, self.detach_reset)
        return spk, (mem, a)


class TimeDistributed(Module):
    """Apply a per-frame module (Conv2d, MaxPool2d, Flatten, ...) to every time step at once:
    (T, N, *) -> reshape (T * N, *) -> module -> (T, N, *'), so a spiking CNN is an ordinary
    `nn.Sequential` on (T, N, C, H, W) sequences.

    Example:
        >>> import neuronet as nt
        >>> TimeDistributed(nt.nn.Conv2d(1, 4, 3))(nt.zeros(5, 2, 1, 8, 8)).shape
        neuronet.Size([5, 2, 4, 6, 6])
    """

    def __init__(self, module: Module) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"TimeDistributed: expected an nn.Module, received "
                            f"{type(module).__name__}")
        self.module = module

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if input.dim() < 2:
            raise ValueError(f"TimeDistributed: expected a sequence (T, N, ...), received shape "
                             f"{tuple(input.shape)}")
        T, N = input.shape[0], input.shape[1]
        out = self.module(input.reshape(T * N, *input.shape[2:]))
        return out.reshape(T, N, *out.shape[1:])


class RepeatSteps(Module):
    """Direct (current) encoding: the same frame at every one of `steps` time steps,
    (N, *) -> (T, N, *), a broadcast view (no copy; its gradient sums over T).

    A network whose first layers see the analog image once (conv, batch norm, pooling: an
    ordinary, static encoder) and feed that current to spiking neurons for T steps needs far
    fewer steps than rate coding for the same accuracy.

    Example:
        >>> import neuronet as nt
        >>> RepeatSteps(3)(nt.ones(2, 4)).shape
        neuronet.Size([3, 2, 4])
    """

    def __init__(self, steps: int) -> None:
        super().__init__()
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f"RepeatSteps: steps must be a positive int, received "
                             f"steps={steps!r}")
        self.steps = steps

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.unsqueeze(0).expand(self.steps, *input.shape)

    def extra_repr(self) -> str:
        return f"steps={self.steps}"
