"""Training-epoch benchmarks on Fashion-MNIST: a full epoch of the 784-128-128-10 MLP (batch
128, Adam, data loading included) for neuronet, PyTorch and hand-written NumPy; and the classic
Keras MLP trained with `fit` on neuronet.keras and on real Keras 3 (torch backend)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

from .harness import time_epochs

BATCH = 128


def load_data(limit: int | None = None) -> tuple:
    from neuronet.datasets import load_fashion_mnist

    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
    return (x_train, y_train), (x_test, y_test)


def _prep(x: np.ndarray) -> np.ndarray:
    return (x.reshape(len(x), -1).astype(np.float32) / 255.0)


def epoch_neuronet(data: tuple) -> Callable[[], float]:
    import neuronet as torch
    from neuronet import nn
    from neuronet.utils.data import DataLoader, TensorDataset

    (x, y), _ = data
    torch.manual_seed(0)
    ds = TensorDataset(torch.from_numpy(_prep(x)), torch.from_numpy(y.astype(np.int64)))
    loader = DataLoader(ds, batch_size=BATCH, shuffle=True)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def run() -> float:
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return loss.item()

    return run


def epoch_torch(data: tuple) -> Callable[[], float]:
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    (x, y), _ = data
    torch.manual_seed(0)
    ds = TensorDataset(torch.from_numpy(_prep(x)), torch.from_numpy(y.astype(np.int64)))
    loader = DataLoader(ds, batch_size=BATCH, shuffle=True)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def run() -> float:
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return loss.item()

    return run


def epoch_numpy(data: tuple) -> Callable[[], float]:
    """The same epoch with hand-derived backprop and a hand-written Adam in NumPy."""
    (x, y), _ = data
    x = _prep(x)
    y = y.astype(np.int64)
    rng = np.random.default_rng(0)
    sizes = (784, 128, 128, 10)
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        params += [rng.uniform(-bound, bound, (n_out, n_in)).astype(np.float32),
                   rng.uniform(-bound, bound, n_out).astype(np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    state = {"t": 0}
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8

    def step(xb: np.ndarray, yb: np.ndarray) -> float:
        n = len(xb)
        acts, masks, h = [xb], [], xb
        for i in range(3):
            h = h @ params[2 * i].T + params[2 * i + 1]
            if i < 2:
                mask = h > 0
                h = h * mask
                masks.append(mask)
            acts.append(h)
        z = h - h.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        loss = float(-np.log(p[np.arange(n), yb]).mean())
        g = p
        g[np.arange(n), yb] -= 1
        g /= n
        grads = [None] * 6
        for i in (2, 1, 0):
            grads[2 * i] = g.T @ acts[i]
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                g = (g @ params[2 * i]) * masks[i - 1]
        state["t"] += 1
        t = state["t"]
        for k, gr in enumerate(grads):
            m[k] *= b1
            m[k] += (1 - b1) * gr
            v[k] *= b2
            v[k] += (1 - b2) * gr * gr
            step_size = lr / (1 - b1 ** t)
            denom = np.sqrt(v[k]) / np.sqrt(1 - b2 ** t) + eps
            params[k] -= step_size * m[k] / denom
        return loss

    def run() -> float:
        order = rng.permutation(len(x))
        loss = 0.0
        for s in range(0, len(x), BATCH):
            idx = order[s:s + BATCH]
            loss = step(x[idx], y[idx])
        return loss

    return run


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
    data = load_data(limit)
    med = time_epochs({"neuronet": epoch_neuronet, "torch": epoch_torch, "numpy": epoch_numpy},
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
    data = load_data()
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
