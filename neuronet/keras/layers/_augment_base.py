"""Shared parts of the random augmentation layers: argument checks, the batched affine
resampler (fill modes, interpolation) and the base layer that draws and applies a random
transformation (see preprocessing_augment.py)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ...tensor import Tensor
from .layer import Layer

FLIP_MODES = ("horizontal", "vertical", "horizontal_and_vertical")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")
DATA_FORMATS = ("channels_last", "channels_first")


class UnknownOptionError(ValueError, NotImplementedError):
    """An unknown fill_mode or interpolation: a ValueError, as neuronet raises for a bad
    argument, that also catches as the NotImplementedError Keras raises for it."""


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_data_format(owner: str, data_format: Any) -> str:
    data_format = "channels_last" if data_format is None else str(data_format).lower()
    if data_format not in DATA_FORMATS:
        raise ValueError(f"{owner}: The `data_format` argument must be one of "
                         f"{set(DATA_FORMATS)}. Received: data_format={data_format}")
    return data_format


def _check_option(owner: str, name: str, value: Any, allowed: tuple) -> str:
    if value not in allowed:
        raise UnknownOptionError(f"{owner}: Unknown `{name}` {value}. Expected of one "
                                 f"{allowed}.")
    return value


def _base_factor(owner: str, factor: Any, bounds: tuple) -> tuple:
    """Keras's BaseImagePreprocessingLayer factor: x -> (max(-|x|, low), |x|); a pair ->
    sorted, rejected only when it lies wholly outside [low, high] (Keras's rule)."""
    message = (f"{owner}: The `factor` argument should be a number (or a list of two numbers) "
               f"in the range [{bounds[0]}, {bounds[1]}]. Received: factor={factor}")
    if isinstance(factor, tuple | list):
        if len(factor) != 2 or not all(_is_number(f) for f in factor):
            raise ValueError(message)
        if factor[0] > bounds[1] or factor[1] < bounds[0]:
            raise ValueError(message)
        lower, upper = sorted(factor)
        return lower, upper
    if not _is_number(factor) or not bounds[0] <= factor <= bounds[1]:
        raise ValueError(message)
    return max(-abs(factor), bounds[0]), abs(factor)


def _shift_factor(owner: str, factor: Any, name: str, zoom: bool) -> tuple:
    """RandomTranslation's ([-1, 1]) and RandomZoom's ((-1, 1]) factors: x -> (-|x|, |x|)."""
    if zoom:
        message = (f"{owner}: The `height_factor` and `width_factor` arguments should be a "
                   f"number (or a list of two numbers) in the range (-1.0, 1.0]. ")
    else:
        message = (f"{owner}: The `factor` argument should be a number (or a list of two "
                   f"numbers) in the range [-1.0, 1.0]. ")
    values = factor if isinstance(factor, tuple | list) else [factor]
    if (isinstance(factor, tuple | list) and len(factor) != 2) or not all(
            _is_number(v) for v in values):
        raise ValueError(message + f"Received: {name}={factor}")
    for value in values:
        if value > 1.0 or value < -1.0 or (zoom and value == -1.0):
            raise ValueError(message + f"Received: input_number={value}")
    if isinstance(factor, tuple | list):
        lower, upper = sorted(factor)
        return lower, upper
    return -abs(factor), abs(factor)


def _image_shape(owner: str, data: Any) -> tuple:
    shape = tuple(data.shape) if hasattr(data, "shape") else np.shape(data)
    if len(shape) not in (3, 4):
        raise ValueError(f"{owner}: Expected image tensor to have rank 3 (single image) or 4 "
                         f"(batch of images). Received: data.shape={shape}")
    return shape


def _fix_index(index: np.ndarray, size: int, fill_mode: str) -> np.ndarray:
    """Integer indices outside [0, size) mapped back inside, by fill_mode."""
    if fill_mode == "wrap":
        return index % size
    if fill_mode == "reflect":  # a triangle wave of period 2 * size over half-pixel steps
        return (np.abs((2 * index + 1 + 2 * size) % (4 * size) - 2 * size) - 1) // 2
    return np.clip(index, 0, size - 1)  # nearest; constant masks these pixels afterwards


def affine_transform(images: np.ndarray, transform: Any, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0) -> np.ndarray:
    """Resample channels_last images through one affine map per image.

    Formula (the output pixel at row y, column x, transform = [a0, a1, a2, b0, b1, b2, c0, c1];
    c0 = c1 = 0 for every layer here, and Keras's torch backend ignores them too):
        x_in = a0 * x + a1 * y + a2,   y_in = b0 * x + b1 * y + b2
        nearest:  out = image[round(y_in), round(x_in)]   (round half to even)
        bilinear: y0 = floor(y_in), wy = y_in - y0, likewise x0, wx;
                  out = (1-wy)(1-wx) p[y0, x0] + (1-wy) wx p[y0, x0+1]
                        + wy (1-wx) p[y0+1, x0] + wy wx p[y0+1, x0+1]
        an index i outside [0, size) (each of the four corners on its own) reads, by fill_mode:
            constant: fill_value                                     (k k k | a b c d | k k k)
            nearest:  clip(i, 0, size - 1)                           (a a a | a b c d | d d d)
            wrap:     i mod size                                     (b c d | a b c d | a b c)
            reflect:  (|(2i + 1 + 2 size) mod 4 size - 2 size| - 1) // 2
                                                                     (c b a | a b c d | d c b)

    Args:
        images: (N, H, W, C) array.
        transform: (N, 8) or (8,) (one map for every image).
        interpolation: 'bilinear' or 'nearest'; fill_mode, fill_value: as above.

    Shape:
        (N, H, W, C) -> (N, H, W, C).
    """
    n, height, width, channels = images.shape
    matrix = np.asarray(transform, np.float32).reshape(-1, 8)
    if len(matrix) not in (1, n):
        raise ValueError(f"affine_transform: expected 1 or {n} transforms for {n} images, "
                         f"received transform.shape={np.shape(transform)}")
    matrix = np.broadcast_to(matrix, (n, 8))
    a0, a1, a2, b0, b1, b2 = (matrix[:, k, None, None] for k in range(6))  # each (N, 1, 1)
    rows = np.arange(height, dtype=np.float32)[:, None]
    cols = np.arange(width, dtype=np.float32)[None, :]
    x_in = (rows * a1 + cols * a0) + a2  # (N, H, W), summed in the order Keras's backend sums
    y_in = (rows * b1 + cols * b0) + b2
    flat = images.reshape(-1, channels)
    first = (np.arange(n) * (height * width))[:, None, None]  # each image's first row in flat
    fill = np.asarray(fill_value, images.dtype)

    def nodes(coord: np.ndarray, size: int, stride: int, offset: Any) -> list:
        """[(offset into flat, inside mask or None, weight or None)] along one axis."""
        if interpolation == "nearest":
            pairs = [(np.rint(coord).astype(np.int64), None)]
        else:
            low = np.floor(coord)
            upper = coord - low
            pairs = [(low.astype(np.int64), 1 - upper), (low.astype(np.int64) + 1, upper)]
        return [(_fix_index(i, size, fill_mode) * stride + offset,
                 (i >= 0) & (i < size) if fill_mode == "constant" else None, w)
                for i, w in pairs]

    columns = nodes(x_in, width, 1, 0)
    out = None
    for row, row_inside, wy in nodes(y_in, height, width, first):
        for col, col_inside, wx in columns:  # the corners (one or four), not the pixels
            picked = np.take(flat, row + col, axis=0)  # (N, H, W, C)
            if fill_mode == "constant":
                picked = np.where((row_inside & col_inside)[..., None], picked, fill)
            if wy is None:
                return picked
            term = (wy * wx)[..., None] * picked
            out = term if out is None else out + term
    return out


class _RandomImageLayer(Layer):
    """What the augmentation layers share: seed, data_format, batching and `call`."""

    def __init__(self, seed: int | None = None, data_format: str | None = None,
                 bounding_box_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        owner = type(self).__name__
        if bounding_box_format is not None:
            raise ValueError(f"{owner}: only images are transformed (no bounding boxes), "
                             f"received bounding_box_format={bounding_box_format!r}")
        if seed is not None and not (isinstance(seed, int | np.integer)
                                     and not isinstance(seed, bool)):
            raise ValueError(f"{owner}: seed must be an integer or None, received seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        self.data_format = _check_data_format(owner, data_format)
        self.generator = np.random.default_rng(self.seed)
        self.built = True

    def _rng(self, seed: Any) -> np.random.Generator:
        """The layer's own stream, or a fresh one for an explicit per-call seed."""
        return self.generator if seed is None else np.random.default_rng(seed)

    def _size(self, shape: tuple) -> tuple[int, int, int]:
        """(batch, height, width) of an image shape (batch 1 for a single image)."""
        h_axis, w_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        return (shape[0] if len(shape) == 4 else 1), shape[h_axis], shape[w_axis]

    def _channels_last(self, batch: np.ndarray) -> np.ndarray:
        return batch if self.data_format == "channels_last" else batch.transpose(0, 2, 3, 1)

    def _restore_format(self, batch: np.ndarray) -> np.ndarray:
        return batch if self.data_format == "channels_last" else batch.transpose(0, 3, 1, 2)

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        training = True if training is None else bool(training)  # Keras's call default
        transformation = self.get_random_transformation(inputs, training=training)
        return self.transform_images(inputs, transformation, training=training)

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> Any:
        raise NotImplementedError

    def _transform(self, batch: np.ndarray, transformation: Any) -> np.ndarray:
        raise NotImplementedError

    def transform_images(self, images: Any, transformation: Any, training: bool = True
                         ) -> Tensor:
        """Apply a transformation from get_random_transformation (or Keras's, as arrays) to
        (batch, ...) images or one image; training=False returns the images as they are."""
        shape = _image_shape(type(self).__name__, images)
        array = images.detach().numpy() if isinstance(images, Tensor) else np.asarray(images)
        batch = array.reshape((1,) * (4 - len(shape)) + shape).astype(self.dtype)
        if training and transformation is not None:
            batch = self._transform(batch, transformation)
        return Tensor(np.ascontiguousarray(batch[0] if len(shape) == 3 else batch))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "seed": self.seed}
