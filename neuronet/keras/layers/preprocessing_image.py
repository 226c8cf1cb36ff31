"""Image preprocessing layers, Keras 3 compatible (matching Keras's torch backend numerically):

    Resizing    images resized to (height, width): bilinear (half-pixel centres, no antialias)
                or nearest ('nearest-exact' in torch)
    CenterCrop  the central (height, width) window; a smaller image is cropped to the target's
                aspect ratio and resized up bilinearly (Keras's smart_resize)

Both take channels_last images, (batch, H, W, C) or one image (H, W, C), and return float32.
They are not differentiable (as preprocessing, their outputs carry no gradient).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autograd import no_grad
from ...nn.functional_resample import interpolate
from ...tensor import Tensor
from .layer import Layer

INTERPOLATIONS = ("bilinear", "nearest")


def resize_images(images: np.ndarray, height: int, width: int,
                  interpolation: str = "bilinear") -> np.ndarray:
    """(batch, H, W, C) float32 -> (batch, height, width, C) by neuronet's interpolate (torch's
    formulas: bilinear with half-pixel centres, or 'nearest-exact'), as Keras's torch backend."""
    x = Tensor._wrap(np.ascontiguousarray(images, np.float32)).permute(0, 3, 1, 2)
    mode = "nearest-exact" if interpolation == "nearest" else "bilinear"
    with no_grad():
        out = interpolate(x, size=(height, width), mode=mode,
                          align_corners=None if mode == "nearest-exact" else False)
    return out.permute(0, 2, 3, 1).numpy()


def crop_to_aspect_ratio(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """The largest central window of (batch, H, W, C) images with height:width's aspect."""
    in_h, in_w = images.shape[1:3]
    crop_h = max(min(in_h, int(float(in_w * height) / width)), 1)
    crop_w = max(min(in_w, int(float(in_h * width) / height)), 1)
    top, left = int(float(in_h - crop_h) / 2), int(float(in_w - crop_w) / 2)
    return images[:, top:top + crop_h, left:left + crop_w]


def _as_batch(owner: str, inputs: Any) -> tuple[np.ndarray, bool]:
    images = inputs.numpy() if isinstance(inputs, Tensor) else np.asarray(inputs)
    if images.ndim not in (3, 4):
        raise ValueError(f"{owner}: expected images of rank 3 (H, W, C) or 4 (batch, H, W, C), "
                         f"received input_shape={images.shape}")
    single = images.ndim == 3
    return (images[None] if single else images).astype(np.float32), single


def _check_size(owner: str, height: Any, width: Any) -> tuple[int, int]:
    for name, value in (("height", height), ("width", width)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{owner}: {name} must be a positive integer, received "
                             f"{name}={value!r}")
    return int(height), int(width)


def _check_data_format(owner: str, data_format: Any) -> str:
    data_format = data_format or "channels_last"
    if data_format != "channels_last":
        raise ValueError(f"{owner}: only data_format='channels_last' is supported, received "
                         f"data_format={data_format!r}")
    return data_format


class _SizedImages(Layer):
    """Image layers whose output is (..., height, width, C)."""

    height: int
    width: int

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = list(input_shape)
        shape[-3], shape[-2] = self.height, self.width
        return tuple(shape)


class Resizing(_SizedImages):
    """Resizes channels_last images to (height, width).

    Formula (per axis, scale = in / out, as torch's interpolate with align_corners=False):
        bilinear: src = max(scale * (dst + 0.5) - 0.5, 0), i0 = floor(src),
                  i1 = min(i0 + 1, in - 1), y = (1 - (src - i0)) * x[i0] + (src - i0) * x[i1]
                  (applied along height, then width)
        nearest:  y = x[min(floor((dst + 0.5) * scale), in - 1)]

    Args:
        height, width: the output size.
        interpolation: 'bilinear' (default) or 'nearest'.
        crop_to_aspect_ratio: first crop the central window with the target aspect ratio, so
            the image is not distorted.
        pad_to_aspect_ratio, fill_mode, fill_value, antialias: Keras's arguments, kept in the
            config; only their defaults (False, 'constant', 0.0, False) are supported.
        data_format: 'channels_last' (the only one supported).

    Shape:
        (batch, H, W, C) -> (batch, height, width, C); (H, W, C) -> (height, width, C).

    Example:
        >>> import numpy as np
        >>> x = np.arange(4, dtype="float32").reshape(1, 2, 2, 1)
        >>> Resizing(1, 1)(x).numpy().ravel()
        array([1.5], dtype=float32)
    """

    def __init__(self, height: int, width: int, interpolation: str = "bilinear",
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                 fill_mode: str = "constant", fill_value: float = 0.0, antialias: bool = False,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height, self.width = _check_size("Resizing", height, width)
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"Resizing: interpolation must be one of {INTERPOLATIONS}, "
                             f"received interpolation={interpolation!r}")
        if pad_to_aspect_ratio or antialias or fill_mode != "constant":
            raise ValueError("Resizing: pad_to_aspect_ratio, antialias and fill_mode other "
                             "than their defaults are not supported")
        self.interpolation = interpolation
        self.data_format = _check_data_format("Resizing", data_format)
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        images, single = _as_batch(f"Resizing {self.name}", inputs)
        if self.crop_to_aspect_ratio:
            images = crop_to_aspect_ratio(images, self.height, self.width)
        out = resize_images(images, self.height, self.width, self.interpolation)
        return Tensor(np.ascontiguousarray(out[0] if single else out, dtype=np.float32))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width,
                "interpolation": self.interpolation,
                "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
                "pad_to_aspect_ratio": self.pad_to_aspect_ratio, "fill_mode": self.fill_mode,
                "fill_value": self.fill_value, "antialias": self.antialias}


class CenterCrop(_SizedImages):
    """Crops the central (height, width) window of channels_last images.

    Formula:
        top = (H - height) // 2, left = (W - width) // 2,
        y = x[..., top : top + height, left : left + width, :]
        If H < height or W < width: crop to the target's aspect ratio, then resize bilinearly
        (Keras's smart_resize).

    Args:
        height, width: the output size.
        data_format: 'channels_last' (the only one supported).

    Shape:
        (batch, H, W, C) -> (batch, height, width, C); (H, W, C) -> (height, width, C).

    Example:
        >>> import numpy as np
        >>> x = np.arange(16, dtype="float32").reshape(1, 4, 4, 1)
        >>> CenterCrop(2, 2)(x).numpy()[0, :, :, 0]
        array([[ 5.,  6.],
               [ 9., 10.]], dtype=float32)
    """

    def __init__(self, height: int, width: int, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.height, self.width = _check_size("CenterCrop", height, width)
        self.data_format = _check_data_format("CenterCrop", data_format)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        images, single = _as_batch(f"CenterCrop {self.name}", inputs)
        in_h, in_w = images.shape[1:3]
        if in_h >= self.height and in_w >= self.width:
            top, left = (in_h - self.height) // 2, (in_w - self.width) // 2
            out = images[:, top:top + self.height, left:left + self.width]
        else:
            images = crop_to_aspect_ratio(images, self.height, self.width)
            out = resize_images(images, self.height, self.width, "bilinear")
        return Tensor(np.ascontiguousarray(out[0] if single else out, dtype=np.float32))

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format,
                "height": self.height, "width": self.width}
