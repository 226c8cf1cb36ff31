"""A classical Hopfield network as an associative memory: store patterns with the Hebbian
rule, recall them from 20%-corrupted cues while the energy only goes down, and measure the
capacity: recall collapses near 0.14 N stored patterns.

    python examples/brain/hopfield_memory.py --out runs/brain
"""

import argparse
import os

import numpy as np

from neuronet.brain.hopfield import HopfieldNetwork, capacity_curve, corrupt
from neuronet.brain.plots import plot_capacity, plot_receptive_fields
from neuronet.viz._mpl import new_figure, save_png


def main(out: str = "runs/brain", n_units: int = 100, trials: int = 5) -> dict:
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    # five 10x10 random images in memory, one recalled from a corrupted cue
    patterns = rng.choice([-1.0, 1.0], size=(5, 100))
    net = HopfieldNetwork(100)
    net.store(patterns)
    cue = corrupt(patterns[:1], 0.2, rng)
    recalled, energy = net.recall(cue, generator=rng, record_energy=True)
    print("recalled exactly:", bool(np.all(recalled == patterns[0])),
          f"energy {energy[0, 0]:.1f} -> {energy[-1, 0]:.1f}, never up:",
          bool(np.all(np.diff(energy[:, 0]) <= 1e-12)))
    plot_receptive_fields(np.stack([patterns[0], cue[0], recalled[0]]), (10, 10),
                          title="stored / cue (20% flipped) / recalled",
                          path=os.path.join(out, "hopfield_recall.png"))
    fig = new_figure(6, 3)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(energy[:, 0])
    ax.set(xlabel="asynchronous update", ylabel="E = -1/2 s^T W s", title="energy during recall")
    save_png(fig, os.path.join(out, "hopfield_energy.png"))
    curve = capacity_curve(n_units, trials=trials)
    plot_capacity(curve, n_units, path=os.path.join(out, "hopfield_capacity.png"))
    half = curve["load"][np.argmax(curve["accuracy"] < 0.5)]
    print(f"N={n_units}: exact recall falls below 50% at P/N = {half:.2f} (theory: ~0.138)")
    return curve


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/brain")
    main(p.parse_args().out)
