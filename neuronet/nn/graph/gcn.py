"""GCNConv: the graph convolution of Kipf & Welling (2017), "Semi-Supervised Classification
with Graph Convolutional Networks".

    H' = D^-1/2 (A + I) D^-1/2 H W^T + b,   d_i = sum_j (A + I)[j, i]
    per node: h_i' = sum_{j in N(i) + {i}} w_ji / sqrt(d_j d_i) * W h_j + b
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ... import creation
from ...ops.graph import gather_rows, segment_sum, spmm
from ...ops.shape import cat
from ...tensor import Tensor
from .. import init
from ..modules.linear import Linear, check_sizes
from ..modules.module import Module
from ..parameter import Parameter
from .convert import as_edges
from .utils import add_remaining_self_loops, normalized_adjacency


def check_features(layer: str, x: Any, in_channels: int) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(f"{layer}: x must be a Tensor of node features, got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != in_channels:
        raise ValueError(f"{layer}: expected node features of shape (num_nodes, {in_channels}), "
                         f"got {tuple(x.shape)}")
    return x


def graph_edges(layer: str, graph: Any, edge_weight: Any, n: int) -> tuple:
    """(edge_index array, weight Tensor or None) from the graph argument and edge_weight."""
    ei, w = as_edges(graph, n, layer)
    if edge_weight is not None:
        if w is not None:
            raise ValueError(f"{layer}: edge_weight can only go with an edge_index graph; a "
                             f"dense/sparse adjacency carries its own weights")
        w = edge_weight if isinstance(edge_weight, Tensor) else Tensor._wrap(
            np.asarray(edge_weight))
        if tuple(w.shape) != (ei.shape[1],):
            raise ValueError(f"{layer}: edge_weight must have shape ({ei.shape[1]},) (one per "
                             f"edge), got {tuple(w.shape)}")
    elif w is not None:
        w = Tensor._wrap(w)
    return ei, w


def gcn_norm_tensor(ei: np.ndarray, w: Tensor, n: int, self_loops: bool,
                    fill: float) -> tuple[np.ndarray, Tensor]:
    """normalized_adjacency with Tensor ops, so that gradients reach the edge weights."""
    if self_loops:
        looped, _ = add_remaining_self_loops(ei, None, num_nodes=n)
        extra = looped._data.shape[1] - ei.shape[1]
        ei = looped._data
        w = cat([w, Tensor._wrap(np.full(extra, fill, w._data.dtype))])
    deg = segment_sum(w, ei[1], n)
    pos = (deg._data > 0).astype(w._data.dtype)
    dinv = (deg + Tensor._wrap(1 - pos)).rsqrt() * Tensor._wrap(pos)  # d^-1/2, 0 where d = 0
    return ei, gather_rows(dinv, ei[0]) * w * gather_rows(dinv, ei[1])


class GCNConv(Module):
    """Graph convolution layer (Kipf & Welling 2017).

    Formula:
        H' = D^-1/2 (A + I) D^-1/2 H W^T + b,  d_i = sum_j (A + I)[j, i]
        A[j, i] = weight of the edge j -> i (1 per edge; duplicate edges add up); + I adds a
        self-loop only to nodes without one; improved=True uses A + 2I; normalize=False gives
        H' = (A + I) H W^T + b.

    Args:
        in_channels: node feature size F_in.
        out_channels: output size F_out.
        bias: learn an additive bias (default True).
        add_self_loops: use A + I instead of A (default True).
        normalize: apply D^-1/2 . D^-1/2 (default True).
        improved: A + 2I (default False).
        cached: keep the normalized operator of the first call (transductive training on one
            fixed graph; default False).

    Forward:
        conv(x, edge_index, edge_weight=None): edge_index (2, E) integers (row 0 source j,
        row 1 target i), or a dense (N, N) adjacency A[j, i], or a scipy.sparse matrix;
        edge_weight (E,) optional (gradients reach it).

    Shape:
        x (N, F_in) -> (N, F_out); parameters lin.weight (F_out, F_in), bias (F_out,).

    Example:
        >>> import neuronet as nt
        >>> conv = GCNConv(3, 2)
        >>> conv(nt.randn(4, 3), nt.tensor([[0, 1, 2], [1, 2, 3]])).shape
        neuronet.Size([4, 2])
    """

    def __init__(self, in_channels: int, out_channels: int, bias: bool = True,
                 add_self_loops: bool = True, normalize: bool = True, improved: bool = False,
                 cached: bool = False) -> None:
        super().__init__()
        check_sizes("GCNConv", in_channels=in_channels, out_channels=out_channels)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.add_self_loops, self.normalize = bool(add_self_loops), bool(normalize)
        self.improved, self.cached = bool(improved), bool(cached)
        self._cache: tuple | None = None
        self.lin = Linear(in_channels, out_channels, bias=False)
        if bias:
            self.bias = Parameter(creation.empty(out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.xavier_uniform_(self.lin.weight)  # PyG's glorot
        if self.bias is not None:
            init.zeros_(self.bias)
        self._cache = None

    def operator(self, graph: Any, edge_weight: Any, n: int, dtype: Any) -> tuple:
        """(edge_index, weight): the propagation operator for this graph."""
        if self._cache is not None:
            return self._cache
        ei, w = graph_edges("GCNConv", graph, edge_weight, n)
        fill = 2.0 if self.improved else 1.0
        if w is not None and w.requires_grad:
            if self.normalize:
                return gcn_norm_tensor(ei, w.to(dtype), n, self.add_self_loops, fill)
            looped, w_all = add_remaining_self_loops(ei, w, fill, n) if self.add_self_loops \
                else (Tensor._wrap(ei), w)
            return looped._data, w_all.to(dtype)
        w_np = None if w is None else w._data
        if self.normalize:
            ei, w_np = normalized_adjacency(ei, n, w_np, self.add_self_loops, self.improved,
                                            dtype)
        else:
            w_np = np.ones(ei.shape[1], dtype) if w_np is None else w_np.astype(dtype)
            if self.add_self_loops:
                looped, w_t = add_remaining_self_loops(ei, w_np, fill, n)
                ei, w_np = looped._data, w_t._data
        result = (ei, Tensor._wrap(w_np.astype(dtype, copy=False)))
        if self.cached:
            self._cache = result
        return result

    def forward(self, x: Tensor, edge_index: Any, edge_weight: Any = None) -> Tensor:
        x = check_features("GCNConv", x, self.in_channels)
        n = x.shape[0]
        ei, w = self.operator(edge_index, edge_weight, n, x._data.dtype)
        out = spmm(ei, w, self.lin(x), n)  # (N, F_out)
        return out + self.bias if self.bias is not None else out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}"


def glorot_(tensor: Tensor) -> Tensor:
    """U(-b, b), b = sqrt(6 / (size(-2) + size(-1))) (PyG's glorot, any rank)."""
    bound = math.sqrt(6.0 / (tensor.shape[-2] + tensor.shape[-1]))
    return init.uniform_(tensor, -bound, bound)
