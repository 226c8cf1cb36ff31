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

from ._augment_base import UnknownOptionError, affine_transform
from .augment_color_crop import RandomBrightness, RandomContrast, RandomCrop
from .augment_geometric import (
    RandomFlip,
    RandomRotation,
    RandomTranslation,
    RandomZoom,
    rotation_matrix,
    translation_matrix,
    zoom_matrix,
)

__all__ = ["RandomBrightness", "RandomContrast", "RandomCrop", "RandomFlip", "RandomRotation",
           "RandomTranslation", "RandomZoom", "UnknownOptionError", "affine_transform",
           "rotation_matrix", "translation_matrix", "zoom_matrix"]
