"""Models and layers: parameter counts, output shapes, summary, functional and subclassed."""

import numpy as np
import pytest

from neuronet import keras
from neuronet.keras import layers as L


def classic_mlp():
    return keras.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(128, activation="relu"),
                             L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])


def test_dense_params_and_shapes_as_keras():
    model = classic_mlp()
    assert [layer.count_params() for layer in model.layers] == [0, 100480, 16512, 1290]
    assert model.count_params() == 118282
    assert model.output_shape == (None, 10)
    assert [w.shape for w in model.get_weights()] == [(784, 128), (128,), (128, 128), (128,),
                                                      (128, 10), (10,)]
    assert model.predict(np.zeros((3, 28, 28), "float32"), verbose=0).shape == (3, 10)


def test_layer_names_are_auto_numbered():
    keras.backend.clear_session()
    names = [L.Dense(1).name, L.Dense(1).name, L.BatchNormalization().name, L.Dense(1).name]
    assert names == ["dense", "dense_1", "batch_normalization", "dense_2"]


def test_summary_table_contents():
    keras.backend.clear_session()
    lines = []
    classic_mlp().summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert 'Model: "sequential"' in text
    for expected in ("Layer (type)", "Output Shape", "Param #", "flatten (Flatten)",
                     "(None, 784)", "dense (Dense)", "100,480", "dense_2 (Dense)", "(None, 10)",
                     "1,290", "Total params: 118,282 (462.04 KB)",
                     "Trainable params: 118,282 (462.04 KB)", "Non-trainable params: 0 (0.00 B)"):
        assert expected in text, expected


def test_batchnorm_counts_and_non_trainable():
    model = keras.Sequential([keras.Input(shape=(8,)), L.Dense(4), L.BatchNormalization()])
    assert model.count_params() == 36 + 16
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2
    lines = []
    model.summary(print_fn=lines.append)
    assert "Non-trainable params: 8 (32.00 B)" in lines[0]


def test_sequential_add_pop_and_input():
    model = keras.Sequential()
    model.add(keras.Input(shape=(5,)))
    model.add(L.Dense(3))
    model.add(L.Dense(2))
    assert model.output_shape == (None, 2)
    model.pop()
    assert model.output_shape == (None, 3) and len(model.layers) == 1
    with pytest.raises(ValueError, match="only instances of keras.layers.Layer"):
        model.add("dense")


def test_sequential_builds_from_first_batch():
    model = keras.Sequential([L.Dense(4), L.Dense(2)])
    assert not model.built
    out = model(np.ones((3, 7), "float32"))
    assert tuple(out.shape) == (3, 2) and model.count_params() == 7 * 4 + 4 + 4 * 2 + 2


def test_shapes_of_reshaping_and_merging_layers():
    x = keras.Input(shape=(6, 4))
    assert L.Reshape((4, 6))(x).shape == (None, 4, 6)
    assert L.Reshape((-1, 3))(x).shape == (None, 8, 3)
    assert L.Permute((2, 1))(x).shape == (None, 4, 6)
    assert L.Flatten()(x).shape == (None, 24)
    assert L.RepeatVector(3)(L.Flatten()(x)).shape == (None, 3, 24)
    assert L.Concatenate(axis=1)([x, x]).shape == (None, 12, 4)
    assert L.Add()([x, x]).shape == (None, 6, 4)
    assert L.Multiply()([x, x]).shape == (None, 6, 4)
    assert L.Embedding(10, 3)(keras.Input(shape=(5,))).shape == (None, 5, 3)
    assert L.Lambda(lambda t: t * 2)(x).shape == (None, 6, 4)
    assert L.LayerNormalization()(x).shape == (None, 6, 4)
    data = np.arange(48, dtype="float32").reshape(2, 6, 4)
    np.testing.assert_array_equal(L.Permute((2, 1))(data).numpy(), data.transpose(0, 2, 1))
    np.testing.assert_array_equal(L.RepeatVector(2)(data[:, 0]).numpy(),
                                  np.stack([data[:, 0]] * 2, 1))
    np.testing.assert_allclose(L.Rescaling(1 / 255.0, offset=1.0)(data).numpy(),
                               data / 255.0 + 1.0, rtol=1e-6)


