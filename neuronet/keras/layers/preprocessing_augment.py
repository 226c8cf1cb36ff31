"""Random image augmentation layers, Keras 3 compatible (numerically Keras's torch backend):

    RandomFlip         each image mirrored left-right and/or top-bottom with probability 1/2
    RandomTranslation  shifted by a random fraction of its height and width
    RandomRotation     rotated by a random fraction of a full turn about its centre
    RandomZoom         scaled about its centre by a random factor per axis
    RandomContrast     (x - mean) * factor + mean per image and channel, clipped to value_range
    RandomBrightness   x + delta per image, clipped to value_range
    RandomCrop         a random (height, width) window, at the same place for the whole batch

Each layer is `get_random_transformation(data, training, seed)`, which draws the parameters (a
dict laid out as Keras's), followed by `transform_images(images, transformation, training)`,
which applies them; `call` runs both, so a transformation drawn by Keras applies here unchanged.
As in Keras, calling a layer without `training` transforms (Keras's `call` defaults it to True),
and `training=False` (evaluate, predict) passes the images through, except RandomCrop, which
then returns the largest central window with the target's aspect ratio, resized to it.
Images are channels_last, (batch, H, W, C) or one image (H, W, C), unless
data_format='channels_first'. Outputs are Tensors without gradient (this is preprocessing).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ...tensor import Tensor
from .layer import Layer
from .preprocessing_image import resize_images

__all__ = ["RandomFlip", "RandomTranslation", "RandomRotation", "RandomZoom", "RandomContrast",
           "RandomBrightness", "RandomCrop", "affine_transform"]

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


class RandomFlip(_RandomImageLayer):
    """Flips each image left-right and/or top-bottom with probability 1/2 while training.

    Formula (one draw u ~ U[0, 1) per image, flip = u <= 0.5; H, W the height and width):
        horizontal: y[i, j] = x[i, W - 1 - j] if flip else x[i, j]
        vertical:   y[i, j] = x[H - 1 - i, j] if flip else x[i, j]
        horizontal_and_vertical: both, from the same draw (as Keras 3 does), so an image is
            turned by 180 degrees or left as it is.

    Args:
        mode: 'horizontal', 'vertical' or 'horizontal_and_vertical' (default).
        seed: integer seed of the layer's random stream.
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) or (H, W, C) (channels_first: C first) -> the same.

    Example:
        >>> import numpy as np
        >>> x = np.arange(6, dtype="float32").reshape(1, 2, 3, 1)
        >>> layer = RandomFlip("horizontal")
        >>> layer.transform_images(x, {"flips": np.array([[[[True]]]])}).numpy()[0, :, :, 0]
        array([[2., 1., 0.],
               [5., 4., 3.]], dtype=float32)
        >>> np.array_equal(layer(x, training=False).numpy(), x)
        True
    """

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in FLIP_MODES:
            raise ValueError(f"RandomFlip: mode must be one of {FLIP_MODES}, received "
                             f"mode={mode!r}")
        self.mode = mode

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> dict | None:
        """{'flips': bool (batch, 1, 1, 1) ((1, 1, 1) for one image), 'input_shape'}."""
        if not training:
            return None
        shape = _image_shape("RandomFlip", data)
        flips_shape = (shape[0], 1, 1, 1) if len(shape) == 4 else (1, 1, 1)
        return {"flips": self._rng(seed).uniform(size=flips_shape) <= 0.5, "input_shape": shape}

    def _transform(self, batch: np.ndarray, transformation: dict) -> np.ndarray:
        flips = np.asarray(transformation["flips"], bool).reshape(-1, 1, 1, 1)
        h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            batch = np.where(flips, np.flip(batch, axis=w_axis), batch)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            batch = np.where(flips, np.flip(batch, axis=h_axis), batch)
        return batch

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


class _RandomAffine(_RandomImageLayer):
    """Augmentations that resample the image through an affine map (see affine_transform)."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        owner = type(self).__name__
        self.fill_mode = _check_option(owner, "fill_mode", fill_mode, FILL_MODES)
        self.interpolation = _check_option(owner, "interpolation", interpolation,
                                           INTERPOLATIONS)
        if not _is_number(fill_value):
            raise ValueError(f"{owner}: fill_value must be a number, received "
                             f"fill_value={fill_value!r}")
        self.fill_value = fill_value

    def _affine(self, batch: np.ndarray, matrix: Any) -> np.ndarray:
        out = affine_transform(self._channels_last(batch), matrix, self.interpolation,
                               self.fill_mode, self.fill_value)
        return self._restore_format(out)

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def translation_matrix(translations: Any) -> np.ndarray:
    """(N, 2) pixel shifts [dx, dy] -> (N, 8) maps x_in = x - dx, y_in = y - dy."""
    t = np.asarray(translations, np.float32).reshape(-1, 2)
    zeros, ones = np.zeros(len(t), np.float32), np.ones(len(t), np.float32)
    return np.stack([ones, zeros, -t[:, 0], zeros, ones, -t[:, 1], zeros, zeros], axis=1)


