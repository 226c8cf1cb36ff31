"""examples/fashion_mnist_mlp.py on the real Fashion-MNIST (skipped when it is absent)."""

import pytest

from neuronet.datasets import find_dataset_dir


def _require_data():
    if find_dataset_dir("fashion-mnist") is None:
        pytest.skip("Fashion-MNIST not found (e.g. apt-get install dataset-fashion-mnist)")


def test_one_epoch_on_2000_samples_lowers_the_loss(load_example, tmp_path):
    _require_data()
    example = load_example("fashion_mnist_mlp.py")
    history = example.main(["--epochs", "1", "--limit", "2000", "--data", str(tmp_path),
                            "--log-interval", "10"])
    # Before training the loss is about ln(10) = 2.30; one epoch must bring it well down.
    assert history["test_loss"][0] < 1.2
    assert history["train_loss"][0] < 2.0
    assert history["accuracy"][0] > 55.0


@pytest.mark.slow
def test_ten_epochs_reach_88_percent(load_example, tmp_path):
    _require_data()
    example = load_example("fashion_mnist_mlp.py")
    history = example.main(["--epochs", "10", "--data", str(tmp_path)])
    assert history["accuracy"][-1] >= 88.0, history["accuracy"]
