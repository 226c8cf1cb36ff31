"""`neuronet train --model snn`: the spiking MLP from neuronet/cli/models.py end to end."""

import json

import pytest

from neuronet.cli import models
from tests.cli.conftest import make_idx_folder, run_cli


def test_train_model_snn(tmp_path, capsys):
    assert "snn" in models.MODELS
    data = make_idx_folder(tmp_path / "data", n_train=200, n_test=60)
    code, out, err = run_cli(["train", "--model", "snn", "--dataset", data, "--epochs", 2,
                              "--out", tmp_path / "runs", "--seed", 0, "--quiet"], capsys)
    assert code == 0, err
    (run,) = (tmp_path / "runs").iterdir()
    info = json.loads((run / "run.json").read_text())
    assert info["model"] == "snn"
    assert info["test_accuracy"] >= 0.9, info


@pytest.mark.parametrize("name", ["snn"])
def test_entry_layers_exist(name):
    from neuronet import keras

    assert all(hasattr(keras.layers, layer) for layer in models.MODELS[name][1])
