"""The recurrent examples and benchmark run; the long training results are slow tests:
row-by-row LSTM on Fashion-MNIST >= 87% in 5 epochs, the character LM well below the unigram
baseline."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fashion_available() -> bool:
    try:
        from neuronet.datasets import load_fashion_mnist

        load_fashion_mnist()
        return True
    except Exception:  # noqa: BLE001 - any failure means the data is not here
        return False


def test_char_lm_on_bundled_words_learns_and_samples() -> None:
    char_lm = _load("char_lm", ROOT / "examples" / "char_lm.py")
    result = char_lm.main(["--epochs", "4", "--batch-size", "32", "--words", "/nonexistent"])
    assert math.isfinite(result["bits_per_char"])
    assert result["bits_per_char"] < result["unigram_bits"] - 0.4
    assert len(result["samples"]) == 10
    assert all(set(s) <= set("abcdefghijklmnopqrstuvwxyz") for s in result["samples"])


def test_char_lm_examples_only_import_neuronet() -> None:
    for name in ("char_lm.py", "lstm_fashion_mnist.py"):
        source = (ROOT / "examples" / name).read_text()
        assert "import torch\n" not in source and "from torch" not in source


@pytest.mark.skipif(not _fashion_available(), reason="Fashion-MNIST files not installed")
def test_lstm_example_and_benchmark_run_on_a_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    example = _load("lstm_fashion_mnist", ROOT / "examples" / "lstm_fashion_mnist.py")
    acc = example.main(["--epochs", "1", "--limit", "512"])
    assert 10.0 < acc <= 100.0
    monkeypatch.syspath_prepend(str(ROOT))  # bench_rnn imports its package's modules
    bench = importlib.import_module("benchmarks.bench_rnn")
    lines = bench.run_lstm_epoch(repeat=1, limit=256)
    assert "neuronet" in lines[0] and "torch" in lines[0] and "neuronet/torch" in lines[2]


@pytest.mark.slow
@pytest.mark.skipif(not _fashion_available(), reason="Fashion-MNIST files not installed")
def test_lstm_fashion_mnist_reaches_87_percent_in_5_epochs() -> None:
    example = _load("lstm_fashion_mnist", ROOT / "examples" / "lstm_fashion_mnist.py")
    assert example.main(["--epochs", "5"]) >= 87.0


@pytest.mark.slow
@pytest.mark.skipif(not _fashion_available(), reason="Fashion-MNIST files not installed")
def test_keras_lstm_fashion_mnist_learns() -> None:
    example = _load("lstm_fashion_mnist", ROOT / "examples" / "lstm_fashion_mnist.py")
    assert example.main(["--epochs", "2", "--keras"]) >= 80.0


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/share/dict/words").exists(), reason="wamerican not installed")
def test_char_lm_on_wamerican_is_well_below_unigram() -> None:
    char_lm = _load("char_lm", ROOT / "examples" / "char_lm.py")
    result = char_lm.main(["--epochs", "3"])
    assert result["bits_per_char"] < result["unigram_bits"] - 1.2
    lengths = [len(s) for s in result["samples"]]
    assert np.mean(lengths) > 3
