"""Image transforms with torchvision's names and arguments (no Pillow needed).

An untransformed image is a NumPy uint8 array, H x W (grey) or H x W x C, which stands in
for torchvision's PIL image; ``ToTensor`` turns it into a float32 C x H x W tensor in
[0, 1]. Random transforms draw from neuronet's global source (``neuronet.manual_seed``).

Example:
    >>> import numpy as np
    >>> image = np.full((28, 28), 255, dtype=np.uint8)
    >>> to_tensor = Compose([ToTensor(), Normalize((0.5,), (0.5,))])
    >>> x = to_tensor(image)
    >>> tuple(x.shape), x.dtype, float(x.max())
    ((1, 28, 28), neuronet.float32, 1.0)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import random as _random
from ..tensor import Tensor

__all__ = [
    "Compose",
    "Lambda",
    "Normalize",
    "RandomCrop",
    "RandomHorizontalFlip",
    "ToTensor",
]

Image = np.ndarray | Tensor


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        for t in transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, received {t!r}")
        self.transforms = list(transforms)

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = "".join(f"\n    {t}" for t in self.transforms)
        return f"{type(self).__name__}({lines}\n)"


class ToTensor:
    """H x W (x C) array -> float32 C x H x W tensor; uint8 values are divided by 255.

    Formula:
        out[c, h, w] = img[h, w, c] / 255   (uint8 input; other dtypes are only transposed)

    Shape:
        (H, W) or (H, W, C) -> (C, H, W), C = 1 for a grey image.
    """

    def __call__(self, pic: Any) -> Tensor:
        array = _as_hwc(pic)
        return _to_float_tensor(np.ascontiguousarray(array.transpose(2, 0, 1)))

    def _batch(self, images: np.ndarray) -> Tensor:
        """The same for a stack of images: (N, H, W[, C]) -> (N, C, H, W)."""
        if images.ndim == 3:
            images = images[..., None]
        return _to_float_tensor(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))

    def __repr__(self) -> str:
        return "ToTensor()"


def _as_hwc(pic: Any) -> np.ndarray:
    if isinstance(pic, Tensor):
        raise TypeError(
            "ToTensor: pic should be a NumPy H x W (x C) image, received a Tensor "
            f"of shape {tuple(pic.shape)} (it is already a tensor: drop ToTensor)"
        )
    if not isinstance(pic, np.ndarray):
        if hasattr(pic, "mode") and hasattr(pic, "size"):  # a PIL image
            pic = np.asarray(pic)
        else:
            raise TypeError(f"ToTensor: pic should be a NumPy array, received {type(pic)}")
    if pic.ndim not in (2, 3):
        raise ValueError(f"ToTensor: pic should be 2 or 3 dimensional, got {pic.ndim} dimensions")
    return pic[:, :, None] if pic.ndim == 2 else pic


def _to_float_tensor(chw: np.ndarray) -> Tensor:
    if chw.dtype == np.uint8:
        return Tensor._wrap(chw.astype(np.float32) / np.float32(255))
    return Tensor._wrap(chw)


class Normalize:
    """Per-channel standardisation of a float tensor (C, H, W) or (..., C, H, W).

    Formula:
        out[c] = (x[c] - mean[c]) / std[c]

    Args:
        mean, std: one value per channel (sequences of length C).
        inplace: write into the input tensor.
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = list(mean) if isinstance(mean, Sequence) else [mean]
        self.std = list(std) if isinstance(std, Sequence) else [std]
        if len(self.mean) != len(self.std):
            raise ValueError(
                f"Normalize: mean and std must have the same length, received "
                f"mean={mean!r}, std={std!r}"
            )
        if any(s == 0 for s in self.std):
            raise ValueError(f"Normalize: std evaluated to zero, leading to division by zero, "
                             f"received std={std!r}")
        self.inplace = inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"Normalize: input should be a Tensor, received {type(tensor)}")
        if not tensor.is_floating_point():
            raise TypeError(f"Normalize: input tensor should be a float tensor, got {tensor.dtype}")
        if tensor.dim() < 3:
            raise ValueError(
                f"Normalize: expected a tensor image of shape (..., C, H, W), received shape "
                f"{tuple(tensor.shape)}"
            )
        channels = tensor.shape[-3]
        if len(self.mean) not in (1, channels):
            raise ValueError(
                f"Normalize: {len(self.mean)} mean/std values for an image with "
                f"{channels} channels"
            )
        dtype = tensor._data.dtype
        mean = np.asarray(self.mean, dtype=dtype).reshape(-1, 1, 1)
        std = np.asarray(self.std, dtype=dtype).reshape(-1, 1, 1)
        if self.inplace:
            np.subtract(tensor._data, mean, out=tensor._data)
            np.divide(tensor._data, std, out=tensor._data)
            return tensor
        if tensor.requires_grad:
            return (tensor - Tensor._wrap(mean)) / Tensor._wrap(std)
        return Tensor._wrap((tensor._data - mean) / std)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


class Lambda:
    """Apply a user function as a transform."""

    def __init__(self, lambd: Callable[[Any], Any]) -> None:
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return "Lambda()"


