"""Neuron dynamics, one time step each, as functions of tensors (the modules and the Keras
layers call these; the state is passed in and returned, as in Norse's functional API).

Leaky integrate-and-fire (LIF), discrete time (snnTorch's `Leaky`, with the reset applied in
the same step, as Norse does):
    mem' = beta * mem + input                 (leak, then integrate)
    spk  = H(mem' - threshold)                (fire; H's gradient is a surrogate)
    mem  = mem' - spk * threshold             reset_mechanism='subtract'
    mem  = mem' * (1 - spk)                   reset_mechanism='zero'
    mem  = mem'                               reset_mechanism='none' (an integrator readout)
Second-order synaptic LIF (snnTorch's `Synaptic`): the input first charges a synaptic current
    syn = alpha * syn + input,  then the LIF step above with syn as its input.
Adaptive-threshold LIF (Bellec et al. 2018, "Long short-term memory and learning-to-learn in
networks of spiking neurons"): each spike raises the threshold, which relaxes back:
    theta = threshold + adaptation * a
    spk = H(mem' - theta), reset by theta,   a = rho * a + spk

NOTE: with detach_reset=True (default) the reset term spk * threshold carries no gradient: the
surrogate then shapes only the firing decision, as snnTorch's default does.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .surrogate import Surrogate

RESET_MECHANISMS = ("subtract", "zero", "none")


def check_reset(owner: str, reset_mechanism: Any) -> str:
    if reset_mechanism not in RESET_MECHANISMS:
        raise ValueError(f"{owner}: reset_mechanism must be one of {RESET_MECHANISMS}, "
                         f"received reset_mechanism={reset_mechanism!r}")
    return reset_mechanism


def fire_and_reset(mem: Tensor, threshold: Any, spike_fn: Surrogate, reset_mechanism: str,
                   detach_reset: bool = True) -> tuple[Tensor, Tensor]:
    """spk = H(mem - threshold); mem after the reset. Returns (spk, mem)."""
    spk = spike_fn(mem - threshold)
    if reset_mechanism == "none":
        return spk, mem
    r = spk.detach() if detach_reset else spk
    if reset_mechanism == "subtract":
        return spk, mem - r * threshold
    return spk, mem * (1.0 - r)


def leaky_step(input: Tensor, mem: Tensor | None, beta: Any, threshold: Any,  # noqa: A002
               spike_fn: Surrogate, reset_mechanism: str = "subtract",
               detach_reset: bool = True) -> tuple[Tensor, Tensor]:
    """One LIF step: mem' = beta * mem + input, then fire and reset. Returns (spk, mem)."""
    mem = input if mem is None else mem * beta + input
    return fire_and_reset(mem, threshold, spike_fn, reset_mechanism, detach_reset)


def synaptic_step(input: Tensor, syn: Tensor | None, mem: Tensor | None,  # noqa: A002
                  alpha: Any, beta: Any, threshold: Any, spike_fn: Surrogate,
                  reset_mechanism: str = "subtract",
                  detach_reset: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """One synaptic-LIF step: syn = alpha * syn + input, then the LIF step on syn.
    Returns (spk, syn, mem)."""
    syn = input if syn is None else syn * alpha + input
    spk, mem = leaky_step(syn, mem, beta, threshold, spike_fn, reset_mechanism, detach_reset)
    return spk, syn, mem


def adaptive_step(input: Tensor, mem: Tensor | None, a: Tensor | None,  # noqa: A002
                  beta: Any, threshold: Any, rho: Any, adaptation: Any, spike_fn: Surrogate,
                  reset_mechanism: str = "subtract",
                  detach_reset: bool = True) -> tuple[Tensor, Tensor, Tensor]:
    """One adaptive-threshold LIF step. Returns (spk, mem, a)."""
    mem = input if mem is None else mem * beta + input
    theta = threshold if a is None else a * adaptation + threshold
    spk, mem = fire_and_reset(mem, theta, spike_fn, reset_mechanism, detach_reset)
    a = spk if a is None else a * rho + spk
    return spk, mem, a
