"""Slow: the default `neuronet train` on the real Fashion-MNIST, and the report in Chromium."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import keras_or_skip, make_idx_folder

FASHION = Path("/usr/share/datasets/fashion-mnist")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
def test_default_train_reaches_88_5_percent(tmp_path, capsys):
    keras_or_skip()
    if not (FASHION / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"Fashion-MNIST is not installed at {FASHION} (apt-get install "
                    "dataset-fashion-mnist)")
    from neuronet.cli import main

    assert main(["train", "--out", str(tmp_path), "--quiet"]) == 0
    (run,) = tmp_path.iterdir()
    info = json.loads((run / "run.json").read_text())
    assert info["dataset"] == "fashion-mnist" and info["model"] == "mlp"
    assert info["batch_size"] == 32 and info["validation_split"] == 0.1
    assert info["test_accuracy"] >= 0.885, info
    assert f"Test accuracy: {info['test_accuracy']:.4f}" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_report_renders_in_headless_chromium(tmp_path):
    keras_or_skip()
    from neuronet.cli import main

    folder = make_idx_folder(tmp_path / "tiny")
    assert main(["train", "--dataset", str(folder), "--epochs", "1", "--out",
                 str(tmp_path / "runs"), "--name", "r", "--quiet"]) == 0
    report = tmp_path / "runs" / "r" / "report.html"
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={shot}", "--window-size=1200,3000", report.as_uri()],
                   capture_output=True, timeout=120, check=False)
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a blank page compresses to far less
