"""Fashion-MNIST / MNIST loaders: where they look, what they load, how they download.

Every test runs with HOME, NEURONET_DATA and KERAS_HOME pointed into a temporary folder and
Debian's system folder replaced by one, so the real home and machine never matter (except
in the one test that reads Debian's real Fashion-MNIST).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from neuronet.datasets import (
    find_dataset_dir,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
    search_paths,
    write_idx,
)
from neuronet.datasets import mnist_like as ml

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
N_TRAIN, N_TEST = 20, 10


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """A fake HOME, no NEURONET_DATA/KERAS_HOME, and a fake Debian folder; never the network."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NEURONET_DATA", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    system = tmp_path / "usr-share-datasets-fashion-mnist"
    fake = dataclasses.replace(ml.FASHION_MNIST, system_dirs=(str(system),))
    monkeypatch.setitem(ml.SPECS, "fashion-mnist", fake)

    def no_network(*args, **kwargs):
        raise AssertionError("the network must not be used here")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    return home


def make_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def make_data(seed: int = 0):
    return make_split(N_TRAIN, seed), make_split(N_TEST, seed + 100)


def write_files(folder: Path, data, gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = data
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    for key, filename in ml.IDX_FILES.items():
        write_idx(arrays[key], folder / (filename + (".gz" if gz else "")))
    return folder


def assert_same(loaded, expected) -> None:
    for (x, y), (x_expected, y_expected) in zip(loaded, expected):
        assert x.dtype == np.uint8 and y.dtype == np.uint8
        assert x.shape == x_expected.shape and x.shape[1:] == (28, 28)
        np.testing.assert_array_equal(x, x_expected)
        np.testing.assert_array_equal(y, y_expected)


# --------------------------------------------------------------------------- layouts


@pytest.mark.parametrize("gz", [False, True])
def test_plain_folder_as_root(tmp_path, gz):
    data = make_data()
    root = write_files(tmp_path / "data", data, gz=gz)
    assert_same(load_fashion_mnist(root=root), data)
    assert_same(load_mnist(root=str(root)), data)
    assert find_dataset_dir("fashion-mnist", root) == root


@pytest.mark.parametrize(
    ("loader", "subfolder"),
    [
        (load_fashion_mnist, "FashionMNIST/raw"),
        (load_mnist, "MNIST/raw"),
        (load_fashion_mnist, "fashion-mnist"),
        (load_mnist, "mnist"),
    ],
)
def test_torchvision_and_named_layouts_under_root(tmp_path, loader, subfolder):
    data = make_data()
    write_files(tmp_path / "root" / subfolder, data, gz=True)
    assert_same(loader(root=tmp_path / "root"), data)


def test_torchvision_folder_of_the_other_dataset_is_not_used(tmp_path):
    write_files(tmp_path / "root" / "MNIST" / "raw", make_data())
    with pytest.raises(FileNotFoundError):
        load_fashion_mnist(root=tmp_path / "root")


@pytest.mark.parametrize("subfolder", ["", "fashion-mnist", "FashionMNIST/raw"])
def test_neuronet_data_variable(tmp_path, monkeypatch, subfolder):
    data = make_data()
    write_files(tmp_path / "env" / subfolder, data)
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "env"))
    assert_same(load_fashion_mnist(), data)


def test_neuronet_home_folder(isolated):
    data = make_data()
    write_files(isolated / ".neuronet" / "datasets" / "mnist", data, gz=True)
    assert_same(load_mnist(), data)


def test_system_folder(tmp_path):
    data = make_data()
    write_files(tmp_path / "usr-share-datasets-fashion-mnist", data, gz=True)
    assert_same(load_fashion_mnist(), data)


def test_keras_fashion_folder(isolated, tmp_path, monkeypatch):
    data = make_data()
    write_files(isolated / ".keras" / "datasets" / "fashion-mnist", data, gz=True)
    assert_same(load_fashion_mnist(), data)
    other = make_data(seed=5)
    write_files(tmp_path / "keras-home" / "datasets" / "fashion-mnist", other, gz=True)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    assert_same(load_fashion_mnist(), other)