class RandomTranslation(_RandomAffine):
    """Shifts each image by a random fraction of its height and width while training.

    Formula (per image, dy = U[height_lower, height_upper) * H, dx = U[width_lower,
    width_upper) * W; positive shifts move the content down and right):
        y[i, j] = x[i - dy, j - dx]   (affine_transform with [1, 0, -dx, 0, 1, -dy, 0, 0];
                                       pixels from outside the image come from fill_mode)

    Args:
        height_factor, width_factor: a fraction f in [-1, 1] (shifts in [-|f|, |f|]) or a pair
            (lower, upper).
        fill_mode: what an index i outside [0, size) reads (each bilinear corner on its own):
            'reflect' (default) (|(2i + 1 + 2 size) mod 4 size - 2 size| - 1) // 2, i.e.
            (c b a | a b c d | d c b); 'wrap' i mod size; 'nearest' clip(i, 0, size - 1);
            'constant' the value fill_value.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: integer seed of the layer's random stream.
        fill_value: the value outside the image for fill_mode='constant' (default 0.0).
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) or (H, W, C) (channels_first: C first) -> the same.

    Example:
        >>> import numpy as np
        >>> x = np.arange(6, dtype="float32").reshape(1, 2, 3, 1)
        >>> layer = RandomTranslation(0.5, 0.5, fill_mode="constant")
        >>> shift = {"translations": np.array([[1.0, 0.0]], "float32")}  # one pixel right
        >>> layer.transform_images(x, shift).numpy()[0, :, :, 0]
        array([[0., 0., 1.],
               [0., 3., 4.]], dtype=float32)
    """

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        self.height_lower, self.height_upper = _shift_factor(
            "RandomTranslation", height_factor, "height_factor", zoom=False)
        self.width_lower, self.width_upper = _shift_factor(
            "RandomTranslation", width_factor, "width_factor", zoom=False)
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> dict | None:
        """{'translations': float32 (batch, 2) pixel shifts [dx, dy], 'input_shape'}."""
        if not training:
            return None
        shape = _image_shape("RandomTranslation", data)
        batch_size, height, width = self._size(shape)
        rng = self._rng(seed)
        dy = rng.uniform(self.height_lower, self.height_upper, (batch_size, 1)) * height
        dx = rng.uniform(self.width_lower, self.width_upper, (batch_size, 1)) * width
        return {"translations": np.concatenate([dx, dy], axis=1).astype(np.float32),
                "input_shape": shape}

    def _transform(self, batch: np.ndarray, transformation: dict) -> np.ndarray:
        return self._affine(batch, translation_matrix(transformation["translations"]))

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


