"""examples/from_scratch: the hand-written NumPy versions agree with neuronet's."""

import numpy as np


def test_mlp_numpy_and_neuronet_losses_identical(load_example, capsys):
    example = load_example("from_scratch/mlp_numpy.py")
    result = example.main(["--steps", "500", "--samples", "64"])
    numpy_losses, neuronet_losses = result["numpy"], result["neuronet"]
    assert len(numpy_losses) == len(neuronet_losses) == 500
    np.testing.assert_allclose(neuronet_losses, numpy_losses, rtol=0, atol=1e-10)
    assert numpy_losses[-1] < 0.5 * numpy_losses[0]  # it really trains
    assert "largest difference" in capsys.readouterr().out


def test_mlp_numpy_gradients_match_autograd_at_other_settings(load_example):
    example = load_example("from_scratch/mlp_numpy.py")
    X = np.random.default_rng(1).normal(size=(10, 2))
    y = np.random.default_rng(2).random((10, 1))
    weights = example.init_weights(2, 3, 1, seed=5)
    a = example.train_numpy(X, y, weights, lr=0.7, steps=25)
    b = example.train_neuronet(X, y, weights, lr=0.7, steps=25)
    np.testing.assert_allclose(b, a, rtol=0, atol=1e-10)


def test_linear_regression_recovers_slope_and_intercept(load_example):
    example = load_example("from_scratch/linear_regression_numpy.py")
    result = example.main(["--slope", "-1.5", "--intercept", "0.7", "--epochs", "150"])
    for name in ("numpy", "neuronet"):
        slope, intercept = result[name]
        assert abs(slope - (-1.5)) < 0.05, (name, slope)
        assert abs(intercept - 0.7) < 0.05, (name, intercept)
