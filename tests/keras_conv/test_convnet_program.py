"""The Keras examples' MNIST convnet (examples/keras_mnist_convnet.py, only its imports
changed) runs on neuronet; BatchNormalization works on 4-D channels_last maps; layer
arguments are validated loudly; conv models save and load."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from neuronet import keras

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "keras_mnist_convnet.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("keras_mnist_convnet", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_imports_only_neuronet() -> None:
    source = EXAMPLE.read_text()
    assert "from neuronet import keras" in source
    assert "import torch" not in source


def test_convnet_program_learns_on_2000_images() -> None:
    """2000 training images, 2 epochs: the loss falls and the accuracy beats chance by far."""
    history, score, _ = _load_example().main(
        ["--epochs", "2", "--limit", "2000", "--test-limit", "500", "--verbose", "0"])
    losses = history.history["loss"]
    assert len(losses) == 2 and losses[1] < losses[0]
    assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert score[1] > 0.55, score  # 10 classes: chance is 0.1


def test_batchnorm_on_channels_last_maps() -> None:
    """axis=-1 on (N, H, W, C): statistics over N, H, W per channel, as Keras."""
    x = np.random.default_rng(0).standard_normal((8, 5, 4, 3)).astype("float32") * 3 + 2
    layer = keras.layers.BatchNormalization()
    y = layer(x, training=True).detach().numpy()
    assert [w.shape for w in layer.get_weights()] == [(3,)] * 4
    np.testing.assert_allclose(y.mean((0, 1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var((0, 1, 2)), x.var((0, 1, 2)) / (x.var((0, 1, 2)) + 1e-3),
                               rtol=1e-4)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 0.01 * x.mean((0, 1, 2)), rtol=1e-4)


def test_cnn_with_batchnorm_saves_and_loads(tmp_path) -> None:
    L = keras.layers
    model = keras.Sequential([
        keras.Input((12, 12, 2)), L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(), L.DepthwiseConv2D(3), L.SeparableConv2D(3, 3, padding="same"),
        L.Conv2DTranspose(2, 3, strides=2), L.MaxPooling2D(2), L.AveragePooling2D(2),
        L.UpSampling2D(2), L.ZeroPadding2D(1), L.Cropping2D(1), L.SpatialDropout2D(0.2),
        L.GlobalAveragePooling2D(), L.Dense(3, activation="softmax")])
    x = np.random.default_rng(1).random((4, 12, 12, 2), dtype=np.float32)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.array([0, 1, 2, 0]), epochs=2, verbose=0)
    model.save(tmp_path / "cnn.keras")
    loaded = keras.models.load_model(tmp_path / "cnn.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]


@pytest.mark.parametrize(("make", "match"), [
    (lambda L: L.Conv2D(0, 3), "filters"),
    (lambda L: L.Conv2D(4, (3, 3, 3)), "kernel_size"),
    (lambda L: L.Conv2D(4, 3, padding="full"), "padding"),
    (lambda L: L.Conv2D(4, 3, strides=2, dilation_rate=2), "dilation_rate"),
    (lambda L: L.Conv2D(5, 3, groups=2), "divisible"),
    (lambda L: L.Conv2D(4, 3, data_format="NHWC"), "data_format"),
    (lambda L: L.Conv1D(4, 3, strides=0), "strides"),
    (lambda L: L.Conv2DTranspose(4, 3, strides=2, output_padding=2), "output_padding"),
    (lambda L: L.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
    (lambda L: L.MaxPooling2D(pool_size=-1), "pool_size"),
    (lambda L: L.UpSampling2D(interpolation="bicubic"), "interpolation"),
    (lambda L: L.SpatialDropout2D(1.5), "rate"),
    (lambda L: L.ZeroPadding2D(((1, 2, 3), (1, 1))), "padding"),
])
def test_constructors_validate(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make(keras.layers)


def test_call_checks_rank_and_channels() -> None:
    layer = keras.layers.Conv2D(4, 3)
    layer(np.zeros((1, 5, 5, 2), "float32"))
    with pytest.raises(ValueError, match="expected 2 input channels"):
        layer(np.zeros((1, 5, 5, 3), "float32"))
    with pytest.raises(ValueError, match="rank 4"):
        keras.layers.MaxPooling2D()(np.zeros((1, 5, 5), "float32"))
    with pytest.raises(ValueError, match="removes every"):
        keras.layers.Cropping2D(3)(np.zeros((1, 5, 5, 1), "float32"))


def test_uint8_images_are_cast_and_dtype_kept() -> None:
    y = keras.layers.Conv2D(2, 3)(np.ones((1, 5, 5, 1), np.uint8))
    assert y.dtype == np.float32 or str(y.dtype).endswith("float32")