def rotation_matrix(angle: Any, height: int, width: int) -> np.ndarray:
    """(N,) angles in degrees -> (N, 8) rotations about the centre (cx, cy) =
    ((W - 1) / 2, (H - 1) / 2): [cos, -sin, cx - cx cos + cy sin, sin, cos,
    cy - cx sin - cy cos, 0, 0] (float32, in Keras's order of operations)."""
    theta = np.asarray(angle, np.float32).reshape(-1) * np.float32(math.pi / 180.0)
    cx, cy = np.float32(0.5 * (width - 1)), np.float32(0.5 * (height - 1))
    cos, sin = np.cos(theta), np.sin(theta)
    a2 = (cx - cx * cos) - cy * -sin
    b2 = (cy - cx * sin) - cy * cos
    zeros = np.zeros_like(theta)
    return np.stack([cos, -sin, a2, sin, cos, b2, zeros, zeros], axis=1)


class RandomRotation(_RandomAffine):
    """Rotates each image about its centre by a random angle while training.

    Formula (per image, angle = U[factor_lower, factor_upper) * 360 degrees, theta in radians,
    centre (cx, cy) = ((W - 1) / 2, (H - 1) / 2)):
        x_in - cx = cos(theta) (x - cx) - sin(theta) (y - cy)
        y_in - cy = sin(theta) (x - cx) + cos(theta) (y - cy)
        y[y, x] = image sampled at (y_in, x_in) by affine_transform (fill_mode outside)

    Args:
        factor: a fraction f of a full turn in [-1, 1] (angles in [-|f|, |f|] * 360) or a pair
            (lower, upper).
        fill_mode: what an index i outside [0, size) reads (each bilinear corner on its own):
            'reflect' (default) (|(2i + 1 + 2 size) mod 4 size - 2 size| - 1) // 2, i.e.
            (c b a | a b c d | d c b); 'wrap' i mod size; 'nearest' clip(i, 0, size - 1);
            'constant' the value fill_value.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: integer seed of the layer's random stream.
        fill_value: the value outside the image for fill_mode='constant' (default 0.0).
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) or (H, W, C) (channels_first: C first) -> the same.

    Example:
        >>> import numpy as np
        >>> x = np.arange(6, dtype="float32").reshape(1, 2, 3, 1)
        >>> half_turn = RandomRotation((0.5, 0.5), interpolation="nearest")
        >>> half_turn(x, training=True).numpy()[0, :, :, 0]
        array([[5., 4., 3.],
               [2., 1., 0.]], dtype=float32)
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        self.factor = _base_factor("RandomRotation", factor, (-1, 1))
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> dict | None:
        """{'angle': (batch,) degrees, 'rotation_matrix': (batch, 8) ((8,) for one image),
        'image_height', 'image_width', 'batch_size'}."""
        if not training:
            return None
        shape = _image_shape("RandomRotation", data)
        batch_size, height, width = self._size(shape)
        angle = self._rng(seed).uniform(self.factor[0] * 360.0, self.factor[1] * 360.0,
                                        (batch_size,)).astype(np.float32)
        matrix = rotation_matrix(angle, height, width)
        return {"angle": angle, "rotation_matrix": matrix[0] if len(shape) == 3 else matrix,
                "image_height": height, "image_width": width, "batch_size": batch_size}

    def _transform(self, batch: np.ndarray, transformation: dict) -> np.ndarray:
        return self._affine(batch, transformation["rotation_matrix"])

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor}


def zoom_matrix(zooms: Any, height: int, width: int) -> np.ndarray:
    """(N, 2) zooms [zx, zy] -> (N, 8) maps x_in = zx x + (W - 1) / 2 (1 - zx), likewise y."""
    z = np.asarray(zooms, np.float32).reshape(-1, 2)
    x_offset = np.float32((width - 1) / 2.0) * (1 - z[:, 0])
    y_offset = np.float32((height - 1) / 2.0) * (1 - z[:, 1])
    zeros = np.zeros(len(z), np.float32)
    return np.stack([z[:, 0], zeros, x_offset, zeros, z[:, 1], y_offset, zeros, zeros], axis=1)


class RandomZoom(_RandomAffine):
    """Zooms each image about its centre by a random factor per axis while training.

    Formula (per image, zy = 1 + U[height_lower, height_upper), zx = 1 + U[width_lower,
    width_upper), or zx = zy when width_factor is None; z > 1 zooms out, z < 1 zooms in):
        x_in = zx * x + (W - 1) / 2 * (1 - zx),   y_in = zy * y + (H - 1) / 2 * (1 - zy)
        y[y, x] = image sampled at (y_in, x_in) by affine_transform (fill_mode outside)

    Args:
        height_factor: a fraction f in (-1, 1] (zoom 1 + [-|f|, |f|]) or a pair (lower, upper).
        width_factor: the same for the width; None (default) zooms both axes alike.
        fill_mode: what an index i outside [0, size) reads (each bilinear corner on its own):
            'reflect' (default) (|(2i + 1 + 2 size) mod 4 size - 2 size| - 1) // 2, i.e.
            (c b a | a b c d | d c b); 'wrap' i mod size; 'nearest' clip(i, 0, size - 1);
            'constant' the value fill_value.
        interpolation: 'bilinear' (default) or 'nearest'.
        seed: integer seed of the layer's random stream.
        fill_value: the value outside the image for fill_mode='constant' (default 0.0).
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) or (H, W, C) (channels_first: C first) -> the same.

    Example:
        >>> import numpy as np
        >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
        >>> layer = RandomZoom(0.5, interpolation="nearest")
        >>> zoom_in = {"height_zoom": np.array([[0.5]]), "width_zoom": np.array([[0.5]])}
        >>> layer.transform_images(x, zoom_in).numpy()[0, :, :, 0]
        array([[ 5.,  5.,  6.,  6.],
               [ 5.,  5.,  6.,  6.],
               [ 9.,  9., 10., 10.],
               [ 9.,  9., 10., 10.]], dtype=float32)
    """

    def __init__(self, height_factor: Any, width_factor: Any = None,
                 fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        self.height_lower, self.height_upper = _shift_factor(
            "RandomZoom", height_factor, "height_factor", zoom=True)
        self.width_lower, self.width_upper = (None, None) if width_factor is None else (
            _shift_factor("RandomZoom", width_factor, "width_factor", zoom=True))
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> dict | None:
        """{'height_zoom': (batch, 1), 'width_zoom': (batch, 1), 'input_shape'}."""
        if not training:
            return None
        shape = _image_shape("RandomZoom", data)
        rng, size = self._rng(seed), (self._size(shape)[0], 1)
        height_zoom = rng.uniform(1.0 + self.height_lower, 1.0 + self.height_upper, size)
        width_zoom = height_zoom if self.width_factor is None else rng.uniform(
            1.0 + self.width_lower, 1.0 + self.width_upper, size)
        return {"height_zoom": height_zoom.astype(np.float32),
                "width_zoom": width_zoom.astype(np.float32), "input_shape": shape}

    def _transform(self, batch: np.ndarray, transformation: dict) -> np.ndarray:
        zooms = np.concatenate([np.reshape(transformation["width_zoom"], (-1, 1)),
                                np.reshape(transformation["height_zoom"], (-1, 1))], axis=1)
        _, height, width = self._size(batch.shape)
        return self._affine(batch, zoom_matrix(zooms, height, width))

    def get_config(self) -> dict:
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


def _check_value_range(owner: str, value_range: Any) -> None:
    if not isinstance(value_range, tuple | list) or len(value_range) != 2 or not all(
            _is_number(v) for v in value_range):
        raise ValueError(f"{owner}: The `value_range` argument should be a list of two "
                         f"numbers. Received: value_range={value_range}")


class RandomContrast(_RandomImageLayer):
    """Scales each image's deviations from its per-channel mean by a random factor while
    training.

    Formula (per image, factor = U[1 - factor_lower, 1 + factor_upper); mean over H and W per
    channel):
        y = clip((x - mean) * factor + mean, value_range[0], value_range[1])
    NOTE: as in Keras, a single number f gives factor (0, f), so contrast is drawn from
    [1, 1 + f) (it only rises); pass (f, f) for [1 - f, 1 + f).

    Args:
        factor: a number in [0, 1] or a pair (lower, upper).
        value_range: (low, high) of the images' values (default (0, 255)).
        seed: integer seed of the layer's random stream.
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) or (H, W, C) (channels_first: C first) -> the same.

    Example:
        >>> import numpy as np
        >>> x = np.array([0.0, 10.0], "float32").reshape(1, 1, 2, 1)
        >>> double = {"contrast_factor": np.full((1, 1, 1, 1), 2.0, "float32")}
        >>> RandomContrast(0.5).transform_images(x, double).numpy().ravel()
        array([ 0., 15.], dtype=float32)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        self.factor = _base_factor("RandomContrast", factor, (0, 1))
        _check_value_range("RandomContrast", value_range)
        super().__init__(seed=seed, **kwargs)
        self.value_range = value_range

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> dict:
        """{'contrast_factor': (batch, 1, 1, 1) ((1, 1, 1) for one image); zeros when not
        training}."""
        shape = _image_shape("RandomContrast", data)
        factor_shape = (shape[0], 1, 1, 1) if len(shape) == 4 else (1, 1, 1)
        if not training:
            return {"contrast_factor": np.zeros(factor_shape, np.float32)}
        factor = self._rng(seed).uniform(1.0 - self.factor[0], 1.0 + self.factor[1],
                                         factor_shape)
        return {"contrast_factor": factor.astype(np.float32)}

    def _transform(self, batch: np.ndarray, transformation: dict) -> np.ndarray:
        h_axis, w_axis = (1, 2) if self.data_format == "channels_last" else (2, 3)
        mean = batch.mean(axis=h_axis, keepdims=True).mean(axis=w_axis, keepdims=True)
        factor = np.asarray(transformation["contrast_factor"], batch.dtype)
        out = (batch - mean) * factor + mean
        return np.clip(out, self.value_range[0], self.value_range[1]).astype(batch.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_RandomImageLayer):
    """Adds a random offset to each image while training.

    Formula (per image, delta = U[factor_lower, factor_upper) * (high - low) with
    (low, high) = value_range):
        y = clip(x + delta, low, high)

    Args:
        factor: a number f in [-1, 1] (offsets in [-|f|, |f|] of the range) or a pair
            (lower, upper); -1 turns an image black, 1 white.
        value_range: (low, high) of the images' values (default (0, 255)); kept sorted.
        seed: integer seed of the layer's random stream.
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) or (H, W, C) (channels_first: C first) -> the same.

    Example:
        >>> import numpy as np
        >>> x = np.array([[[[10.0], [250.0]]]], "float32")
        >>> brighter = {"rgb_delta": np.full((1, 1, 1, 1), 25.5, "float32")}
        >>> RandomBrightness(0.2).transform_images(x, brighter).numpy().ravel()
        array([ 35.5, 255. ], dtype=float32)
    """

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 **kwargs: Any) -> None:
        self.factor = _base_factor("RandomBrightness", factor, (-1, 1))
        _check_value_range("RandomBrightness", value_range)
        super().__init__(seed=seed, **kwargs)
        self.value_range = sorted(value_range)

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> dict:
        """{'rgb_delta': (batch, 1, 1, 1) ((1, 1, 1) for one image); zeros when not
        training}."""
        shape = _image_shape("RandomBrightness", data)
        delta_shape = (shape[0], 1, 1, 1) if len(shape) == 4 else (1, 1, 1)
        if not training:
            return {"rgb_delta": np.zeros(delta_shape, np.float32)}
        delta = self._rng(seed).uniform(self.factor[0], self.factor[1], delta_shape)
        delta = delta * (self.value_range[1] - self.value_range[0])
        return {"rgb_delta": delta.astype(np.float32)}

    def _transform(self, batch: np.ndarray, transformation: dict) -> np.ndarray:
        out = batch + np.asarray(transformation["rgb_delta"], batch.dtype)
        return np.clip(out, self.value_range[0], self.value_range[1]).astype(batch.dtype)

    def get_config(self) -> dict:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomCrop(_RandomImageLayer):
    """Crops a random (height, width) window, the same for the whole batch, while training.

    Formula:
        training, H > height and W > width: top = U{0..H - height}, left = U{0..W - width},
            y = x[top : top + height, left : left + width]
        otherwise (inference, or an image not larger than the target): the largest central
            window with the target's aspect ratio, crop_h = max(min(H, floor(W height /
            width)), 1) (likewise crop_w), top = floor((H - crop_h) / 2), resized bilinearly
            to (height, width) (Keras's documented smart_resize; see the NOTE).
    NOTE: Keras 3.15 itself returns the input unchanged at inference, and for an image smaller
    than the target slices (height, width) from the window's corner before resizing; a
    transformation in Keras's layout, (top, left), is applied exactly as Keras applies it.

    Args:
        height, width: the output size.
        seed: integer seed of the layer's random stream (default: a random one, as in Keras,
            so that the config records it).
        data_format: 'channels_last' (default) or 'channels_first'.

    Shape:
        (batch, H, W, C) -> (batch, height, width, C); (H, W, C) -> (height, width, C)
        (channels_first: C first).

    Example:
        >>> import numpy as np
        >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
        >>> tuple(RandomCrop(3, 3, seed=0)(x, training=True).shape)
        (1, 3, 3, 1)
        >>> RandomCrop(2, 2)(x, training=False).numpy()[0, :, :, 0]  # resized, not cropped
        array([[ 2.5,  4.5],
               [10.5, 12.5]], dtype=float32)
    """

    def __init__(self, height: int, width: int, seed: int | None = None,
                 data_format: str | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        for label, value in (("height", height), ("width", width)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ValueError(f"RandomCrop: {label} must be a positive integer, received "
                                 f"{label}={value!r}")
        if seed is None:
            seed = int(np.random.default_rng().integers(1, 10**9))
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height, self.width = int(height), int(width)

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        training = True if training is None else bool(training)
        transformation = self.get_random_transformation(inputs, training=training)
        return self.transform_images(inputs, transformation)  # inference crops too

    def get_random_transformation(self, data: Any, training: bool = True,
                                  seed: Any = None) -> tuple:
        """(top, left) of a (height, width) window, or (top, left, crop_h, crop_w) of the
        central aspect-ratio window that is then resized."""
        _, in_h, in_w = self._size(_image_shape("RandomCrop", data))
        if training and in_h > self.height and in_w > self.width:
            rng = self._rng(seed)
            return (int(rng.integers(0, in_h - self.height + 1)),
                    int(rng.integers(0, in_w - self.width + 1)))
        crop_h = max(min(in_h, int(float(in_w * self.height) / self.width)), 1)
        crop_w = max(min(in_w, int(float(in_h * self.width) / self.height)), 1)
        return (int(float(in_h - crop_h) / 2), int(float(in_w - crop_w) / 2), crop_h, crop_w)

    def _transform(self, batch: np.ndarray, transformation: Any) -> np.ndarray:
        top, left = int(transformation[0]), int(transformation[1])
        crop_h, crop_w = ((int(transformation[2]), int(transformation[3]))
                          if len(transformation) == 4 else (self.height, self.width))
        window = self._channels_last(batch)[:, top:top + crop_h, left:left + crop_w]
        if window.shape[1:3] != (self.height, self.width):
            window = resize_images(window, self.height, self.width, "bilinear")
        return self._restore_format(window.astype(batch.dtype))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(input_shape)
        h_axis, w_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)
        shape[h_axis], shape[w_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "height": self.height, "width": self.width}
