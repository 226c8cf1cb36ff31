"""neuronet.viz.callbacks: GradientNormLogger and EpochTimer."""

import math

import numpy as np
import pytest

import neuronet as nt

callbacks = pytest.importorskip(
    "neuronet.viz.callbacks", reason="needs neuronet.keras.callbacks (not written yet)",
    exc_type=ImportError)


class _Weight(nt.Tensor):
    pass


def _weight(shape, name, path):
    w = _Weight(np.ones(shape, np.float32), requires_grad=True)
    w.name, w.path = name, path
    return w


class _FakeModel:
    def __init__(self):
        self.trainable_weights = [_weight((3, 2), "kernel", "dense/kernel"),
                                  _weight((2,), "bias", "dense/bias"),
                                  _weight((2, 2), "recurrent_kernel", "lstm/recurrent_kernel")]


def test_records_kernel_norms_every_n_batches():
    model = _FakeModel()
    logger = callbacks.GradientNormLogger(every_n_batches=2)
    logger.set_model(model)
    logger.on_train_begin()
    assert list(logger.norms) == ["dense/kernel", "lstm/recurrent_kernel"]
    rng = np.random.default_rng(0)
    expected = {name: [] for name in logger.norms}
    for batch in range(5):
        grads = [rng.standard_normal(w.shape).astype(np.float32)
                 for w in model.trainable_weights]
        for w, g in zip(model.trainable_weights, grads):
            w.grad = nt.tensor(g)
        if (batch + 1) % 2 == 0:
            expected["dense/kernel"].append(np.linalg.norm(grads[0]))
            expected["lstm/recurrent_kernel"].append(np.linalg.norm(grads[2]))
        logger.on_train_batch_end(batch)
    assert logger.steps == [2, 4]
    for name in expected:
        np.testing.assert_allclose(logger.norms[name], expected[name], rtol=1e-6)


def test_missing_gradient_is_nan_and_all_weights_option():
    model = _FakeModel()
    logger = callbacks.GradientNormLogger(every_n_batches=1, weights="all")
    logger.set_model(model)
    logger.on_train_begin()
    assert len(logger.norms) == 3
    logger.on_train_batch_end(0)
    assert all(math.isnan(values[0]) for values in logger.norms.values())
    logger.on_train_begin()  # a new fit starts a new record
    assert logger.steps == [] and all(v == [] for v in logger.norms.values())


def test_falls_back_to_matrices_without_kernel_names():
    model = _FakeModel()
    for w in model.trainable_weights:
        w.name = w.path = ""
    logger = callbacks.GradientNormLogger()
    logger.set_model(model)
    logger.on_train_begin()
    assert len(logger.norms) == 2  # the two matrices, named by position
    assert list(logger.norms) == ["weight_0", "weight_1"]


def test_validation():
    with pytest.raises(ValueError, match="every_n_batches must be a positive integer"):
        callbacks.GradientNormLogger(every_n_batches=0)
    with pytest.raises(ValueError, match="weights must be 'kernel' or 'all'"):
        callbacks.GradientNormLogger(weights="bias")


def test_epoch_timer():
    timer = callbacks.EpochTimer()
    timer.on_train_begin()
    for epoch in range(2):
        timer.on_epoch_begin(epoch)
        timer.on_epoch_end(epoch)
    assert len(timer.times) == 2 and all(0 <= t < 1 for t in timer.times)


def test_reads_the_gradient_of_each_batch_during_fit():
    """With plain SGD, w_after = w_before - lr * g, so the logged norm must equal
    ||w_before - w_after|| / lr for the batch it was logged at."""
    keras = pytest.importorskip("neuronet.keras")
    if not hasattr(keras, "Sequential"):
        pytest.skip("neuronet.keras has no Sequential yet")

    class Snapshot(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.deltas = []

        def on_train_batch_begin(self, batch, logs=None):
            self.before = [np.array(w.numpy()) for w in self.model.trainable_weights]

        def on_train_batch_end(self, batch, logs=None):
            after = [w.numpy() for w in self.model.trainable_weights]
            self.deltas.append([b - a for b, a in zip(self.before, after)])

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = keras.Sequential([keras.Input(shape=(5,)), keras.layers.Dense(4, activation="tanh"),
                              keras.layers.Dense(1, activation="sigmoid")])
    lr = 0.1
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy")
    logger, snapshot = callbacks.GradientNormLogger(every_n_batches=3), Snapshot()
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[snapshot, logger])
    assert logger.steps == [3, 6, 9, 12, 15]
    kernels = [i for i, w in enumerate(model.trainable_weights) if "kernel" in w.name]
    assert list(logger.norms) == [model.trainable_weights[i].path for i in kernels]
    for record, step in enumerate(logger.steps):
        for name, i in zip(logger.norms, kernels):
            expected = np.linalg.norm(snapshot.deltas[step - 1][i].astype(np.float64)) / lr
            assert logger.norms[name][record] == pytest.approx(expected, rel=1e-3)
            assert expected > 0
