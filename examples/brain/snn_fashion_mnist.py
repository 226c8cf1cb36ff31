"""A spiking MLP or CNN on Fashion-MNIST, trained by backpropagation through time with a
surrogate gradient, plus its spike count and synaptic operations against the MACs of the
same-sized ordinary network.

    python examples/brain/snn_fashion_mnist.py --arch mlp --epochs 3
    python examples/brain/snn_fashion_mnist.py --arch cnn --epochs 6 --out runs/snn_cnn

MLP input: each image rate-coded into T=25 Bernoulli spike frames. CNN input: direct
(current) encoding: a static encoder (conv 32 3x3, batch norm, 2x2 max pool) reads the analog
image once and drives the first spiking layer with that current for T=6 steps; after it every
layer sees only spikes (conv 64 3x3, batch norm, pool, LIF; fc 128, LIF). Output: 10 LIF
neurons. MLP readout: the class with the most spikes wins (spike-count cross entropy, fast
sigmoid surrogate). CNN readout: the output neurons integrate without firing and their mean
membrane potential is the score (membrane cross entropy, atan surrogate). Adam with a cosine
learning-rate decay over the epochs.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

import neuronet as nt
from neuronet import nn
from neuronet.brain import Leaky, RepeatSteps, encoding
from neuronet.brain import losses as SL
from neuronet.brain.energy import SynOpCounter
from neuronet.brain.neurons import TimeDistributed as TD
from neuronet.brain.plots import plot_synops
from neuronet.datasets import load_fashion_mnist


def build(arch: str, hidden: int, beta: float, surrogate: str = "fast_sigmoid",
          steps: int = 6) -> nn.Module:
    def lif(**kwargs) -> Leaky:
        return Leaky(beta=beta, spike_grad=surrogate, **kwargs)

    if arch == "mlp":  # 784-hidden-10
        return nn.Sequential(nn.Linear(784, hidden), lif(), nn.Linear(hidden, 10), lif())
    # static encoder, then T steps of spikes: conv32-BN-pool | LIF | conv64-BN-pool-LIF |
    # fc128-LIF | fc10-LIF
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.MaxPool2d(2),
        RepeatSteps(steps), lif(),
        TD(nn.Conv2d(32, 64, 3, padding=1)), TD(nn.BatchNorm2d(64)), TD(nn.MaxPool2d(2)), lif(),
        TD(nn.Flatten()), nn.Linear(64 * 7 * 7, 128), lif(),
        nn.Linear(128, 10), lif(output="membrane", reset_mechanism="none"))


def frames(x: np.ndarray, arch: str, steps: int, rng: np.random.Generator) -> nt.Tensor:
    """MLP: (T, N, 784) rate-coded spike frames; CNN: the (N, 1, 28, 28) images themselves
    (the network repeats its encoder's output over the T steps)."""
    if arch == "cnn":
        return nt.from_numpy(np.ascontiguousarray(x[:, None]))
    return encoding.rate(x.reshape(len(x), -1), steps, generator=rng)


def loss_fn(out: nt.Tensor, y: np.ndarray, arch: str) -> nt.Tensor:
    """Spike-count cross entropy (MLP) or membrane cross entropy (CNN)."""
    return SL.ce_count_loss(out, y) if arch == "mlp" else SL.ce_membrane_loss(out, y)


def predict(out: nt.Tensor, arch: str) -> nt.Tensor:
    return SL.predict(out) if arch == "mlp" else out.mean(0).argmax(-1)


def evaluate(net: nn.Module, x: np.ndarray, y: np.ndarray, arch: str, steps: int,
             batch: int, rng: np.random.Generator) -> tuple[float, dict]:
    correct = 0
    net.eval()
    with nt.no_grad(), SynOpCounter(net) as counter:
        for i in range(0, len(x), batch):
            out = net(frames(x[i:i + batch], arch, steps, rng))
            correct += int((predict(out, arch).numpy() == y[i:i + batch]).sum())
    net.train()
    return correct / len(x), counter.report()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--arch", choices=["mlp", "cnn"], default="mlp")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--steps", type=int, default=None, help="time steps (MLP 25, CNN 6)")
    p.add_argument("--hidden", type=int, default=512)
    p.add_argument("--beta", type=float, default=0.9)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--surrogate", default=None, help="MLP fast_sigmoid, CNN atan")
    p.add_argument("--train-limit", type=int, default=None, help="use the first N images")
    p.add_argument("--test-limit", type=int, default=None)
    p.add_argument("--out", default="runs/snn_fashion_mnist")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    a.steps = a.steps or (25 if a.arch == "mlp" else 6)
    a.surrogate = a.surrogate or ("fast_sigmoid" if a.arch == "mlp" else "atan")
    nt.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    (x_tr, y_tr), (x_te, y_te) = load_fashion_mnist()
    x_tr, x_te = x_tr[:a.train_limit] / 255.0, x_te[:a.test_limit] / 255.0
    y_tr, y_te = y_tr[:a.train_limit].astype(np.int64), y_te[:a.test_limit].astype(np.int64)
    x_tr, x_te = x_tr.astype(np.float32), x_te.astype(np.float32)
    net = build(a.arch, a.hidden, a.beta, a.surrogate, a.steps)
    opt = nt.optim.Adam(net.parameters(), lr=a.lr)
    decay = nt.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=a.epochs)
    log, start = [], time.time()
    for epoch in range(a.epochs):
        order = rng.permutation(len(x_tr))
        for b, i in enumerate(range(0, len(x_tr), a.batch_size)):
            idx = order[i:i + a.batch_size]
            loss = loss_fn(net(frames(x_tr[idx], a.arch, a.steps, rng)), y_tr[idx], a.arch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if b % 50 == 0:
                print(f"epoch {epoch + 1} batch {b} loss {loss.item():.3f} "
                      f"({time.time() - start:.0f} s)", flush=True)
        decay.step()
        acc, energy = evaluate(net, x_te, y_te, a.arch, a.steps, 500, rng)
        log.append({"epoch": epoch + 1, "test_accuracy": acc, "seconds": time.time() - start,
                    **energy})
        print(json.dumps(log[-1]), flush=True)
    os.makedirs(a.out, exist_ok=True)
    result = {"arch": a.arch, "args": vars(a), "epochs": log}
    with open(os.path.join(a.out, f"{a.arch}.json"), "w") as f:
        json.dump(result, f, indent=1)
    plot_synops(log[-1], title=f"spiking {a.arch.upper()}, Fashion-MNIST "
                f"({100 * log[-1]['test_accuracy']:.1f}% test)",
                path=os.path.join(a.out, f"{a.arch}_synops.png"))
    print("saved", a.out)


if __name__ == "__main__":
    main()
