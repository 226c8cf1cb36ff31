"""`neuronet train` end to end on a tiny IDX data set, then evaluate, predict and summary on
the run it wrote."""

import base64
import csv
import json
import re

import numpy as np
import pytest

from tests.cli.conftest import assert_one_line_error, keras_or_skip, make_idx_folder, run_cli


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    keras_or_skip()
    from neuronet.cli import main

    root = tmp_path_factory.mktemp("cli")
    folder = make_idx_folder(root / "tiny")
    code = main(["train", "--dataset", str(folder), "--epochs", "1", "--out", str(root / "runs"),
                 "--seed", "3", "--quiet"])
    assert code == 0
    runs = list((root / "runs").iterdir())
    assert len(runs) == 1
    return runs[0], folder, root


def test_train_writes_the_run_folder(trained_run):
    run, _, _ = trained_run
    assert re.fullmatch(r"mlp-tiny-\d{8}-\d{6}", run.name)
    for name in ("model.keras", "history.csv", "report.html", "run.json", "curves.png",
                 "confusion_matrix.png", "misclassified.png", "gradient_norms.png"):
        assert (run / name).is_file(), name
    rows = list(csv.DictReader(open(run / "history.csv")))
    assert len(rows) == 1 and {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(rows[0])
    info = json.loads((run / "run.json").read_text())
    assert info["epochs_run"] == 1 and info["seed"] == 3 and info["class_names"] == ["0", "1", "2"]
    assert info["test_accuracy"] > 0.9  # the squares are easy
    html = (run / "report.html").read_text()
    for section in ("summary", "curves", "confusion-matrix", "misclassified", "gradient-norms"):
        assert f'<section id="{section}">' in html
    pngs = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert len(pngs) == 4
    assert all(base64.b64decode(p)[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    assert "dense" in html  # the model summary


def test_train_prints_where_the_report_is(trained_run, capsys):
    _, folder, root = trained_run
    code, out, err = run_cli(["train", "--dataset", folder, "--epochs", "1", "--out",
                              root / "runs2", "--name", "same", "--quiet", "--batch-size", "64",
                              "--validation-split", "0"], capsys)
    assert code == 0, err
    assert re.search(r"^Test accuracy: [01]\.\d{4} \(loss \d+\.\d{4}\)$", out, re.M)
    assert f"Report: {root / 'runs2' / 'same' / 'report.html'}" in out
    code, out, _ = run_cli(["train", "--dataset", folder, "--epochs", "1", "--out",
                            root / "runs2", "--name", "same", "--quiet"], capsys)
    assert code == 0
    assert "same-2" in out  # never overwrites an existing run


def test_evaluate_run_folder_and_model_file(trained_run, capsys):
    run, _, _ = trained_run
    info = json.loads((run / "run.json").read_text())
    for target in (run, run / "model.keras"):
        code, out, err = run_cli(["evaluate", target], capsys)
        assert code == 0, err
        match = re.search(r"test split, 200 images: loss (\d+\.\d+), accuracy (\d\.\d+)", out)
        assert match, out
        assert float(match.group(2)) == pytest.approx(info["test_accuracy"], abs=1e-4)
        assert float(match.group(1)) == pytest.approx(info["test_loss"], abs=6e-5)


def test_predict_png_and_npy(trained_run, tmp_path, capsys):
    matplotlib_image = pytest.importorskip("matplotlib.image")
    run, _, _ = trained_run
    image = np.zeros((28, 28), np.uint8)
    image[18:26, 10:18] = 255  # class 2's square
    np.save(tmp_path / "two.npy", image)
    other = np.zeros((28, 28), np.float32)
    other[2:10, 2:10] = 1.0  # class 0
    matplotlib_image.imsave(tmp_path / "zero.png", other, cmap="gray", vmin=0, vmax=1)
    code, out, err = run_cli(["predict", run, tmp_path / "two.npy", tmp_path / "zero.png"],
                             capsys)
    assert code == 0, err
    lines = out.strip().splitlines()
    assert re.fullmatch(r".*two\.npy\s+2\s+\(p=[01]\.\d{3}\)", lines[0])
    assert re.fullmatch(r".*zero\.png\s+0\s+\(p=[01]\.\d{3}\)", lines[1])


def test_predict_wrong_size_is_one_line(trained_run, tmp_path, capsys):
    run, _, _ = trained_run
    np.save(tmp_path / "big.npy", np.zeros((32, 32), np.uint8))
    code, _, err = run_cli(["predict", run, tmp_path / "big.npy"], capsys)
    assert_one_line_error(code, err, "big.npy: the image is 32x32, the model expects 28x28")


def test_summary(trained_run, capsys):
    run, _, _ = trained_run
    code, out, _ = run_cli(["summary", run / "model.keras"], capsys)
    assert code == 0
    assert "dense" in out.lower()
    # 784*128 + 128  +  128*128 + 128  +  128*3 + 3  (3 classes)
    assert re.search(r"117,?379", out), out


def test_evaluate_with_a_dataset_of_another_shape(trained_run, tmp_path, capsys):
    run, _, _ = trained_run
    np.savez(tmp_path / "small.npz", x_train=np.zeros((4, 28, 28), np.uint8),
             y_train=np.zeros(4, np.uint8), x_test=np.zeros((4, 28, 28), np.uint8),
             y_test=np.full(4, 7, np.uint8))
    code, _, err = run_cli(["evaluate", run, "--dataset", tmp_path / "small.npz"], capsys)
    assert_one_line_error(code, err, "labels up to 7", "3 classes")
