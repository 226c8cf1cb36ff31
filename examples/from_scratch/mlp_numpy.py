"""A two-layer sigmoid network learns XOR: backpropagation by hand in NumPy, then neuronet.

The same network, the same initial weights and the same learning rate, trained twice:

1. ``train_numpy``: every derivative written out and commented (the chain rule, layer by
   layer, from the loss back to the first weights);
2. ``train_neuronet``: ``nn.Linear`` layers, ``nn.MSELoss``, ``optim.SGD`` and the usual
   ``zero_grad(); loss.backward(); step()`` loop, where autograd derives the same numbers.

In float64 the two loss curves agree to about 1e-15 (tests/examples checks 1e-10).

Run:  python examples/from_scratch/mlp_numpy.py --steps 2000
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet as torch
from neuronet import nn, optim
from neuronet.datasets import make_xor


def sigmoid(z: np.ndarray) -> np.ndarray:
    """s(z) = 1 / (1 + exp(-z)); its derivative is s'(z) = s(z) (1 - s(z))."""
    return 1.0 / (1.0 + np.exp(-z))


def init_weights(n_in: int, n_hidden: int, n_out: int, seed: int) -> dict[str, np.ndarray]:
    """PyTorch's default Linear init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)), in PyTorch's layout.

    W1: (n_hidden, n_in), b1: (n_hidden,), W2: (n_out, n_hidden), b2: (n_out,).
    """
    rng = np.random.default_rng(seed)
    bound1, bound2 = 1.0 / np.sqrt(n_in), 1.0 / np.sqrt(n_hidden)
    return {
        "W1": rng.uniform(-bound1, bound1, (n_hidden, n_in)),
        "b1": rng.uniform(-bound1, bound1, n_hidden),
        "W2": rng.uniform(-bound2, bound2, (n_out, n_hidden)),
        "b2": rng.uniform(-bound2, bound2, n_out),
    }


def train_numpy(X: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray], lr: float,
                steps: int) -> list[float]:
    """Full-batch gradient descent with hand-derived gradients; returns the loss per step."""
    W1, b1, W2, b2 = (weights[k].copy() for k in ("W1", "b1", "W2", "b2"))
    N, O = y.shape  # number of samples, number of outputs
    losses = []
    for _ in range(steps):
        # ---- forward ------------------------------------------------------------------
        z1 = X @ W1.T + b1  # (N, H) pre-activations of the hidden layer
        a1 = sigmoid(z1)  # (N, H) hidden activations
        z2 = a1 @ W2.T + b2  # (N, O) pre-activations of the output layer
        y_hat = sigmoid(z2)  # (N, O) predictions
        loss = np.mean((y_hat - y) ** 2)  # L = 1/(N O) * sum (y_hat - y)^2
        losses.append(float(loss))
        # ---- backward: the chain rule, from L back to each weight -------------------------
        d_y_hat = 2.0 * (y_hat - y) / (N * O)  # dL/dy_hat = 2 (y_hat - y) / (N O)
        d_z2 = d_y_hat * y_hat * (1.0 - y_hat)  # dL/dz2 = dL/dy_hat * s'(z2)
        d_W2 = d_z2.T @ a1  # dL/dW2 = sum over samples of dL/dz2 (outer) a1: (O, H)
        d_b2 = d_z2.sum(axis=0)  # dL/db2 = sum over samples of dL/dz2: (O,)
        d_a1 = d_z2 @ W2  # dL/da1 = dL/dz2 W2: (N, H), the error sent back to layer 1
        d_z1 = d_a1 * a1 * (1.0 - a1)  # dL/dz1 = dL/da1 * s'(z1)
        d_W1 = d_z1.T @ X  # dL/dW1 = sum over samples of dL/dz1 (outer) x: (H, D)
        d_b1 = d_z1.sum(axis=0)  # dL/db1: (H,)
        # ---- gradient descent: w <- w - lr * dL/dw ---------------------------------------
        W1 -= lr * d_W1
        b1 -= lr * d_b1
        W2 -= lr * d_W2
        b2 -= lr * d_b2
    return losses


class TwoLayerNet(nn.Module):
    """x -> sigmoid(fc1 x) -> sigmoid(fc2 .): the same network, autograd does the backward."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden, dtype=torch.float64)
        self.fc2 = nn.Linear(n_hidden, n_out, dtype=torch.float64)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.fc2(torch.sigmoid(self.fc1(x))))


def train_neuronet(X: np.ndarray, y: np.ndarray, weights: dict[str, np.ndarray], lr: float,
                   steps: int) -> list[float]:
    """The same training with nn.Linear, MSELoss and optim.SGD (float64)."""
    n_hidden, n_in = weights["W1"].shape
    model = TwoLayerNet(n_in, n_hidden, weights["W2"].shape[0])
    with torch.no_grad():  # start from exactly the NumPy version's weights
        model.fc1.weight.copy_(torch.from_numpy(weights["W1"]))
        model.fc1.bias.copy_(torch.from_numpy(weights["b1"]))
        model.fc2.weight.copy_(torch.from_numpy(weights["W2"]))
        model.fc2.bias.copy_(torch.from_numpy(weights["b2"]))
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    inputs, targets = torch.from_numpy(X), torch.from_numpy(y)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--hidden", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2.0)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, labels = make_xor(n_samples=args.samples, noise=0.1, seed=args.seed)
    X = X.astype(np.float64)
    y = labels.astype(np.float64)[:, None]  # (N, 1) targets in {0, 1}
    weights = init_weights(2, args.hidden, 1, args.seed)
    numpy_losses = train_numpy(X, y, weights, args.lr, args.steps)
    neuronet_losses = train_neuronet(X, y, weights, args.lr, args.steps)

    every = max(args.steps // 10, 1)
    print(f"{'step':>6} {'numpy loss':>14} {'neuronet loss':>14} {'difference':>11}")
    for step in range(0, args.steps, every):
        a, b = numpy_losses[step], neuronet_losses[step]
        print(f"{step:>6} {a:14.8f} {b:14.8f} {abs(a - b):11.1e}")
    difference = float(np.max(np.abs(np.subtract(numpy_losses, neuronet_losses))))
    print(f"largest difference over {args.steps} steps: {difference:.1e}")
    return {"numpy": numpy_losses, "neuronet": neuronet_losses, "max_difference": difference}


if __name__ == "__main__":
    main()
