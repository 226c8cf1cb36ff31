"""keras.utils.plot_model: DOT, SVG and PNG drawings of a model's layer graph."""

from __future__ import annotations

from neuronet import keras


def _branched_model():
    inputs = keras.Input(shape=(8,), name="features")
    a = keras.layers.Dense(4, activation="relu", name="left")(inputs)
    b = keras.layers.Dense(4, name="right")(inputs)
    merged = keras.layers.Add(name="sum")([a, b])
    outputs = keras.layers.Dense(2, activation="softmax", name="head")(merged)
    return keras.Model(inputs, outputs)


def test_dot_has_every_layer_and_the_branches(tmp_path):
    path = keras.utils.plot_model(_branched_model(), to_file=tmp_path / "m.dot",
                                  show_shapes=True)
    text = open(path).read()
    assert text.startswith("digraph model {")
    for name in ("features", "left (Dense)", "right (Dense)", "sum (Add)", "head (Dense)"):
        assert name in text
    assert "output: (None, 2)" in text
    assert text.count("->") == 5  # two branches out of features, two into sum, one to head


def test_svg_and_png(tmp_path):
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    svg = open(keras.utils.plot_model(model, to_file=tmp_path / "m.svg", show_shapes=True)).read()
    assert svg.startswith("<svg") and "dense" in svg and "(None, 10)" in svg
    png = keras.utils.plot_model(model, to_file=tmp_path / "m.png")
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_model_to_dot_rankdir():
    assert "rankdir=LR" in keras.utils.model_to_dot(_branched_model(), rankdir="LR")
