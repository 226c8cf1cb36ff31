"""Core layers: Dense, Activation, Dropout, Lambda, Rescaling, Embedding.

    Dense        y = activation(x @ kernel + bias), kernel (in, out)
    Activation   y = activation(x)
    Dropout      y = x * mask / (1 - rate) while training, x otherwise
    Rescaling    y = x * scale + offset
    Embedding    y = embeddings[x]  (mask_zero=True: mask = x != 0, carried as `_keras_mask`)
    Masking      y = x * mask, mask = any(x != mask_value, axis=-1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ... import random as _random
from ...nn import functional as F
from ...ops import indexing
from ...tensor import Tensor
from .. import activations, initializers
from .._ops import KernelDense
from ._weight_options import (
    KERNEL_BIAS_OPTIONS,
    add_weight_with_options,
    set_weight_options,
    weight_options_config,
)
from .layer import Layer
from .regularization import _seed, dropout, noise_shape_arg, resolve_noise_shape


def _positive_int(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, received {name}={value!r}")
    return int(value)


class Dense(Layer):
    """Densely connected layer: `activation(inputs @ kernel + bias)`.

    Args:
        units: the output size.
        activation: name or callable (None: linear).
        use_bias: whether to add a bias.
        kernel_initializer: default 'glorot_uniform'; bias_initializer: default 'zeros'.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties in `losses`.

    Shape:
        (batch, ..., in) -> (batch, ..., units); params in * units + units.

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.Dense(128)
        >>> layer.build((None, 784)); layer.count_params()
        100480
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int("Dense", "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.kernel = self.bias = None

    def build(self, input_shape: tuple) -> None:
        if input_shape[-1] is None:
            raise ValueError(f"Dense {self.name}: the last dimension of the input must be known, "
                             f"received input_shape={input_shape}")
        self.kernel = add_weight_with_options(self, "kernel", (input_shape[-1], self.units))
        if self.use_bias:
            self.bias = add_weight_with_options(self, "bias", (self.units,))
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"Dense {self.name}: expected inputs with last dimension "
                             f"{self.kernel.shape[0]}, received shape {tuple(inputs.shape)}")
        if inputs.dtype != self.kernel.dtype:
            inputs = inputs.to(self.kernel.dtype)
        if self.use_bias:
            out = KernelDense.apply(inputs, self.kernel, self.bias)
        else:
            out = KernelDense.apply(inputs, self.kernel)
        if self._emit_logits:
            return out
        return self.activation(out)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                **weight_options_config(self, *KERNEL_BIAS_OPTIONS)}


class Activation(Layer):
    """Applies an activation function: `Activation('relu')`."""

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        return inputs if self._emit_logits else self.activation(inputs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activations.serialize(self.activation)}


class Dropout(Layer):
    """Zeroes inputs with probability `rate` while training and scales the rest by
    1 / (1 - rate); the identity at inference.

    Formula:
        y = x * keep / (1 - rate), keep ~ Bernoulli(1 - rate) of shape noise_shape (training)

    Args:
        rate: the probability of dropping an input, in [0, 1].
        noise_shape: the shape of the keep mask, broadcast against the input: (batch, 1,
            features) drops the same features at every step; None entries take the input's
            size (default: the input's shape).
        seed: an int for a reproducible sequence of masks (the layer's own generator);
            None draws from neuronet's global one (`neuronet.manual_seed`).
    """

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
            raise ValueError(f"Dropout: invalid value received for argument `rate`. Expected a "
                             f"float value between 0 and 1. Received: rate={rate!r}")
        self.rate, self.seed = float(rate), seed
        self.noise_shape = noise_shape_arg("Dropout", noise_shape)
        self._generator = _seed("Dropout", seed)
        self.built = True

    def call(self, inputs: Tensor, training: Any = None) -> Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self._generator is None:
            return _carry_mask(inputs, F.dropout(inputs, self.rate, training=True))
        noise = resolve_noise_shape(f"Dropout {self.name}", self.noise_shape,
                                    tuple(inputs.shape))
        rng = self._generator if self._generator is not None else _random.rng()
        return _carry_mask(inputs, dropout(inputs, self.rate, noise, rng))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}


