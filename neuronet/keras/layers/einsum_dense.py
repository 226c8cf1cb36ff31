"""`EinsumDense`: a dense layer whose product is an einsum equation (Keras 3's
`keras.layers.EinsumDense`), with optional LoRA (Hu et al., 2021,
https://arxiv.org/abs/2106.09685)."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from ...ops.linalg import einsum, matmul
from ...tensor import Tensor
from .. import activations, initializers
from ._weight_options import (
    KERNEL_BIAS_OPTIONS,
    add_weight_with_options,
    set_weight_options,
    weight_options_config,
)
from .layer import Layer

# Keras's three accepted forms: no ellipsis, an ellipsis on the left of input and output,
# or one on the right (after at least two input letters)
_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), "none"),
    (re.compile(r"\.\.\.([a-zA-Z]+),([a-zA-Z]+)->\.\.\.([a-zA-Z]+)"), "left"),
    (re.compile(r"([a-zA-Z]{2,})\.\.\.,([a-zA-Z]+)->([a-zA-Z]+)\.\.\."), "right"),
)


def _split(equation: Any) -> tuple[str, str, str, str]:
    """(input spec, weight spec, output spec, where the ellipsis is: 'none'|'left'|'right')."""
    if not isinstance(equation, str):
        raise TypeError(f"EinsumDense: equation must be a string such as 'ab,bc->ac', "
                        f"received equation={equation!r}")
    for pattern, elided in _FORMS:
        match = pattern.fullmatch(equation)
        if match:
            return match.group(1), match.group(2), match.group(3), elided
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     "[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _check_letters(input_spec: str, weight_spec: str, output_spec: str,
                   bias_axes: str | None) -> None:
    """Keras's checks that need no input shape: every letter has a source."""
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(f"Dimension '{dim}' was specified in the output '{output_spec}' "
                             f"but has no corresponding dim in the input spec '{input_spec}' "
                             f"or weight spec '{weight_spec}'")
    for dim in weight_spec:
        if dim not in output_spec and dim not in input_spec:
            raise ValueError(f"Weight dimension '{dim}' did not have a match in either the "
                             f"input spec '{input_spec}' or the output spec '{output_spec}'. "
                             f"For this layer, the weight must be fully specified.")
    for char in bias_axes or "":
        if char not in output_spec:
            raise ValueError(f"Bias dimension '{char}' was requested, but is not part of the "
                             f"output spec '{output_spec}'")


def analyze(equation: str, bias_axes: str | None, input_shape: tuple,
            output_shape: tuple) -> tuple[list, list | None, list, list, list]:
    """Keras's shape analysis: (kernel shape, bias shape or None, full output shape,
    kernel axes that are inputs, kernel axes that are outputs).

    The output's first dim is the input's first (the batch); elided dims follow the batch
    (left ellipsis) or end the output (right ellipsis).
    """
    input_spec, weight_spec, output_spec, side = _split(equation)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_spec)
    least = len(input_spec) + (1 if side == "left" else 0)  # a left ellipsis holds the batch
    if len(input_shape) < least or (side == "none" and elided != 0):
        raise ValueError(f"EinsumDense: equation '{equation}' expects inputs of rank "
                         f"{least}{' or more' if side != 'none' else ''} (the batch axis "
                         f"included), received input_shape={input_shape}")
    full = [input_shape[0], *output_shape]
    if side == "left":
        full[1:1] = input_shape[1:elided]
        in_map = {d: i + elided - len(input_shape) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        full += input_shape[len(input_shape) - elided:]
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    for dim in input_spec:
        if dim in out_map and full[out_map[dim]] is not None and (
                full[out_map[dim]] != input_shape[in_map[dim]]):
            raise ValueError(f"Input shape and output shape do not match at shared dimension "
                             f"'{dim}'. Input shape is {input_shape[in_map[dim]]}, and output "
                             f"shape is {full[out_map[dim]]}.")
    kernel_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in out_map:
            kernel_shape.append(full[out_map[dim]])
            output_axes.append(i)
        else:
            kernel_shape.append(input_shape[in_map[dim]])
            input_axes.append(i)
    bias_shape = None if bias_axes is None else _bias_shape(bias_axes, output_spec, full,
                                                            elided, side)
    return kernel_shape, bias_shape, full, input_axes, output_axes


def _bias_shape(bias_axes: str, output_spec: str, full: list, elided: int, side: str) -> list:
    """From the first biased output letter to the output's end: the letter's size where
    biased, 1 elsewhere (and 1 for each elided dim after a right ellipsis)."""
    first = min(output_spec.find(c) for c in bias_axes)
    offset = elided if side == "left" else 0
    shape = [full[i + offset] if c in bias_axes else 1
             for i, c in enumerate(output_spec) if i >= first]
    return shape + [1] * elided if side != "left" else shape


def _positive_or_none(value: Any) -> bool:
    return value is None or (not isinstance(value, bool) and isinstance(value, int | np.integer)
                             and value > 0)


class EinsumDense(Layer):
    """A dense layer computed as `einsum(equation, inputs, kernel)` (+ bias, activation).

    Formula:
        y = activation(einsum(equation, x, kernel) + bias)
        with LoRA (lora_rank=r): kernel = kernel0 + (lora_alpha / r) * (A @ B), kernel0 frozen,
        A of shape kernel.shape[:-1] + (r,), B of shape (r, kernel.shape[-1])

    The kernel's letters take their sizes from the input (letters shared with it) or from
    `output_shape` (letters of the output); the bias has the sizes of `bias_axes` and 1
    elsewhere, from the first biased output letter to the output's end. A VarianceScaling
    initializer (glorot_uniform, he_normal, ...) counts fan_in over the kernel's input letters
    and fan_out over its output letters, as Keras does.

    Args:
        equation: 'ab,bc->ac', 'abc,cd->abd', '...b,bc->...c', 'ab...,bc->ac...': input,
            kernel, output; the first letter (or the ellipsis) carries the batch.
        output_shape: the output's shape without the batch and the elided dims (an int for
            one dim); None for a dim shared with the input.
        activation: name or callable (None: linear).
        bias_axes: the output letters that get a bias ('c', 'de', ...); None for no bias.
        kernel_initializer ('glorot_uniform'), bias_initializer ('zeros'),
        kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint: as Dense.
        lora_rank, lora_alpha: enable LoRA at build (lora_alpha defaults to lora_rank).

    Shape:
        the input as the equation's input spec -> the full output shape (batch first).

    Example:
        >>> layer = EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")
        >>> y = layer(np.ones((2, 32, 128), "float32"))
        >>> tuple(y.shape), [tuple(w.shape) for w in layer.weights]
        ((2, 32, 64), [(128, 64), (64,)])
    """

    def __init__(self, equation: str, output_shape: Any, activation: Any = None,
                 bias_axes: str | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, lora_rank: int | None = None,
                 lora_alpha: float | None = None, quantization_config: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        specs = _split(equation)
        if bias_axes is not None and (not isinstance(bias_axes, str) or not bias_axes):
            raise TypeError(f"EinsumDense: bias_axes must be a non-empty string of output "
                            f"letters or None, received bias_axes={bias_axes!r}")
        _check_letters(*specs[:3], bias_axes)
        partial = (output_shape,) if isinstance(output_shape, int | np.integer) else output_shape
        if not isinstance(partial, list | tuple) or not all(map(_positive_or_none, partial)):
            raise ValueError(f"EinsumDense: output_shape must be a positive int or a sequence "
                             f"of positive ints and None, received output_shape={output_shape!r}")
        want = len(specs[2]) - (0 if specs[3] == "left" else 1)
        if len(partial) != want:
            raise ValueError(f"EinsumDense: output_shape must give {want} size(s) for the output "
                             f"'{specs[2]}' of '{equation}' (the batch and the ellipsis "
                             f"excluded), received output_shape={output_shape!r}")
        if not _positive_or_none(lora_rank):
            raise ValueError(f"EinsumDense: lora_rank must be a positive integer or None, "
                             f"received lora_rank={lora_rank!r}")
        if quantization_config is not None:
            raise NotImplementedError("EinsumDense: quantization is not supported by neuronet, "
                                      "received a quantization_config")
        self.equation, self.bias_axes = equation, bias_axes
        self.partial_output_shape = tuple(None if d is None else int(d) for d in partial)
        self.activation = activations.get(activation)
        set_weight_options(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.lora_rank = None if lora_rank is None else int(lora_rank)
        self.lora_alpha = lora_alpha if lora_alpha is not None else self.lora_rank
        self.lora_enabled = False
        self._kernel = self.bias = self.lora_kernel_a = self.lora_kernel_b = None

    def build(self, input_shape: tuple) -> None:
        kernel_shape, bias_shape, _, input_axes, output_axes = analyze(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        for name, shape in (("kernel", kernel_shape), ("bias", bias_shape)):
            if shape is not None and None in shape:
                raise ValueError(f"Shapes used to initialize variables must be fully-defined "
                                 f"(no `None` dimensions). Received: shape={tuple(shape)} for "
                                 f"variable path='{self.name}/{name}'")
        self._kernel = self.add_weight(
            name="kernel", shape=tuple(kernel_shape),
            initializer=_fan_aware(self.kernel_initializer, kernel_shape, input_axes,
                                   output_axes),
            regularizer=self.kernel_regularizer, constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = add_weight_with_options(self, "bias", tuple(bias_shape))
        self.built = True
        if self.lora_rank:
            self.enable_lora(self.lora_rank, lora_alpha=self.lora_alpha)

    @property
    def kernel(self) -> Tensor:
        """The kernel the einsum uses: the stored one, plus the LoRA delta when enabled."""
        if not self.built:
            raise AttributeError("You must build the layer before accessing `kernel`.")
        if not self.lora_enabled:
            return self._kernel
        delta = (self.lora_alpha / self.lora_rank) * matmul(self.lora_kernel_a,
                                                            self.lora_kernel_b)
        kernel = self._kernel + delta
        return kernel if kernel._data.dtype == self._kernel._data.dtype else kernel.to(
            self._kernel.dtype)

    def enable_lora(self, rank: int, lora_alpha: float | None = None,
                    a_initializer: Any = "he_uniform", b_initializer: Any = "zeros") -> None:
        """Freeze the kernel and learn a rank-`rank` update A @ B of it (B starts at zero, so
        the layer's output is unchanged until training moves it)."""
        if self.kernel_constraint:
            raise ValueError("Lora is incompatible with kernel constraints. In order to enable "
                             "lora on this layer, remove the `kernel_constraint` argument.")
        if not self.built:
            raise ValueError("Cannot enable lora on a layer that isn't yet built.")
        if self.lora_enabled:
            raise ValueError("lora is already enabled. This can only be done once per layer.")
        if not _positive_or_none(rank) or rank is None:
            raise ValueError(f"EinsumDense {self.name}: the LoRA rank must be a positive "
                             f"integer, received rank={rank!r}")
        shape = tuple(self._kernel.shape)
        # float32 adapters whatever the layer's dtype (Keras: no underflow while fine-tuning)
        self.lora_kernel_a = self.add_weight(
            name="lora_kernel_a", shape=shape[:-1] + (rank,), dtype="float32",
            initializer=initializers.get(a_initializer), regularizer=self.kernel_regularizer)
        self.lora_kernel_b = self.add_weight(
            name="lora_kernel_b", shape=(rank, shape[-1]), dtype="float32",
            initializer=initializers.get(b_initializer), regularizer=self.kernel_regularizer)
        self._kernel.trainable = False
        # Keras sums the penalties of trainable weights only: the frozen kernel's drops out
        self._kernel.regularizer = None
        self.lora_enabled, self.lora_rank = True, int(rank)
        self.lora_alpha = lora_alpha if lora_alpha is not None else int(rank)

    def call(self, inputs: Tensor) -> Tensor:
        kernel = self.kernel
        x = inputs if inputs.dtype == kernel.dtype else inputs.to(kernel.dtype)
        y = einsum(self.equation, x, kernel)
        if self.bias is not None:
            y = y + self.bias
        if self._emit_logits:  # fit fuses a final softmax into the cross-entropy
            return y
        return self.activation(y)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(analyze(self.equation, self.bias_axes, input_shape,
                             self.partial_output_shape)[2])

    def get_config(self) -> dict:
        config = {**super().get_config(), "output_shape": self.partial_output_shape,
                  "equation": self.equation,
                  "activation": activations.serialize(self.activation),
                  "bias_axes": self.bias_axes,
                  **weight_options_config(self, *KERNEL_BIAS_OPTIONS)}
        config.setdefault("activity_regularizer", None)
        if self.lora_rank:
            config["lora_rank"], config["lora_alpha"] = self.lora_rank, self.lora_alpha
        return config


def _fan_aware(initializer: Any, shape: list, input_axes: list, output_axes: list) -> Any:
    """A VarianceScaling initializer with fan_in = the product of the kernel's input dims and
    fan_out = that of its output dims: drawn as a (fan_in, fan_out) matrix of independent
    values and reshaped (the same distribution as Keras's input_axes/output_axes)."""
    if not isinstance(initializer, initializers.VarianceScaling):
        return initializer
    fan_in = math.prod(shape[a] for a in input_axes)
    fan_out = math.prod(shape[a] for a in output_axes)

    def init(kernel_shape: tuple, dtype: Any = None) -> np.ndarray:
        return np.asarray(initializer((fan_in, fan_out), dtype)).reshape(kernel_shape)

    return init
