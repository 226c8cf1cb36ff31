"""Fashion-MNIST read row by row by an LSTM: each image is a sequence of 28 rows of 28 pixels.

    h_t, c_t = LSTM(x_t, (h_{t-1}, c_{t-1})),  t = 1..28,  x_t the t-th row of the image
    logits = W h_28 + b

Written as a PyTorch program (only the imports name neuronet); `--keras` trains the same
network with the Keras face instead (`keras.layers.LSTM(128)` + `Dense(10)`, `fit`).
Five epochs (batch 128, Adam 2e-3, gradient norm clipped at 5) reach 87.1% test accuracy.

Run:  python examples/lstm_fashion_mnist.py --epochs 5            (PyTorch face)
      python examples/lstm_fashion_mnist.py --epochs 5 --keras    (Keras face)
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import neuronet as torch
from neuronet import nn, optim
from neuronet.datasets import load_fashion_mnist
from neuronet.utils.data import DataLoader, TensorDataset


class RowLSTM(nn.Module):
    """(N, 28, 28) images -> LSTM(28 -> hidden) over the rows -> Linear(hidden -> 10)."""

    def __init__(self, hidden: int = 128, classes: int = 10) -> None:
        super().__init__()
        self.lstm = nn.LSTM(28, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)

    def forward(self, x):
        _, (h_n, _) = self.lstm(x)  # h_n: (1, N, hidden), the state after the last row
        return self.fc(h_n[-1])


def load(limit: int | None = None) -> tuple:
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
        x_test, y_test = x_test[:limit], y_test[:limit]
    prep = lambda x: (x.astype(np.float32) / 255.0).reshape(len(x), 28, 28)  # noqa: E731
    return (prep(x_train), y_train.astype(np.int64)), (prep(x_test), y_test.astype(np.int64))


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray, batch: int = 1000) -> float:
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(torch.from_numpy(x[i:i + batch]))
            correct += int((logits.argmax(1).numpy() == y[i:i + batch]).sum())
    return 100.0 * correct / len(x)


def train_torch_face(args: argparse.Namespace, data: tuple) -> float:
    (x_train, y_train), (x_test, y_test) = data
    torch.manual_seed(args.seed)
    loader = DataLoader(TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
                        batch_size=args.batch_size, shuffle=True)
    model = RowLSTM(args.hidden)
    optimizer = optim.Adam(model.parameters(), lr=args.lr)
    criterion = nn.CrossEntropyLoss()
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        start, total = time.perf_counter(), 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            total += loss.item() * len(xb)
        acc = accuracy(model, x_test, y_test)
        print(f"epoch {epoch}: loss {total / len(x_train):.4f}, test accuracy {acc:.2f}% "
              f"({time.perf_counter() - start:.1f} s)")
    return acc


def train_keras_face(args: argparse.Namespace, data: tuple) -> float:
    from neuronet import keras

    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(args.seed)
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.LSTM(args.hidden),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(args.lr),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs, verbose=2)
    _, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test accuracy {100 * acc:.2f}%")
    return 100.0 * acc


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description="Row-by-row LSTM on Fashion-MNIST")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keras", action="store_true", help="train with the Keras face")
    args = parser.parse_args(argv)
    data = load(args.limit)
    return train_keras_face(args, data) if args.keras else train_torch_face(args, data)


if __name__ == "__main__":
    main()
