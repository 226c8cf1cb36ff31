"""MNIST and Fashion-MNIST as map-style datasets, with torchvision's arguments and attributes.

``FashionMNIST(root, train=True, transform=None, target_transform=None, download=False)``
reads the four IDX files from ``root/FashionMNIST/raw`` (torchvision's layout) or any place
``neuronet.datasets.search_paths`` lists (``root`` itself, ``$NEURONET_DATA``,
``~/.neuronet/datasets``, Debian's ``/usr/share/datasets/fashion-mnist``, Keras's cache).
With ``download=True`` and no copy found, the files go to ``root/FashionMNIST/raw``.

``ds[i]`` is ``(image, label)``: the image is a uint8 (28, 28) NumPy array (torchvision gives
a PIL image; ``transforms.ToTensor`` accepts either), the label a Python int. With no
transform, or a ToTensor/Normalize one, ``DataLoader`` builds whole batches at once.

Example:
    >>> from neuronet.vision import datasets, transforms
    >>> train = datasets.FashionMNIST("data", train=True,
    ...                               transform=transforms.ToTensor())  # doctest: +SKIP
    >>> image, label = train[0]                                         # doctest: +SKIP
    >>> tuple(image.shape), label                                       # doctest: +SKIP
    ((1, 28, 28), 9)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .. import datasets as _data
from ..datasets.mnist_like import IDX_FILES
from ..tensor import Tensor
from .transforms import batch_transform

__all__ = ["MNIST", "FashionMNIST"]

_LOADERS = {"mnist": _data.load_mnist, "fashion-mnist": _data.load_fashion_mnist}


def _idx_file(folder: Path, key: str) -> Path | None:
    for name in (IDX_FILES[key], IDX_FILES[key] + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _read_split(location: Path, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (N, 28, 28), labels uint8 (N,)) of one split; only its two files are read."""
    if location.suffix == ".npz":
        splits = _data.load_idx_dataset(location)
        return splits[0] if train else splits[1]
    x_key, y_key = ("x_train", "y_train") if train else ("x_test", "y_test")
    images = _data.read_idx(_idx_file(location, x_key))
    labels = _data.read_idx(_idx_file(location, y_key))
    if images.dtype != np.uint8 or images.ndim != 3 or len(labels) != len(images):
        raise ValueError(
            f"{location}: expected uint8 images (N, 28, 28) and N labels, found images "
            f"{images.dtype} {images.shape} and labels {labels.shape}"
        )
    return images, labels


class MNIST:
    """The MNIST handwritten digits: 60000 training and 10000 test images, 28 x 28 grey.

    Args:
        root: folder holding ``MNIST/raw`` (or the IDX files themselves).
        train: the training split (else the test split).
        transform: applied to each image (e.g. ``transforms.ToTensor()``).
        target_transform: applied to each label.
        download: fetch the files into ``root/MNIST/raw`` when no copy is found.

    Attributes:
        data: uint8 tensor (N, 28, 28);  targets: int64 tensor (N,);  classes: the names.
    """

    _name = "mnist"
    classes = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]  # fmt: skip

    def __init__(
        self,
        root: str | os.PathLike[str],
        train: bool = True,
        transform: Callable[[Any], Any] | None = None,
        target_transform: Callable[[Any], Any] | None = None,
        download: bool = False,
    ) -> None:
        if isinstance(root, str | os.PathLike):
            root = os.path.expanduser(root)
        self.root = root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        location = _data.find_dataset_dir(self._name, root)
        if location is None and download:
            location = _data.download_dataset(self._name, self.raw_folder)
        if location is None:
            try:  # the loader's message lists every place searched and how to get the data
                _LOADERS[self._name](root=root)
            except FileNotFoundError as error:
                raise FileNotFoundError(
                    f"{type(self).__name__}: dataset not found (pass download=True to fetch it "
                    f"into {self.raw_folder}).\n{error}"
                ) from None
        images, labels = _read_split(location, train)
        self._images = images  # uint8 (N, 28, 28), shared with self.data
        self.data = Tensor._wrap(images)
        self.targets = Tensor._wrap(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        return os.path.join(str(self.root), type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img = self._images[index].copy()  # uint8 (28, 28), our stand-in for a PIL image
        target = int(self.targets._data[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def _batch_getter(self) -> Callable[[np.ndarray], Any] | None:
        """Whole batches at once when the transform allows it (see ``DataLoader``)."""
        if self.target_transform is not None:
            return None
        apply = None
        if self.transform is not None:
            apply = batch_transform(self.transform)
            if apply is None:
                return None
        labels = self.targets._data

        def get(indices: np.ndarray) -> list[Tensor]:
            images = self._images[indices]  # (B, 28, 28) uint8, one gather
            batch = Tensor._wrap(images) if apply is None else apply(images)
            return [batch, Tensor._wrap(labels[indices])]

        return get

    def __repr__(self) -> str:
        lines = [
            f"Dataset {type(self).__name__}",
            f"    Number of datapoints: {len(self)}",
            f"    Root location: {self.root}",
            f"    Split: {'Train' if self.train else 'Test'}",
        ]
        if self.transform is not None:
            lines.append(f"    StandardTransform\n    Transform: {self.transform!r}")
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28 x 28 grey images of clothes in 10 classes.

    Same arguments and attributes as ``MNIST``; files in ``root/FashionMNIST/raw``.
    """

    _name = "fashion-mnist"
    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip
