"""Data sets as NumPy arrays: real ones found on disk (or downloaded when asked) and
synthetic ones made from a seed.

This layer knows arrays only; wrap the results in tensors or a ``DataLoader`` yourself.

Real:
    load_fashion_mnist, load_mnist  ((x_train, y_train), (x_test, y_test)), uint8
    load_digits                     scikit-learn's 8x8 digits (needs scikit-learn)
    read_idx, write_idx             the IDX file format
    search_paths, find_dataset_dir  where the loaders look
Synthetic:
    make_spiral, make_moons, make_xor, make_regression
"""

from .digits import load_digits
from .download import DownloadError
from .idx import read_idx, write_idx
from .mnist_like import (
    download_dataset,
    find_dataset_dir,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
    search_paths,
)
from .synthetic import make_moons, make_regression, make_spiral, make_xor

__all__ = [
    "DownloadError",
    "download_dataset",
    "find_dataset_dir",
    "load_digits",
    "load_fashion_mnist",
    "load_idx_dataset",
    "load_mnist",
    "make_moons",
    "make_regression",
    "make_spiral",
    "make_xor",
    "read_idx",
    "search_paths",
    "write_idx",
]
