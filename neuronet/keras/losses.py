"""Losses under Keras's names (`keras.losses`): per-sample functions and `Loss` classes.

Per-sample formulas (mean/sum over the last axis; eps = 1e-7; p = clip(y_pred, eps, 1 - eps)):
    mean_squared_error            mean((y_pred - y_true)**2)
    mean_absolute_error           mean(|y_pred - y_true|)
    mean_absolute_percentage_error 100 mean(|y_true - y_pred| / max(|y_true|, eps))
    mean_squared_logarithmic_error mean((log(max(y_pred, eps) + 1)
                                         - log(max(y_true, eps) + 1))**2)
    huber (delta=1)               mean(0.5 e**2 if |e| <= delta else delta |e| - 0.5 delta**2)
    log_cosh                      mean(log(cosh(y_pred - y_true)))
    binary_crossentropy           mean(-(y log p + (1 - y) log(1 - p)))
                    from_logits:  mean(max(z, 0) - z y + log(1 + exp(-|z|)))
    categorical_crossentropy      -sum(y log p), p = y_pred / sum(y_pred) then clipped
                    from_logits:  -sum(y log_softmax(z))
    sparse_categorical_crossentropy  -log p[y]  (y integer class ids)
    kl_divergence                 sum(t log(t / q)), t = clip(y_true, eps, 1),
                                  q = clip(y_pred, eps, 1)
    hinge                         mean(max(1 - y_true y_pred, 0)), labels {0, 1} -> {-1, 1}
    squared_hinge                 mean(max(1 - y_true y_pred, 0)**2)
    categorical_hinge             max(0, max((1 - y_true) y_pred) - sum(y_true y_pred) + 1)
    poisson                       mean(y_pred - y_true log(y_pred + eps))
    cosine_similarity             -sum(l2_normalize(y_true) l2_normalize(y_pred))
label_smoothing: binary y -> y (1 - s) + s / 2; categorical y -> y (1 - s) + s / n_classes.
Reduction (Loss classes, default 'sum_over_batch_size'): sum(values * sample_weight) /
number of values; 'sum'; 'none'; 'mean' (divides by sum(sample_weight)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops import elementwise as el
from ..ops.fused import log_softmax
from ..tensor import Tensor
from ._ops import SoftmaxCrossEntropy, SparseSoftmaxCrossEntropy
from ._registry import check_callable, lookup
from .backend import epsilon, to_tensor


def _pair(y_true: Any, y_pred: Any) -> tuple[Tensor, Tensor]:
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred._data.dtype if y_pred._data.dtype.kind == "f"
                       else None)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.ndim > 0 and y_pred.shape[-1] == 1:
        y_true = y_true.unsqueeze(-1)  # (batch,) labels against (batch, 1) predictions
    return y_true, y_pred


def mean_squared_error(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    e = y_pred - y_true
    return (e * e).mean(-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true).abs().mean(-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    diff = (y_true - y_pred).abs() / Tensor._wrap(np.maximum(np.abs(y_true._data), epsilon()))
    return 100.0 * diff.mean(-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    first = (el.maximum(y_pred, epsilon()) + 1.0).log()
    second = (el.maximum(y_true, epsilon()) + 1.0).log()
    e = first - second
    return (e * e).mean(-1)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    e = (y_pred - y_true).abs()
    quadratic = 0.5 * e * e
    linear = delta * e - 0.5 * delta * delta
    return el.where(e._data <= delta, quadratic, linear).mean(-1)


def log_cosh(y_true: Any, y_pred: Any) -> Tensor:
    """log(cosh(e)) = e + softplus(-2 e) - log 2, stable for large |e|."""
    y_true, y_pred = _pair(y_true, y_pred)
    e = y_pred - y_true
    from ..nn.functional import softplus

    return (e + softplus(-2.0 * e) - float(np.log(2.0))).mean(-1)


def binary_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        z = y_pred  # naive: -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z)))
        values = el.relu(z) - z * y_true + el.log1p(el.exp(-z.abs()))
    else:
        p = el.clamp(y_pred, epsilon(), 1.0 - epsilon())
        values = -(y_true * p.log() + (1.0 - y_true) * (1.0 - p).log())
    return values.mean(axis)


def _smooth_categorical(y_true: Tensor, label_smoothing: float, axis: int) -> Tensor:
    if not label_smoothing:
        return y_true
    n = y_true.shape[axis]
    return y_true * (1.0 - label_smoothing) + label_smoothing / n


def categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ValueError(f"categorical_crossentropy: y_true and y_pred must have the same shape "
                         f"(one-hot labels), received {tuple(y_true.shape)} and "
                         f"{tuple(y_pred.shape)}. For integer labels use "
                         f"sparse_categorical_crossentropy.")
    y_true = _smooth_categorical(y_true, label_smoothing, axis)
    if from_logits:
        if axis in (-1, y_pred.ndim - 1):
            return SoftmaxCrossEntropy.apply(y_pred, y_true)
        return -(y_true * log_softmax(y_pred, axis)).sum(axis)
    p = y_pred / y_pred.sum(axis, keepdim=True)
    p = el.clamp(p, epsilon(), 1.0 - epsilon())
    return -(y_true * p.log()).sum(axis)


def sparse_categorical_crossentropy(y_true: Any, y_pred: Any, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> Tensor:
    y_pred = to_tensor(y_pred)
    labels = np.asarray(y_true._data if isinstance(y_true, Tensor) else y_true)
    if labels.ndim == y_pred.ndim and labels.shape[-1] == 1:
        labels = labels[..., 0]
    if labels.shape != tuple(y_pred.shape[:-1]):
        raise ValueError(f"sparse_categorical_crossentropy: y_true must hold one integer class "
                         f"per sample, shape {tuple(y_pred.shape[:-1])}; received shape "
                         f"{labels.shape} against y_pred {tuple(y_pred.shape)}")
    labels = labels.astype(np.int64)
    valid = labels != ignore_class if ignore_class is not None else None
    if valid is not None:
        labels = np.where(valid, labels, 0)
    n = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n):
        raise ValueError(f"sparse_categorical_crossentropy: labels must be in [0, {n}), received "
                         f"values in [{labels.min()}, {labels.max()}]")
    target = Tensor._wrap(labels)
    if from_logits:
        values = SparseSoftmaxCrossEntropy.apply(y_pred, target)
    else:
        p = y_pred / y_pred.sum(-1, keepdim=True)
        p = el.clamp(p, epsilon(), 1.0 - epsilon())
        from ..ops.indexing import gather

        values = -gather(p.log(), -1, target.unsqueeze(-1)).squeeze(-1)
    if valid is not None:
        values = values * Tensor._wrap(valid.astype(values._data.dtype))
    return values


def kl_divergence(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    t = el.clamp(y_true, epsilon(), 1.0)
    q = el.clamp(y_pred, epsilon(), 1.0)
    return (t * (t / q).log()).sum(-1)


def _signed(y_true: Tensor) -> Tensor:
    """Labels in {0, 1} become {-1, 1} (as Keras's hinge losses do)."""
    data = y_true._data
    if data.size and np.all((data == 0) | (data == 1)):
        return Tensor._wrap((2.0 * data - 1.0).astype(data.dtype))
    return y_true


def hinge(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return el.relu(1.0 - _signed(y_true) * y_pred).mean(-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    h = el.relu(1.0 - _signed(y_true) * y_pred)
    return (h * h).mean(-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    pos = (y_true * y_pred).sum(-1)
    neg = ((1.0 - y_true) * y_pred).amax(-1)
    return el.relu(neg - pos + 1.0)


def poisson(y_true: Any, y_pred: Any) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)
    return (y_pred - y_true * (y_pred + epsilon()).log()).mean(-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Tensor:
    y_true, y_pred = _pair(y_true, y_pred)

    def normalize(x: Tensor) -> Tensor:
        return x / el.maximum((x * x).sum(axis, keepdim=True), 1e-12).sqrt()

    return -(normalize(y_true) * normalize(y_pred)).sum(axis)


LOSS_FUNCTIONS: dict[str, Callable] = {
    "mean_squared_error": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "huber": huber,
    "log_cosh": log_cosh, "binary_crossentropy": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "kl_divergence": kl_divergence, "hinge": hinge, "squared_hinge": squared_hinge,
    "categorical_hinge": categorical_hinge, "poisson": poisson,
    "cosine_similarity": cosine_similarity,
}
ALIASES = {"mse": "mean_squared_error", "mae": "mean_absolute_error",
           "mape": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
           "logcosh": "log_cosh", "kld": "kl_divergence", "huber_loss": "huber",
           "kullback_leibler_divergence": "kl_divergence"}
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = mean_absolute_percentage_error
msle = mean_squared_logarithmic_error
kld = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


_REDUCTIONS = ("sum_over_batch_size", "sum", "none", "mean", None)


class Loss:
    """Base class: `loss(y_true, y_pred, sample_weight=None)` -> reduced scalar Tensor.

    Subclasses define `call(y_true, y_pred)` returning per-sample values.
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size",
                 dtype: Any = None) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of "
                             f"{list(_REDUCTIONS)}, received reduction={reduction!r}")
        self.name = name or type(self).__name__
        self.reduction = reduction
        self.dtype = dtype

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        raise NotImplementedError

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Tensor:
        return reduce_values(self.call(y_true, y_pred), sample_weight, self.reduction)

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)


def reduce_values(values: Tensor, sample_weight: Any = None,
                  reduction: str | None = "sum_over_batch_size") -> Tensor:
    """Weight per-sample values and reduce them as Keras 3 does."""
    if sample_weight is not None:
        sw = np.asarray(sample_weight._data if isinstance(sample_weight, Tensor)
                        else sample_weight, dtype=values._data.dtype)
        while sw.ndim > values.ndim and sw.shape[-1] == 1:
            sw = sw[..., 0]
        sw = sw.reshape(sw.shape + (1,) * (values.ndim - sw.ndim))
        values = values * Tensor._wrap(sw)
    if reduction in ("none", None):
        return values
    total = values.sum()
    if reduction == "sum":
        return total
    if reduction == "mean" and sample_weight is not None:
        denominator = float(np.broadcast_to(sw, values.shape).sum())
        return total / max(denominator, epsilon())
    return total / max(int(values._data.size), 1)


class LossFunctionWrapper(Loss):
    """A per-sample loss function with fixed keyword arguments as a `Loss`."""

    def __init__(self, fn: Callable, name: str | None = None,
                 reduction: str | None = "sum_over_batch_size", **kwargs: Any) -> None:
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction)
        self.fn, self.fn_kwargs = fn, kwargs

    def call(self, y_true: Any, y_pred: Any) -> Tensor:
        return self.fn(y_true, y_pred, **self.fn_kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), **self.fn_kwargs}


def _wrapper(fn: Callable, default_name: str, **defaults: Any) -> type:
    names = tuple(defaults)

    class _Wrapped(LossFunctionWrapper):
        def __init__(self, *args: Any, name: str = default_name,
                     reduction: str | None = "sum_over_batch_size", **kwargs: Any) -> None:
            options = dict(defaults)
            options.update(zip(names, args))
            unknown = set(kwargs) - set(names) - {"dtype"}
            if unknown:
                raise TypeError(f"{type(self).__name__}: unexpected argument(s) {sorted(unknown)}")
            options.update({k: v for k, v in kwargs.items() if k in names})
            super().__init__(fn, name=name, reduction=reduction, **options)
            for key, value in options.items():
                setattr(self, key, value)

    return _Wrapped


class MeanSquaredError(_wrapper(mean_squared_error, "mean_squared_error")):
    """mean((y_pred - y_true)**2) per sample."""


class MeanAbsoluteError(_wrapper(mean_absolute_error, "mean_absolute_error")):
    """mean(|y_pred - y_true|) per sample."""


class MeanAbsolutePercentageError(_wrapper(mean_absolute_percentage_error,
                                           "mean_absolute_percentage_error")):
    """100 mean(|y_true - y_pred| / max(|y_true|, eps)) per sample."""


class MeanSquaredLogarithmicError(_wrapper(mean_squared_logarithmic_error,
                                           "mean_squared_logarithmic_error")):
    """mean((log(y_pred + 1) - log(y_true + 1))**2) per sample."""


class Huber(_wrapper(huber, "huber_loss", delta=1.0)):
    """Quadratic for |e| <= delta, linear beyond (delta=1.0)."""


class LogCosh(_wrapper(log_cosh, "log_cosh")):
    """mean(log(cosh(y_pred - y_true))) per sample."""


class BinaryCrossentropy(_wrapper(binary_crossentropy, "binary_crossentropy", from_logits=False,
                                  label_smoothing=0.0, axis=-1)):
    """Binary cross-entropy; `from_logits=True` takes raw scores (stable formula)."""


class CategoricalCrossentropy(_wrapper(categorical_crossentropy, "categorical_crossentropy",
                                       from_logits=False, label_smoothing=0.0, axis=-1)):
    """Cross-entropy against one-hot (or soft) labels."""


class SparseCategoricalCrossentropy(_wrapper(sparse_categorical_crossentropy,
                                             "sparse_categorical_crossentropy",
                                             from_logits=False, ignore_class=None, axis=-1)):
    """Cross-entropy against integer class labels."""


class KLDivergence(_wrapper(kl_divergence, "kl_divergence")):
    """sum(y_true log(y_true / y_pred)) per sample (both clipped to [eps, 1])."""


class Hinge(_wrapper(hinge, "hinge")):
    """mean(max(1 - y_true y_pred, 0)) with labels in {-1, 1} (or {0, 1})."""


class SquaredHinge(_wrapper(squared_hinge, "squared_hinge")):
    """mean(max(1 - y_true y_pred, 0)**2)."""


class CategoricalHinge(_wrapper(categorical_hinge, "categorical_hinge")):
    """max(0, max((1 - y_true) y_pred) - sum(y_true y_pred) + 1)."""


class Poisson(_wrapper(poisson, "poisson")):
    """mean(y_pred - y_true log(y_pred + eps))."""


class CosineSimilarity(_wrapper(cosine_similarity, "cosine_similarity", axis=-1)):
    """-sum(l2_normalize(y_true) l2_normalize(y_pred))."""


LOSS_CLASSES: dict[str, type] = {
    "mean_squared_error": MeanSquaredError, "mean_absolute_error": MeanAbsoluteError,
    "mean_absolute_percentage_error": MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": MeanSquaredLogarithmicError, "huber": Huber,
    "log_cosh": LogCosh, "binary_crossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "kl_divergence": KLDivergence, "hinge": Hinge, "squared_hinge": SquaredHinge,
    "categorical_hinge": CategoricalHinge, "poisson": Poisson,
    "cosine_similarity": CosineSimilarity,
}
_ALL = {**{k: v for k, v in LOSS_CLASSES.items()}, **{a: LOSS_CLASSES[n] for a, n in
                                                     ALIASES.items()},
        **{cls.__name__: cls for cls in LOSS_CLASSES.values()}}


def get(identifier: Any) -> Any:
    """A `Loss` from a name ('mse', 'categorical_crossentropy', 'MeanSquaredError'), a `Loss`
    instance, a config dict or a function `(y_true, y_pred) -> per-sample values`."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        return lookup("loss", identifier, _ALL)()
    if isinstance(identifier, dict):
        from .saving.serialization import deserialize_keras_object

        return deserialize_keras_object(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    fn = check_callable("loss", identifier)
    for name, builtin in LOSS_FUNCTIONS.items():
        if fn is builtin:
            return LOSS_CLASSES[name]()
    return LossFunctionWrapper(fn)


def serialize(loss: Any) -> Any:
    from .saving.serialization import serialize_keras_object

    return serialize_keras_object(loss)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    from .saving.serialization import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects)
