"""A spiking network in Keras: rate-encoded Fashion-MNIST, Dense + LIF layers, and the mean
membrane potential of non-firing readout neurons as the class scores; `fit` trains it through
the surrogate gradient like any Keras model. (This is the model proposed for
`neuronet train --model snn`.)

    python examples/brain/keras_snn.py --epochs 1 --limit 6000
"""

import argparse

from neuronet import keras
from neuronet.datasets import load_fashion_mnist


def build(num_steps: int = 25, hidden: int = 256, num_classes: int = 10) -> keras.Model:
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=(28, 28)),
        layers.Flatten(),
        layers.RateEncoding(num_steps),  # (batch, 784) -> (batch, T, 784) spikes
        layers.Dense(hidden),
        layers.LIF(beta=0.9),
        layers.Dense(num_classes),
        # readout: non-firing integrators; their mean potential over time are the logits
        layers.LIF(beta=0.9, output="membrane", reset_mechanism="none"),
        layers.SpikeRate(),  # (batch, T, 10) -> (batch, 10), the mean over time
        layers.Activation("softmax"),
    ], name="snn")


def main(epochs: int = 1, limit: int = 6000) -> float:
    (x, y), (x_test, y_test) = load_fashion_mnist()
    x, x_test = x[:limit] / 255.0, x_test[:limit // 6] / 255.0
    model = build()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x.astype("float32"), y[:limit], epochs=epochs, batch_size=128, verbose=1)
    _, acc = model.evaluate(x_test.astype("float32"), y_test[:limit // 6], verbose=0)
    print(f"test accuracy {acc:.3f}")
    return acc


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--limit", type=int, default=6000)
    a = p.parse_args()
    main(a.epochs, a.limit)
