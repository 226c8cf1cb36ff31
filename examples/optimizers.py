"""Seven ways down the same loss surface: GD, SGD, mini-batch, Momentum, Adagrad, RMSprop, Adam.

A small MLP (2-16-16-2, tanh) classifies the two-moons set. Every method starts from the
same initial weights and sees the data in the same order; only the update rule and the batch
size differ:

    GD          one step per epoch on the whole set      w <- w - lr g
    SGD         one step per sample (batch size 1)       w <- w - lr g_i
    mini-batch  one step per batch of 32                 w <- w - lr g_B
    Momentum    v <- mu v + g;  w <- w - lr v            (Polyak, 1964)
    Adagrad     s <- s + g^2;  w <- w - lr g / (sqrt(s) + eps)
    RMSprop     s <- alpha s + (1 - alpha) g^2;  w <- w - lr g / (sqrt(s) + eps)
    Adam        m, v: running means of g and g^2, bias-corrected (Kingma & Ba, 2015)

The loss on the whole training set after each epoch is printed as a table, and plotted to
``optimizers.png`` when matplotlib is installed.

Run:  python examples/optimizers.py --epochs 30
"""

from __future__ import annotations

import argparse
import copy
from collections.abc import Callable

import neuronet as torch
from neuronet import nn, optim
from neuronet.datasets import make_moons
from neuronet.utils.data import DataLoader, TensorDataset

# name -> (batch size, or None for the whole set; optimizer factory)
METHODS: dict[str, tuple[int | None, Callable[..., optim.Optimizer]]] = {
    "GD": (None, lambda params: optim.SGD(params, lr=0.5)),
    "SGD": (1, lambda params: optim.SGD(params, lr=0.02)),
    "mini-batch": (32, lambda params: optim.SGD(params, lr=0.2)),
    "Momentum": (32, lambda params: optim.SGD(params, lr=0.05, momentum=0.9)),
    "Adagrad": (32, lambda params: optim.Adagrad(params, lr=0.05)),
    "RMSprop": (32, lambda params: optim.RMSprop(params, lr=0.005)),
    "Adam": (32, lambda params: optim.Adam(params, lr=0.01)),
}


def make_model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 2))


def full_loss(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> float:
    with torch.no_grad():
        return nn.functional.cross_entropy(model(inputs), targets).item()


def train(name: str, initial: nn.Module, dataset: TensorDataset, epochs: int,
          seed: int) -> list[float]:
    """Loss on the whole set before training and after each epoch."""
    batch_size, make_optimizer = METHODS[name]
    model = copy.deepcopy(initial)
    optimizer = make_optimizer(model.parameters())
    criterion = nn.CrossEntropyLoss()
    loader = DataLoader(dataset, batch_size=batch_size or len(dataset), shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    inputs, targets = dataset.tensors
    losses = [full_loss(model, inputs, targets)]
    for _ in range(epochs):
        for x, y in loader:
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
        losses.append(full_loss(model, inputs, targets))
    return losses


def print_table(curves: dict[str, list[float]], rows: int = 10) -> None:
    epochs = len(next(iter(curves.values()))) - 1
    print("epoch " + "".join(f"{name:>11}" for name in curves))
    for epoch in sorted({*range(0, epochs + 1, max(epochs // rows, 1)), epochs}):
        print(f"{epoch:5d} " + "".join(f"{curve[epoch]:11.4f}" for curve in curves.values()))


def plot(curves: dict[str, list[float]], path: str) -> bool:
    """Plot the curves to ``path``; False (and a note) when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: skipping the plot")
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, curve in curves.items():
        ax.plot(range(len(curve)), curve, label=name)
    ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log",
           title="Optimizers on two moons")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"saved {path}")
    return True


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", default="optimizers.png", help="PNG path ('' for none)")
    args = parser.parse_args(argv)

    X, y = make_moons(n_samples=args.samples, noise=0.2, seed=args.seed)
    dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    torch.manual_seed(args.seed)
    initial = make_model()
    curves = {name: train(name, initial, dataset, args.epochs, args.seed) for name in METHODS}
    print_table(curves)
    if args.plot:
        plot(curves, args.plot)
    return curves


if __name__ == "__main__":
    main()
