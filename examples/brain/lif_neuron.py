"""One layer of leaky integrate-and-fire neurons driven by a noisy current: the membrane
potential charges, leaks, fires at the threshold and resets; saves a membrane trace and a
spike raster.

    python examples/brain/lif_neuron.py --out runs/brain
"""

import argparse
import os

import numpy as np

import neuronet as nt
from neuronet.brain import AdaptiveLeaky, Leaky, Synaptic
from neuronet.brain.plots import plot_membrane, plot_raster


def main(out: str = "runs/brain", steps: int = 100) -> dict:
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    # 3 neurons for the trace: a constant, a ramping and a noisy input current
    t = np.arange(steps)
    current = np.stack([np.full(steps, 0.25), 0.5 * t / steps, rng.uniform(0, 0.5, steps)], 1)
    spk, mem = Leaky(beta=0.9, threshold=1.0, output="both")(nt.tensor(current[:, None]))
    plot_membrane(mem[:, 0], spk[:, 0], threshold=1.0, title="LIF: U = 0.9 U + I, reset by 1",
                  path=os.path.join(out, "lif_membrane.png"))
    # 50 neurons, each with its own constant drive: the firing rate grows with the drive
    drive = nt.tensor(np.tile(np.linspace(0.05, 0.6, 50), (steps, 1))[:, None], dtype=nt.float32)
    counts = {}
    for name, neuron in [("Leaky", Leaky()), ("Synaptic", Synaptic()),
                         ("AdaptiveLeaky", AdaptiveLeaky(adaptation=0.5))]:
        s = neuron(drive)[:, 0]
        counts[name] = int(s.sum().item())
        if name == "Leaky":
            plot_raster(s, title="LIF raster: drive grows with the neuron index",
                        path=os.path.join(out, "lif_raster.png"))
    print("spikes in", steps, "steps:", counts, "(adaptation fires less)")
    return counts


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/brain")
    main(p.parse_args().out)
