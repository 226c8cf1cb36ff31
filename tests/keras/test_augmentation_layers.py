"""RandomFlip, RandomTranslation, RandomRotation, RandomZoom, RandomContrast, RandomBrightness
and RandomCrop against real Keras 3 (torch backend): both sides apply the same random
transformation (drawn by Keras, or by neuronet and handed to Keras), every fill mode and
interpolation, both data formats, odd sizes, one image and batches; then inference, configs,
shapes, errors, seeds and use inside a model."""

from __future__ import annotations

import doctest
import json
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
torch = pytest.importorskip("torch")

from neuronet import keras as nk  # noqa: E402
from neuronet.keras.layers import preprocessing_augment  # noqa: E402
from neuronet.keras.layers.preprocessing_augment import (  # noqa: E402
    RandomBrightness,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    rotation_matrix,
)
from neuronet.tensor import Tensor  # noqa: E402

if keras.backend.backend() != "torch":
    pytest.skip("the comparison needs Keras's torch backend", allow_module_level=True)

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::UserWarning")]

OURS = {"RandomFlip": RandomFlip, "RandomTranslation": RandomTranslation,
        "RandomRotation": RandomRotation, "RandomZoom": RandomZoom,
        "RandomContrast": RandomContrast, "RandomBrightness": RandomBrightness,
        "RandomCrop": RandomCrop}
RNG = np.random.default_rng(0)
FILL_MODES = ["reflect", "wrap", "constant", "nearest"]
TOL = {"rtol": 1e-5, "atol": 1e-5}


def _images(shape, scale=1.0):
    return (RNG.uniform(size=shape) * scale).astype("float32")


def _shape(data_format, batch=3, height=7, width=9, channels=2):
    if data_format == "channels_last":
        return (batch, height, width, channels)
    return (batch, channels, height, width)


