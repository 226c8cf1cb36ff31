"""Graph primitives: gather rows, sum/max them back into segments, sparse-dense matmul.

    gather_rows   y[e] = x[index[e]]                      dL/dx = segment_sum(g, index, N)
    segment_sum   y[i] = sum_{e: index[e]=i} x[e]         dL/dx = gather_rows(g, index)
    segment_max   y[i] = max_{e: index[e]=i} x[e]         dL/dx[e] = g[index[e]] where x[e]
                  (0 for an empty segment)                  is its segment's max (ties share)
    spmm          y[t] = sum_{e: target[e]=t} w[e] x[source[e]]   (A^T x with A[source, target])
                  dL/dx = spmm with source and target swapped (A g),
                  dL/dw[e] = sum_f g[target[e], f] x[source[e], f]

Gather and segment-sum are each other's backward, so every graph op here can be
differentiated any number of times. No Python loop over nodes or edges: a segment sum sorts
the index once (stable argsort) and adds each run of equal indices with `np.add.reduceat`
(a CSR matrix product), which is faster than `np.add.at` (measured 14-18 ms vs 28 ms for
40k edges x 64 features on 2 cores).

Composed from those: `segment_mean`, `segment_softmax` (stable: the per-segment max is
subtracted first; softmax does not change under a constant shift per segment, so the max
is a constant for the gradient).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor


def index_array(index: Any, op: str, size: int | None = None) -> np.ndarray:
    """`index` as a 1-D int64 array, checked: integer dtype, one dimension, in [0, size)."""
    arr = index._data if isinstance(index, Tensor) else np.asarray(index)
    if arr.dtype.kind not in "iu" and not (arr.size == 0 and arr.dtype.kind == "f"):
        raise TypeError(f"{op}: index must be an integer array, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{op}: index must be 1-D, got shape {arr.shape}")
    arr = arr.astype(np.int64, copy=False)
    if size is not None and arr.size and (arr.min() < 0 or arr.max() >= size):
        bad = int(arr.min()) if arr.min() < 0 else int(arr.max())
        raise IndexError(f"{op}: index {bad} is out of range for {size} segments/rows "
                         f"(expected 0 <= index < {size})")
    return arr


def _runs(index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order, starts, ids): index[order] is sorted; runs of equal ids begin at `starts`."""
    order = np.argsort(index, kind="stable")
    s = index[order]
    if s.size == 0:
        return order, np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    return order, starts, s[starts]


def segment_reduce_array(x: np.ndarray, index: np.ndarray, n: int, ufunc: Any) -> np.ndarray:
    """out[i] = ufunc.reduce(x[index == i]) for each i (0 where no index equals i)."""
    out = np.zeros((n,) + x.shape[1:], dtype=x.dtype)
    if index.size == 0:
        return out
    order, starts, ids = _runs(index)
    out[ids] = ufunc.reduceat(x[order], starts, axis=0)
    return out


def _check_rows(x: np.ndarray, index: np.ndarray, op: str) -> None:
    if x.ndim == 0 or x.shape[0] != index.shape[0]:
        raise ValueError(f"{op}: src must have one row per index entry: src shape {x.shape}, "
                         f"index shape {index.shape}")


class Gather(Function):
    """y[e] = x[index[e]];  dL/dx = segment_sum(g, index, num_rows_of_x)"""

    uses_input_values = False

    def forward(self, x, index):
        self.index, self.n = index, x.shape[0]
        return x[index]

    def backward(self, g):
        return SegmentSum.apply(g, index=self.index, num_segments=self.n)


class SegmentSum(Function):
    """y[i] = sum_{e: index[e]=i} x[e];  dL/dx[e] = g[index[e]] (a gather)"""

    uses_input_values = False

    def forward(self, x, index, num_segments):
        self.index = index
        return segment_reduce_array(x, index, num_segments, np.add)

    def backward(self, g):
        return Gather.apply(g, index=self.index)


class SegmentMax(Function):
    """y[i] = max_{e: index[e]=i} x[e] (0 for an empty segment);
    dL/dx[e] = g[index[e]] * [x[e] == y[index[e]]] / (number of ties in the segment)

    NOTE: tied maxima share the gradient equally, as torch's amax/scatter_reduce('amax')."""

    saves_output = True

    def forward(self, x, index, num_segments):
        self.index = index
        return segment_reduce_array(x, index, num_segments, np.maximum)

    def backward(self, g):
        x, y = self.inputs[0]._data, self.output()._data
        hit = (x == y[self.index]).astype(x.dtype)  # (E, ...) 1 where x[e] is the max
        ties = segment_reduce_array(hit, self.index, y.shape[0], np.add)
        share = hit / np.maximum(ties, 1)[self.index]
        return Gather.apply(g, index=self.index) * Tensor._wrap(share)


