"""Hebbian learning without backpropagation: Oja's rule finds the first principal component
and Sanger's rule the top k, checked against NumPy's SVD; the components learned on
Fashion-MNIST are drawn as receptive fields.

    python examples/brain/hebbian_pca.py --out runs/brain
"""

import argparse
import os

import numpy as np

import neuronet as nt
from neuronet.brain import Oja, Sanger
from neuronet.brain.plots import plot_receptive_fields
from neuronet.datasets import load_fashion_mnist


def main(out: str = "runs/brain", n_images: int = 3000, k: int = 4, epochs: int = 20) -> dict:
    os.makedirs(out, exist_ok=True)
    (x, _), _ = load_fashion_mnist()
    x = x[:n_images].reshape(n_images, -1) / 255.0
    x = x - x.mean(0)  # PCA of centred data
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    cos = {}
    for name, rule_cls, units in [("oja", Oja, 1), ("sanger", Sanger, k)]:
        layer = nt.nn.Linear(784, units, bias=False).double()
        layer.weight.data.mul_(0.1)
        rule = rule_cls(layer, lr=0.005)
        for _ in range(epochs):
            for i in range(0, n_images, 50):
                rule.step(x[i:i + 50])
        w = layer.weight.detach().numpy()
        cos[name] = [abs(w[j] @ vt[j]) / np.linalg.norm(w[j]) for j in range(units)]
        print(f"{name}: |cos| with the SVD components:", np.round(cos[name], 3))
    plot_receptive_fields(w, (28, 28), title="Sanger's rule: the top principal components",
                          path=os.path.join(out, "sanger_fields.png"))
    return cos


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="runs/brain")
    main(p.parse_args().out)
