"""Graph layers for the Keras face, called on `[features, adjacency]`.

    GCNConv        Y = activation(D^-1/2 (A + I)^T D^-1/2 X K + b),  d_i = sum_j (A + I)[j, i]
                   (Kipf & Welling 2017; for a symmetric A: D^-1/2 (A + I) D^-1/2 X K)
    GraphSageConv  Y = activation(X K_root + mean_{j in N(i)} x_j K_neigh + b)

Inputs (A[j, i] = weight of the edge j -> i, as `neuronet.nn.graph.to_dense_adj` gives):
    single mode: features (N, F) and adjacency (N, N) dense, (2, E) integer edge_index or
        scipy.sparse. The node axis is the batch axis: `fit([X, A], y, batch_size=N,
        shuffle=False)` (mask training nodes with sample_weight), as in Spektral.
    batch mode: features (B, N, F) and dense adjacency (B, N, N): B graphs of N nodes
        (pad smaller graphs with isolated nodes); any batch size works.
The adjacency is data, not a weight: no gradient flows into it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.graph import spmm
from ...ops.linalg import matmul
from ...tensor import Tensor
from .. import activations
from .._ops import KernelDense
from ._weight_options import (
    KERNEL_BIAS_OPTIONS,
    add_weight_with_options,
    set_weight_options,
    weight_options_config,
)
from .core import _positive_int
from .layer import Layer


def _split(layer: Layer, inputs: Any) -> tuple:
    if not isinstance(inputs, list | tuple) or len(inputs) != 2:
        raise ValueError(f"{type(layer).__name__} {layer.name}: expected inputs [features, "
                         f"adjacency], received {type(inputs).__name__}")
    return inputs[0], inputs[1]


def _adjacency_array(a: Any) -> np.ndarray:
    return a._data if isinstance(a, Tensor) else a


def dense_propagation(a: np.ndarray, self_loops: bool, normalize: bool,
                      mean: bool = False) -> np.ndarray:
    """The (B, N, N) operator P with Y = P^T X: D^-1/2 (A + I) D^-1/2, or A / in-degree."""
    a = a.astype(np.float64 if a.dtype == np.float64 else np.float32, copy=True)
    n = a.shape[-1]
    if self_loops:
        diag = a[..., np.arange(n), np.arange(n)]
        a[..., np.arange(n), np.arange(n)] = np.where(diag == 0, 1, diag)
    deg = a.sum(axis=-2)  # (B, N): d_i = sum_j A[j, i]
    if mean:
        return a / np.where(deg == 0, 1, deg)[..., None, :]
    if not normalize:
        return a
    dinv = np.where(deg > 0, 1 / np.sqrt(np.where(deg > 0, deg, 1)), 0).astype(a.dtype)
    return dinv[..., :, None] * a * dinv[..., None, :]


class _GraphLayer(Layer):
    def __init__(self, units: int, activation: Any, use_bias: bool, kernel_initializer: Any,
                 bias_initializer: Any, kernel_regularizer: Any, bias_regularizer: Any,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = _positive_int(type(self).__name__, "units", units)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        set_weight_options(
            self, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)
        self.bias = None

    def _kernel(self, shape: tuple, name: str) -> Any:
        return add_weight_with_options(self, name, shape, options="kernel")

    def _features_size(self, input_shape: Any) -> int:
        x_shape, a_shape = _split(self, input_shape)
        if not isinstance(x_shape, list | tuple) or not isinstance(a_shape, list | tuple):
            raise ValueError(f"{type(self).__name__} {self.name}: expected inputs [features, "
                             f"adjacency], received one input of shape {tuple(input_shape)}")
        if x_shape[-1] is None:
            raise ValueError(f"{type(self).__name__} {self.name}: the feature size (last "
                             f"dimension of the features) must be known, received {x_shape}")
        return int(x_shape[-1])

    def _build_bias(self) -> None:
        if self.use_bias:
            self.bias = add_weight_with_options(self, "bias", (self.units,))

    def _propagate(self, h: Tensor, a: Any, mean: bool) -> Tensor:
        """P^T h: one sparse product in single mode, a batched matmul in batch mode."""
        arr = _adjacency_array(a)
        if h.ndim == 3:
            if not isinstance(arr, np.ndarray) or arr.ndim != 3 or \
                    arr.shape != (h.shape[0], h.shape[1], h.shape[1]):
                raise ValueError(f"{type(self).__name__} {self.name}: batch mode needs a dense "
                                 f"adjacency (B, N, N) = {(h.shape[0], h.shape[1], h.shape[1])}"
                                 f", received {getattr(arr, 'shape', type(arr).__name__)}")
            p = dense_propagation(arr, self._self_loops(), self._normalize(), mean)
            return matmul(Tensor._wrap(np.swapaxes(p, -1, -2).astype(h._data.dtype)), h)
        if h.ndim != 2:
            raise ValueError(f"{type(self).__name__} {self.name}: features must be (N, F) or "
                             f"(B, N, F), received shape {tuple(h.shape)}")
        from ...nn.graph.convert import as_edges
        from ...nn.graph.utils import normalized_adjacency

        n = h.shape[0]
        ei, w = as_edges(a, n, type(self).__name__)
        dtype = h._data.dtype
        if mean:
            w = np.ones(ei.shape[1], dtype) if w is None else w.astype(dtype)
            total = np.bincount(ei[1], weights=w, minlength=n)
            w = w / np.where(total == 0, 1, total)[ei[1]]
        elif self._normalize():
            ei, w = normalized_adjacency(ei, n, w, self._self_loops(), dtype=dtype)
        else:
            w = np.ones(ei.shape[1], dtype) if w is None else w
        return spmm(ei, Tensor._wrap(w.astype(dtype, copy=False)), h, n)

    def _self_loops(self) -> bool:
        return False

    def _normalize(self) -> bool:
        return False

    def _finish(self, out: Tensor) -> Tensor:
        if self.bias is not None:
            out = out + self.bias
        return out if self._emit_logits else self.activation(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        x_shape, _ = _split(self, input_shape)
        return tuple(x_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "units": self.units,
                "activation": activations.serialize(self.activation), "use_bias": self.use_bias,
                **weight_options_config(self, *KERNEL_BIAS_OPTIONS[:4])}


class GCNConv(_GraphLayer):
    """Graph convolution (Kipf & Welling 2017) on `[features, adjacency]`.

    Formula:
        Y = activation(D^-1/2 (A + I)^T D^-1/2 X K + b),  d_i = sum_j (A + I)[j, i]
        (+ I only on nodes without a self-loop; normalize=False drops D^-1/2)

    Args:
        units: output size per node.
        activation, use_bias, kernel_initializer ('glorot_uniform'), bias_initializer
            ('zeros'), kernel_regularizer, bias_regularizer: as in Dense.
        add_self_loops: use A + I (default True).
        normalize: symmetric degree normalization (default True).

    Shape:
        [(N, F), (N, N) | (2, E)] -> (N, units), or [(B, N, F), (B, N, N)] -> (B, N, units);
        params F * units + units.

    Example:
        >>> from neuronet import keras
        >>> layer = keras.layers.GCNConv(16)
        >>> layer.build([(None, 34), (None, 34)]); layer.count_params()
        560
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 add_self_loops: bool = True, normalize: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(units, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, **kwargs)
        self.add_self_loops, self.normalize = bool(add_self_loops), bool(normalize)
        self.kernel = None

    def _self_loops(self) -> bool:
        return self.add_self_loops

    def _normalize(self) -> bool:
        return self.normalize

    def build(self, input_shape: Any) -> None:
        self.kernel = self._kernel((self._features_size(input_shape), self.units), "kernel")
        self._build_bias()
        self.built = True

    def call(self, inputs: Any) -> Tensor:
        x, a = _split(self, inputs)
        x = x if x.dtype == self.kernel.dtype else x.to(self.kernel.dtype)
        return self._finish(self._propagate(KernelDense.apply(x, self.kernel), a, mean=False))

    def get_config(self) -> dict:
        return {**super().get_config(), "add_self_loops": self.add_self_loops,
                "normalize": self.normalize}


class GraphSageConv(_GraphLayer):
    """GraphSAGE with mean aggregation (Hamilton et al. 2017) on `[features, adjacency]`.

    Formula:
        y_i = activation(x_i K_root + (sum_j A[j, i] x_j / sum_j A[j, i]) K_neigh + b)
        (the neighbour mean is 0 for a node without in-edges)

    Shape:
        as GCNConv; params 2 * F * units + units.
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(units, activation, use_bias, kernel_initializer, bias_initializer,
                         kernel_regularizer, bias_regularizer, **kwargs)
        self.root_kernel = self.neighbour_kernel = None

    def build(self, input_shape: Any) -> None:
        f = self._features_size(input_shape)
        self.root_kernel = self._kernel((f, self.units), "root_kernel")
        self.neighbour_kernel = self._kernel((f, self.units), "neighbour_kernel")
        self._build_bias()
        self.built = True

    def call(self, inputs: Any) -> Tensor:
        x, a = _split(self, inputs)
        x = x if x.dtype == self.root_kernel.dtype else x.to(self.root_kernel.dtype)
        neighbours = self._propagate(KernelDense.apply(x, self.neighbour_kernel), a, mean=True)
        return self._finish(KernelDense.apply(x, self.root_kernel) + neighbours)
