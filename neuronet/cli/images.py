"""Read the images `neuronet predict` classifies: PNG files (via matplotlib) and .npy arrays.

Every image becomes a grey (H, W) float32 array in [0, 1], the scale the model was trained on:
PNG pixels are read as fractions of white; integer .npy arrays are divided by the data set's
white value (255 for MNIST-like data); float .npy arrays are taken as already scaled.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import CliError

__all__ = ["read_image"]

# ITU-R BT.601 luma weights, as PIL's convert("L") uses
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def _read_png(path: Path) -> np.ndarray:
    try:
        import matplotlib.image
    except ImportError:
        raise CliError("reading PNG files needs matplotlib: `pip install 'matplotlib>=3.7'`, "
                       "or pass the images as .npy arrays") from None
    try:
        image = matplotlib.image.imread(path, format="png")
    except (OSError, ValueError, SyntaxError) as error:
        raise CliError(f"{path}: not a readable PNG image ({error})") from None
    image = np.asarray(image)
    if image.dtype.kind in "iu":  # 16-bit PNGs come back as integers in some versions
        image = image / np.float32(np.iinfo(image.dtype).max)
    image = image.astype(np.float32)
    if image.ndim == 3:
        if image.shape[-1] in (3, 4):
            image = image[..., :3] @ _LUMA  # colour or RGBA -> grey; alpha ignored
        elif image.shape[-1] in (1, 2):
            image = image[..., 0]
    return image


def _read_npy(path: Path, scale: float) -> np.ndarray:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise CliError(f"{path}: not a readable .npy array ({error})") from None
    if array.dtype.kind in "iub":
        return array.astype(np.float32) / np.float32(scale)
    if array.dtype.kind != "f":
        raise CliError(f"{path}: expected a numeric image array, found dtype {array.dtype}")
    return array.astype(np.float32)


def read_image(path: str, shape: tuple[int, ...], scale: float = 255.0) -> np.ndarray:
    """Read one image and check it has the model's input `shape` (CliError otherwise)."""
    file = Path(path)
    if not file.is_file():
        raise CliError(f"{path}: no such image file")
    suffix = file.suffix.lower()
    if suffix == ".png":
        image = _read_png(file)
    elif suffix == ".npy":
        image = _read_npy(file, scale)
    else:
        raise CliError(f"{path}: unsupported image type {suffix or '(none)'}; give .png or "
                       ".npy files")
    squeezed = image
    while squeezed.ndim > len(shape) and squeezed.shape[0] == 1:
        squeezed = squeezed[0]  # (1, H, W) -> (H, W)
    if squeezed.ndim == len(shape) + 1 and squeezed.shape[-1] == 1:
        squeezed = squeezed[..., 0]  # (H, W, 1) -> (H, W)
    if tuple(squeezed.shape) != tuple(shape):
        want = "x".join(str(n) for n in shape)
        got = "x".join(str(n) for n in image.shape)
        raise CliError(f"{path}: the image is {got}, the model expects {want} grayscale images; "
                       f"resize it to {want} first")
    return squeezed
