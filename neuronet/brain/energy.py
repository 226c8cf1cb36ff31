"""Counting the work of a spiking network against an ordinary one (the energy argument for
spiking hardware).

A dense layer of an ordinary network does one multiply-accumulate (MAC) per weight per sample:
    MACs = in_features * out_features               (Linear)
    MACs = C_out * H_out * W_out * C_in * k_h * k_w / groups   (Conv2d)
A spiking layer does work only when an input spike arrives, and then only adds (a synaptic
operation, SynOp = one accumulate): a spike reaches fan_out synapses,
    SynOps = sum over time steps of (number of input spikes) * fan_out,
    fan_out = out_features (Linear), C_out * k_h * k_w / (stride_h * stride_w) (Conv2d,
    ignoring the image border).
Energy per operation, 45 nm CMOS, 32-bit float (Horowitz 2014, "Computing's energy problem"):
    MAC = 3.7 pJ (multiply) + 0.9 pJ (add) = 4.6 pJ,   AC = 0.9 pJ.
A layer whose input is not spikes (anything but 0 and 1: the analog image fed to the first
layer of a directly encoded network) multiplies in the spiking network too; its MACs are
counted as such (snn_macs) and priced as MACs.
These are the usual first-order estimates (memory traffic, which dominates real chips, is
left out).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..nn.modules.conv import Conv2d
from ..nn.modules.linear import Linear
from ..nn.modules.module import Module
from .neurons import SpikingNeuron, TimeDistributed

E_MAC_PJ = 4.6
E_AC_PJ = 0.9


def _fan_out(layer: Module) -> float:
    if isinstance(layer, Linear):
        return float(layer.out_features)
    kh, kw = layer.kernel_size
    sh, sw = layer.stride
    return layer.out_channels * kh * kw / (sh * sw)


def _macs(layer: Module, frame_in: tuple, frame_out: tuple) -> float:
    """MACs of one sample through the layer (frame shapes without T and N)."""
    if isinstance(layer, Linear):
        rows = float(np.prod(frame_in[:-1])) if len(frame_in) > 1 else 1.0
        return rows * layer.in_features * layer.out_features
    kh, kw = layer.kernel_size
    c_out, h_out, w_out = frame_out[-3:]
    return c_out * h_out * w_out * layer.in_channels * kh * kw / layer.groups


class SynOpCounter:
    """Counts, over the forward passes run inside `with`, the input spikes of every Linear /
    Conv2d, the SynOps they cause, the spikes the neurons emit, and the MACs the same layers
    would cost in an ordinary network. Inputs are taken as (T, N, ...) sequences (T = 1 for a
    per-step forward).

    Example:
        >>> import neuronet as nt
        >>> from neuronet.brain import Leaky
        >>> net = nt.nn.Sequential(nt.nn.Linear(4, 3), Leaky())
        >>> with SynOpCounter(net) as c:
        ...     _ = net(nt.ones(2, 5, 4))   # T=2, N=5, every input spiking
        >>> c.synops_per_sample(), c.macs_per_sample()
        (24.0, 12.0)
    """

    def __init__(self, model: Module) -> None:
        self.model = model
        self.samples = 0
        self.synops = 0.0
        self.macs = 0.0
        self.snn_macs = 0.0  # layers fed analog values (not spikes) multiply
        self.input_spikes = 0.0
        self.neuron_spikes = 0.0
        self._handles: list = []

    def __enter__(self) -> SynOpCounter:
        first, wrapped = True, set()
        for module in self.model.modules():
            layer = module.module if isinstance(module, TimeDistributed) else module
            if isinstance(layer, Linear | Conv2d) and id(layer) not in wrapped:
                wrapped.add(id(layer))
                self._handles.append(module.register_forward_hook(self._layer_hook(layer, first)))
                first = False
            elif isinstance(module, SpikingNeuron):
                self._handles.append(module.register_forward_hook(self._neuron_hook))
        return self

    def __exit__(self, *exc: Any) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def _layer_hook(self, layer: Module, first: bool) -> Any:
        def hook(module: Module, inputs: tuple, output: Any) -> None:
            x = inputs[0]._data
            # (T, N, ...) sequences; a bare Conv2d on (N, C, H, W) or Linear on (N, F): T = 1
            seq = 1 if x.ndim == (4 if isinstance(layer, Conv2d) else 2) else 2
            frame_in, frame_out = x.shape[seq:], output.shape[seq:]
            n = x.shape[1] if seq == 2 else x.shape[0]
            if first:
                self.samples += n
            events = float(np.count_nonzero(x))
            macs = _macs(layer, tuple(frame_in), tuple(frame_out))
            if events == np.count_nonzero(x == 1):  # spikes: each one adds to fan_out targets
                self.input_spikes += events if first else 0.0
                self.synops += events * _fan_out(layer)
            else:  # analog input: every frame (T of them per sample, or 1) is multiplied in
                self.snn_macs += float(np.prod(x.shape[:seq])) * macs
            self.macs += n * macs
        return hook

    def _neuron_hook(self, module: Module, inputs: tuple, output: Any) -> None:
        spk = output[0] if isinstance(output, tuple) else output
        if module.output != "membrane":
            self.neuron_spikes += float(np.count_nonzero(spk._data))

    def _per(self, value: float) -> float:
        return value / self.samples if self.samples else 0.0

    def synops_per_sample(self) -> float:
        return self._per(self.synops)

    def macs_per_sample(self) -> float:
        return self._per(self.macs)

    def spikes_per_sample(self) -> float:
        """Spikes emitted by the network's neurons, per sample (input spikes not included)."""
        return self._per(self.neuron_spikes)

    def report(self) -> dict[str, float]:
        synops, macs = self.synops_per_sample(), self.macs_per_sample()
        snn_macs = self._per(self.snn_macs)
        return {"spikes_per_sample": self.spikes_per_sample(),
                "input_spikes_per_sample": self._per(self.input_spikes),
                "synops_per_sample": synops, "snn_macs_per_sample": snn_macs,
                "ann_macs_per_sample": macs,
                "synops_over_macs": synops / macs if macs else 0.0,
                "snn_energy_uj": (synops * E_AC_PJ + snn_macs * E_MAC_PJ) * 1e-6,
                "ann_energy_uj": macs * E_MAC_PJ * 1e-6}
