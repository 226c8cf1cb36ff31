"""The classic tf.keras "hello world": one Dense neuron fitted with mean squared error and Adam.

Run with only the import changed (`from neuronet import keras`). Its usual data, y = x**2 on
x = 1..5, tells the true story: a straight line cannot predict 36 for x = 6. The best line
through those five points (least squares) is y = 6x - 7, which says 29 at x = 6; the one neuron
trained for 1000 epochs with Adam's default learning rate gets only part of the way there. A
small hidden layer fits the five points closely; what it says for x = 6 is an extrapolation
(a ReLU network continues linearly past the data), and the program prints it beside 36.
"""

from __future__ import annotations

import argparse

import numpy as np

from neuronet import keras  # was: from tensorflow import keras


def one_neuron(xs: np.ndarray, ys: np.ndarray, epochs: int) -> float:
    """The program as tutorials write it; returns its prediction for x = 6."""
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=(1,))])
    model.compile(optimizer="adam", loss="mse")
    model.fit(xs, ys, epochs=epochs, verbose=0)
    return float(model.predict(np.array([[6.0]]), verbose=0)[0, 0])


def hidden_layer(xs: np.ndarray, ys: np.ndarray, epochs: int) -> tuple[float, float]:
    """y = x**2 with 16 ReLU units; returns (training MSE, prediction for x = 6)."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(xs, ys, epochs=epochs, verbose=0)
    mse = float(model.evaluate(xs, ys, verbose=0))
    return mse, float(model.predict(np.array([[6.0]]), verbose=0)[0, 0])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--hidden-epochs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    xs = np.array([1, 2, 3, 4, 5], dtype="float32").reshape(-1, 1)
    ys = xs ** 2
    slope, intercept = np.polyfit(xs[:, 0], ys[:, 0], 1)
    best_line = slope * 6 + intercept
    linear = one_neuron(xs, ys, args.epochs)
    mse, hidden = hidden_layer(xs, ys, args.hidden_epochs)
    print("data: y = x**2 for x = 1..5; the true value at x = 6 is 36")
    print(f"one neuron, {args.epochs} epochs of Adam:   predicts {linear:7.2f} for x = 6")
    print(f"best possible straight line y = {slope:.0f}x {intercept:+.0f}: predicts "
          f"{best_line:7.2f} for x = 6 (a line cannot reach 36)")
    print(f"16 ReLU units: training MSE {mse:.3f}, predicts {hidden:.2f} for x = 6 "
          "(an extrapolation)")
    return {"linear": linear, "best_line": best_line, "hidden": hidden, "hidden_mse": mse}


if __name__ == "__main__":
    main()
