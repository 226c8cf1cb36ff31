"""Fashion-MNIST, as `keras.datasets.fashion_mnist`."""

from __future__ import annotations

from typing import Any

from ...datasets import load_fashion_mnist


def load_data(path: Any = None, download: bool = False) -> tuple:
    """((x_train, y_train), (x_test, y_test)): uint8 images (N, 28, 28), uint8 labels (N,).

    Found on disk (e.g. Debian's /usr/share/datasets/fashion-mnist); `download=True` fetches
    it when a network exists."""
    return load_fashion_mnist(root=path, download=download)
