"""A deeper Keras CNN for Fashion-MNIST with BatchNormalization and data augmentation.

Two conv blocks (Conv-BN-ReLU x2, max-pool, dropout) and a BN'd dense head, trained with Adam
on images randomly flipped left-right and shifted by up to 2 pixels (a small NumPy pipeline
that re-augments the training set each epoch). Written against the Keras 3 API: replace the
import below with `import keras` to run it on Keras.

Run:  python examples/fashion_mnist_cnn.py --epochs 15
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from neuronet import keras
from neuronet.keras import layers


def augment(x: np.ndarray, rng: np.random.Generator, shift: int = 2) -> np.ndarray:
    """Random left-right flips and shifts of (N, 28, 28, 1) images, vectorized: pad by
    `shift` with zeros, then take each image's window at a random offset."""
    n, h, w, _ = x.shape
    flip = rng.random(n) < 0.5
    x = np.where(flip[:, None, None, None], x[:, :, ::-1], x)
    padded = np.pad(x, ((0, 0), (shift, shift), (shift, shift), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(1, 2))
    dy = rng.integers(0, 2 * shift + 1, n)
    dx = rng.integers(0, 2 * shift + 1, n)
    out = windows[np.arange(n), dy, dx]  # (N, 1, h, w)
    return np.ascontiguousarray(out.transpose(0, 2, 3, 1))


def build_model() -> keras.Model:
    def block(filters: int) -> list:
        return [layers.Conv2D(filters, 3, padding="same", use_bias=False),
                layers.BatchNormalization(), layers.Activation("relu"),
                layers.Conv2D(filters, 3, padding="same", use_bias=False),
                layers.BatchNormalization(), layers.Activation("relu"),
                layers.MaxPooling2D(2), layers.Dropout(0.25)]

    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        *block(32), *block(64),
        layers.Flatten(),
        layers.Dense(256, use_bias=False), layers.BatchNormalization(),
        layers.Activation("relu"), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def main(argv: list[str] | None = None) -> tuple:
    parser = argparse.ArgumentParser(description="Fashion-MNIST CNN with BN and augmentation")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--limit", type=int, default=None, help="first N training images")
    parser.add_argument("--test-limit", type=int, default=None, help="first N test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    x_test, y_test = x_test[:args.test_limit], y_test[:args.test_limit]
    x_train = x_train[..., None].astype("float32") / 255
    x_test = x_test[..., None].astype("float32") / 255

    model = build_model()
    model.summary()
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    accuracies, start = [], time.perf_counter()
    for epoch in range(args.epochs):
        if epoch == int(args.epochs * 0.7):  # a step decay for the last 30% of the epochs
            model.optimizer.learning_rate = 3e-4
        model.fit(augment(x_train, rng), y_train, batch_size=args.batch_size, epochs=1,
                  verbose=0)
        _, acc = model.evaluate(x_test, y_test, verbose=0)
        accuracies.append(float(acc))
        if args.verbose:
            print(f"epoch {epoch + 1}/{args.epochs}: test accuracy {acc:.4f}, "
                  f"{time.perf_counter() - start:.0f} s")
    seconds = time.perf_counter() - start
    print(f"Test accuracy: {accuracies[-1]:.4f} after {args.epochs} epochs, {seconds:.0f} s")
    return accuracies, seconds


if __name__ == "__main__":
    main()
