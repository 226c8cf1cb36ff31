"""Saving: .keras round trips, weights files, and clear errors for bad files."""

import json
import zipfile

import numpy as np
import pytest

from neuronet import keras
from neuronet.datasets import make_moons
from neuronet.keras import layers as L

X, Y = make_moons(96, noise=0.2, seed=0)


def trained_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(2,)), L.Dense(8, activation="relu"),
                              L.BatchNormalization(), L.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    model.fit(X, Y, epochs=2, verbose=0)
    return model


def test_round_trip_predictions_and_continued_training(tmp_path):
    model = trained_model()
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(X, verbose=0), model.predict(X, verbose=0))
    assert loaded.optimizer.iterations == model.optimizer.iterations
    keras.utils.set_random_seed(5)
    model.fit(X, Y, epochs=2, verbose=0)
    keras.utils.set_random_seed(5)
    loaded.fit(X, Y, epochs=2, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        config = json.loads(archive.read("config.json"))
    assert {"config.json", "model.weights.safetensors", "optimizer.safetensors"} <= names
    assert config["model"]["class_name"] == "Sequential"


def test_functional_round_trip(tmp_path):
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    shared = L.Dense(4)
    out = L.Dense(2, activation="softmax")(L.Concatenate()([shared(a), L.Dense(4)(b),
                                                           shared(a)]))
    model = keras.Model([a, b], out)
    xa, xb = np.ones((5, 3), "float32"), np.ones((5, 2), "float32")
    model.save(tmp_path / "f.keras")
    loaded = keras.models.load_model(tmp_path / "f.keras")
    np.testing.assert_array_equal(loaded.predict([xa, xb], verbose=0),
                                  model.predict([xa, xb], verbose=0))
    assert loaded.count_params() == model.count_params()


def test_weights_file_round_trip(tmp_path):
    model = trained_model()
    path = tmp_path / "w.weights.safetensors"
    model.save_weights(path)
    other = keras.Sequential([keras.Input(shape=(2,)), L.Dense(8, activation="relu"),
                              L.BatchNormalization(), L.Dense(1, activation="sigmoid")])
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(X, verbose=0), model.predict(X, verbose=0))
    with pytest.raises(ValueError, match="weights.safetensors"):
        model.save_weights(tmp_path / "w.h5")
    smaller = keras.Sequential([keras.Input(shape=(2,)), L.Dense(1)])
    with pytest.raises(ValueError, match="holds 8 weight arrays but the model has 2"):
        smaller.load_weights(path)


def test_truncated_and_tampered_files(tmp_path):
    model = trained_model()
    path = tmp_path / "m.keras"
    model.save(path)
    data = path.read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a valid .keras file"):
        keras.models.load_model(truncated)
    tampered = tmp_path / "tampered.keras"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "model.weights.safetensors":
                content = content[:-10]
            dst.writestr(name, content)
    with pytest.raises(ValueError, match="truncated or corrupted"):
        keras.models.load_model(tampered)
    corrupted = tmp_path / "corrupted.keras"
    for at in range(0, len(data), max(1, len(data) // 97)):  # headers, compressed streams, ...
        flipped = bytearray(data)
        flipped[at] ^= 0xFF
        corrupted.write_bytes(bytes(flipped))
        try:
            keras.models.load_model(corrupted)  # a flip in a name or a date can still load
        except ValueError:
            pass


def _with_config(path, out, edit):
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "config.json":
                content = json.dumps(edit(json.loads(content))).encode()
            dst.writestr(name, content)


def test_unknown_layer_needs_registration(tmp_path):
    model = trained_model()
    path, edited = tmp_path / "m.keras", tmp_path / "evil.keras"
    model.save(path)

    def rename(config):
        config["model"]["config"]["layers"][1]["class_name"] = "os.system"
        return config

    _with_config(path, edited, rename)
    with pytest.raises(ValueError, match="Unknown object 'os.system'.*register_keras_serializable"):
        keras.models.load_model(edited)


def test_custom_objects_and_registration(tmp_path):
    class Doubler(L.Layer):
        def call(self, inputs):
            return inputs * 2.0

    def triple(x):
        return x * 3.0

    inp = keras.Input(shape=(2,))
    model = keras.Model(inp, L.Lambda(triple)(Doubler()(inp)))
    path = tmp_path / "c.keras"
    model.save(path)
    with pytest.raises(ValueError, match="Unknown object 'Doubler'"):
        keras.models.load_model(path)
    with pytest.raises(ValueError, match="Unknown object 'triple'"):
        keras.models.load_model(path, custom_objects={"Doubler": Doubler})
    loaded = keras.models.load_model(path, custom_objects={"Doubler": Doubler, "triple": triple})
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 2)), verbose=0), [[6.0, 6.0]])
    keras.saving.register_keras_serializable(package="tests")(Doubler)
    keras.saving.register_keras_serializable(package="tests")(triple)
    model = keras.Model(inp, L.Lambda(triple)(Doubler()(inp)))
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 2)), verbose=0), [[6.0, 6.0]])


