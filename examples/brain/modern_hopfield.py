"""The modern continuous Hopfield layer: one update softmax(beta * xi X^T) X retrieves a
stored pattern from a noisy query (large beta) or a mixture (small beta), and it is the same
computation as a Transformer's attention with queries xi and keys = values = X.

    python examples/brain/modern_hopfield.py
"""

import numpy as np

import neuronet as nt
from neuronet.brain import Hopfield


def main() -> dict:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 64))  # 100 stored patterns in 64 dimensions
    query = X[3] + 0.8 * rng.normal(size=64)
    errors = {}
    for beta in [0.01, 0.1, 1.0]:
        xi = Hopfield(beta=beta)(nt.tensor(query[None]), nt.tensor(X)).numpy()[0]
        errors[beta] = float(np.linalg.norm(xi - X[3]) / np.linalg.norm(X[3]))
        print(f"beta={beta:5}: relative distance to the stored pattern {errors[beta]:.3f}")
    q, k = nt.tensor(rng.normal(size=(5, 16))), nt.tensor(rng.normal(size=(7, 16)))
    attention = nt.softmax(q @ k.T / 4.0, dim=-1) @ k  # beta = 1 / sqrt(16)
    print("Hopfield() == attention(Q=xi, K=V=X):",
          np.allclose(Hopfield()(q, k).numpy(), attention.numpy()))
    return errors


if __name__ == "__main__":
    main()
