"""Global pooling: one vector per graph from the node features of a batch of graphs.

    global_add_pool(x, batch)[g]  = sum_{i: batch[i]=g} x_i
    global_mean_pool(x, batch)[g] = (1 / n_g) sum_{i: batch[i]=g} x_i
    global_max_pool(x, batch)[g]  = max_{i: batch[i]=g} x_i   (ties share the gradient)
batch[i] is the graph of node i (PyG's convention); batch=None pools all nodes into one
graph; a graph index with no nodes (below size) gets 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.graph import index_array, segment_max, segment_mean, segment_sum
from ...tensor import Tensor


def _batch(x: Tensor, batch: Any, size: int | None, op: str) -> tuple[np.ndarray, int]:
    if not isinstance(x, Tensor) or x.ndim < 1:
        raise ValueError(f"{op}: x must be a Tensor (num_nodes, *), got {x!r}")
    n = x.shape[0]
    if batch is None:
        return np.zeros(n, np.int64), 1 if size is None else int(size)
    idx = index_array(batch, op)
    if idx.shape[0] != n:
        raise ValueError(f"{op}: batch must give one graph index per node: x has {n} nodes, "
                         f"batch has shape {idx.shape}")
    if size is None:
        size = int(idx.max()) + 1 if idx.size else 0
    return idx, int(size)


def global_add_pool(x: Tensor, batch: Any = None, size: int | None = None) -> Tensor:
    """Sum of each graph's node features: (N, F) -> (B, F)."""
    idx, b = _batch(x, batch, size, "global_add_pool")
    return segment_sum(x, idx, b)


def global_mean_pool(x: Tensor, batch: Any = None, size: int | None = None) -> Tensor:
    """Mean of each graph's node features: (N, F) -> (B, F)."""
    idx, b = _batch(x, batch, size, "global_mean_pool")
    return segment_mean(x, idx, b)


def global_max_pool(x: Tensor, batch: Any = None, size: int | None = None) -> Tensor:
    """Elementwise max of each graph's node features: (N, F) -> (B, F)."""
    idx, b = _batch(x, batch, size, "global_max_pool")
    return segment_max(x, idx, b)
