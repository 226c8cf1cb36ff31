"""PyG's `scatter` and `softmax` utilities on the segment primitives of ops/graph.py.

    scatter(src, index, reduce='sum')[i] = reduce_{e: index[e]=i} src[e]   (along dim 0)
    softmax(src, index)[e] = exp(src[e]) / sum_{e': index[e']=index[e]} exp(src[e'])
"""

from __future__ import annotations

from typing import Any

from ...ops.graph import segment_max, segment_mean, segment_softmax, segment_sum
from ...tensor import Tensor

_REDUCE = {"sum": segment_sum, "add": segment_sum, "mean": segment_mean, "max": segment_max,
           "amax": segment_max}


def scatter(src: Tensor, index: Any, dim: int = 0, dim_size: int | None = None,
            reduce: str = "sum") -> Tensor:
    """Reduce the rows of src into dim_size segments (only dim=0 is supported).

    Example:
        >>> import neuronet as nt
        >>> scatter(nt.tensor([1.0, 2.0, 3.0]), nt.tensor([0, 1, 0])).tolist()
        [4.0, 2.0]
    """
    if dim not in (0, -src.ndim):
        raise ValueError(f"scatter: only dim=0 is supported, got dim={dim}")
    if reduce not in _REDUCE:
        raise ValueError(f"scatter: reduce must be one of {sorted(_REDUCE)}, got {reduce!r}")
    return _REDUCE[reduce](src, index, dim_size)


def softmax(src: Tensor, index: Any, num_nodes: int | None = None) -> Tensor:
    """Softmax of src over the groups of equal index (stable per-group max shift)."""
    return segment_softmax(src, index, num_nodes)
