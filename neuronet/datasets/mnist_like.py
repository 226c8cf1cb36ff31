"""MNIST and Fashion-MNIST: 28x28 grey images in 10 classes, 60000 to train and 10000 to test.

Both ship as the same four IDX files (each may be gzipped):
``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte``. The loaders look for a folder holding all four, in this order
(``search_paths`` lists them):

1. ``root`` itself, ``root/<FashionMNIST|MNIST>/raw`` (torchvision's layout) and
   ``root/<fashion-mnist|mnist>``, when ``root`` is given;
2. the same three places under ``$NEURONET_DATA``, when that variable is set;
3. ``~/.neuronet/datasets/<fashion-mnist|mnist>`` (where ``download=True`` saves);
4. Debian's ``/usr/share/datasets/fashion-mnist`` (package ``dataset-fashion-mnist``);
5. Keras's cache: ``~/.keras/datasets/fashion-mnist/`` or ``~/.keras/datasets/mnist.npz``
   (``$KERAS_HOME`` replaces ``~/.keras``).

The network is used only with ``download=True``, and each file's MD5 is checked before it
is written (atomically) to disk.

Example:
    >>> (x_train, y_train), (x_test, y_test) = load_fashion_mnist()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, y_train.shape                  # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'), (60000,))
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io.atomic import atomic_write
from .download import DownloadError, fetch_verified
from .idx import read_idx

__all__ = [
    "IDX_FILES",
    "download_dataset",
    "find_dataset_dir",
    "load_idx_dataset",
    "load_fashion_mnist",
    "load_mnist",
    "search_paths",
]

Split = tuple[np.ndarray, np.ndarray]

# key -> file name without ".gz"
IDX_FILES: dict[str, str] = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
_IMAGE_SHAPE = (28, 28)


@dataclass(frozen=True)
class MnistLikeSpec:
    """Where one MNIST-like data set lives and how to get it."""

    name: str  # folder name, as Keras and Debian spell it
    title: str
    torchvision_name: str  # torchvision keeps files in root/<torchvision_name>/raw
    mirrors: tuple[str, ...]
    md5: dict[str, str]  # of the .gz files the mirrors serve
    system_dirs: tuple[str, ...] = ()
    keras_dir: str | None = None  # folder of .gz files under ~/.keras/datasets
    keras_npz: str | None = None  # one .npz archive under ~/.keras/datasets
    apt_package: str | None = None


FASHION_MNIST = MnistLikeSpec(
    name="fashion-mnist",
    title="Fashion-MNIST",
    torchvision_name="FashionMNIST",
    mirrors=(
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    ),
    md5={
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
    system_dirs=("/usr/share/datasets/fashion-mnist",),
    keras_dir="fashion-mnist",
    apt_package="dataset-fashion-mnist",
)

MNIST = MnistLikeSpec(
    name="mnist",
    title="MNIST",
    torchvision_name="MNIST",
    mirrors=(
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ),
    md5={
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
    keras_npz="mnist.npz",
)

SPECS: dict[str, MnistLikeSpec] = {spec.name: spec for spec in (FASHION_MNIST, MNIST)}


def get_spec(name: str) -> MnistLikeSpec:
    """The spec for ``name``; "fashion_mnist", "FashionMNIST" and "fashion-mnist" all work."""
    key = str(name).lower().replace("_", "").replace("-", "")
    for spec in SPECS.values():
        if key in (spec.name.replace("-", ""), spec.torchvision_name.lower()):
            return spec
    raise ValueError(f"unknown data set {name!r}; valid names: {', '.join(SPECS)}")


def _keras_datasets_dir() -> Path:
    keras_home = os.environ.get("KERAS_HOME")
    return (Path(keras_home) if keras_home else Path.home() / ".keras") / "datasets"


def default_download_dir(name: str) -> Path:
    """``~/.neuronet/datasets/<name>``: where ``download=True`` saves without a ``root``."""
    return Path.home() / ".neuronet" / "datasets" / get_spec(name).name


def search_paths(name: str, root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Every place searched for data set ``name``, in order (folders, or a Keras .npz file)."""
    spec = get_spec(name)
    bases = [Path(root).expanduser()] if root is not None else []
    if os.environ.get("NEURONET_DATA"):
        bases.append(Path(os.environ["NEURONET_DATA"]).expanduser())
    paths = []
    for base in bases:
        paths += [base, base / spec.torchvision_name / "raw", base / spec.name]
    paths.append(default_download_dir(spec.name))
    paths += [Path(folder) for folder in spec.system_dirs]
    if spec.keras_dir:
        paths.append(_keras_datasets_dir() / spec.keras_dir)
    if spec.keras_npz:
        paths.append(_keras_datasets_dir() / spec.keras_npz)
    return list(dict.fromkeys(paths))  # drop repeats, keep order


