"""Graph utilities in PyTorch Geometric's conventions.

A graph is an `edge_index` (2, E) of integers: edge_index[0] = source j, edge_index[1] =
target i; messages flow source -> target, so node i aggregates over its in-neighbours j.
A dense adjacency A (N, N) means the same thing with A[j, i] = weight of the edge j -> i
(`to_dense_adj(edge_index)` gives it); for an undirected graph A is symmetric.

    degree(index, N)[i]        = number of entries of index equal to i
    add_self_loops             edge_index + (i, i) for every node
    add_remaining_self_loops   (i, i) only for nodes without one (GCN's A + I, never 2I)
    normalized_adjacency       w'_ji = d_j^-1/2 w_ji d_i^-1/2,  d_i = sum_j w_ji over A + I
                               (Kipf & Welling 2017: D^-1/2 (A + I) D^-1/2)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...dtypes import get_default_dtype, to_numpy_dtype
from ...tensor import Tensor


def _array(x: Any) -> np.ndarray:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def check_edge_index(edge_index: Any, op: str, num_nodes: int | None = None) -> np.ndarray:
    """edge_index as a (2, E) int64 array, validated (integer dtype, shape, node range)."""
    ei = _array(edge_index)
    if ei.ndim == 2 and ei.shape[0] == 2 and ei.size == 0:
        ei = ei.astype(np.int64)
    if ei.dtype.kind not in "iu":
        raise TypeError(f"{op}: edge_index must hold integers, got dtype {ei.dtype}")
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"{op}: edge_index must have shape (2, E) (row 0 source, row 1 "
                         f"target), got shape {ei.shape}")
    ei = ei.astype(np.int64, copy=False)
    if ei.size and ei.min() < 0:
        raise ValueError(f"{op}: edge_index holds a negative node index {int(ei.min())}")
    if num_nodes is not None and ei.size and ei.max() >= num_nodes:
        raise ValueError(f"{op}: edge_index refers to node {int(ei.max())} but the graph has "
                         f"num_nodes={num_nodes} nodes")
    return ei


def num_nodes_of(edge_index: np.ndarray, num_nodes: int | None) -> int:
    if num_nodes is not None:
        return int(num_nodes)
    return int(edge_index.max()) + 1 if edge_index.size else 0


def to_edge_index(edge_list: Any, undirected: bool = False) -> Tensor:
    """A list of (source, target) pairs as a (2, E) int64 tensor.

    Args:
        edge_list: pairs (j, i) meaning the edge j -> i, e.g. [(0, 1), (1, 2)].
        undirected: also add every reversed edge (i -> j).

    Example:
        >>> to_edge_index([(0, 1), (1, 2)]).tolist()
        [[0, 1], [1, 2]]
    """
    arr = np.asarray(edge_list if len(edge_list) else np.zeros((0, 2)), dtype=np.int64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"to_edge_index: expected a list of (source, target) pairs, got an "
                         f"array of shape {arr.shape}")
    ei = arr.T.copy()
    if undirected:
        ei = np.concatenate([ei, ei[::-1]], axis=1)
    return Tensor._wrap(check_edge_index(ei, "to_edge_index"))


def degree(index: Any, num_nodes: int | None = None, dtype: Any = None) -> Tensor:
    """deg[i] = how many entries of `index` equal i (pass edge_index[1] for in-degrees).

    Example:
        >>> degree([0, 1, 1]).tolist()
        [1.0, 2.0]
    """
    idx = _array(index).astype(np.int64, copy=False)
    if idx.ndim != 1:
        raise ValueError(f"degree: index must be 1-D, got shape {idx.shape}")
    n = num_nodes_of(idx.reshape(1, -1), num_nodes)
    dt = to_numpy_dtype(dtype if dtype is not None else get_default_dtype())
    return Tensor._wrap(np.bincount(idx, minlength=n)[:n].astype(dt))


def remove_self_loops(edge_index: Any, edge_attr: Any = None) -> tuple[Tensor, Any]:
    """Drop every edge (i, i); returns (edge_index, edge_attr) like PyG."""
    ei = check_edge_index(edge_index, "remove_self_loops")
    keep = ei[0] != ei[1]
    attr = None if edge_attr is None else _array(edge_attr)[keep]
    return Tensor._wrap(ei[:, keep]), (None if attr is None else Tensor._wrap(attr))


def add_self_loops(edge_index: Any, edge_attr: Any = None, fill_value: float = 1.0,
                   num_nodes: int | None = None) -> tuple[Tensor, Any]:
    """Append (i, i) for every node i (existing loops are kept: a node may end with two);
    loop weights are `fill_value`. Returns (edge_index, edge_attr) like PyG."""
    ei = check_edge_index(edge_index, "add_self_loops", num_nodes)
    n = num_nodes_of(ei, num_nodes)
    loops = np.arange(n, dtype=np.int64)
    out = np.concatenate([ei, np.stack([loops, loops])], axis=1)
    if edge_attr is None:
        return Tensor._wrap(out), None
    attr = _array(edge_attr)
    fill = np.full((n,) + attr.shape[1:], fill_value, dtype=attr.dtype)
    return Tensor._wrap(out), Tensor._wrap(np.concatenate([attr, fill]))


def add_remaining_self_loops(edge_index: Any, edge_attr: Any = None, fill_value: float = 1.0,
                             num_nodes: int | None = None) -> tuple[Tensor, Any]:
    """Append (i, i) only for nodes without a self-loop (weight `fill_value`); a node that has
    loops keeps them and their weights (so A + I never puts 2 on the diagonal)."""
    ei = check_edge_index(edge_index, "add_remaining_self_loops", num_nodes)
    n = num_nodes_of(ei, num_nodes)
    has = np.zeros(n, bool)
    has[ei[0][ei[0] == ei[1]]] = True
    loops = np.flatnonzero(~has)
    out = np.concatenate([ei, np.stack([loops, loops])], axis=1)
    if edge_attr is None:
        return Tensor._wrap(out), None
    attr = _array(edge_attr)
    fill = np.full((loops.size,) + attr.shape[1:], fill_value, dtype=attr.dtype)
    return Tensor._wrap(out), Tensor._wrap(np.concatenate([attr, fill]))


def normalized_adjacency(edge_index: Any, num_nodes: int | None = None,
                         edge_weight: Any = None, add_self_loops: bool = True,
                         improved: bool = False, dtype: Any = np.float32
                         ) -> tuple[np.ndarray, np.ndarray]:
    """The GCN operator D^-1/2 (A + I) D^-1/2 as sparse arrays (edge_index, weight).

    Formula (A[j, i] = w_ji, the edge j -> i; Â = A + I with loops only where missing,
    or A + 2I with improved=True):
        d_i = sum_j Â[j, i]  (weighted in-degree),   w'_ji = d_j^-1/2 Â[j, i] d_i^-1/2
    (a node of degree 0 gets d^-1/2 = 0). Duplicate edges count once each, like a dense
    entry equal to their number. The operator applied to H is y_i = sum_j w'_ji H_j.

    Returns:
        edge_index (2, E') int64 and weight (E',) arrays, loops appended after the edges.
    """
    ei = check_edge_index(edge_index, "normalized_adjacency", num_nodes)
    n = num_nodes_of(ei, num_nodes)
    dtype = to_numpy_dtype(dtype)
    w = np.ones(ei.shape[1], dtype) if edge_weight is None else \
        _array(edge_weight).astype(dtype, copy=False)
    if w.shape != (ei.shape[1],):
        raise ValueError(f"normalized_adjacency: edge_weight must have shape ({ei.shape[1]},), "
                         f"got {w.shape}")
    if add_self_loops:
        eit, wt = add_remaining_self_loops(ei, w, 2.0 if improved else 1.0, n)
        ei, w = eit._data, wt._data
    deg = np.bincount(ei[1], weights=w, minlength=n).astype(dtype)
    dinv = np.zeros_like(deg)
    pos = deg > 0
    dinv[pos] = deg[pos] ** -0.5
    return ei, (dinv[ei[0]] * w * dinv[ei[1]]).astype(dtype, copy=False)


def to_dense_adj(edge_index: Any, batch: Any = None, edge_attr: Any = None,
                 max_num_nodes: int | None = None) -> Tensor:
    """Dense adjacency A[j, i] = summed weight of the edges j -> i (duplicates add up).

    Like PyG, the result has a leading batch dimension: (B, N, N), B = 1 when batch is None.
    """
    ei = check_edge_index(edge_index, "to_dense_adj")
    w = np.ones(ei.shape[1], np.float32) if edge_attr is None else _array(edge_attr)
    if batch is None:
        n = num_nodes_of(ei, max_num_nodes)
        out = np.zeros((1, n, n), dtype=w.dtype)
        np.add.at(out, (0, ei[0], ei[1]), w)
        return Tensor._wrap(out)
    b = _array(batch).astype(np.int64)
    counts = np.bincount(b)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    n = int(counts.max()) if max_num_nodes is None else int(max_num_nodes)
    out = np.zeros((counts.size, n, n), dtype=w.dtype)
    g = b[ei[0]]
    np.add.at(out, (g, ei[0] - first[g], ei[1] - first[g]), w)
    return Tensor._wrap(out)


def dense_to_sparse(adj: Any) -> tuple[Tensor, Tensor]:
    """(edge_index, edge_weight) of the nonzero entries of a dense (N, N) adjacency."""
    a = _array(adj)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"dense_to_sparse: expected a square (N, N) adjacency, got {a.shape}")
    src, dst = np.nonzero(a)
    return Tensor._wrap(np.stack([src, dst]).astype(np.int64)), Tensor._wrap(a[src, dst])