def test_save_overwrites_by_default_and_needs_keras_suffix(tmp_path):
    model = trained_model()
    path = tmp_path / "m.keras"
    model.save(path)
    model.save(path)
    with pytest.raises(FileExistsError):
        model.save(path, overwrite=False)
    with pytest.raises(ValueError, match="must end in '.keras'"):
        model.save(tmp_path / "m.h5")
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]  # no temporary files left


def test_activation_noise_merge_and_1d_layers_save_and_load(tmp_path):
    """The layers are exported under keras.layers, so a .keras file with them loads back and
    predicts the same."""
    a, b = keras.Input(shape=(6, 4)), keras.Input(shape=(6, 4))
    h = L.Subtract()([L.LeakyReLU(0.2)(a), L.ELU()(b)])
    h = L.Average()([L.Maximum()([h, a]), L.Minimum()([h, b])])
    h = L.UpSampling1D(2)(L.Cropping1D((1, 1))(L.ZeroPadding1D(1)(h)))
    h = L.SpatialDropout1D(0.2)(L.GaussianDropout(0.1)(L.GaussianNoise(0.1)(h)))
    h = L.PReLU(shared_axes=[1])(L.ReLU(max_value=3.0)(L.Identity()(h)))
    h = L.ActivityRegularization(l1=0.01)(L.UnitNormalization()(h))
    d = L.Dot(axes=(1, 1))([h, h])
    out = L.Softmax()(L.Dense(3)(L.Flatten()(d)))
    model = keras.Model([a, b], out)
    rng = np.random.default_rng(0)
    xa, xb = rng.random((5, 6, 4), dtype=np.float32), rng.random((5, 6, 4), dtype=np.float32)
    path = tmp_path / "layers.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict([xa, xb], verbose=0),
                               model.predict([xa, xb], verbose=0), rtol=1e-6)


def test_preprocessing_and_cell_layers_save_and_load_without_custom_objects(tmp_path):
    """Normalization (adapted statistics), CategoryEncoding and RNN over Keras cells are
    exported under keras.layers: a .keras file with them loads with no custom_objects."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 5, 3)).astype("float32")
    norm = L.Normalization()
    norm.adapt(x)
    seq = keras.Input(shape=(5, 3))
    h = L.RNN(L.StackedRNNCells([L.LSTMCell(4), L.GRUCell(3)]))(norm(seq))
    model = keras.Model(seq, L.Dense(2)(L.Concatenate()([h, L.RNN(L.SimpleRNNCell(2))(seq)])))
    path = tmp_path / "cells.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    codes = L.CategoryEncoding(num_tokens=4, output_mode="count")(np.array([[0, 1, 1, 3]]))
    assert codes.numpy().tolist() == [[1.0, 2.0, 0.0, 1.0]]
