"""The examples/brain programs run and print what their docstrings promise (small sizes)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "brain"


def load(name):
    spec = importlib.util.spec_from_file_location(f"brain_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lif_and_surrogate_and_modern_hopfield(tmp_path):
    counts = load("lif_neuron").main(str(tmp_path), steps=60)
    assert counts["AdaptiveLeaky"] < counts["Leaky"]
    assert (tmp_path / "lif_membrane.png").exists() and (tmp_path / "lif_raster.png").exists()
    grads = load("surrogate_gradients").main()
    assert grads["fast_sigmoid"][3] == 1.0 and np.all(grads["straight_through"] == 1.0)
    errors = load("modern_hopfield").main()
    assert errors[1.0] < 0.01 < errors[0.01]


def test_hopfield_and_stdp_examples(tmp_path):
    curve = load("hopfield_memory").main(str(tmp_path), n_units=40, trials=2)
    assert curve["accuracy"][0] == 1.0 and curve["accuracy"][-1] < 0.5
    r = load("stdp_pattern").main(str(tmp_path), presentations=60)
    assert len(r["latency"]) == 60
    for name in ["hopfield_capacity", "hopfield_energy", "hopfield_recall", "stdp_latency"]:
        assert (tmp_path / f"{name}.png").exists()


def test_encoders_example(tmp_path):
    counts = load("spike_encoders").main(str(tmp_path))
    assert counts["latency"] <= 784 < counts["rate"]


def test_hebbian_pca_example(tmp_path):
    pytest.importorskip("neuronet.datasets")
    try:
        cos = load("hebbian_pca").main(str(tmp_path), n_images=1000, k=2, epochs=10)
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST is not installed")
    assert min(cos["oja"] + cos["sanger"]) >= 0.99
