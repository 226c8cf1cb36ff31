"""RandomFlip, RandomTranslation, RandomRotation and RandomZoom (see preprocessing_augment.py
for the shared conventions)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._augment_base import (
    FILL_MODES,
    FLIP_MODES,
    INTERPOLATIONS,
    _base_factor,
    _check_option,
    _image_shape,
    _is_number,
    _RandomImageLayer,
    _shift_factor,
    affine_transform,
)


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
