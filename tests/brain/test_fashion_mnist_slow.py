"""Slow: the spiking MLP and CNN on the real Fashion-MNIST (examples/brain/snn_fashion_mnist.py).

Measured on this project's shared 2-core machine (see docs/brain.md): the MLP (784-256-10,
T=25) took 3-7 min per epoch and reached 85.6% after 3 epochs; the directly encoded CNN (T=6)
took ~10 min per epoch beside another training job and reached 91.8% after 6 (89.9% after 2).
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
def test_spiking_cnn_reaches_88_percent(tmp_path, monkeypatch):
    last = _run(tmp_path, monkeypatch, "--arch", "cnn", "--epochs", "6")
    assert last["test_accuracy"] >= 0.88, last
    assert last["synops_per_sample"] > 0 and last["snn_macs_per_sample"] > 0
    assert last["snn_energy_uj"] < last["ann_energy_uj"]
