"""vision.datasets.MNIST / FashionMNIST read small IDX files in torchvision's raw layout."""

import numpy as np
import pytest

import neuronet
from neuronet.datasets import write_idx
from neuronet.utils.data import DataLoader, default_collate
from neuronet.vision import datasets, transforms

N_TRAIN, N_TEST = 12, 5


def _write_raw(folder, seed=0, gz=True):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (N_TRAIN, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, N_TRAIN, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, N_TEST, dtype=np.uint8),
    }
    for name, array in arrays.items():
        write_idx(array, folder / (name + (".gz" if gz else "")))
    return arrays


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No NEURONET_DATA, and a fake home, so only the test's files can be found."""
    monkeypatch.delenv("NEURONET_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home" / ".keras"))
    return tmp_path


@pytest.mark.parametrize("cls, folder", [(datasets.MNIST, "MNIST"),
                                         (datasets.FashionMNIST, "FashionMNIST")])
@pytest.mark.parametrize("train", [True, False])
def test_reads_torchvision_layout(isolated, cls, folder, train):
    arrays = _write_raw(isolated / "data" / folder / "raw")
    ds = cls(str(isolated / "data"), train=train)
    prefix = "train" if train else "t10k"
    images, labels = arrays[f"{prefix}-images-idx3-ubyte"], arrays[f"{prefix}-labels-idx1-ubyte"]
    assert len(ds) == len(images)
    assert ds.data.dtype == neuronet.uint8 and tuple(ds.data.shape) == images.shape
    assert ds.targets.dtype == neuronet.int64
    np.testing.assert_array_equal(ds.data.numpy(), images)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    image, label = ds[3]
    assert isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.shape == (28, 28)
    assert type(label) is int and label == labels[3]
    assert len(ds.classes) == 10 and ds.class_to_idx[ds.classes[2]] == 2
    assert ds.raw_folder.endswith(f"{folder}/raw")
    assert ("Train" if train else "Test") in repr(ds)


def test_fashion_classes_match_torchvision():
    assert datasets.FashionMNIST.classes[0] == "T-shirt/top"
    assert datasets.FashionMNIST.classes[9] == "Ankle boot"
    assert datasets.MNIST.classes[7] == "7 - seven"


def test_transforms_applied(isolated):
    arrays = _write_raw(isolated / "FashionMNIST" / "raw", gz=False)
    ds = datasets.FashionMNIST(isolated, transform=transforms.ToTensor(),
                               target_transform=lambda y: y + 100)
    image, label = ds[0]
    assert tuple(image.shape) == (1, 28, 28) and image.dtype == neuronet.float32
    np.testing.assert_array_equal(image.numpy()[0],
                                  arrays["train-images-idx3-ubyte"][0] / np.float32(255))
    assert label == arrays["train-labels-idx1-ubyte"][0] + 100


@pytest.mark.parametrize("transform", [
    None,
    transforms.ToTensor(),
    transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.2860,), (0.3530,))]),
])
def test_batched_fast_path_equals_item_by_item(isolated, transform):
    _write_raw(isolated / "MNIST" / "raw")
    ds = datasets.MNIST(isolated, transform=transform)

    def slow_collate(samples):
        return default_collate(samples)

    fast = DataLoader(ds, batch_size=5, shuffle=True, generator=neuronet.Generator().manual_seed(0))
    slow = DataLoader(ds, batch_size=5, shuffle=True, generator=neuronet.Generator().manual_seed(0),
                      collate_fn=slow_collate)
    assert fast._fast_getter() is not None
    for (xf, yf), (xs, ys) in zip(fast, slow, strict=True):
        assert xf.dtype == xs.dtype and yf.dtype == ys.dtype == neuronet.int64
        assert tuple(xf.shape) == tuple(xs.shape)
        np.testing.assert_array_equal(xf.numpy(), xs.numpy())
        np.testing.assert_array_equal(yf.numpy(), ys.numpy())


def test_random_transform_uses_slow_path(isolated):
    _write_raw(isolated / "MNIST" / "raw")
    ds = datasets.MNIST(isolated, transform=transforms.Compose(
        [transforms.RandomCrop(28, padding=2), transforms.ToTensor()]))
    loader = DataLoader(ds, batch_size=4)
    assert loader._fast_getter() is None
    x, y = next(iter(loader))
    assert tuple(x.shape) == (4, 1, 28, 28)


def test_missing_data_error_lists_places(isolated):
    with pytest.raises(FileNotFoundError, match="download=True"):
        datasets.MNIST(isolated / "nothing")


def test_vision_is_importable_as_torchvision():
    import neuronet.vision as torchvision

    assert torchvision.datasets.FashionMNIST is datasets.FashionMNIST
    assert torchvision.transforms.ToTensor is transforms.ToTensor
