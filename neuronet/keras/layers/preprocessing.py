"""Keras 3 preprocessing layers with Keras's names, arguments, defaults and configs:

    Normalization     y = (x - mean) / max(sqrt(variance), epsilon)   (mean/variance from adapt)
    CategoryEncoding  integer token ids -> one-hot, multi-hot or count vectors
    Resizing          channels_last images resized (bilinear or nearest), as Keras's torch backend
    CenterCrop        the central (height, width) window of channels_last images

Resizing and CenterCrop live in `preprocessing_image.py` and are re-exported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from .layer import Layer
from .preprocessing_image import CenterCrop, Resizing

__all__ = ["Normalization", "CategoryEncoding", "Resizing", "CenterCrop"]

EPSILON = 1e-7  # keras.backend.epsilon(), which Keras's Normalization uses


def _as_array(data: Any) -> np.ndarray:
    return data.numpy() if isinstance(data, Tensor) else np.asarray(data)


class Normalization(Layer):
    """Shifts and scales inputs to zero mean and unit variance per position of `axis`.

    Formula:
        y = (x - mean) / max(sqrt(variance), epsilon),  epsilon = 1e-7;
        dL/dx = dL/dy / max(sqrt(variance), epsilon)
        invert=True:  y = mean + x * max(sqrt(variance), epsilon)

    Args:
        axis: the axis or axes kept (one mean/variance per index along them); the others are
            reduced in `adapt`. None: one scalar mean and variance (default -1).
        mean, variance: fixed statistics (scalars or arrays broadcastable along the kept
            axes); give both or neither. Without them, call `adapt(data)` before use.
        invert: apply the inverse map (turn normalized values back).

    Shape:
        any shape -> the same shape, float32.

    Example:
        >>> import numpy as np
        >>> layer = Normalization(axis=None)
        >>> layer.adapt(np.array([1., 2., 3., 4., 5.], "float32"))
        >>> layer(np.array([1., 2., 3.], "float32")).numpy()
        array([-1.4142135 , -0.70710677,  0.        ], dtype=float32)
    """

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int | np.integer):
            axis = (int(axis),)
        else:
            axis = tuple(int(a) for a in axis)
        self.axis = axis
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must "
                             f"be set. Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must "
                                 f"have the same shape. Received: mean shape {np.shape(mean)} "
                                 f"and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError("The rank of `mean` must be less than or equal to the number "
                                 f"of axes ({len(self.axis)}). Received: mean shape "
                                 f"{np.shape(mean)} for axis {self.axis}")
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self.mean: np.ndarray | None = None  # broadcastable statistics, set by build / adapt
        self.variance: np.ndarray | None = None
        self._keep_axis: tuple = ()
        self._reduce_axis: tuple = ()
        self._broadcast_shape: list = []

    def build(self, input_shape: Any = None) -> None:
        if input_shape is None:
            return
        shape = tuple(input_shape)
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError("All `axis` values must be in the range [-ndim, ndim). Received "
                             f"inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={shape}, with "
                                 f"unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        stats_shape = tuple(shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=stats_shape,
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=stats_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int32",
                                         initializer="zeros", trainable=False)
        else:
            expanded = [1] * ndim
            mean = np.asarray(self.input_mean, "float32")
            variance = np.asarray(self.input_variance, "float32")
            for i in range(1, mean.ndim + 1):  # the given statistics align with the last axes
                expanded[self._keep_axis[-i]] = mean.shape[-i]
            self.mean = np.broadcast_to(mean.reshape(expanded), self._broadcast_shape)
            self.variance = np.broadcast_to(variance.reshape(expanded), self._broadcast_shape)
        self._build_input_shape = shape
        self.built = True

    def adapt(self, data: Any) -> None:
        """Set mean and variance from `data` (an array, a Tensor or a list of batches),
        reduced over every axis but `axis`; batches are merged as Keras does."""
        batches = list(data) if isinstance(data, list | tuple) else [data]
        batches = [_as_array(b) for b in batches]
        if not batches:
            raise ValueError("adapt() received an empty iterable (no batches).")
        if not self.built:
            self.build(batches[0].shape)
        if self.input_mean is not None:
            raise ValueError(f"{self.name}: adapt() cannot be used when `mean` and `variance` "
                             f"were given to the constructor")
        total_mean = total_var = None
        total_count = 0
        for batch in batches:
            for d in self._keep_axis:
                if batch.shape[d] != self._broadcast_shape[d]:
                    raise ValueError(f"The layer was built with input_shape="
                                     f"{self._build_input_shape}, but adapt() is being called "
                                     f"with data with an incompatible shape, "
                                     f"data.shape={batch.shape}")
            mean = np.mean(batch, axis=self._reduce_axis)
            var = np.var(batch, axis=self._reduce_axis)
            count = int(np.prod([batch.shape[d] for d in self._reduce_axis]))
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            total_count += count  # Keras's running merge of means and variances
            weight = count / total_count
            new_mean = total_mean * (1 - weight) + mean * weight
            total_var = ((total_var + (total_mean - new_mean) ** 2) * (1 - weight)
                         + (var + (mean - new_mean) ** 2) * weight)
            total_mean = new_mean
        self.adapt_mean.assign(np.asarray(total_mean, "float32"))
        self.adapt_variance.assign(np.asarray(total_var, "float32"))

    def _statistics(self) -> tuple[np.ndarray, np.ndarray]:
        if self.input_mean is not None:
            return self.mean, self.variance
        # read the weights on every call so that set_weights / model loading take effect
        mean = self.adapt_mean.numpy().reshape(self._broadcast_shape)
        variance = self.adapt_variance.numpy().reshape(self._broadcast_shape)
        return mean, variance

    def call(self, inputs: Tensor) -> Tensor:
        if inputs.dtype != np.float32:
            inputs = inputs.float()
        mean, variance = self._statistics()
        scale = np.maximum(np.sqrt(variance), np.float32(EPSILON)).astype("float32")
        mean = mean.astype("float32")
        if self.invert:
            return inputs * scale + mean
        return (inputs - mean) / scale

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        return previous_mask

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(),
                "variance": np.array(self.input_variance).tolist()}


class CategoryEncoding(Layer):
    """Encodes integer token ids in [0, num_tokens) as dense float32 vectors.

    Formula:
        one_hot:   y[..., k] = [x == k]                      (a trailing axis of size 1 is
                                                              replaced by the encoding)
        multi_hot: y[b, k] = max_i [x[b, i] == k]
        count:     y[b, k] = sum_i [x[b, i] == k] * w[b, i]   (w = count_weights, default 1)
        A rank-1 input is one sample for multi_hot and count: (n,) -> (num_tokens,).

    Args:
        num_tokens: the number of token ids (>= 1).
        output_mode: 'multi_hot' (default; 'binary' is an alias), 'one_hot' or 'count'.
        sparse: Keras's flag for a sparse output; neuronet always returns dense arrays.

    Shape:
        one_hot: (..., n) -> (..., n, num_tokens), or (..., 1) -> (..., num_tokens);
        multi_hot / count: (batch, n) -> (batch, num_tokens), (n,) -> (num_tokens,).

    Example:
        >>> import numpy as np
        >>> CategoryEncoding(num_tokens=4, output_mode="count")(np.array([[0, 1, 1]])).numpy()
        array([[1., 2., 0., 0.]], dtype=float32)
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot",
                 sparse: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of "
                             "tokens is not known beforehand, use the IntegerLookup layer "
                             "instead.")
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = bool(sparse)
        self.built = True

    def call(self, inputs: Tensor, count_weights: Any = None) -> Tensor:
        if count_weights is not None and self.output_mode != "count":
            raise ValueError("`count_weights` is not used when `output_mode` is not "
                             f"`'count'`. Received `count_weights={count_weights}`.")
        ids = _as_array(inputs).astype(np.int64)
        if ids.ndim == 0:
            ids = ids[None]
        if self.output_mode == "one_hot" and ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        one_hot = (ids[..., None] == np.arange(self.num_tokens)).astype(np.float32)
        if self.output_mode == "one_hot":
            return Tensor(one_hot)
        axis = 1 if ids.ndim > 1 else 0  # Keras reduces axis 1 (axis 0 for a single sample)
        if self.output_mode == "multi_hot":
            return Tensor(one_hot.max(axis=axis))
        if count_weights is not None:
            one_hot = one_hot * _as_array(count_weights).astype(np.float32)[..., None]
        return Tensor(one_hot.sum(axis=axis).astype(np.float32))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shape = tuple(input_shape)
        if len(shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and (shape[-1] != 1 or len(shape) == 1):
            return shape + (self.num_tokens,)
        return shape[:-1] + (self.num_tokens,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_tokens": self.num_tokens,
                "output_mode": self.output_mode}
