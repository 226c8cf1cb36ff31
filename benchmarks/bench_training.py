"""Training-epoch benchmarks on Fashion-MNIST: a full epoch of the 784-128-128-10 MLP (batch
128, Adam, data loading included) for neuronet, PyTorch and hand-written NumPy; and the classic
Keras MLP trained with `fit` on neuronet.keras and on real Keras 3 (torch backend)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import torch

import neuronet
from neuronet.datasets import load_fashion_mnist

from .common import Adam, fashion_mnist, mlp_backprop, numpy_epoch, train_epoch
from .harness import time_epochs

SIZES = (784, 128, 128, 10)


def _mlp(nn):
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                         nn.Linear(128, 10))


def epoch_numpy(data: tuple) -> Callable[[], float]:
    """The same epoch with hand-derived backprop and a hand-written Adam in NumPy."""
    x, y = data
    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(n_in)
        params += [rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                   rng.uniform(-bound, bound, n_out).astype(np.float32)]
    adam = Adam(params)

    def step(xb: np.ndarray, yb: np.ndarray) -> float:
        loss, grads = mlp_backprop(params, xb, yb)
        adam.step(grads)
        return loss

    return numpy_epoch(step, x, y, rng)


def keras_fit(module: object, data: tuple, epochs: int) -> tuple[float, float]:
    """Seconds per epoch and test accuracy of the classic Keras MNIST MLP."""
    keras = module
    (x, y), (xt, yt) = data
    x, xt = x.astype("float32") / 255.0, xt.astype("float32") / 255.0
    y1, yt1 = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yt, 10)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    t0 = time.perf_counter()
    model.fit(x, y1, batch_size=32, epochs=epochs, verbose=0)
    per_epoch = (time.perf_counter() - t0) / epochs
    _, acc = model.evaluate(xt, yt1, verbose=0)
    return per_epoch, float(acc)


def run_epochs(repeat: int = 3, limit: int | None = None) -> list[str]:
    data = fashion_mnist(limit, (784,))
    med = time_epochs({"neuronet": partial(train_epoch, neuronet, _mlp),
                       "torch": partial(train_epoch, torch, _mlp), "numpy": epoch_numpy},
                      data, repeat)
    out = ["MLP epoch, Fashion-MNIST, batch 128, Adam (s): " + "  ".join(
        f"{k} {v:.3f}" for k, v in med.items())]
    if "neuronet" in med and "torch" in med:
        out.append(f"  neuronet/torch {med['neuronet'] / med['torch']:.2f}"
                   + (f"  neuronet/numpy {med['neuronet'] / med['numpy']:.2f}"
                      if "numpy" in med else ""))
    return out


def run_keras(epochs: int = 2) -> list[str]:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    data = load_fashion_mnist()
    out = []
    results = {}
    from neuronet import keras as nk

    results["neuronet.keras"] = keras_fit(nk, data, epochs)
    try:
        import keras as real_keras

        results[f"keras {real_keras.__version__} ({real_keras.backend.backend()})"] = keras_fit(
            real_keras, data, epochs)
    except ImportError:
        out.append("  keras not installed: pip install keras==3.15.1")
    for name, (sec, acc) in results.items():
        out.append(f"Keras MLP fit, batch 32, {epochs} epochs: {name:28s} "
                   f"{sec:.2f} s/epoch  test accuracy {acc:.4f}")
    vals = list(results.values())
    if len(vals) == 2:
        out.append(f"  neuronet.keras/keras time ratio {vals[0][0] / vals[1][0]:.2f}")
    return out
