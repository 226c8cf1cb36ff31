"""The models `neuronet train --model NAME` builds, each a Keras Sequential ending in softmax.

    mlp   Flatten, Dense(128, relu), Dense(128, relu), Dense(K, softmax)   (the classic)
    cnn   Reshape(H, W, 1), Conv2D(32, 3, relu), MaxPooling2D, Conv2D(64, 3, relu),
          MaxPooling2D, Flatten, Dense(128, relu), Dense(K, softmax)
    lstm  LSTM(128) over the image rows, Dense(K, softmax)
    snn   rate-coded input (25 steps), Dense(256) + LIF spiking neurons, LIF membrane readout

A model is offered only when neuronet.keras has the layers it needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import CliError

__all__ = ["MODELS", "available_models", "build_model"]


def _mlp(keras: Any, input_shape: tuple[int, ...], num_classes: int) -> Any:
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="mlp")


def _cnn(keras: Any, input_shape: tuple[int, ...], num_classes: int) -> Any:
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Reshape((*input_shape[:2], 1)),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(num_classes, activation="softmax"),
    ], name="cnn")


def _lstm(keras: Any, input_shape: tuple[int, ...], num_classes: int) -> Any:
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.LSTM(128),
        layers.Dense(num_classes, activation="softmax"),
    ], name="lstm")


def _snn(keras: Any, input_shape: tuple[int, ...], num_classes: int) -> Any:
    """A spiking MLP: rate-coded input over 25 steps, LIF neurons, membrane-potential readout
    (neuronet.brain's Keras layers)."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Flatten(),
        layers.RateEncoding(25),
        layers.Dense(256),
        layers.LIF(beta=0.9),
        layers.Dense(num_classes),
        layers.LIF(beta=0.9, output="membrane", reset_mechanism="none"),
        layers.SpikeRate(),
        layers.Activation("softmax"),
    ], name="snn")


# name -> (builder, the keras.layers classes it needs)
MODELS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "mlp": (_mlp, ("Flatten", "Dense")),
    "cnn": (_cnn, ("Reshape", "Conv2D", "MaxPooling2D", "Flatten", "Dense")),
    "lstm": (_lstm, ("LSTM", "Dense")),
    "snn": (_snn, ("Flatten", "RateEncoding", "Dense", "LIF", "SpikeRate", "Activation")),
}


def available_models(keras: Any) -> list[str]:
    """The model names whose layers exist in `keras.layers`."""
    return [name for name, (_build, needs) in MODELS.items()
            if all(hasattr(keras.layers, layer) for layer in needs)]


def build_model(name: str, keras: Any, input_shape: tuple[int, ...], num_classes: int) -> Any:
    """Build model `name` for images of `input_shape` and `num_classes` classes."""
    choices = available_models(keras)
    if name not in choices:
        raise CliError(f"--model {name!r} is not a model neuronet can build; choose one of "
                       f"{', '.join(choices)}")
    if name == "cnn" and len(input_shape) != 2:
        raise CliError(f"--model cnn needs (H, W) grey images, the data has {input_shape}")
    return MODELS[name][0](keras, tuple(input_shape), num_classes)
