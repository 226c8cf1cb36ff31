"""The Keras tutorial programs in examples/ run and tell the truth about their results."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_one_neuron_cannot_predict_36(load_example):
    result = load_example("keras_one_neuron.py").main(["--epochs", "300",
                                                       "--hidden-epochs", "1500"])
    assert abs(result["best_line"] - 29.0) < 1e-4  # least squares: y = 6x - 7
    assert result["linear"] < 29.5  # the trained neuron is no better than the best line
    assert result["hidden_mse"] < 1.0  # the hidden layer fits the five points
    assert abs(result["hidden"] - 36) < abs(result["linear"] - 36)


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").exists(),
                    reason="Debian's dataset-fashion-mnist is not installed")
def test_keras_mnist_mlp_program_runs(load_example):
    accuracy = load_example("keras_mnist_mlp.py").main(["--epochs", "1", "--limit", "3000"])
    assert accuracy > 0.6