class Lambda(Layer):
    """Wraps a function of the inputs as a layer: `Lambda(lambda x: x * 2)`.

    `mask` (Keras's argument): a function (inputs, mask) -> the output's mask, or a fixed mask;
    given one, the layer supports masking. Saving stores functions by name only; loading needs
    them registered (`keras.saving.register_keras_serializable`) or passed in `custom_objects`
    (code is never stored in or run from a file)."""

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda: function must be callable, received {function!r}")
        self.function, self.arguments = function, dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        self.built = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return self.mask(inputs, mask) if callable(self.mask) else self.mask

    def call(self, inputs: Any) -> Any:
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        return (input_shape[0],) + tuple(self._output_shape)

    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object

        mask = self.mask
        if callable(mask):
            mask = serialize_keras_object(mask)
        elif mask is not None:
            mask = np.asarray(getattr(mask, "_data", mask)).tolist()
        return {**super().get_config(), "function": serialize_keras_object(self.function),
                "output_shape": self._output_shape if not callable(self._output_shape) else None,
                "mask": mask, "arguments": self.arguments}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Lambda:
        from ..saving.serialization import deserialize_keras_object

        config = dict(config)
        if not callable(config["function"]):
            config["function"] = deserialize_keras_object(config["function"], custom_objects)
        if isinstance(config.get("mask"), dict | str):
            config["mask"] = deserialize_keras_object(config["mask"], custom_objects)
        elif config.get("mask") is not None:
            config["mask"] = np.asarray(config["mask"], bool)
        return cls(**config)


class Rescaling(Layer):
    """y = x * scale + offset (e.g. `Rescaling(1/255)` for images)."""

    supports_masking = True  # the input's mask passes to the output (Keras)

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        if inputs._data.dtype.kind != "f":
            inputs = Tensor._wrap(inputs._data.astype(self.dtype))
        return inputs * self.scale + self.offset

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Embedding(Layer):
    """Looks up rows of an (input_dim, output_dim) table: y = embeddings[x].

    Args:
        input_dim: the vocabulary size; output_dim: the vector size.
        embeddings_initializer: default 'uniform' (U(-0.05, 0.05)).
    Shape:
        (batch, ...) integer indices -> (batch, ..., output_dim).
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer: Any = "uniform",
                 embeddings_regularizer: Any = None, embeddings_constraint: Any = None,
                 mask_zero: bool = False, **kwargs: Any) -> None:
        kwargs.pop("input_length", None)  # Keras 2 argument, ignored by Keras 3
        super().__init__(**kwargs)
        self.input_dim = _positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _positive_int("Embedding", "output_dim", output_dim)
        if embeddings_initializer == "uniform":
            embeddings_initializer = initializers.RandomUniform()
        set_weight_options(self, embeddings_initializer=embeddings_initializer,
                           embeddings_regularizer=embeddings_regularizer,
                           embeddings_constraint=embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.embeddings = None

    def build(self, input_shape: Any = None) -> None:
        self.embeddings = add_weight_with_options(self, "embeddings",
                                                  (self.input_dim, self.output_dim))
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        idx = inputs._data
        if idx.dtype.kind == "f":
            idx = idx.astype(np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= self.input_dim):
            raise ValueError(f"Embedding {self.name}: indices must be in [0, {self.input_dim}), "
                             f"received values in [{idx.min()}, {idx.max()}]")
        out = indexing.getitem(self.embeddings, idx)
        if self.mask_zero:  # read by the recurrent layers (keras.layers.rnn)
            out._keras_mask = self.compute_mask(inputs)
        return out

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor | None:
        """mask_zero=True: True where the index is not 0 (the padding index)."""
        if not self.mask_zero:
            return None
        return Tensor._wrap(np.asarray(getattr(inputs, "_data", inputs)) != 0)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def compute_output_dtype(self) -> str:
        return self.dtype

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                **weight_options_config(self, "embeddings_initializer", "embeddings_regularizer",
                                        "embeddings_constraint"),
                "mask_zero": self.mask_zero}


class Masking(Layer):
    """Masks time steps whose features all equal `mask_value`: y = x * mask[..., None],
    mask = any(x != mask_value, axis=-1); the recurrent layers skip the masked steps.

    Example:
        >>> from neuronet import keras
        >>> x = np.array([[[1.0], [0.0]]], "float32")
        >>> keras.layers.Masking()(x)._keras_mask.tolist()
        [[True, False]]
    """

    def __init__(self, mask_value: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.built = True

    def compute_mask(self, inputs: Any, mask: Any = None) -> Tensor:
        return Tensor._wrap(np.any(inputs._data != self.mask_value, axis=-1))

    def call(self, inputs: Tensor) -> Tensor:
        mask = self.compute_mask(inputs)
        out = inputs * Tensor._wrap(mask._data[..., None].astype(inputs._data.dtype))
        out._keras_mask = mask
        return out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}


def _carry_mask(source: Tensor, result: Tensor) -> Tensor:
    """Keep a Keras mask (`_keras_mask`) on a layer's output when the layer preserves it."""
    mask = getattr(source, "_keras_mask", None)
    if mask is not None:
        result._keras_mask = mask
    return result
