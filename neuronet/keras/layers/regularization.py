"""Regularization layers with Keras 3's names and arguments; the noise layers are active only
while training and are the identity at inference (x the input):

    GaussianNoise           y = x + n,  n ~ N(0, stddev**2)
    GaussianDropout         y = x * n,  n ~ N(1, rate / (1 - rate))
    ActivityRegularization  y = x; adds (l1 * sum(|x|) + l2 * sum(x**2)) / batch_size to losses
    SpatialDropout1D        y = x * keep / (1 - rate), one keep ~ Bernoulli(1 - rate) per
                            (sample, channel) of (batch, steps, channels), shared over steps

Every one passes its input's Keras mask on to its output. With `seed` set, a layer draws its
noise from its own generator (the same sequence on every run, like Keras's SeedGenerator);
otherwise from neuronet's global one (`neuronet.manual_seed`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import random as _random
from ...ops._util import float_operand
from ...tensor import Tensor
from .. import regularizers
from .layer import Layer


def _fraction(owner: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number) or not (
            0 <= value <= 1):
        raise ValueError(f"{owner}: invalid value received for argument `{name}`. Expected a "
                         f"float value between 0 and 1. Received: {name}={value!r}")
    return value


def _seed(owner: str, seed: Any) -> np.random.Generator | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"{owner}: seed must be a non-negative integer or None, received "
                         f"seed={seed!r}")
    return np.random.default_rng(int(seed))


def noise_shape_arg(owner: str, noise_shape: Any) -> tuple | None:
    """A layer's noise_shape argument checked: None, or a tuple of positive ints / None."""
    if noise_shape is None:
        return None
    if not isinstance(noise_shape, list | tuple) or any(
            d is not None and (isinstance(d, bool) or not isinstance(d, int | np.integer)
                               or d < 1) for d in noise_shape):
        raise ValueError(f"{owner}: noise_shape must be a tuple of positive integers or None "
                         f"entries, received noise_shape={noise_shape!r}")
    return tuple(None if d is None else int(d) for d in noise_shape)


def resolve_noise_shape(owner: str, noise_shape: tuple | None, shape: tuple) -> tuple:
    """The mask's shape for an input of `shape`: None entries (or no noise_shape) take the
    input's sizes; every other entry must be 1 or the input's size."""
    noise = shape if noise_shape is None else noise_shape
    if len(noise) != len(shape) or any(
            d is not None and d not in (1, n) for d, n in zip(noise, shape)):
        raise ValueError(f"{owner}: noise_shape {noise_shape} does not broadcast against the "
                         f"input shape {shape}")
    return tuple(n if d is None else d for d, n in zip(noise, shape))


def dropout(x: Tensor, rate: float, noise_shape: tuple, rng: np.random.Generator) -> Tensor:
    """y = x * keep / (1 - rate), keep ~ Bernoulli(1 - rate) of shape noise_shape (broadcast
    against x: a size-1 axis shares one draw along that axis); all zeros for rate = 1."""
    keep = rng.random(noise_shape, dtype=np.float32) >= rate
    scale = 0.0 if rate == 1 else 1.0 / (1.0 - rate)
    return x * Tensor._wrap((keep * scale).astype(x._data.dtype))


class _Noise(Layer):
    """Shared parts: output shape = input shape, mask passed on, a seeded or global stream."""

    supports_masking = True

    def _rng(self) -> np.random.Generator:
        return self._generator if self._generator is not None else _random.rng()

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


