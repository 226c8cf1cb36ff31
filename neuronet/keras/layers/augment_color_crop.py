"""RandomContrast, RandomBrightness and RandomCrop (see preprocessing_augment.py for the
shared conventions)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from ._augment_base import _base_factor, _image_shape, _is_number, _RandomImageLayer
from .preprocessing_image import resize_images


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
