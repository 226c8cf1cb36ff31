"""PyTorch's classic MNIST program runs on neuronet with only its imports changed."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from neuronet.datasets import write_idx

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "pytorch_mnist.py"


def _write_mnist(root: Path, n_train: int, n_test: int) -> None:
    """Small MNIST-shaped IDX files whose class is drawn into the image (learnable)."""
    rng = np.random.default_rng(0)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        labels = rng.integers(0, 10, n).astype(np.uint8)
        images = rng.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, c in enumerate(labels):
            images[i, 2 * c + 2: 2 * c + 6, 4:24] = 250  # a bar whose height encodes the class
        write_idx(images, raw / f"{prefix}-images-idx3-ubyte")
        write_idx(labels, raw / f"{prefix}-labels-idx1-ubyte")


def test_only_the_imports_differ_from_the_pytorch_program():
    source = EXAMPLE.read_text()
    tree = ast.parse(source)
    # the program's code never names neuronet: only its import lines do
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "neuronet"]
    lines = source.splitlines()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)) and "neuronet" in ast.unparse(node):
            assert "# was: " in lines[node.lineno - 1]


def test_pytorch_mnist_program_trains(load_example, tmp_path, monkeypatch):
    pytest.importorskip("neuronet.nn.modules.conv")
    _write_mnist(tmp_path / "data", n_train=640, n_test=200)
    monkeypatch.chdir(tmp_path)
    program = load_example("pytorch_mnist.py")
    accuracy = program.main(["--epochs", "2", "--data", str(tmp_path / "data"),
                             "--batch-size", "32", "--test-batch-size", "100",
                             "--log-interval", "5", "--save-model"])
    assert accuracy > 0.5  # chance is 0.1
    assert (tmp_path / "mnist_cnn.pt").exists()
