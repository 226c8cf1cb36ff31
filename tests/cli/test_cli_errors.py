"""Bad input to the CLI: one line on stderr, exit code 2, never a traceback."""

import subprocess
import sys

import pytest

from tests.cli.conftest import assert_one_line_error, keras_or_skip, run_cli


def test_no_command(capsys):
    code, _, err = run_cli([], capsys)
    assert_one_line_error(code, err, "choose a command")


@pytest.mark.parametrize("argv, fragments", [
    (["train", "--foo"], ["unrecognized arguments: --foo", "neuronet train --help"]),
    (["train", "--epochs", "x"], ["--epochs: invalid int value: 'x'"]),
    (["train", "--epochs", "0"], ["--epochs must be at least 1, received 0"]),
    (["train", "--batch-size", "-3"], ["--batch-size must be at least 1"]),
    (["train", "--validation-split", "1.5"], ["--validation-split must be in [0, 1)"]),
    (["train", "--lr", "0"], ["--lr must be positive"]),
    (["train", "--early-stopping", "-1"], ["patience"]),
    (["frobnicate"], ["invalid choice: 'frobnicate'"]),
    (["predict"], ["the following arguments are required"]),
    (["evaluate", "/no/such/run"], ["/no/such/run: no such file or folder", "run folder"]),
    (["evaluate", "x", "--batch-size", "0"], ["--batch-size must be at least 1"]),
])
def test_argument_errors(argv, fragments, capsys):
    code, _, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, *fragments)


def test_help_exits_zero(capsys):
    code, out, _ = run_cli(["train", "--help"], capsys)
    assert code == 0
    assert "--validation-split" in out and "--early-stopping" in out


def test_missing_dataset_path(tmp_path, capsys):
    keras_or_skip()
    code, _, err = run_cli(["train", "--dataset", tmp_path / "nothing"], capsys)
    assert_one_line_error(code, err, "no such data set, file or folder", "fashion-mnist")


def test_dataset_folder_without_idx_files(tmp_path, capsys):
    keras_or_skip()
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(["train", "--dataset", tmp_path / "empty", "--out", tmp_path], capsys)
    assert_one_line_error(code, err, "train-images-idx3-ubyte")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]  # no run folder left


def test_unknown_model_lists_the_choices(idx_folder, tmp_path, capsys):
    keras_or_skip()
    code, _, err = run_cli(["train", "--model", "transformer", "--dataset", idx_folder,
                            "--out", tmp_path / "runs"], capsys)
    assert_one_line_error(code, err, "--model 'transformer'", "choose one of", "mlp")


def test_unknown_optimizer(idx_folder, tmp_path, capsys):
    keras_or_skip()
    code, _, err = run_cli(["train", "--optimizer", "nonsense", "--dataset", idx_folder,
                            "--out", tmp_path / "runs"], capsys)
    assert_one_line_error(code, err, "--optimizer 'nonsense'")


def test_unreadable_model_file(tmp_path, capsys):
    keras_or_skip()
    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"this is not a zip archive")
    for command in (["summary"], ["evaluate"], ["predict"]):
        argv = command + [bad] + ([tmp_path / "x.npy"] if command == ["predict"] else [])
        code, _, err = run_cli(argv, capsys)
        assert_one_line_error(code, err, "broken.keras: cannot read the model")


def test_python_dash_m_neuronet_reports_one_line():
    result = subprocess.run([sys.executable, "-m", "neuronet", "train", "--bogus"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "neuronet train: error: unrecognized arguments: --bogus (see `neuronet train --help`)"]
