"""Shared helpers for the CLI tests: a tiny learnable IDX data set and a one-line check."""

from pathlib import Path

import numpy as np
import pytest

from neuronet.cli import main
from neuronet.datasets import write_idx


def make_idx_folder(folder: Path, n_train: int = 600, n_test: int = 200, seed: int = 0) -> Path:
    """Four IDX files of 28x28 uint8 images in 3 classes: a bright 8x8 square at a class-given
    place on noise, so one epoch of an MLP learns them."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    corners = [(2, 2), (2, 18), (18, 10)]
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 3, n).astype(np.uint8)
        images = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            r, c = corners[label]
            images[i, r:r + 8, c:c + 8] = 255
        write_idx(images, folder / f"{split}-images-idx3-ubyte")
        write_idx(labels, folder / f"{split}-labels-idx1-ubyte.gz")
    return folder


def run_cli(argv, capsys):
    """(exit code, stdout, stderr) of main(argv)."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *fragments):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("neuronet")
    assert ": error: " in lines[0]
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def keras_or_skip():
    keras = pytest.importorskip(
        "neuronet.keras", reason="neuronet.keras is not written yet; the CLI trains with it")
    for name in ("Sequential", "Input"):
        if not hasattr(keras, name):
            pytest.skip(f"neuronet.keras has no {name} yet")
    if not hasattr(keras.Sequential, "fit"):
        pytest.skip("neuronet.keras models cannot fit yet")
    return keras


@pytest.fixture
def idx_folder(tmp_path):
    return make_idx_folder(tmp_path / "tiny")