def test_functional_multi_io_and_shared_layer():
    a, b = keras.Input(shape=(4,), name="in_a"), keras.Input(shape=(4,), name="in_b")
    shared = L.Dense(3, name="shared")
    merged = L.Concatenate()([shared(a), shared(b)])
    out1, out2 = L.Dense(1, name="out1")(merged), L.Dense(2, name="out2")(merged)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    assert model.count_params() == 15 + 7 + 14
    xa, xb = np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")
    p1, p2 = model.predict([xa, xb], verbose=0)
    assert p1.shape == (2, 1) and p2.shape == (2, 2)
    k, bias = shared.get_weights()
    expected = np.concatenate([xa @ k + bias, xb @ k + bias], 1)
    w, c = model.get_layer("out1").get_weights()
    np.testing.assert_allclose(p1, expected @ w + c, rtol=1e-5)
    by_name = model.predict({"in_a": xa, "in_b": xb}, verbose=0)
    np.testing.assert_array_equal(by_name[0], p1)


def test_graph_disconnected_is_reported():
    a, b = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    out = L.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, out)


def test_subclassed_model_and_custom_layer():
    class Scale(L.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones",
                                     regularizer=keras.regularizers.L2(0.5))

        def call(self, inputs):
            return inputs * self.w

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.scale = Scale()
            self.dense = L.Dense(2)

        def call(self, inputs, training=None):
            return self.dense(self.scale(inputs))

    net = Net()
    out = net(np.ones((4, 3), "float32"))
    assert tuple(out.shape) == (4, 2)
    assert len(net.weights) == 3 and net.count_params() == 3 + 8
    assert net.scale.w.name == "w" and net.scale.w.path.endswith("/w")
    (penalty,) = net.losses
    assert float(penalty.detach().numpy()) == pytest.approx(0.5 * 3)


def test_activity_regularizer_enters_losses():
    """Keras 3: the penalty divided by the batch size, and each outermost call starts the
    layer's losses afresh (checked against Keras 3.15: 0.4, one loss after two calls)."""
    layer = L.Dense(2, kernel_initializer="ones", activity_regularizer=keras.regularizers.L1(0.1))
    layer(np.ones((3, 2), "float32"))
    layer(np.ones((3, 2), "float32"))
    (penalty,) = layer.losses
    assert float(penalty.detach().numpy()) == pytest.approx(0.1 * 3 * 2 * 2 / 3)


def test_get_set_weights_and_config_round_trip():
    model = classic_mlp()
    clone = keras.Sequential.from_config(model.get_config())
    assert clone.count_params() == model.count_params()
    clone.set_weights(model.get_weights())
    x = np.random.default_rng(0).random((4, 28, 28)).astype("float32")
    np.testing.assert_array_equal(clone.predict(x, verbose=0), model.predict(x, verbose=0))
    with pytest.raises(ValueError, match="expected 6 arrays"):
        model.set_weights(model.get_weights()[:2])


def test_batchnorm_keras_moving_average_convention():
    layer = L.BatchNormalization()
    x = np.random.default_rng(0).normal(3.0, 2.0, (64, 4)).astype("float32")
    y = layer(x, training=True).detach().numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * mean, rtol=1e-5)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 0.99 + 0.01 * var, rtol=1e-5)
    inference = layer(x).detach().numpy()
    np.testing.assert_allclose(
        inference, (x - layer.moving_mean.numpy()) / np.sqrt(layer.moving_variance.numpy()
                                                             + 1e-3), rtol=1e-5)


def test_layer_normalization_and_dropout():
    x = np.random.default_rng(1).normal(size=(5, 6)).astype("float32")
    y = L.LayerNormalization()(x).detach().numpy()
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    drop = L.Dropout(0.5)
    np.testing.assert_array_equal(drop(x).numpy(), x)
    dropped = drop(np.ones((1000, 10), "float32"), training=True).numpy()
    assert set(np.unique(dropped)) <= {0.0, 2.0} and 0.4 < (dropped == 0).mean() < 0.6


def test_validation_errors_name_the_value():
    with pytest.raises(ValueError, match="units=0"):
        L.Dense(0)
    with pytest.raises(ValueError, match="rate=1.5"):
        L.Dropout(1.5)
    with pytest.raises(ValueError, match="Could not interpret activation identifier: 'relux'"):
        L.Dense(2, activation="relux")
    with pytest.raises(ValueError, match="expected inputs with last dimension 3"):
        layer = L.Dense(2)
        layer.build((None, 3))
        layer(np.ones((2, 4), "float32"))
