"""Activation functions under Keras's names (`keras.activations`), on neuronet Tensors.

Formulas (x input):
    relu         max(x, 0)            sigmoid   1 / (1 + exp(-x))
    softmax      exp(x) / sum(exp(x)) along axis (-1)
    tanh         tanh(x)              linear    x
    elu          x if x > 0 else alpha (exp(x) - 1)
    selu         scale * elu(x, alpha), alpha = 1.67326..., scale = 1.05070...
    gelu         x Phi(x) (tanh approximation when approximate=True)
    silu/swish   x sigmoid(x)         softplus  log(1 + exp(x))
    softsign     x / (1 + |x|)        leaky_relu x if x > 0 else negative_slope x (0.2)
    relu6        min(max(x, 0), 6)    hard_sigmoid relu6(x + 3) / 6
    exponential  exp(x)               mish      x tanh(softplus(x))
    log_softmax  x - logsumexp(x) along axis
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..nn import functional as F
from ..ops import elementwise as el
from ..ops._util import float_operand
from ..ops.fused import log_softmax as _log_softmax
from ..ops.fused import softmax as _softmax
from ..tensor import Tensor
from ._registry import check_callable, lookup


def relu(x: Tensor, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """Keras 3's relu, composed from the same primitives in the same order (so the values and
    gradients at x == threshold and x == max_value are Keras's):

        positive = x where x > threshold else 0      (relu(x) when threshold == 0)
        positive = clip(positive, 0, max_value)       (relu6(x) when max_value == 6)
        y = positive - negative_slope * relu(threshold - x)
    """
    x = float_operand(x)
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return el.relu(x)
    if negative_slope != 0.0 and max_value is None and threshold == 0:
        return F.leaky_relu(x, negative_slope)
    clip = max_value is not None
    if threshold != 0:
        y = el.where(x._data > threshold, x, 0.0)
    elif max_value == 6:
        y, clip = F.relu6(x), False
    else:
        y = el.relu(x)
    if clip:
        y = el.clamp(y, 0.0, float(max_value))
    if negative_slope != 0.0:
        y = y - negative_slope * el.relu(threshold - x if threshold != 0 else -x)
    return y


def sigmoid(x: Tensor) -> Tensor:
    return el.sigmoid(x)


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    return _softmax(x, axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    return _log_softmax(x, axis)


def tanh(x: Tensor) -> Tensor:
    return el.tanh(x)


def linear(x: Tensor) -> Tensor:
    return x


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.elu(x, alpha)


def selu(x: Tensor) -> Tensor:
    return F.selu(x)


def gelu(x: Tensor, approximate: bool = False) -> Tensor:
    return F.gelu(x, "tanh" if approximate else "none")


def silu(x: Tensor) -> Tensor:
    return F.silu(x)


def softplus(x: Tensor) -> Tensor:
    return F.softplus(x)


def softsign(x: Tensor) -> Tensor:
    return F.softsign(x)


def leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    return F.leaky_relu(x, negative_slope)


def relu6(x: Tensor) -> Tensor:
    return F.relu6(x)


def hard_sigmoid(x: Tensor) -> Tensor:
    return F.relu6(x + 3.0) * (1.0 / 6.0)


def exponential(x: Tensor) -> Tensor:
    return el.exp(x)


def mish(x: Tensor) -> Tensor:
    return F.mish(x)


ALL_ACTIVATIONS: dict[str, Callable] = {
    "relu": relu, "sigmoid": sigmoid, "softmax": softmax, "log_softmax": log_softmax,
    "tanh": tanh, "linear": linear, "elu": elu, "selu": selu, "gelu": gelu, "silu": silu,
    "swish": silu, "softplus": softplus, "softsign": softsign, "leaky_relu": leaky_relu,
    "relu6": relu6, "hard_sigmoid": hard_sigmoid, "exponential": exponential, "mish": mish,
}
_NAMES = {fn: name for name, fn in ALL_ACTIVATIONS.items() if name != "swish"}


def get(identifier: Any) -> Callable:
    """An activation function from a name, a callable or None (None -> linear).

    Example:
        >>> from neuronet import keras
        >>> keras.activations.get("relu").__name__
        'relu'
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return lookup("activation", identifier, ALL_ACTIVATIONS)
    if isinstance(identifier, dict):
        from .saving.serialization import deserialize_keras_object

        return deserialize_keras_object(identifier)
    return check_callable("activation", identifier)


def serialize(activation: Callable) -> Any:
    """A built-in activation's name, or a registered custom one's registered name."""
    if activation in _NAMES:
        return _NAMES[activation]
    from .saving.serialization import serialize_keras_object

    return serialize_keras_object(activation)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Callable:
    if isinstance(config, str):
        return lookup("activation", config, ALL_ACTIVATIONS, custom_objects)
    from .saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects)
