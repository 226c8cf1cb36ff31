"""Reading what the CLI is given: images, data sets and run folders."""

import csv

import numpy as np
import pytest

from neuronet.cli.data import FASHION_MNIST_CLASSES, load_dataset
from neuronet.cli.errors import CliError
from neuronet.cli.images import read_image
from neuronet.cli.runs import find_model, make_run_dir, write_history_csv
from tests.cli.conftest import make_idx_folder


def test_read_png_grey_and_rgba(tmp_path):
    matplotlib_image = pytest.importorskip("matplotlib.image")
    grey = np.linspace(0, 1, 28 * 28, dtype=np.float32).reshape(28, 28)
    matplotlib_image.imsave(tmp_path / "a.png", grey, cmap="gray", vmin=0, vmax=1)
    image = read_image(str(tmp_path / "a.png"), (28, 28))
    assert image.shape == (28, 28) and image.dtype == np.float32
    # imsave writes RGBA through the 256-entry gray colour map: within two grey levels
    np.testing.assert_allclose(image, grey, atol=2.01 / 255)


def test_read_npy_scales_integers_and_squeezes(tmp_path):
    raw = np.arange(64, dtype=np.uint8).reshape(8, 8, 1)
    np.save(tmp_path / "a.npy", raw)
    np.testing.assert_allclose(read_image(str(tmp_path / "a.npy"), (8, 8), scale=16.0),
                               raw[..., 0] / 16.0)
    floats = np.full((1, 8, 8), 0.25, np.float32)
    np.save(tmp_path / "b.npy", floats)
    np.testing.assert_array_equal(read_image(str(tmp_path / "b.npy"), (8, 8)), floats[0])


def test_read_image_errors(tmp_path):
    np.save(tmp_path / "big.npy", np.zeros((32, 32), np.uint8))
    with pytest.raises(CliError, match="the image is 32x32, the model expects 28x28 grayscale"):
        read_image(str(tmp_path / "big.npy"), (28, 28))
    (tmp_path / "a.jpg").write_bytes(b"x")
    with pytest.raises(CliError, match="unsupported image type .jpg"):
        read_image(str(tmp_path / "a.jpg"), (28, 28))
    (tmp_path / "bad.png").write_bytes(b"not a png")
    pytest.importorskip("matplotlib")
    with pytest.raises(CliError, match="not a readable PNG"):
        read_image(str(tmp_path / "bad.png"), (28, 28))
    with pytest.raises(CliError, match="no such image file"):
        read_image(str(tmp_path / "missing.png"), (28, 28))


def test_load_idx_folder_and_npz(tmp_path):
    folder = make_idx_folder(tmp_path / "tiny", n_train=30, n_test=12)
    data = load_dataset(str(folder))
    assert data.x_train.shape == (30, 28, 28) and data.x_train.dtype == np.float32
    assert data.x_train.max() == 1.0 and data.y_train.dtype == np.int64
    assert data.class_names == ["0", "1", "2"] and data.label == "tiny"
    np.savez(tmp_path / "set.npz", x_train=(data.x_train * 255).astype(np.uint8),
             y_train=data.y_train.astype(np.uint8), x_test=(data.x_test * 255).astype(np.uint8),
             y_test=data.y_test.astype(np.uint8))
    again = load_dataset(str(tmp_path / "set.npz"))
    np.testing.assert_array_equal(again.x_test, data.x_test)
    assert again.label == "set"


def test_load_dataset_names(monkeypatch):
    import neuronet.datasets as datasets

    fake = ((np.zeros((4, 28, 28), np.uint8), np.arange(4, dtype=np.uint8)),
            (np.full((2, 28, 28), 255, np.uint8), np.array([9, 1], np.uint8)))
    monkeypatch.setattr(datasets, "load_fashion_mnist", lambda: fake)
    data = load_dataset("Fashion_MNIST")
    assert data.name == "fashion-mnist" and data.class_names == FASHION_MNIST_CLASSES
    assert data.x_test.max() == 1.0

    def missing():
        raise FileNotFoundError("not here")

    monkeypatch.setattr(datasets, "load_mnist", missing)
    with pytest.raises(CliError, match="MNIST was not found .*--dataset"):
        load_dataset("mnist")


def test_run_dir_is_never_reused(tmp_path):
    first = make_run_dir(tmp_path / "runs", "mlp-x")
    second = make_run_dir(tmp_path / "runs", "mlp-x")
    third = make_run_dir(tmp_path / "runs", "mlp-x")
    assert [first.name, second.name, third.name] == ["mlp-x", "mlp-x-2", "mlp-x-3"]


def test_history_csv_is_keras_csvlogger_format(tmp_path):
    write_history_csv(tmp_path / "h.csv", {"loss": [0.5, 0.25], "accuracy": [0.75, 0.875]})
    rows = list(csv.reader(open(tmp_path / "h.csv")))
    assert rows == [["epoch", "accuracy", "loss"], ["0", "0.75", "0.5"], ["1", "0.875", "0.25"]]


def test_find_model(tmp_path):
    (tmp_path / "run").mkdir()
    with pytest.raises(CliError, match="has no model.keras"):
        find_model(str(tmp_path / "run"))
    (tmp_path / "run" / "model.keras").write_bytes(b"")
    (tmp_path / "run" / "run.json").write_text('{"dataset": "mnist"}')
    path, info = find_model(str(tmp_path / "run"))
    assert path.name == "model.keras" and info == {"dataset": "mnist"}
    assert find_model(str(path))[1] == {"dataset": "mnist"}