def test_keras_mnist_npz(isolated):
    data = make_data()
    (x_train, y_train), (x_test, y_test) = data
    folder = isolated / ".keras" / "datasets"
    folder.mkdir(parents=True)
    np.savez(folder / "mnist.npz", x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    assert_same(load_mnist(), data)
    assert find_dataset_dir("mnist") == folder / "mnist.npz"


def test_npz_missing_arrays(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((2, 28, 28), np.uint8))
    with pytest.raises(ValueError, match=r"lacks the arrays \['y_train', 'x_test', 'y_test'\]"):
        load_idx_dataset(tmp_path / "mnist.npz")


def test_search_order_root_then_env_then_home(tmp_path, isolated, monkeypatch):
    in_root, in_env, in_home = make_data(1), make_data(2), make_data(3)
    write_files(tmp_path / "root", in_root)
    write_files(tmp_path / "env" / "fashion-mnist", in_env)
    write_files(isolated / ".neuronet" / "datasets" / "fashion-mnist", in_home)
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "env"))
    assert_same(load_fashion_mnist(root=tmp_path / "root"), in_root)
    assert_same(load_fashion_mnist(), in_env)
    monkeypatch.delenv("NEURONET_DATA")
    assert_same(load_fashion_mnist(), in_home)


def test_search_paths_lists_every_place_in_order(tmp_path, isolated, monkeypatch):
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "env"))
    root, env, keras = tmp_path / "root", tmp_path / "env", isolated / ".keras" / "datasets"
    assert search_paths("fashion_mnist", root) == [
        root, root / "FashionMNIST" / "raw", root / "fashion-mnist",
        env, env / "FashionMNIST" / "raw", env / "fashion-mnist",
        isolated / ".neuronet" / "datasets" / "fashion-mnist",
        tmp_path / "usr-share-datasets-fashion-mnist",
        keras / "fashion-mnist",
    ]  # fmt: skip
    assert search_paths("MNIST")[-2:] == [
        isolated / ".neuronet/datasets/mnist",
        keras / "mnist.npz",
    ]
    with pytest.raises(ValueError, match="unknown data set 'cifar10'; valid names: fashion-mnist"):
        search_paths("cifar10")


def test_plain_file_preferred_over_gz(tmp_path):
    plain, gz = make_data(1), make_data(2)
    write_files(tmp_path / "d", plain)
    write_files(tmp_path / "d", gz, gz=True)
    assert_same(load_mnist(root=tmp_path / "d"), plain)


# --------------------------------------------------------------------------- errors