class GaussianNoise(_Noise):
    """Adds zero-centred Gaussian noise while training (a data augmentation for real inputs).

    Formula:
        y = x + n, n ~ N(0, stddev**2)  (training);  y = x  (inference)

    Args:
        stddev: the noise's standard deviation, in [0, 1] (Keras's range).
        seed: an int for a reproducible noise sequence.

    Shape:
        any -> the same.

    Example:
        >>> layer = GaussianNoise(0.1, seed=0)
        >>> x = np.ones((2, 3), "float32")
        >>> bool((layer(x).numpy() == x).all()), bool((layer(x, training=True).numpy() == x).any())
        (True, False)
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = _fraction("GaussianNoise", "stddev", stddev)
        self.seed = seed
        self._generator = _seed("GaussianNoise", seed)
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        if not training or self.stddev == 0:
            return inputs
        x = float_operand(inputs)
        noise = self._rng().standard_normal(x.shape, dtype=np.float32) * np.float32(self.stddev)
        return x + Tensor._wrap(noise.astype(x._data.dtype, copy=False))

    def get_config(self) -> dict:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Multiplies by one-centred Gaussian noise while training: dropout's mean and variance
    without zeros.

    Formula:
        y = x * n, n ~ N(1, sigma**2), sigma = sqrt(rate / (1 - rate))  (training)
        y = x  (inference)

    Args:
        rate: the drop probability of the equivalent Dropout, in [0, 1).
        seed: an int for a reproducible noise sequence.

    Shape:
        any -> the same.

    Example:
        >>> x = np.ones((1000, 100), "float32")
        >>> y = GaussianDropout(0.5, seed=0)(x, training=True).numpy()
        >>> round(float(y.mean()), 1), round(float(y.std()), 1)
        (1.0, 1.0)
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = _fraction("GaussianDropout", "rate", rate)
        self.seed = seed
        self._generator = _seed("GaussianDropout", seed)
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            raise ValueError(f"GaussianDropout {self.name}: rate=1 makes the noise's standard "
                             f"deviation sqrt(rate / (1 - rate)) infinite")
        x = float_operand(inputs)
        sigma = math.sqrt(self.rate / (1.0 - self.rate))
        noise = self._rng().standard_normal(x.shape, dtype=np.float32) * np.float32(sigma) + 1
        return x * Tensor._wrap(noise.astype(x._data.dtype, copy=False))

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class ActivityRegularization(Layer):
    """The identity, adding a penalty on its input's size to the layer's (and model's) losses.

    Formula:
        y = x;  loss = (l1 * sum(|x|) + l2 * sum(x**2)) / batch_size

    Args:
        l1: the L1 factor (>= 0); l2: the L2 factor (>= 0).

    Shape:
        any -> the same.

    Example:
        >>> layer = ActivityRegularization(l1=0.1, l2=0.2)
        >>> _ = layer(np.full((4, 3), 2.0, "float32"))
        >>> [round(float(loss.item()), 4) for loss in layer.losses]
        [3.0]
    """

    supports_masking = True

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("activity_regularizer", None)  # l1 and l2 say it
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = l1, l2
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}


class SpatialDropout1D(_Noise):
    """Dropout of whole channels of a sequence: one keep/drop draw per (sample, channel),
    shared by every step (for correlated neighbouring steps, as in early Conv1D layers).

    Formula:
        y = x * keep / (1 - rate), keep ~ Bernoulli(1 - rate) of shape (batch, 1, channels)
        (training);  y = x  (inference)

    Args:
        rate: the probability of dropping a channel, in [0, 1].
        seed: an int for a reproducible noise sequence.

    Shape:
        (batch, steps, channels) -> the same.

    Example:
        >>> y = SpatialDropout1D(0.5, seed=0)(np.ones((2, 4, 3), "float32"), training=True)
        >>> bool((y.numpy() == y.numpy()[:, :1, :]).all())  # the same mask at every step
        True
    """

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None,
                 dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype, **kwargs)
        self.rate = _fraction("SpatialDropout1D", "rate", rate)
        self.seed = seed
        self._generator = _seed("SpatialDropout1D", seed)
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        if inputs.ndim != 3:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: '
                             f"expected ndim=3, found ndim={inputs.ndim}. Full shape received: "
                             f"{tuple(inputs.shape)}")
        if not training or self.rate == 0:
            return inputs
        x = float_operand(inputs)
        return dropout(x, self.rate, (x.shape[0], 1, x.shape[2]), self._rng())

    def get_config(self) -> dict:
        """Keras's keys exactly: rate, seed, name, dtype (no `trainable`)."""
        config = {"rate": self.rate, "seed": self.seed, "name": self.name, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        return config
