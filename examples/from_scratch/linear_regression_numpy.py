"""Linear regression by gradient descent: by hand in NumPy, then with nn.Linear and optim.SGD.

Data: points near the line y = 2 x + 1 (``neuronet.datasets.make_regression``). Both
versions minimise the mean squared error and should recover slope 2 and intercept 1.

Run:  python examples/from_scratch/linear_regression_numpy.py --epochs 200
"""

from __future__ import annotations

import argparse

import numpy as np

import neuronet as torch
from neuronet import nn, optim
from neuronet.datasets import make_regression


def fit_numpy(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> tuple[float, float]:
    """Full-batch gradient descent on L = mean((X w + b - y)^2); returns (w, b)."""
    N = len(X)
    w = np.zeros((X.shape[1], 1), dtype=X.dtype)  # (D, 1)
    b = np.zeros(1, dtype=X.dtype)
    for _ in range(epochs):
        y_hat = X @ w + b  # (N, 1) predictions
        error = y_hat - y  # (N, 1)
        # L = 1/N sum error^2   =>   dL/dw = 2/N X^T error,   dL/db = 2/N sum error
        d_w = 2.0 / N * (X.T @ error)
        d_b = 2.0 / N * error.sum(axis=0)
        w -= lr * d_w  # w <- w - lr dL/dw
        b -= lr * d_b
    return float(w[0, 0]), float(b[0])


def fit_neuronet(X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> tuple[float, float]:
    """The same with a Linear(1, 1) layer, MSELoss and SGD; autograd gives the gradients."""
    model = nn.Linear(X.shape[1], 1)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=lr)
    inputs, targets = torch.from_numpy(X), torch.from_numpy(y)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return model.weight.item(), model.bias.item()


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--slope", type=float, default=2.0)
    parser.add_argument("--intercept", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)
    X, y, _ = make_regression(n_samples=args.samples, slope=args.slope,
                              intercept=args.intercept, noise=0.1, seed=args.seed)
    results = {
        "true": (args.slope, args.intercept),
        "numpy": fit_numpy(X, y, args.lr, args.epochs),
        "neuronet": fit_neuronet(X, y, args.lr, args.epochs),
    }
    for name, (w, b) in results.items():
        print(f"{name:>9}: slope {w:7.4f}  intercept {b:7.4f}")
    return results


if __name__ == "__main__":
    main()