def test_not_found_lists_every_place_and_how_to_get_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "env"))
    incomplete = write_files(tmp_path / "root", make_data())
    (incomplete / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(root=incomplete)
    message = str(info.value)
    for path in search_paths("fashion-mnist", incomplete):
        assert str(path) in message
    assert "missing t10k-labels-idx1-ubyte[.gz]" in message
    assert "no such folder" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "download=True" in message and "NEURONET_DATA" in message


def test_mnist_not_found_mentions_keras_npz_and_no_apt_package():
    with pytest.raises(FileNotFoundError) as info:
        load_mnist()
    message = str(info.value)
    assert "mnist.npz  (no such file)" in message
    assert "apt-get" not in message


def test_find_dataset_dir_none_when_absent(tmp_path):
    assert find_dataset_dir("mnist", tmp_path) is None


def test_wrong_image_shape_is_reported(tmp_path):
    (x_train, y_train), test = make_data()
    folder = write_files(tmp_path / "d", ((x_train, y_train), test))
    write_idx(np.zeros((N_TRAIN, 27, 28), np.uint8), folder / "train-images-idx3-ubyte")
    with pytest.raises(ValueError, match=r"train-images.*\(N, 28, 28\).*\(20, 27, 28\)"):
        load_mnist(root=folder)


def test_label_count_mismatch_is_reported(tmp_path):
    folder = write_files(tmp_path / "d", make_data())
    write_idx(np.zeros(N_TEST + 1, np.uint8), folder / "t10k-labels-idx1-ubyte")
    with pytest.raises(ValueError, match=r"expected 10 uint8 labels.*found uint8 of shape \(11,\)"):
        load_mnist(root=folder)


# --------------------------------------------------------------------------- download


class FakeServer:
    """Serves {url: bytes} through a stand-in for urllib.request.urlopen; records requests."""

    def __init__(self, files: dict[str, bytes], fail: tuple[str, ...] = ()) -> None:
        self.files = files
        self.fail = fail
        self.requests: list[str] = []

    def urlopen(self, request, timeout=None):
        url = getattr(request, "full_url", request)
        self.requests.append(url)
        if any(url.startswith(prefix) for prefix in self.fail) or url not in self.files:
            raise urllib.error.URLError("simulated: no route to host")
        return io.BytesIO(self.files[url])


def gz_payloads(data) -> dict[str, bytes]:
    """filename.gz -> gzip bytes of the IDX files for ``data``."""
    (x_train, y_train), (x_test, y_test) = data
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    payloads = {}
    for key, filename in ml.IDX_FILES.items():
        array = arrays[key]
        header = bytes([0, 0, 0x08, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
        payloads[filename + ".gz"] = gzip.compress(header + array.tobytes(), mtime=0)
    return payloads


def serve(monkeypatch, data, *, name="fashion-mnist", fail=(), corrupt=()) -> FakeServer:
    """Point the spec's MD5s at ``data``'s files and serve them from every mirror."""
    payloads = gz_payloads(data)
    spec = ml.SPECS[name]
    md5 = {f: hashlib.md5(b, usedforsecurity=False).hexdigest() for f, b in payloads.items()}
    monkeypatch.setitem(ml.SPECS, name, dataclasses.replace(spec, md5=md5))
    files = {}
    for mirror in spec.mirrors:
        for filename, payload in payloads.items():
            files[mirror + filename] = payload[:-7] if filename in corrupt else payload
    server = FakeServer(files, fail)
    monkeypatch.setattr("urllib.request.urlopen", server.urlopen)
    return server


def all_files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_download_into_home_then_reuse(isolated, monkeypatch):
    data = make_data()
    server = serve(monkeypatch, data)
    assert_same(load_fashion_mnist(download=True), data)
    first_mirror = ml.FASHION_MNIST.mirrors[0]
    assert sorted(server.requests) == sorted(
        first_mirror + f + ".gz" for f in ml.IDX_FILES.values()
    )
    target = isolated / ".neuronet" / "datasets" / "fashion-mnist"
    assert all_files(target) == sorted(f + ".gz" for f in ml.IDX_FILES.values())
    server.requests.clear()
    assert_same(load_fashion_mnist(download=True), data)
    assert server.requests == []


def test_download_into_root_and_fall_back_to_the_next_mirror(tmp_path, monkeypatch):
    data = make_data()
    server = serve(monkeypatch, data, name="mnist", fail=(ml.MNIST.mirrors[0],))
    assert_same(load_mnist(root=tmp_path / "mine", download=True), data)
    assert len(server.requests) == 8  # each file: first mirror fails, second serves
    assert len(all_files(tmp_path / "mine")) == 4


def test_download_fetches_only_missing_files(tmp_path, monkeypatch):
    data = make_data()
    folder = write_files(tmp_path / "mine", data, gz=True)
    (folder / "train-images-idx3-ubyte.gz").unlink()
    server = serve(monkeypatch, data)
    assert_same(load_fashion_mnist(root=folder, download=True), data)
    assert [url.rsplit("/", 1)[1] for url in server.requests] == ["train-images-idx3-ubyte.gz"]


def test_checksum_mismatch_raises_and_leaves_no_file(isolated, monkeypatch):
    serve(monkeypatch, make_data(), corrupt=("t10k-images-idx3-ubyte.gz",))
    with pytest.raises(ValueError, match="checksum mismatch: expected MD5"):
        load_fashion_mnist(download=True)
    target = isolated / ".neuronet" / "datasets" / "fashion-mnist"
    assert "t10k-images-idx3-ubyte.gz" not in all_files(target)
    assert not [name for name in all_files(target) if name.endswith(".tmp")]
    assert find_dataset_dir("fashion-mnist") is None


def test_network_failure_is_file_not_found_with_places_searched(isolated, monkeypatch):
    server = serve(monkeypatch, make_data(), fail=("http",))
    with pytest.raises(FileNotFoundError) as info:
        load_fashion_mnist(download=True)
    message = str(info.value)
    assert "no route to host" in message and "Searched, in order" in message
    assert len(server.requests) == len(ml.FASHION_MNIST.mirrors)
    assert not (isolated / ".neuronet").exists()


def test_no_download_unless_asked(tmp_path):
    # The autouse fixture makes any urlopen call fail the test.
    with pytest.raises(FileNotFoundError):
        load_fashion_mnist(root=tmp_path)


def test_published_checksums_look_right():
    for spec in (ml.FASHION_MNIST, ml.MNIST):
        assert set(spec.md5) == {f + ".gz" for f in ml.IDX_FILES.values()}
        assert all(len(h) == 32 and int(h, 16) >= 0 for h in spec.md5.values())


# --------------------------------------------------------------------------- Debian's copy


@pytest.mark.skipif(not DEBIAN_DIR.is_dir(), reason="Debian's dataset-fashion-mnist is absent")
def test_debian_fashion_mnist(monkeypatch):
    monkeypatch.setitem(ml.SPECS, "fashion-mnist", ml.FASHION_MNIST)  # the real system folder
    assert find_dataset_dir("fashion-mnist") == DEBIAN_DIR
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert y_train.min() == 0 and y_train.max() == 9
    assert np.bincount(y_train, minlength=10).tolist() == [6000] * 10
    assert np.bincount(y_test, minlength=10).tolist() == [1000] * 10
