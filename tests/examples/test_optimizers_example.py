"""examples/optimizers.py: every method lowers the loss."""

import importlib.util


def test_every_optimizer_reduces_the_loss(load_example, tmp_path, capsys):
    example = load_example("optimizers.py")
    png = tmp_path / "curves.png"
    curves = example.main(["--epochs", "4", "--samples", "120", "--plot", str(png)])
    assert list(curves) == ["GD", "SGD", "mini-batch", "Momentum", "Adagrad", "RMSprop", "Adam"]
    initial = {curve[0] for curve in curves.values()}
    assert len(initial) == 1  # the same starting weights for every method
    for name, curve in curves.items():
        assert len(curve) == 5
        assert curve[-1] < 0.9 * curve[0], (name, curve)
    out = capsys.readouterr().out
    assert "epoch" in out and "Adam" in out
    assert png.exists() == (importlib.util.find_spec("matplotlib") is not None)


def test_plot_is_skipped_without_matplotlib(load_example, monkeypatch, tmp_path, capsys):
    import builtins

    example = load_example("optimizers.py")
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("no matplotlib")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    assert example.plot({"GD": [1.0, 0.5]}, str(tmp_path / "x.png")) is False
    assert not (tmp_path / "x.png").exists()
    assert "skipping" in capsys.readouterr().out
