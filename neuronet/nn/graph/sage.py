"""SAGEConv: GraphSAGE (Hamilton, Ying & Leskovec 2017, "Inductive Representation Learning
on Large Graphs").

    h_i' = W_1 h_i + W_2 mean_{j in N(i)} h_j + b      (aggr='mean'; 0 when N(i) is empty)
    normalize=True:  h_i' <- h_i' / max(||h_i'||_2, 1e-12)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.graph import gather_rows, segment_max, spmm
from ...tensor import Tensor
from ..modules.linear import Linear, check_sizes
from ..modules.module import Module
from .gcn import check_features, graph_edges

_AGGREGATIONS = ("mean", "sum", "add", "max")


class SAGEConv(Module):
    """GraphSAGE layer with mean (or sum/max) neighbour aggregation.

    Formula:
        h_i' = W_1 h_i + W_2 agg_{j in N(i)} h_j + b,   N(i) = the sources j of edges j -> i
        mean: sum_j w_ji h_j / sum_j w_ji (w_ji = 1 per edge, so a duplicate edge counts
        twice; a dense adjacency's entries are the weights); sum: sum_j w_ji h_j;
        max: elementwise max over j (weights ignored); a node without in-edges gets 0.

    Args:
        in_channels: node feature size F_in.
        out_channels: output size F_out.
        aggr: 'mean' (default), 'sum' ('add') or 'max'.
        normalize: L2-normalize every output row (default False).
        root_weight: add W_1 h_i (default True).
        bias: bias of the neighbour term (default True).

    Shape:
        x (N, F_in) -> (N, F_out); parameters lin_l.weight = W_2 (F_out, F_in), lin_l.bias,
        lin_r.weight = W_1 (F_out, F_in) (PyG's names).

    Example:
        >>> import neuronet as nt
        >>> SAGEConv(3, 2)(nt.randn(4, 3), nt.tensor([[0, 1], [1, 2]])).shape
        neuronet.Size([4, 2])
    """

    def __init__(self, in_channels: int, out_channels: int, aggr: str = "mean",
                 normalize: bool = False, root_weight: bool = True, bias: bool = True) -> None:
        super().__init__()
        check_sizes("SAGEConv", in_channels=in_channels, out_channels=out_channels)
        if aggr not in _AGGREGATIONS:
            raise ValueError(f"SAGEConv: aggr must be one of {list(_AGGREGATIONS)}, got "
                             f"aggr={aggr!r}")
        self.in_channels, self.out_channels, self.aggr = in_channels, out_channels, aggr
        self.normalize, self.root_weight = bool(normalize), bool(root_weight)
        self.lin_l = Linear(in_channels, out_channels, bias=bias)
        self.lin_r = Linear(in_channels, out_channels, bias=False) if root_weight else None

    def aggregate(self, x: Tensor, graph: Any) -> Tensor:
        n = x.shape[0]
        ei, w = graph_edges("SAGEConv", graph, None, n)
        if self.aggr == "max":
            return segment_max(gather_rows(x, ei[0]), ei[1], n)
        w_np = np.ones(ei.shape[1], x._data.dtype) if w is None else \
            w._data.astype(x._data.dtype)
        if self.aggr == "mean":
            total = np.bincount(ei[1], weights=w_np, minlength=n)[:n]
            total[total == 0] = 1
            w_np = w_np / total[ei[1]].astype(x._data.dtype)
        return spmm(ei, Tensor._wrap(w_np.astype(x._data.dtype, copy=False)), x, n)

    def forward(self, x: Tensor, edge_index: Any) -> Tensor:
        x = check_features("SAGEConv", x, self.in_channels)
        out = self.lin_l(self.aggregate(x, edge_index))
        if self.lin_r is not None:
            out = out + self.lin_r(x)
        if self.normalize:
            out = out / out.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        return out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, aggr={self.aggr!r}"