def _idx_files_in(folder: Path) -> dict[str, Path]:
    """key -> path for each of the four files present in ``folder`` (plain preferred)."""
    found = {}
    for key, filename in IDX_FILES.items():
        for candidate in (folder / filename, folder / f"{filename}.gz"):
            if candidate.is_file():
                found[key] = candidate
                break
    return found


def _is_complete(path: Path) -> bool:
    if path.suffix == ".npz":
        return path.is_file()
    return path.is_dir() and len(_idx_files_in(path)) == len(IDX_FILES)


def find_dataset_dir(name: str, root: str | os.PathLike[str] | None = None) -> Path | None:
    """The first of ``search_paths(name, root)`` that holds the whole data set, or None.

    The result is a folder with the four IDX files, or the path of Keras's ``mnist.npz``.
    """
    return next((path for path in search_paths(name, root) if _is_complete(path)), None)


def _describe(path: Path) -> str:
    if path.suffix == ".npz":
        return "no such file"
    if not path.is_dir():
        return "no such folder"
    missing = [f"{name}[.gz]" for key, name in IDX_FILES.items() if key not in _idx_files_in(path)]
    return "missing " + ", ".join(missing)


def _not_found_message(spec: MnistLikeSpec, root: str | os.PathLike[str] | None) -> str:
    loader = f"load_{spec.name.replace('-', '_')}"
    lines = [f"{spec.title} was not found. Searched, in order:"]
    lines += [f"  {path}  ({_describe(path)})" for path in search_paths(spec.name, root)]
    lines.append(
        "Each folder must hold " + ", ".join(IDX_FILES.values()) + " (each may end in .gz)."
    )
    lines.append("To get the data, do one of:")
    if spec.apt_package:
        lines.append(
            f"  - on Debian/Ubuntu: sudo apt-get install {spec.apt_package}  "
            f"(installs {spec.system_dirs[0]})"
        )
    lines.append(
        f"  - download it: neuronet.datasets.{loader}(download=True)  "
        f"(saves to {default_download_dir(spec.name)}, or to root when given)"
    )
    lines.append(
        f"  - put the four files in a folder and pass root=<folder>, or set "
        f"NEURONET_DATA=<folder> (searched as <folder>, <folder>/{spec.torchvision_name}/raw "
        f"and <folder>/{spec.name})"
    )
    return "\n".join(lines)


def download_dataset(
    name: str, root: str | os.PathLike[str] | None = None, verbose: bool = True
) -> Path:
    """Download the files of ``name`` missing from ``root`` (default ``~/.neuronet/datasets``).

    Each file's MD5 is verified before it is written atomically, so a failed or corrupted
    download leaves no partial file. Returns the folder.

    Raises:
        DownloadError: every mirror failed for some file (its message lists each attempt).
    """
    spec = get_spec(name)
    target = Path(root).expanduser() if root is not None else default_download_dir(spec.name)
    present = _idx_files_in(target) if target.is_dir() else {}
    for key, filename in IDX_FILES.items():
        if key in present:
            continue
        gz_name = f"{filename}.gz"
        data = fetch_verified(gz_name, spec.mirrors, spec.md5[gz_name], verbose=verbose)
        target.mkdir(parents=True, exist_ok=True)
        atomic_write(target / gz_name, data)
    return target


