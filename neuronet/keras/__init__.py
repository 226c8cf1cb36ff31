"""`neuronet.keras`: the Keras 3 API on the neuronet engine (`from neuronet import keras`).

Models (Sequential, functional Model, subclassed Model), layers, losses, metrics, optimizers,
callbacks, utils, datasets and saving, with Keras's names, arguments and defaults; `ops` and
`random` for custom layers, losses and metrics written with `keras.ops.*` / `keras.random.*`.
"""

from . import (
    activations,
    backend,
    callbacks,
    constraints,
    datasets,
    distribution,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from .layers import Input, Layer
from .models import Model, Sequential
from .variables import KerasVariable

Variable = KerasVariable
__version__ = "3.0.0 (neuronet)"

__all__ = [
    "Input", "KerasVariable", "Layer", "Model", "Sequential", "Variable", "activations",
    "backend", "callbacks", "datasets", "initializers", "layers", "losses", "metrics", "models",
    "constraints", "ops", "optimizers", "random", "regularizers", "saving", "utils",
]
