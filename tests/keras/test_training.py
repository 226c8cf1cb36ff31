"""fit / evaluate / predict end to end."""

import numpy as np
import pytest

from neuronet import keras
from neuronet.datasets import make_moons
from neuronet.keras import layers as L


def mlp(hidden=16, out=1, activation="sigmoid", inputs=2):
    return keras.Sequential([keras.Input(shape=(inputs,)), L.Dense(hidden, activation="relu"),
                             L.Dense(hidden, activation="relu"),
                             L.Dense(out, activation=activation)])


def test_fit_reduces_loss_on_moons():
    keras.utils.set_random_seed(0)
    x, y = make_moons(400, noise=0.1, seed=0)
    model = mlp()
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, batch_size=32, verbose=0, validation_split=0.2)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["val_accuracy"][-1] >= 0.95


def test_separable_problem_reaches_95_percent_with_sparse_labels():
    keras.utils.set_random_seed(1)
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [4, 4], [0, 4]], "float32")
    labels = rng.integers(0, 3, 600)
    x = centers[labels] + rng.normal(0, 0.5, (600, 2)).astype("float32")
    model = mlp(out=3, activation="softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, labels, epochs=15, verbose=0)
    loss, accuracy = model.evaluate(x, labels, verbose=0)
    assert accuracy >= 0.95 and loss < 0.3
    assert model.metrics_names == ["loss", "accuracy"]


def test_fused_softmax_loss_equals_plain_loss():
    keras.utils.set_random_seed(2)
    x = np.random.default_rng(0).normal(size=(50, 5)).astype("float32")
    y = keras.utils.to_categorical(np.random.default_rng(1).integers(0, 4, 50), 4)
    model = mlp(out=4, activation="softmax", inputs=5)
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    fused = model.evaluate(x, y, verbose=0, batch_size=50)
    probabilities = model.predict(x, verbose=0)
    plain = float(keras.losses.categorical_crossentropy(y, probabilities).numpy().mean())
    assert fused == pytest.approx(plain, rel=1e-5)


def test_accuracy_resolution():
    x = np.zeros((4, 3), "float32")
    for loss, y, out, expected in [
        ("binary_crossentropy", np.zeros((4, 1)), 1, "BinaryAccuracy"),
        ("categorical_crossentropy", np.eye(3)[[0, 1, 2, 0]], 3, "CategoricalAccuracy"),
        ("sparse_categorical_crossentropy", np.array([0, 1, 2, 0]), 3,
         "SparseCategoricalAccuracy"),
    ]:
        model = mlp(out=out, activation="softmax" if out > 1 else "sigmoid", inputs=3)
        model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
        model.train_on_batch(x, y)
        metric = model.metrics[-1]
        assert type(metric).__name__ == expected and metric.name == "accuracy"


def test_regularization_penalty_enters_the_loss():
    model = keras.Sequential([keras.Input(shape=(2,)), L.Dense(
        1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.5))])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    assert model.test_on_batch(x, y) == pytest.approx(0.5 * 2)
    assert len(model.losses) == 1


def test_class_weight_and_sample_weight():
    model = keras.Sequential([keras.Input(shape=(1,)), L.Dense(1, kernel_initializer="zeros")])
    model.compile(optimizer="sgd", loss="mse")
    x = np.array([[1.0], [1.0]], "float32")
    y = np.array([[1.0], [0.0]], "float32")
    # zero weights leave the loss of the second sample only: mean of (0 - 0)^2 weighted
    logs = model.test_on_batch(x, y, sample_weight=np.array([0.0, 1.0]), return_dict=True)
    assert logs["loss"] == pytest.approx(0.0)
    logs = model.test_on_batch(x, y, sample_weight=np.array([2.0, 0.0]), return_dict=True)
    assert logs["loss"] == pytest.approx(2.0 * 1.0 / 2)
    history = model.fit(x, np.array([1, 0]), class_weight={0: 1.0, 1: 0.0}, epochs=1,
                        verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(0.0)


def test_fit_accepts_an_iterable_of_batches_and_dicts():
    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x.sum(1, keepdims=True)
    batches = [(x[i:i + 16], y[i:i + 16]) for i in range(0, 64, 16)]
    inp = keras.Input(shape=(3,), name="features")
    model = keras.Model(inp, L.Dense(1, name="target")(inp))
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse", metrics=["mae"])
    first = model.evaluate(x, y, verbose=0)[0]
    history = model.fit(batches, epochs=5, verbose=0)
    assert len(history.history["loss"]) == 5 and history.history["loss"][-1] < first
    model.fit({"features": x}, {"target": y}, epochs=1, verbose=0)
    assert model.predict(batches[0][0], verbose=0).shape == (16, 1)


def test_steps_per_epoch_and_initial_epoch():
    seen = []
    model = mlp()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    x, y = make_moons(100, seed=0)
    counter = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    history = model.fit(x, y, epochs=3, initial_epoch=1, steps_per_epoch=2, verbose=0,
                        callbacks=[counter])
    assert history.epoch == [1, 2] and seen == [0, 1, 0, 1]


def test_progress_output_modes(capsys):
    x, y = make_moons(64, seed=0)
    model = mlp()
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=2, verbose=2)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "Epoch 1/2" and lines[1].startswith("2/2 - ")
    assert "ms/step" in lines[1] or "us/step" in lines[1]
    assert " - accuracy: " in lines[1] and " - loss: " in lines[1]
    model.fit(x, y, epochs=1, verbose=1)  # stdout is not a terminal: one line per epoch
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("2/2 ━━━━━━━━━━━━━━━━━━━━ ")


def test_fit_errors():
    model = mlp()
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2), verbose=0)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="batch_size=0"):
        model.fit(np.zeros((2, 2)), np.zeros(2), batch_size=0)
    with pytest.raises(ValueError, match="same number of samples"):
        model.fit(np.zeros((3, 2)), np.zeros(2), verbose=0)


def _mnist_like(n):
    try:
        (x, y), _ = keras.datasets.mnist.load_data()
    except FileNotFoundError:
        try:
            (x, y), _ = keras.datasets.fashion_mnist.load_data()
        except FileNotFoundError:
            pytest.skip("neither MNIST nor Fashion-MNIST is available on this machine")
    assert x.dtype == np.uint8 and x.shape[1:] == (28, 28) and y.dtype == np.uint8
    return x[:n], y[:n]


def test_classic_keras_mnist_mlp_program():
    keras.utils.set_random_seed(0)
    x, y = _mnist_like(2000)
    x = x.astype("float32") / 255.0
    y = keras.utils.to_categorical(y, 10)
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:1600], y[:1600], epochs=2, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(x[1600:], y[1600:], verbose=0)
    assert accuracy > 0.65 and loss < 1.2


@pytest.mark.slow
def test_full_fashion_mnist_reaches_87_percent():
    import os

    if not os.path.isdir("/usr/share/datasets/fashion-mnist"):
        pytest.skip("Fashion-MNIST is not installed at /usr/share/datasets/fashion-mnist")
    keras.utils.set_random_seed(0)
    (x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data("/usr/share/datasets/fashion-mnist")
    x, xt = x.astype("float32") / 255.0, xt.astype("float32") / 255.0
    y, yt = keras.utils.to_categorical(y, 10), keras.utils.to_categorical(yt, 10)
    model = keras.Sequential([
        keras.layers.Flatten(input_shape=(28, 28)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=5, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(xt, yt, verbose=0)
    assert accuracy >= 0.87