def _np(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    if isinstance(value, dict):
        return {k: _np(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_np(v) for v in value)
    return value


def _torch(value):
    """A fresh copy in torch (Keras's torch affine_transform writes into the matrix it gets)."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, dict):
        return {k: _torch(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(_torch(v) for v in value)
    return value


def _keras_apply(layer, x, transformation):
    images = torch.from_numpy(x.copy())
    if x.ndim == 3:
        out = layer.transform_single_image(images, _torch(transformation), training=True)
    else:
        out = layer.transform_images(images, _torch(transformation), training=True)
    return _np(out)


def _compare_keras_draw(name, kwargs, x, seed=7):
    """Keras draws the transformation; both apply it."""
    theirs, ours = getattr(keras.layers, name)(**kwargs), OURS[name](**kwargs)
    transformation = theirs.get_random_transformation(torch.from_numpy(x), training=True,
                                                      seed=seed)
    want = _keras_apply(theirs, x, transformation)
    got = ours.transform_images(x, _np(transformation)).numpy()
    assert got.shape == want.shape and got.dtype == np.float32
    np.testing.assert_allclose(got, want, **TOL)
    return got


# --- numerics against Keras ----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_flip_matches_keras(mode, data_format):
    x = _images(_shape(data_format, batch=8))
    got = _compare_keras_draw("RandomFlip", {"mode": mode, "data_format": data_format}, x)
    assert not np.array_equal(got, x)  # seed 7 flips some of the 8 images
    _compare_keras_draw("RandomFlip", {"mode": mode, "data_format": data_format}, x[0])


AFFINE = [("RandomTranslation", {"height_factor": (-0.6, 0.4), "width_factor": 0.7}),
          ("RandomRotation", {"factor": 0.5}),
          ("RandomZoom", {"height_factor": (-0.5, 0.9)}),
          ("RandomZoom", {"height_factor": (-0.6, 0.2), "width_factor": (0.3, 0.9)})]


@pytest.mark.parametrize("name, kwargs", AFFINE, ids=[a[0] + str(i) for i, a in
                                                      enumerate(AFFINE)])
@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_affine_layers_match_keras(name, kwargs, fill_mode, interpolation, data_format):
    kwargs = {**kwargs, "fill_mode": fill_mode, "interpolation": interpolation,
              "fill_value": 0.25, "data_format": data_format}
    x = _images(_shape(data_format, batch=4))
    got = _compare_keras_draw(name, kwargs, x)
    assert not np.allclose(got, x)


@pytest.mark.parametrize("name, kwargs", AFFINE[:3])
@pytest.mark.parametrize("fill_mode", ["reflect", "constant"])
def test_affine_layers_on_one_image_match_keras(name, kwargs, fill_mode):
    x = _images((5, 8, 3))
    _compare_keras_draw(name, {**kwargs, "fill_mode": fill_mode}, x, seed=3)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
def test_nearest_rounds_half_pixels_as_keras(fill_mode):
    """Shifts of whole and half pixels put output pixels exactly between input pixels: both
    round half to even, and both place the edges and the fill alike."""
    x = _images((4, 5, 6, 2))
    shifts = np.array([[0.5, -0.5], [1.5, 2.5], [-2.5, 0.0], [3.0, -6.5]], "float32")
    for interpolation in ("nearest", "bilinear"):
        kwargs = {"height_factor": 1.0, "width_factor": 1.0, "fill_mode": fill_mode,
                  "interpolation": interpolation, "fill_value": -1.0}
        theirs, ours = keras.layers.RandomTranslation(**kwargs), RandomTranslation(**kwargs)
        transformation = {"translations": shifts}
        np.testing.assert_allclose(ours.transform_images(x, transformation).numpy(),
                                   _keras_apply(theirs, x, transformation), **TOL)


@pytest.mark.parametrize("height, width", [(1, 1), (1, 6), (5, 1), (2, 2)])
def test_affine_layers_on_tiny_images_match_keras(height, width):
    x = _images((2, height, width, 1))
    for fill_mode in FILL_MODES:
        _compare_keras_draw("RandomRotation", {"factor": 0.5, "fill_mode": fill_mode}, x)
        _compare_keras_draw("RandomTranslation", {"height_factor": 1.0, "width_factor": 1.0,
                                                  "fill_mode": fill_mode}, x)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("factor, value_range", [((0.2, 0.9), (0, 1)), (0.5, (0, 1)),
                                                  ((0.0, 1.0), (0.2, 0.7))])
def test_contrast_matches_keras(data_format, factor, value_range):
    kwargs = {"factor": factor, "value_range": value_range, "data_format": data_format}
    x = _images(_shape(data_format, batch=5))
    _compare_keras_draw("RandomContrast", kwargs, x)
    _compare_keras_draw("RandomContrast", kwargs, x[0])


@pytest.mark.parametrize("factor, value_range", [(0.3, (0, 255)), ((-0.8, 0.6), [1, -1]),
                                                  ((0.5, 1.0), (0.0, 1.0))])
def test_brightness_matches_keras(factor, value_range):
    kwargs = {"factor": factor, "value_range": value_range}
    x = _images((4, 5, 7, 3), scale=255.0) if value_range == (0, 255) else _images((4, 5, 7, 3))
    _compare_keras_draw("RandomBrightness", kwargs, x)
    _compare_keras_draw("RandomBrightness", kwargs, x[1])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("size, target", [((9, 7), (4, 3)), ((8, 8), (7, 7)), ((6, 9), (5, 1))])
def test_crop_random_window_matches_keras(data_format, size, target):
    kwargs = {"height": target[0], "width": target[1], "data_format": data_format}
    x = _images(_shape(data_format, batch=2, height=size[0], width=size[1]))
    for seed in (1, 2, 3):
        _compare_keras_draw("RandomCrop", kwargs, x, seed=seed)
    _compare_keras_draw("RandomCrop", kwargs, x[1])


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("size, target", [((5, 6), (5, 3)), ((4, 6), (8, 3)), ((3, 3), (6, 9)),
                                          ((7, 5), (7, 5))])
def test_crop_keras_fallback_window_applies_as_in_keras(data_format, size, target):
    """Inputs not larger than the target: Keras's (top, left) transformation, applied as Keras
    applies it."""
    kwargs = {"height": target[0], "width": target[1], "data_format": data_format}
    x = _images(_shape(data_format, batch=2, height=size[0], width=size[1]))
    _compare_keras_draw("RandomCrop", kwargs, x)


@pytest.mark.parametrize("size, target", [((9, 7), (4, 3)), ((4, 6), (8, 3)), ((3, 3), (6, 9)),
                                          ((6, 9), (5, 5)), ((7, 5), (7, 5))])
def test_crop_at_inference_is_keras_smart_resize(size, target):
    """Inference (and training on an image not larger than the target) returns the central
    aspect-ratio window resized: Keras's Resizing(crop_to_aspect_ratio=True)."""
    x = _images((2,) + size + (3,))
    want = _np(keras.layers.Resizing(*target, crop_to_aspect_ratio=True)(x))
    layer = RandomCrop(*target, seed=0)
    np.testing.assert_allclose(layer(x, training=False).numpy(), want, **TOL)
    if size[0] <= target[0] or size[1] <= target[1]:
        np.testing.assert_allclose(layer(x, training=True).numpy(), want, **TOL)
    first = RandomCrop(*target, data_format="channels_first")(x.transpose(0, 3, 1, 2),
                                                              training=False)
    np.testing.assert_allclose(first.numpy(), want.transpose(0, 3, 1, 2), **TOL)


@pytest.mark.parametrize("name, kwargs", [
    ("RandomFlip", {}), ("RandomTranslation", {"height_factor": 0.5, "width_factor": 0.3}),
    ("RandomRotation", {"factor": 0.3, "fill_mode": "constant"}),
    ("RandomZoom", {"height_factor": 0.4, "width_factor": (-0.3, 0.5)}),
    ("RandomContrast", {"factor": (0.5, 0.5), "value_range": (0, 1)}),
    ("RandomBrightness", {"factor": 0.4, "value_range": (0, 1)}),
    ("RandomCrop", {"height": 4, "width": 5})])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_our_transformations_apply_identically_in_keras(name, kwargs, data_format):
    """neuronet draws; Keras applies the same dict: the layouts agree."""
    ours = OURS[name](**kwargs, data_format=data_format, seed=11)
    theirs = getattr(keras.layers, name)(**kwargs, data_format=data_format)
    x = _images(_shape(data_format, batch=4))
    transformation = ours.get_random_transformation(x, training=True)
    np.testing.assert_allclose(ours.transform_images(x, transformation).numpy(),
                               _keras_apply(theirs, x, transformation), **TOL)


def test_rotation_matrix_matches_keras():
    angle = np.array([-170.0, -33.3, 0.0, 45.0, 90.0, 123.4], "float32")
    layer = keras.layers.RandomRotation(0.5)
    zeros, ones = torch.zeros(len(angle)), torch.ones(len(angle))
    want = layer._compute_affine_matrix(0.5, 0.5, torch.from_numpy(angle), zeros, zeros, ones,
                                        zeros, zeros, 7, 10)
    np.testing.assert_allclose(rotation_matrix(angle, 7, 10), _np(want), rtol=1e-6, atol=1e-6)


def test_random_draws_cover_the_factor_ranges():
    x = np.zeros((4000, 3, 4, 1), "float32")
    angle = RandomRotation((-0.1, 0.25), seed=0).get_random_transformation(x)["angle"]
    assert -36.0 <= angle.min() < -35.0 and 89.0 < angle.max() < 90.0
    t = RandomTranslation((-0.5, 0.25), 1.0, seed=0).get_random_transformation(x)
    dx, dy = t["translations"][:, 0], t["translations"][:, 1]
    assert -1.5 <= dy.min() < -1.4 and 0.7 < dy.max() < 0.75 and -4 <= dx.min() < -3.9
    zoom = RandomZoom(0.5, seed=0).get_random_transformation(x)
    assert np.array_equal(zoom["height_zoom"], zoom["width_zoom"])
    assert 0.5 <= zoom["height_zoom"].min() < 0.51 and 1.49 < zoom["height_zoom"].max() < 1.5
    contrast = RandomContrast(0.4, seed=0).get_random_transformation(x)["contrast_factor"]
    assert 1.0 <= contrast.min() < 1.01 and 1.39 < contrast.max() < 1.4  # Keras's (0, f)
    delta = RandomBrightness(0.2, seed=0).get_random_transformation(x)["rgb_delta"]
    assert -51.0 <= delta.min() < -50.0 and 50.0 < delta.max() < 51.0
    flips = RandomFlip(seed=0).get_random_transformation(x)["flips"]
    assert flips.shape == (4000, 1, 1, 1) and 0.45 < flips.mean() < 0.55
    corners = {RandomCrop(2, 2, seed=s).get_random_transformation(x) for s in range(60)}
    assert corners == {(top, left) for top in range(2) for left in range(3)}


# --- training flag, seeds, gradients, models -----------------------------------------------
LAYERS = [("RandomFlip", {}), ("RandomTranslation", {"height_factor": 0.3, "width_factor": 0.3}),
          ("RandomRotation", {"factor": 0.2}), ("RandomZoom", {"height_factor": 0.3}),
          ("RandomContrast", {"factor": 0.5}), ("RandomBrightness", {"factor": 0.3}),
          ("RandomCrop", {"height": 7, "width": 9})]


@pytest.mark.parametrize("name, kwargs", LAYERS)
def test_identity_at_inference_and_transform_by_default(name, kwargs):
    """Keras's rule: training=False passes images through; a call without `training`
    transforms (Keras's call defaults training to True)."""
    x = _images((6, 7, 9, 2), scale=255.0)
    layer = OURS[name](**kwargs, seed=5)
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    np.testing.assert_array_equal(layer(x[0], training=False).numpy(), x[0])
    if name != "RandomCrop":  # the target is the input's size: nothing to crop
        assert not np.allclose(layer(x).numpy(), x)
        assert not np.allclose(layer(x, training=True).numpy(), x)


def test_predict_passes_images_through_and_fit_augments():
    x = _images((16, 6, 5, 1))
    y = RNG.normal(size=(16, 1)).astype("float32")
    model = nk.Sequential([nk.Input((6, 5, 1)), RandomFlip(seed=0), RandomRotation(0.1, seed=0),
                           RandomCrop(4, 3, seed=0), nk.layers.Flatten(), nk.layers.Dense(1)])
    assert model.output_shape == (None, 1)
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    flatten_input = nk.Sequential(model.layers[:3]).predict(x, verbose=0)
    want = _np(keras.layers.Resizing(4, 3, crop_to_aspect_ratio=True)(x))
    np.testing.assert_allclose(flatten_input, want, **TOL)


def test_model_with_augmentation_saves_and_loads(tmp_path):
    layers = [RandomFlip(seed=0), RandomRotation(0.1), RandomZoom(0.2, width_factor=(0.1, 0.3)),
              RandomTranslation(0.1, 0.2), RandomContrast(0.3),
              RandomBrightness(0.1, value_range=(0, 1)), RandomCrop(4, 3)]
    model = nk.Sequential([nk.Input((6, 5, 1))] + layers + [nk.layers.Flatten(),
                                                             nk.layers.Dense(2)])
    x = _images((4, 6, 5, 1))
    path = str(tmp_path / "augmented.keras")
    model.save(path)
    loaded = nk.models.load_model(path, custom_objects={type(a).__name__: type(a)
                                                        for a in layers})
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    def as_json(some):  # JSON stores tuples as lists
        return [json.loads(json.dumps(a.get_config())) for a in some]

    assert as_json(loaded.layers[:7]) == as_json(layers)


def test_seeded_layers_are_reproducible():
    x = _images((4, 7, 9, 3), scale=255.0)
    for name, kwargs in LAYERS[:-1] + [("RandomCrop", {"height": 5, "width": 4})]:
        first, second = OURS[name](**kwargs, seed=42), OURS[name](**kwargs, seed=42)
        for _ in range(2):  # the same stream, call after call
            np.testing.assert_array_equal(first(x).numpy(), second(x).numpy())
        other = OURS[name](**kwargs, seed=43)
        assert not np.array_equal(first(x).numpy(), other(x).numpy()), name
        draw = first.get_random_transformation(x, seed=9)
        again = second.get_random_transformation(x, seed=9)
        np.testing.assert_array_equal(first.transform_images(x, draw).numpy(),
                                      second.transform_images(x, again).numpy())


def test_outputs_carry_no_gradient_and_inputs_are_untouched():
    x = Tensor(_images((2, 5, 6, 3), scale=255.0), requires_grad=True)
    before = x.detach().numpy().copy()
    for name, kwargs in LAYERS[:-1] + [("RandomCrop", {"height": 3, "width": 4})]:
        out = OURS[name](**kwargs, seed=1)(x, training=True)
        assert isinstance(out, Tensor) and not out.requires_grad, name
    np.testing.assert_array_equal(x.detach().numpy(), before)


# --- configs, shapes, errors ---------------------------------------------------------------
CONFIGS = [
    ("RandomFlip", {"mode": "vertical", "seed": 3}),
    ("RandomTranslation", {"height_factor": (-0.2, 0.3), "width_factor": 0.1,
                           "fill_mode": "wrap", "fill_value": 1.5}),
    ("RandomRotation", {"factor": 0.2, "interpolation": "nearest",
                        "data_format": "channels_first"}),
    ("RandomRotation", {"factor": (0.3, -0.1), "fill_mode": "constant"}),
    ("RandomZoom", {"height_factor": 0.2}),
    ("RandomZoom", {"height_factor": (-0.2, 0.5), "width_factor": [0.1, 0.3], "seed": 9}),
    ("RandomContrast", {"factor": 0.3}),
    ("RandomContrast", {"factor": (0.2, 0.4), "value_range": (0, 1)}),
    ("RandomBrightness", {"factor": 0.2}),
    ("RandomBrightness", {"factor": (-0.5, 0.1), "value_range": (1, 0), "seed": 1}),
    ("RandomCrop", {"height": 3, "width": 4, "seed": 8}),
    ("RandomCrop", {"height": 3, "width": 4, "data_format": "channels_first"})]


@pytest.mark.parametrize("name, kwargs", CONFIGS)
def test_configs_match_keras_and_round_trip(name, kwargs):
    ours = OURS[name](**kwargs)
    config = ours.get_config()
    theirs = getattr(keras.layers, name)(**kwargs).get_config()
    assert set(config) - {"dtype"} == set(theirs) - {"dtype"}
    for key in set(theirs) - {"name", "dtype", "seed"}:
        assert config[key] == theirs[key], key
    if kwargs.get("seed") is not None:
        assert config["seed"] == theirs["seed"]
    if name == "RandomCrop":  # an unseeded crop records the seed it drew, as Keras's does
        assert isinstance(config["seed"], int)
    assert OURS[name].from_config(config).get_config() == config
    rebuilt = getattr(keras.layers, name).from_config(config)  # Keras reads our config too
    assert {k: v for k, v in rebuilt.get_config().items() if k != "dtype"} == {
        k: v for k, v in config.items() if k != "dtype"}


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_output_shapes(data_format):
    shape = _shape(data_format, batch=2, height=8, width=6, channels=3)
    x = _images(shape)
    for name, kwargs in LAYERS[:-1] + [("RandomCrop", {"height": 5, "width": 4})]:
        layer = OURS[name](**kwargs, data_format=data_format)
        want = tuple(getattr(keras.layers, name)(**kwargs, data_format=data_format)
                     .compute_output_shape((None,) + shape[1:]))
        assert layer.compute_output_shape((None,) + shape[1:]) == want, name
        assert nk.Input(shape[1:]).shape[1:] == shape[1:]
        assert tuple(layer(nk.Input(shape[1:])).shape) == want, name
        assert tuple(layer(x).shape) == (2,) + want[1:], name
        assert tuple(layer(x[0]).shape) == want[1:], name


@pytest.mark.parametrize("make, error, match", [
    (lambda: RandomFlip("diagonal"), ValueError, "mode must be one of"),
    (lambda: RandomFlip(data_format="channels_middle"), ValueError, "data_format"),
    (lambda: RandomFlip(seed=1.5), ValueError, "seed must be an integer"),
    (lambda: RandomFlip(bounding_box_format="xyxy"), ValueError, "bounding_box_format"),
    (lambda: RandomTranslation(1.2, 0.1), ValueError, "input_number=1.2"),
    (lambda: RandomTranslation((0.1, 0.2, 0.3), 0.1), ValueError, "height_factor="),
    (lambda: RandomTranslation(0.1, "wide"), ValueError, "width_factor=wide"),
    (lambda: RandomTranslation(0.1, 0.1, fill_mode="mirror"), NotImplementedError,
     "Unknown `fill_mode` mirror"),
    (lambda: RandomTranslation(0.1, 0.1, fill_mode="mirror"), ValueError, "fill_mode"),
    (lambda: RandomRotation(0.1, interpolation="bicubic"), ValueError,
     "Unknown `interpolation` bicubic"),
    (lambda: RandomRotation(1.5), ValueError, r"in the range \[-1, 1\]. Received: factor=1.5"),
    (lambda: RandomRotation((2, 3)), ValueError, "factor="),
    (lambda: RandomRotation(0.1, fill_value="white"), ValueError, "fill_value"),
    (lambda: RandomZoom(-1.0), ValueError, r"\(-1.0, 1.0\]. Received: input_number=-1.0"),
    (lambda: RandomZoom(0.2, width_factor=(0.1, 1.1)), ValueError, "input_number=1.1"),
    (lambda: RandomContrast(-0.1), ValueError, r"in the range \[0, 1\]"),
    (lambda: RandomContrast(0.1, value_range=255), ValueError, "value_range"),
    (lambda: RandomBrightness(0.1, value_range=(0, 1, 2)), ValueError, "value_range"),
    (lambda: RandomCrop(0, 3), ValueError, "height must be a positive integer"),
    (lambda: RandomCrop(3, 2.5), ValueError, "width must be a positive integer"),
    (lambda: RandomFlip()(np.zeros((2, 3, 4, 5, 1), "float32")), ValueError, "rank 3"),
    (lambda: RandomContrast(0.1).transform_images(np.zeros((4, 4)), None), ValueError,
     "rank 3"),
])
def test_bad_arguments_raise_clear_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_keras_accepts_what_we_accept_and_rejects_what_we_reject():
    """The factor rules are Keras's (a pair is rejected only when wholly out of range)."""
    for name, kwargs in [("RandomRotation", {"factor": (-3.0, 0.5)}),
                         ("RandomContrast", {"factor": (0.5, 2.0)}),
                         ("RandomZoom", {"height_factor": (-0.5, 1.0)})]:
        assert OURS[name](**kwargs).get_config()
        assert getattr(keras.layers, name)(**kwargs).get_config()
    for name, kwargs in [("RandomRotation", {"factor": 1.5}),
                         ("RandomZoom", {"height_factor": -1.0}),
                         ("RandomTranslation", {"height_factor": 0.1, "width_factor": -1.1})]:
        for cls in (OURS[name], getattr(keras.layers, name)):
            with pytest.raises(ValueError):
                cls(**kwargs)


def test_docstring_examples_run():
    from neuronet.keras.layers import _augment_base, augment_color_crop, augment_geometric

    modules = (preprocessing_augment, _augment_base, augment_geometric, augment_color_crop)
    results = [doctest.testmod(m) for m in modules]
    assert all(r.failed == 0 for r in results) and sum(r.attempted for r in results) > 0
