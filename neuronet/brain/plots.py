"""Plots for the brain module (matplotlib's Agg canvas, no window; each returns the Figure and
writes a PNG when given `path`).

    plot_raster              spike raster: one row per neuron, a dot per spike
    plot_membrane            membrane-potential traces with the threshold and the spikes
    plot_receptive_fields    each neuron's input weights as an image (Hebbian / STDP learning)
    plot_capacity            Hopfield recall accuracy against the load P / N, the 0.138 N line
    plot_latency             STDP: response latency to the hidden pattern per presentation
    plot_synops              spiking SynOps against the MACs of the same-sized ordinary network
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ..viz._mpl import new_figure, save_png


def _arr(x: Any) -> np.ndarray:
    return np.asarray(x.detach()._data if isinstance(x, Tensor) else x)


def _finish(figure: Any, path: Any) -> Any:
    figure.tight_layout()
    if path is not None:
        save_png(figure, path)
    return figure


def plot_raster(spikes: Any, title: str = "spike raster", dt: float = 1.0,
                path: Any = None) -> Any:
    """spikes: (T, n_neurons) of 0/1 (or (T, 1, n)); a dot at (t, neuron) per spike."""
    s = _arr(spikes).reshape(_arr(spikes).shape[0], -1)
    t, n = np.nonzero(s)
    fig = new_figure(7, 3.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.scatter(t * dt, n, s=4, marker="|", color="black")
    ax.set(xlabel="time step" if dt == 1.0 else "time", ylabel="neuron", title=title,
           xlim=(-0.5, s.shape[0] * dt), ylim=(-0.5, s.shape[1] - 0.5))
    return _finish(fig, path)


def plot_membrane(mem: Any, spikes: Any = None, threshold: float = 1.0,
                  title: str = "membrane potential", path: Any = None) -> Any:
    """mem: (T,) or (T, k) traces; spikes (same shape) marked with vertical lines."""
    m = _arr(mem).reshape(_arr(mem).shape[0], -1)
    fig = new_figure(7, 3)
    ax = fig.add_subplot(1, 1, 1)
    for j in range(m.shape[1]):
        line, = ax.plot(m[:, j], lw=1.2, label=f"neuron {j}")
        if spikes is not None:
            for t in np.nonzero(_arr(spikes).reshape(m.shape)[:, j])[0]:
                ax.axvline(t, color=line.get_color(), alpha=0.3, lw=0.8)
    ax.axhline(threshold, color="red", ls="--", lw=1, label="threshold")
    ax.set(xlabel="time step", ylabel="U (membrane)", title=title)
    ax.legend(fontsize=7, loc="upper right")
    return _finish(fig, path)


def plot_receptive_fields(weights: Any, image_shape: tuple[int, int],
                          title: str = "receptive fields", path: Any = None) -> Any:
    """weights: (n_neurons, H * W); one image per neuron (blue-white-red around 0)."""
    w = _arr(weights)
    n = len(w)
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    fig = new_figure(1.6 * cols, 1.6 * rows + 0.4)
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1)
        img = w[i].reshape(image_shape)
        lim = np.abs(img).max() or 1.0
        ax.imshow(img, cmap="bwr" if img.min() < 0 else "gray_r",
                  vmin=-lim if img.min() < 0 else 0, vmax=lim)
        ax.set_xticks([]), ax.set_yticks([])
    fig.suptitle(title)
    return _finish(fig, path)


def plot_capacity(curve: dict, n_units: int | None = None, path: Any = None) -> Any:
    """curve: `hopfield.capacity_curve`'s dict."""
    fig = new_figure(6, 3.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(curve["load"], curve["accuracy"], "o-", label="exact recall")
    ax.plot(curve["load"], curve["overlap"], "s--", ms=3, label="overlap m")
    ax.axvline(0.138, color="red", ls=":", label="0.138 N")
    title = "Hopfield capacity (20% corrupted cues)"
    ax.set(xlabel="load P / N", ylabel="fraction", ylim=(-0.02, 1.02),
           title=title + (f", N={n_units}" if n_units else ""))
    ax.legend()
    return _finish(fig, path)


def plot_latency(result: dict, path: Any = None) -> Any:
    """`experiments.stdp_pattern_experiment`'s result: latency and false alarms over time."""
    lat = result["latency"]
    fig = new_figure(7, 4)
    ax = fig.add_subplot(2, 1, 1)
    ax.plot(lat, ".", ms=3)
    ax.set(ylabel="latency (steps)", title="STDP: response latency to the hidden pattern")
    ax2 = fig.add_subplot(2, 1, 2)
    ax2.plot(np.convolve(result["false_alarms"], np.ones(20) / 20, mode="same"))
    ax2.set(xlabel="pattern presentation", ylabel="spikes in noise\n(per gap, avg 20)")
    return _finish(fig, path)


def plot_synops(report: dict, title: str = "spiking vs ordinary network",
                path: Any = None) -> Any:
    """`SynOpCounter.report()` as bars: SynOps against MACs and the estimated energy."""
    fig = new_figure(8, 3.2)
    ax = fig.add_subplot(1, 2, 1)
    ops = [report["synops_per_sample"], report["ann_macs_per_sample"]]
    labels, colors = ["SNN SynOps\n(accumulates)", "ANN MACs"], ["tab:orange", "tab:blue"]
    if report.get("snn_macs_per_sample"):  # an analog first layer multiplies in the SNN too
        ops.insert(1, report["snn_macs_per_sample"])
        labels.insert(1, "SNN MACs\n(analog input)")
        colors.insert(1, "tab:red")
    ax.bar(labels, ops, color=colors)
    ax.set(ylabel="operations per sample", title=f"{report['spikes_per_sample']:.0f} spikes/"
                                                 f"sample")
    ax2 = fig.add_subplot(1, 2, 2)
    en = [report["snn_energy_uj"], report["ann_energy_uj"]]
    ax2.bar(["SNN (0.9 pJ/AC)", "ANN (4.6 pJ/MAC)"], en, color=["tab:orange", "tab:blue"])
    ax2.set(ylabel="energy per sample (uJ, 45 nm)", title="estimated compute energy")
    fig.suptitle(title)
    return _finish(fig, path)
