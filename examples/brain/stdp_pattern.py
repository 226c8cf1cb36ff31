"""STDP finds a spike pattern hidden in noise (Masquelier, Guyonneau & Thorpe 2008): one LIF
neuron listens to 200 noisy afferents in which a 50-step pattern recurs; STDP alone makes it
fire for the pattern only, and earlier and earlier after the pattern starts.

    python examples/brain/stdp_pattern.py --out runs/brain
"""

import argparse
import os

import numpy as np

from neuronet.brain.experiments import stdp_pattern_experiment
from neuronet.brain.plots import plot_latency, plot_receptive_fields


def main(out: str = "runs/brain", presentations: int = 800) -> dict:
    os.makedirs(out, exist_ok=True)
    r = stdp_pattern_experiment(n_presentations=presentations)
    lat, fa = r["latency"], r["false_alarms"]
    for name, part in [("first 100", slice(0, 100)), ("last 100", slice(-100, None))]:
        hits = np.mean(~np.isnan(lat[part]))
        mean = np.nanmean(lat[part]) if hits else float("nan")
        print(f"{name}: fires for the pattern {100 * hits:.0f}% of times, latency {mean:.1f} "
              f"steps, {fa[part].sum()} spikes in noise")
    plot_latency(r, path=os.path.join(out, "stdp_latency.png"))
    w = np.stack([r["weights_initial"], r["weights_final"]])
    plot_receptive_fields(w, (10, 20), title="weights before / after (top half: pattern)",
                          path=os.path.join(out, "stdp_weights.png"))
    return r


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/brain")
    main(p.parse_args().out)
