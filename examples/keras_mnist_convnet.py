"""The Keras examples' "Simple MNIST convnet", on Fashion-MNIST, run by neuronet.

This is https://keras.io/examples/vision/mnist_convnet/ with two changes: the import lines
below name neuronet (to run it under Keras 3, write `import keras` and `from keras import
layers` instead), and the data set is Fashion-MNIST (the one installed here). Arguments
let a test shorten the run; the defaults are the example's batch size 128 and 5 epochs.
Five epochs reach about 89% test accuracy, as real Keras does (88.3%).

Run:  python examples/keras_mnist_convnet.py --epochs 5
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from neuronet import keras
from neuronet.keras import layers


def main(argv: list[str] | None = None) -> tuple:
    parser = argparse.ArgumentParser(description="Keras MNIST convnet on Fashion-MNIST")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--limit", type=int, default=None, help="first N training images")
    parser.add_argument("--test-limit", type=int, default=None, help="first N test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=2)
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)

    # Model / data parameters
    num_classes = 10
    input_shape = (28, 28, 1)

    # Load the data and split it between train and test sets
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
    if args.test_limit:
        x_test, y_test = x_test[:args.test_limit], y_test[:args.test_limit]

    # Scale images to the [0, 1] range
    x_train = x_train.astype("float32") / 255
    x_test = x_test.astype("float32") / 255
    # Make sure images have shape (28, 28, 1)
    x_train = np.expand_dims(x_train, -1)
    x_test = np.expand_dims(x_test, -1)
    print("x_train shape:", x_train.shape)
    print(x_train.shape[0], "train samples")
    print(x_test.shape[0], "test samples")

    # convert class vectors to binary class matrices
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    model.summary()

    batch_size = 128
    epochs = args.epochs

    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs,
                        validation_split=0.1, verbose=args.verbose)
    seconds = time.perf_counter() - start

    score = model.evaluate(x_test, y_test, verbose=0)
    print("Test loss:", score[0])
    print("Test accuracy:", score[1])
    print(f"Training time: {seconds:.1f} s ({seconds / max(epochs, 1):.1f} s/epoch)")
    return history, score, seconds


if __name__ == "__main__":
    main()
