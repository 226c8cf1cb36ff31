"""Slow: the spiking MLP and CNN on the real Fashion-MNIST (examples/brain/snn_fashion_mnist.py).

Measured on this project's shared 2-core machine (see docs/brain.md): the MLP (784-256-10,
T=25) took 3-7 min per epoch and reached 85.6% after 3 epochs; the CNN took 9-14 min per epoch
and reached 83.5% after 3 (its 88% target is not met yet: expect this test to fail).
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

FASHION = Path("/usr/share/datasets/fashion-mnist")
SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "brain" / "snn_fashion_mnist.py"


def _run(tmp_path, monkeypatch, *args):
    if not (FASHION / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Fashion-MNIST is not installed at {FASHION}")
    spec = importlib.util.spec_from_file_location("snn_fashion_mnist", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(sys, "argv", ["snn", *args, "--out", str(tmp_path)])
    module.main()
    arch = args[args.index("--arch") + 1]
    result = json.loads((tmp_path / f"{arch}.json").read_text())
    assert (tmp_path / f"{arch}_synops.png").is_file()
    return result["epochs"][-1]


@pytest.mark.slow
def test_spiking_mlp_reaches_85_percent(tmp_path, monkeypatch):
    last = _run(tmp_path, monkeypatch, "--arch", "mlp", "--hidden", "256", "--epochs", "3")
    assert last["test_accuracy"] >= 0.85, last
    assert 0 < last["spikes_per_sample"] and last["synops_per_sample"] > 0


@pytest.mark.slow
@pytest.mark.xfail(reason="target not met yet: 83.5% after 3 epochs (36 min on 2 cores); "
                          "88% needs about 8-10 epochs and a learning-rate decay", strict=False)
def test_spiking_cnn_reaches_88_percent(tmp_path, monkeypatch):
    last = _run(tmp_path, monkeypatch, "--arch", "cnn", "--epochs", "3")
    assert last["test_accuracy"] >= 0.88, last