class SpMM(Function):
    """y[t] = sum_{e: target[e]=t} w[e] x[source[e]];
    dL/dx = spmm(w, g) along the reversed edges,
    dL/dw[e] = sum_f g[target[e], f] * x[source[e], f]"""

    def forward(self, w, x, source, target, num_nodes):
        self.source, self.target = source, target
        out = np.zeros((num_nodes,) + x.shape[1:], dtype=np.result_type(w, x))
        if source.size == 0:
            return out
        order, starts, ids = _runs(target)
        rows = x[source[order]]  # (E, ...) one copy, scaled in place
        rows *= w[order].reshape((-1,) + (1,) * (x.ndim - 1))
        out[ids] = np.add.reduceat(rows, starts, axis=0)
        return out

    def backward(self, g):
        w, x = self.inputs
        dw = dx = None
        if self.needs_input_grad[0]:
            prod = Gather.apply(g, index=self.target) * Gather.apply(x, index=self.source)
            dw = prod.reshape(prod.shape[0], -1).sum(-1)
        if self.needs_input_grad[1]:
            dx = SpMM.apply(w, g, source=self.target, target=self.source,
                            num_nodes=x.shape[0])
        return dw, dx


# --- public functions --------------------------------------------------------------------
def gather_rows(x: Tensor, index: Any) -> Tensor:
    """Rows of x picked by index: y[e] = x[index[e]] (shape (E, *x.shape[1:]))."""
    return Gather.apply(x, index=index_array(index, "gather_rows", x.shape[0] if x.ndim else 0))


def _segment_args(x: Tensor, index: Any, num_segments: int | None, op: str) -> tuple:
    idx = index_array(index, op)
    _check_rows(x._data, idx, op)
    if num_segments is None:
        num_segments = int(idx.max()) + 1 if idx.size else 0
    if isinstance(num_segments, bool) or not isinstance(num_segments, int | np.integer) \
            or num_segments < 0:
        raise ValueError(f"{op}: num_segments must be a non-negative integer, got "
                         f"num_segments={num_segments!r}")
    index_array(idx, op, int(num_segments))
    return idx, int(num_segments)


def segment_sum(x: Tensor, index: Any, num_segments: int | None = None) -> Tensor:
    """y[i] = sum of the rows x[e] with index[e] = i (scatter-add along dim 0).

    Shape: x (E, *), index (E,) -> (num_segments, *); num_segments defaults to max+1."""
    idx, n = _segment_args(x, index, num_segments, "segment_sum")
    return SegmentSum.apply(x, index=idx, num_segments=n)


def segment_max(x: Tensor, index: Any, num_segments: int | None = None) -> Tensor:
    """y[i] = max of the rows x[e] with index[e] = i; 0 for a segment with no rows."""
    idx, n = _segment_args(x, index, num_segments, "segment_max")
    return SegmentMax.apply(x, index=idx, num_segments=n)


def segment_count(index: np.ndarray, num_segments: int) -> np.ndarray:
    """How many entries of index equal i, for each i (an int64 array)."""
    return np.bincount(index, minlength=num_segments)[:num_segments]


def segment_mean(x: Tensor, index: Any, num_segments: int | None = None) -> Tensor:
    """y[i] = segment_sum(x)[i] / count_i; 0 for a segment with no rows."""
    idx, n = _segment_args(x, index, num_segments, "segment_mean")
    count = np.maximum(segment_count(idx, n), 1).astype(x._data.dtype)
    total = SegmentSum.apply(x, index=idx, num_segments=n)
    return total / Tensor._wrap(count.reshape((n,) + (1,) * (x.ndim - 1)))


def segment_softmax(x: Tensor, index: Any, num_segments: int | None = None) -> Tensor:
    """alpha[e] = exp(x[e] - m_i) / sum_{e': index[e']=i} exp(x[e'] - m_i), i = index[e],
    with m_i the segment's max (naive exp(x) / sum exp(x) overflows for large x)."""
    idx, n = _segment_args(x, index, num_segments, "segment_softmax")
    m = segment_reduce_array(x._data, idx, n, np.maximum)  # a constant shift: no gradient
    z = x - Tensor._wrap(m[idx])
    e = z.exp()
    s = SegmentSum.apply(e, index=idx, num_segments=n)
    return e / Gather.apply(s, index=idx)


def spmm(edge_index: Any, edge_weight: Tensor | None, x: Tensor,
         num_nodes: int | None = None) -> Tensor:
    """Sparse-dense product along the edges: y[t] = sum_{e: target[e]=t} w[e] x[source[e]].

    With A[source, target] = w this is A^T x (messages flow source -> target).

    Args:
        edge_index: (2, E) integers; row 0 the source j, row 1 the target i.
        edge_weight: (E,) weights (None: all ones).
        x: (N_source, *) node features.
        num_nodes: rows of y (default: x.shape[0]).
    """
    ei = edge_index._data if isinstance(edge_index, Tensor) else np.asarray(edge_index)
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"spmm: edge_index must have shape (2, E), got {ei.shape}")
    n = x.shape[0] if num_nodes is None else int(num_nodes)
    source = index_array(ei[0], "spmm (edge_index[0])", x.shape[0])
    target = index_array(ei[1], "spmm (edge_index[1])", n)
    if edge_weight is None:
        edge_weight = Tensor._wrap(np.ones(source.shape[0], dtype=x._data.dtype))
    if tuple(edge_weight.shape) != (source.shape[0],):
        raise ValueError(f"spmm: edge_weight must have shape ({source.shape[0]},) (one per "
                         f"edge), got {tuple(edge_weight.shape)}")
    if edge_weight.dtype != x.dtype:
        edge_weight = edge_weight.to(x.dtype)
    return SpMM.apply(edge_weight, x, source=source, target=target, num_nodes=n)
