"""Callbacks: EarlyStopping, ModelCheckpoint, CSVLogger, BackupAndRestore, LR callbacks."""

import csv
import os

import numpy as np
import pytest

from neuronet import keras
from neuronet.datasets import make_moons
from neuronet.keras import layers as L


def small_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input(shape=(2,)), L.Dense(8, activation="relu"),
                              L.Dropout(0.1), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model


X, Y = make_moons(128, noise=0.2, seed=0)


class Recorder(keras.callbacks.Callback):
    """Keeps the weights at the end of every epoch."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.get_weights())


def test_early_stopping_restores_best_weights_even_without_stopping():
    model = small_model()
    recorder = Recorder()
    # patience larger than the number of epochs: training never stops early
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=100,
                                            restore_best_weights=True)
    # a fixed "loss" history whose best epoch is the second: use a custom monitored value
    values = iter([0.9, 0.1, 0.5, 0.7])
    inject = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.update(custom=next(values)))
    stopper.monitor = "custom"
    history = model.fit(X, Y, epochs=4, verbose=0, callbacks=[recorder, inject, stopper])
    assert len(history.epoch) == 4 and stopper.stopped_epoch == 0 and stopper.best_epoch == 1
    for ours, best in zip(model.get_weights(), recorder.weights[1]):
        np.testing.assert_array_equal(ours, best)


def test_early_stopping_stops_after_patience():
    model = small_model()
    values = iter([1.0, 0.5, 0.6, 0.7, 0.8, 0.9])
    inject = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.update(custom=next(values)))
    stopper = keras.callbacks.EarlyStopping(monitor="custom", patience=2, min_delta=0.0)
    history = model.fit(X, Y, epochs=6, verbose=0, callbacks=[inject, stopper])
    assert history.epoch == [0, 1, 2, 3] and stopper.stopped_epoch == 3


def test_model_checkpoint_file_names(tmp_path):
    model = small_model()
    pattern = str(tmp_path / "m-{epoch:02d}-{val_loss:.2f}.keras")
    checkpoint = keras.callbacks.ModelCheckpoint(pattern)
    history = model.fit(X, Y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[checkpoint])
    expected = {f"m-{i + 1:02d}-{loss:.2f}.keras"
                for i, loss in enumerate(history.history["val_loss"])}
    assert set(os.listdir(tmp_path)) == expected
    weights = str(tmp_path / "best.weights.safetensors")
    best = keras.callbacks.ModelCheckpoint(weights, monitor="loss", save_best_only=True,
                                           save_weights_only=True)
    model.fit(X, Y, epochs=2, verbose=0, callbacks=[best])
    assert os.path.exists(weights) and best.best == min(model.history.history["loss"])
    with pytest.raises(ValueError, match="must end in '.keras'"):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "x.h5"))


def test_csv_logger_contents(tmp_path):
    model = small_model()
    path = tmp_path / "log.csv"
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    with open(path) as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "accuracy", "loss"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2]
    np.testing.assert_allclose([float(r[2]) for r in rows[1:]], history.history["loss"])
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[keras.callbacks.CSVLogger(path,
                                                                               append=True)])
    with open(path) as handle:
        assert len(list(csv.reader(handle))) == 5


def test_backup_and_restore_resume_equals_uninterrupted(tmp_path):
    uninterrupted = small_model(seed=3)
    uninterrupted.fit(X, Y, epochs=4, verbose=0)

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise KeyboardInterrupt

    backup_dir = tmp_path / "backup"
    model = small_model(seed=3)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, epochs=4, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(backup_dir), Interrupt()])
    resumed = small_model(seed=99)  # a fresh process would start with other weights
    history = resumed.fit(X, Y, epochs=4, verbose=0,
                          callbacks=[keras.callbacks.BackupAndRestore(backup_dir)])
    assert history.epoch == [2, 3]
    for a, b in zip(resumed.get_weights(), uninterrupted.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not backup_dir.exists()


def test_learning_rate_callbacks():
    model = small_model()
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    history = model.fit(X, Y, epochs=3, verbose=0, callbacks=[scheduler])
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.1 / 3])
    values = iter([1.0, 1.0, 1.0, 1.0])
    inject = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.update(custom=next(values)))
    plateau = keras.callbacks.ReduceLROnPlateau(monitor="custom", factor=0.5, patience=1)
    model.optimizer.learning_rate = 0.2
    model.fit(X, Y, epochs=4, verbose=0, callbacks=[inject, plateau])
    assert model.optimizer.learning_rate == pytest.approx(0.2 * 0.5 ** 3)


def test_terminate_on_nan_and_lambda_hooks():
    model = keras.Sequential([keras.Input(shape=(2,)), L.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(1e30), loss="mse")
    x = np.full((64, 2), 1e10, "float32")
    with np.errstate(all="ignore"):
        history = model.fit(x, np.ones(64), epochs=3, batch_size=8, verbose=0,
                            callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(history.epoch) == 1
    events = []
    hooks = keras.callbacks.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                                           on_train_end=lambda logs: events.append("end"))
    small_model().fit(X, Y, epochs=1, verbose=0, callbacks=[hooks])
    assert events == ["begin", "end"]
