"""`AlphaDropout` (Klambauer et al., 2017, "Self-Normalizing Neural Networks",
https://arxiv.org/abs/1706.02515): dropout for SELU networks that keeps the activations' zero
mean and unit variance (Keras 3's `keras.layers.AlphaDropout`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import random as _random
from ...ops._util import float_operand
from ...tensor import Tensor
from .layer import Layer
from .regularization import _fraction, _seed, noise_shape_arg, resolve_noise_shape

# SELU's constants: alpha_p = -scale * alpha is SELU's value at -infinity
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(Layer):
    """Sets inputs to SELU's negative saturation value with probability `rate` while training,
    then applies the affine map that restores a zero mean and unit variance.

    Formula:
        keep ~ Bernoulli(1 - rate) (keep = u >= rate, u ~ U[0, 1)), of shape noise_shape
        alpha_p = -SELU_SCALE * SELU_ALPHA                       (= -1.7580993408473766)
        a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * rate
        y = a * (x * keep + alpha_p * (1 - keep)) + b              (training)
        y = x                                                      (inference)
        dL/dx = dL/dy * a * keep

    For x of zero mean and unit variance, y has zero mean and unit variance again.

    Args:
        rate: the probability of dropping an input, in [0, 1) while training (rate=1 leaves
            no variance to restore: a is infinite).
        noise_shape: the shape of the keep mask, broadcast against the input; None entries
            take the input's size (default: the input's shape).
        seed: an int for a reproducible sequence of masks (the layer's own generator);
            None draws from neuronet's global one (`neuronet.manual_seed`).

    Shape:
        any -> the same.

    Example:
        >>> x = np.random.default_rng(0).standard_normal((500, 200)).astype("float32")
        >>> y = AlphaDropout(0.2, seed=0)(x, training=True).numpy()
        >>> abs(float(y.mean())) < 0.02, round(float(y.std()), 1)
        (True, 1.0)
        >>> bool((AlphaDropout(0.2)(x).numpy() == x).all())
        True
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = _fraction("AlphaDropout", "rate", rate)
        self.noise_shape = noise_shape_arg("AlphaDropout", noise_shape)
        self.seed = seed
        self._generator = _seed("AlphaDropout", seed)
        self.built = True

    def _rng(self) -> np.random.Generator:
        return self._generator if self._generator is not None else _random.rng()

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.rate == 1:
            raise ValueError(f"AlphaDropout {self.name}: rate=1 drops every input, and the "
                             f"correction a = ((1 - rate) * (1 + rate * alpha_p**2)) ** -0.5 is "
                             f"infinite; use a rate below 1 while training")
        x = float_operand(inputs)
        noise = resolve_noise_shape(f"AlphaDropout {self.name}", self.noise_shape,
                                    tuple(x.shape))
        keep = self._rng().random(noise, dtype=np.float32) >= self.rate
        alpha_p = -SELU_ALPHA * SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        dtype = x._data.dtype
        # y = x * (a keep) + (a alpha_p (1 - keep) + b): one product and one sum on the graph
        scale = np.where(keep, a, 0.0).astype(dtype)
        shift = np.where(keep, b, a * alpha_p + b).astype(dtype)
        return x * Tensor._wrap(scale) + Tensor._wrap(shift)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