def _spatial(img: Image) -> tuple[np.ndarray, int, int]:
    """(array, axis of H, axis of W): NumPy images are H x W (x C), tensors (..., H, W)."""
    if isinstance(img, Tensor):
        if img.dim() < 2:
            raise ValueError(f"expected an image tensor (..., H, W), got shape {tuple(img.shape)}")
        return img._data, img.dim() - 2, img.dim() - 1
    if isinstance(img, np.ndarray) and img.ndim in (2, 3):
        return img, 0, 1
    raise TypeError(f"expected an H x W (x C) NumPy image or a (..., H, W) tensor, got {img!r}")


def _like(img: Image, array: np.ndarray) -> Image:
    return Tensor._wrap(np.ascontiguousarray(array)) if isinstance(img, Tensor) else array


def _pair(name: str, owner: str, value: Any) -> tuple[int, int]:
    if isinstance(value, numbers.Integral):
        value = (int(value), int(value))
    if len(value) == 1:
        value = (value[0], value[0])
    if len(value) != 2 or any(int(v) <= 0 for v in value):
        raise ValueError(f"{owner}: {name} must be a positive int or (h, w), received {value!r}")
    return int(value[0]), int(value[1])


_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}


class RandomCrop:
    """Crop a random ``size`` window, after optional padding.

    Args:
        size: output (h, w), or an int for a square.
        padding: pixels added on each border first: an int, (left/right, top/bottom) or
            (left, top, right, bottom).
        pad_if_needed: pad an image smaller than ``size`` so the crop fits.
        fill: the value of constant padding.
        padding_mode: "constant", "edge", "reflect" or "symmetric".
    """

    def __init__(self, size: int | Sequence[int], padding: Any = None, pad_if_needed: bool = False,
                 fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = _pair("size", "RandomCrop", size)
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode must be one of {list(_PAD_MODES)}, "
                             f"received padding_mode={padding_mode!r}")
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode
        self._ltrb = _padding_ltrb(padding) if padding is not None else (0, 0, 0, 0)

    def _pad(self, array: np.ndarray, h_axis: int, ltrb: tuple[int, int, int, int]) -> np.ndarray:
        left, top, right, bottom = ltrb
        widths = [(0, 0)] * array.ndim
        widths[h_axis], widths[h_axis + 1] = (top, bottom), (left, right)
        kwargs = {"constant_values": self.fill} if self.padding_mode == "constant" else {}
        return np.pad(array, widths, mode=_PAD_MODES[self.padding_mode], **kwargs)

    def __call__(self, img: Image) -> Image:
        array, h_axis, w_axis = _spatial(img)
        if any(self._ltrb):
            array = self._pad(array, h_axis, self._ltrb)
        th, tw = self.size
        if self.pad_if_needed:
            extra_w = max(tw - array.shape[w_axis], 0)
            extra_h = max(th - array.shape[h_axis], 0)
            if extra_w or extra_h:
                array = self._pad(array, h_axis, (extra_w, extra_h, extra_w, extra_h))
        h, w = array.shape[h_axis], array.shape[w_axis]
        if h < th or w < tw:
            raise ValueError(f"RandomCrop: required crop size {(th, tw)} is larger than the "
                             f"input image size {(h, w)}")
        rng = _random.rng(None)
        i = int(rng.integers(0, h - th + 1))
        j = int(rng.integers(0, w - tw + 1))
        window = [slice(None)] * array.ndim
        window[h_axis], window[w_axis] = slice(i, i + th), slice(j, j + tw)
        return _like(img, array[tuple(window)].copy())

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


def _padding_ltrb(padding: Any) -> tuple[int, int, int, int]:
    if isinstance(padding, numbers.Integral):
        return (int(padding),) * 4
    padding = [int(p) for p in padding]
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4 and all(p >= 0 for p in padding):
        return tuple(padding)  # type: ignore[return-value]
    raise ValueError(f"RandomCrop: padding must be an int or a sequence of 1, 2 or 4 "
                     f"non-negative ints, received padding={padding!r}")


class RandomHorizontalFlip:
    """Mirror the image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p must be in [0, 1], received p={p!r}")
        self.p = p

    def __call__(self, img: Image) -> Image:
        array, _, w_axis = _spatial(img)
        if _random.rng(None).random() < self.p:
            return _like(img, np.flip(array, axis=w_axis).copy())
        return img

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"


def batch_transform(transform: Any) -> Callable[[np.ndarray], Tensor] | None:
    """A function applying ``transform`` to a whole (N, H, W[, C]) uint8 stack at once.

    Only for transforms whose result is the same per image and in a batch: ``ToTensor``
    optionally followed by ``Normalize`` (alone or in a ``Compose``). None otherwise.
    """
    steps = transform.transforms if type(transform) is Compose else [transform]
    if not steps or type(steps[0]) is not ToTensor:
        return None
    if any(type(step) is not Normalize or step.inplace for step in steps[1:]):
        return None

    def apply(images: np.ndarray) -> Tensor:
        batch = steps[0]._batch(images)  # (N, C, H, W)
        for step in steps[1:]:
            batch = step(batch)
        return batch

    return apply
