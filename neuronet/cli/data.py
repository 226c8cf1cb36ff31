"""The data sets `neuronet train` and `neuronet evaluate` accept: a name (fashion-mnist, mnist,
digits) or a path (a folder of the four IDX files, or an .npz with x_train, y_train, x_test,
y_test). Images are scaled to [0, 1] float32; labels become int64 class indices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import datasets
from .errors import CliError

__all__ = ["DATASET_NAMES", "FASHION_MNIST_CLASSES", "Dataset", "load_dataset"]

FASHION_MNIST_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                         "Shirt", "Sneaker", "Bag", "Ankle boot"]
DATASET_NAMES = ("fashion-mnist", "mnist", "digits")
_DIGITS_TEST_SIZE = 360  # of scikit-learn's 1797 8x8 digits, split with a fixed seed


@dataclass
class Dataset:
    """A loaded data set, ready to train on."""

    name: str  # a name from DATASET_NAMES or an absolute path
    x_train: np.ndarray  # (N, H, W) float32 in [0, 1]
    y_train: np.ndarray  # (N,) int64
    x_test: np.ndarray
    y_test: np.ndarray
    scale: float  # raw pixel value of white (255 for uint8 images)
    class_names: list[str] = field(default_factory=list)

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def image_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def label(self) -> str:
        """A short name for run folders: the name, or the path's last part."""
        if self.name in DATASET_NAMES:
            return self.name
        stem = Path(self.name).stem or "data"
        return "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)


def _canonical(name: str) -> str | None:
    key = name.lower().replace("_", "-")
    aliases = {"fashion-mnist": "fashion-mnist", "fashionmnist": "fashion-mnist",
               "mnist": "mnist", "digits": "digits"}
    return aliases.get(key)


def _not_found(title: str, name: str) -> CliError:
    places = ", ".join(str(p) for p in datasets.search_paths(name))
    hint = ("install it with `sudo apt-get install dataset-fashion-mnist`, "
            if name == "fashion-mnist" else "")
    return CliError(
        f"{title} was not found (searched: {places}); {hint}download it with "
        f"`python -c \"import neuronet.datasets as d; d.load_{name.replace('-', '_')}"
        f"(download=True)\"`, or pass --dataset <folder with the four IDX files>")


def _finish(name: str, train: tuple, test: tuple, scale: float,
            class_names: list[str] | None) -> Dataset:
    (x_train, y_train), (x_test, y_test) = train, test
    y_train = np.asarray(y_train).astype(np.int64)
    y_test = np.asarray(y_test).astype(np.int64)
    if len(y_train) == 0 or len(y_test) == 0:
        raise CliError(f"data set {name}: the train and test splits must both hold images, "
                       f"found {len(y_train)} and {len(y_test)}")
    if class_names is None:
        count = int(max(y_train.max(), y_test.max())) + 1
        class_names = [str(i) for i in range(count)]
    x_train = (np.asarray(x_train, np.float32) / np.float32(scale))
    x_test = (np.asarray(x_test, np.float32) / np.float32(scale))
    return Dataset(name, x_train, y_train, x_test, y_test, scale, class_names)


def _load_path(path: Path) -> Dataset:
    try:
        train, test = datasets.load_idx_dataset(path)
    except FileNotFoundError as error:
        raise CliError(f"--dataset {path}: {error}; a data folder must hold "
                       + ", ".join(f"{f}[.gz]" for f in datasets.mnist_like.IDX_FILES.values())
                       + " (or pass an .npz with x_train, y_train, x_test, y_test)") from None
    except (ValueError, OSError) as error:
        raise CliError(f"--dataset {path}: cannot read it: {error}") from None
    return _finish(str(path.resolve()), train, test, 255.0, None)


def _load_digits() -> Dataset:
    try:
        x, y = datasets.load_digits()
    except ImportError as error:
        raise CliError(str(error)) from None
    order = np.random.default_rng(0).permutation(len(x))
    test, train = order[:_DIGITS_TEST_SIZE], order[_DIGITS_TEST_SIZE:]
    names = [str(i) for i in range(10)]
    return _finish("digits", (x[train], y[train]), (x[test], y[test]), 16.0, names)


def load_dataset(spec: str) -> Dataset:
    """Load a data set by name or path (see the module docstring); CliError when it cannot."""
    name = _canonical(spec)
    if name == "digits":
        return _load_digits()
    if name is not None:
        loader = datasets.load_fashion_mnist if name == "fashion-mnist" else datasets.load_mnist
        try:
            train, test = loader()
        except FileNotFoundError:
            raise _not_found("Fashion-MNIST" if name == "fashion-mnist" else "MNIST",
                             name) from None
        except (ValueError, OSError) as error:
            raise CliError(f"--dataset {name}: the files are unreadable: {error}") from None
        names = FASHION_MNIST_CLASSES if name == "fashion-mnist" else [str(i) for i in range(10)]
        return _finish(name, train, test, 255.0, list(names))
    path = Path(spec).expanduser()
    if not path.exists():
        raise CliError(f"--dataset {spec!r}: no such data set, file or folder; give one of "
                       f"{', '.join(DATASET_NAMES)}, a folder of IDX files or an .npz file")
    return _load_path(path)
