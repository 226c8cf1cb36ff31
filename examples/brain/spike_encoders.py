"""Three ways to turn a Fashion-MNIST image into spikes: rate (brighter pixels fire more
often), latency (brighter pixels fire earlier, once) and delta (spikes where a signal
changes). Saves one raster per code.

    python examples/brain/spike_encoders.py --out runs/brain
"""

import argparse
import os

import numpy as np

from neuronet.brain import encoding
from neuronet.brain.plots import plot_raster
from neuronet.datasets import load_fashion_mnist


def main(out: str = "runs/brain", steps: int = 25) -> dict:
    os.makedirs(out, exist_ok=True)
    try:
        (x, _), _ = load_fashion_mnist()
        image = x[0].reshape(-1) / 255.0
    except FileNotFoundError:  # no dataset: a synthetic gradient image
        image = np.linspace(0, 1, 784)
    rate = encoding.rate(image, steps, generator=np.random.default_rng(0))
    lat = encoding.latency(image, steps, tau=5, threshold=0.01, normalize=True)
    signal = np.sin(np.linspace(0, 4 * np.pi, 100))[:, None] * np.linspace(0.2, 1, 20)
    delta = encoding.delta(signal, threshold=0.1, off_spike=True)
    plot_raster(rate, title="rate code (T=25)", path=os.path.join(out, "code_rate.png"))
    plot_raster(lat, title="latency code", path=os.path.join(out, "code_latency.png"))
    plot_raster(np.abs(delta.numpy()), title="delta code of 20 sine waves",
                path=os.path.join(out, "code_delta.png"))
    counts = {"rate": int(rate.sum().item()), "latency": int(lat.sum().item()),
              "delta": int(np.abs(delta.numpy()).sum())}
    print("spikes:", counts)
    return counts


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/brain")
    main(p.parse_args().out)