def _check_split(images: np.ndarray, labels: np.ndarray, where: str) -> Split:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != _IMAGE_SHAPE:
        raise ValueError(
            f"{where}: expected uint8 images of shape (N, 28, 28), "
            f"found {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1 or len(labels) != len(images):
        raise ValueError(
            f"{where}: expected {len(images)} uint8 labels of shape ({len(images)},), "
            f"found {labels.dtype} of shape {labels.shape}"
        )
    return images, labels


def _load_npz(path: Path) -> tuple[Split, Split]:
    with np.load(path, allow_pickle=False) as archive:
        missing = [key for key in IDX_FILES if key not in archive.files]
        if missing:
            raise ValueError(f"'{path}' lacks the arrays {missing}; it has {archive.files}")
        arrays = {key: archive[key] for key in IDX_FILES}
    train = _check_split(arrays["x_train"], arrays["y_train"], f"'{path}' (train)")
    test = _check_split(arrays["x_test"], arrays["y_test"], f"'{path}' (test)")
    return train, test


def load_idx_dataset(path: str | os.PathLike[str]) -> tuple[Split, Split]:
    """Load ``((x_train, y_train), (x_test, y_test))`` from a folder of IDX files or an .npz."""
    path = Path(path)
    if path.suffix == ".npz":
        return _load_npz(path)
    files = _idx_files_in(path)
    if len(files) != len(IDX_FILES):
        raise FileNotFoundError(f"'{path}': {_describe(path)}")
    arrays = {key: read_idx(file) for key, file in files.items()}
    train = _check_split(arrays["x_train"], arrays["y_train"], f"'{files['x_train']}'")
    test = _check_split(arrays["x_test"], arrays["y_test"], f"'{files['x_test']}'")
    return train, test


def _load(
    spec: MnistLikeSpec, root: str | os.PathLike[str] | None, download: bool
) -> tuple[Split, Split]:
    location = find_dataset_dir(spec.name, root)
    if location is None:
        message = _not_found_message(spec, root)
        if not download:
            raise FileNotFoundError(message)
        try:
            location = download_dataset(spec.name, root)
        except DownloadError as error:
            details = "\n".join(f"  {failure}" for failure in error.failures)
            message += f"\nThe download of {error.filename} failed:\n{details}"
            if error.checksum_mismatch:
                raise ValueError(message) from None
            raise FileNotFoundError(message) from None
    return load_idx_dataset(location)


def load_fashion_mnist(
    root: str | os.PathLike[str] | None = None, download: bool = False
) -> tuple[Split, Split]:
    """Fashion-MNIST (Zalando, 2017): ``((x_train, y_train), (x_test, y_test))``.

    Images are uint8 of shape (N, 28, 28) in [0, 255]; labels uint8 of shape (N,) in 0..9
    (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot),
    as ``keras.datasets.fashion_mnist.load_data()`` returns them.

    Args:
        root: a folder to search first (see the module docstring for every place searched).
        download: fetch the files from the public mirrors when no copy is found.

    Raises:
        FileNotFoundError: no copy found (and no download asked for, or the network failed);
            the message lists every place searched and how to get the data.
        ValueError: a downloaded file had the wrong checksum, or a found file is malformed.
    """
    return _load(get_spec("fashion-mnist"), root, download)


def load_mnist(
    root: str | os.PathLike[str] | None = None, download: bool = False
) -> tuple[Split, Split]:
    """MNIST handwritten digits (LeCun et al., 1998): ``((x_train, y_train), (x_test, y_test))``.

    Images are uint8 of shape (N, 28, 28); labels uint8 of shape (N,) in 0..9, as
    ``keras.datasets.mnist.load_data()`` returns them. Arguments and errors as in
    ``load_fashion_mnist``; Keras's ``~/.keras/datasets/mnist.npz`` is also accepted.
    """
    return _load(get_spec("mnist"), root, download)
