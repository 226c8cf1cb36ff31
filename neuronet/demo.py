"""A short engine demo: fit a line y = 2x + 1 by gradient descent with autograd.

Run with `python -m neuronet.demo` (what `make demo` runs until the training job lands).
"""

from __future__ import annotations

import neuronet as nt


def main() -> None:
    nt.manual_seed(0)
    x = nt.linspace(-1, 1, 64).reshape(-1, 1)
    y = 2.0 * x + 1.0 + 0.05 * nt.randn(64, 1)
    w = nt.zeros(1, 1, requires_grad=True)
    b = nt.zeros(1, requires_grad=True)
    lr = 0.5
    print("Fitting y = 2x + 1 with gradient descent on mean squared error")
    for step in range(41):
        pred = x @ w + b  # (64, 1)
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        with nt.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad = None
        b.grad = None
        if step % 5 == 0:
            print(f"step {step:3d}  loss {loss.item():.5f}")
    print(f"learned w = {w.item():.4f} (true 2), b = {b.item():.4f} (true 1)")


if __name__ == "__main__":
    main()
