"""GATConv: graph attention (Velickovic et al. 2018, "Graph Attention Networks").

    e_ij = LeakyReLU(a^T [W h_i || W h_j]) = LeakyReLU(a_dst . W h_i + a_src . W h_j)
    alpha_ij = softmax_j(e_ij) over the in-neighbours j of i (stable: per-node max first)
    h_i' = ||_k sum_j alpha_ij^k W^k h_j   (heads concatenated, or averaged: concat=False)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import creation
from ...ops.graph import gather_rows, segment_softmax, segment_sum
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..modules.linear import Linear, check_sizes
from ..modules.module import Module
from ..parameter import Parameter
from .convert import as_edges
from .gcn import check_features, glorot_


class GATConv(Module):
    """Graph attention layer (Velickovic et al. 2018), PyG's parameterisation.

    Formula (per head k; W^k h the k-th block of lin(h)):
        e_ij = LeakyReLU(att_dst^k . W^k h_i + att_src^k . W^k h_j, negative_slope)
        alpha_ij = exp(e_ij - m_i) / sum_{j' in N(i)} exp(e_ij' - m_i),  m_i = max_j e_ij
        h_i' = concat_k sum_j alpha_ij^k W^k h_j + b   (mean over k when concat=False)
        N(i) = sources j of the edges j -> i, plus i itself when add_self_loops (existing
        self-loops are replaced by one); a duplicate edge is attended to twice; a dense
        adjacency's nonzero entries are edges (their values are not used).

    Args:
        in_channels: node feature size F_in.
        out_channels: size C of each head.
        heads: number of attention heads H (default 1).
        concat: concatenate heads (output H*C) or average them (output C) (default True).
        negative_slope: LeakyReLU slope (default 0.2).
        dropout: dropout on the attention coefficients while training (default 0).
        add_self_loops: attend to the node itself (default True).
        bias: learn an additive bias (default True).

    Forward:
        conv(x, edge_index, return_attention_weights=None): with return_attention_weights=True
        it returns (out, (edge_index, alpha)), alpha (E', H) per edge used.

    Shape:
        x (N, F_in) -> (N, H*C) or (N, C); parameters lin.weight (H*C, F_in),
        att_src (1, H, C), att_dst (1, H, C), bias (H*C or C).

    Example:
        >>> import neuronet as nt
        >>> GATConv(3, 2, heads=2)(nt.randn(4, 3), nt.tensor([[0, 1], [1, 2]])).shape
        neuronet.Size([4, 4])
    """

    def __init__(self, in_channels: int, out_channels: int, heads: int = 1, concat: bool = True,
                 negative_slope: float = 0.2, dropout: float = 0.0, add_self_loops: bool = True,
                 bias: bool = True) -> None:
        super().__init__()
        check_sizes("GATConv", in_channels=in_channels, out_channels=out_channels)
        if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
            raise ValueError(f"GATConv: heads must be a positive integer, got heads={heads!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"GATConv: dropout must be in [0, 1), got dropout={dropout!r}")
        self.in_channels, self.out_channels, self.heads = in_channels, out_channels, heads
        self.concat, self.negative_slope = bool(concat), float(negative_slope)
        self.dropout, self.add_self_loops = float(dropout), bool(add_self_loops)
        self.lin = Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = Parameter(creation.empty(1, heads, out_channels))
        self.att_dst = Parameter(creation.empty(1, heads, out_channels))
        if bias:
            self.bias = Parameter(creation.empty(heads * out_channels if concat
                                                 else out_channels))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.xavier_uniform_(self.lin.weight)
        glorot_(self.att_src)
        glorot_(self.att_dst)
        if self.bias is not None:
            init.zeros_(self.bias)

    def edges(self, graph: Any, n: int) -> np.ndarray:
        ei, _ = as_edges(graph, n, "GATConv")
        if self.add_self_loops:
            ei = ei[:, ei[0] != ei[1]]
            loops = np.arange(n, dtype=np.int64)
            ei = np.concatenate([ei, np.stack([loops, loops])], axis=1)
        return ei

    def forward(self, x: Tensor, edge_index: Any, return_attention_weights: Any = None) -> Any:
        x = check_features("GATConv", x, self.in_channels)
        n, heads, c = x.shape[0], self.heads, self.out_channels
        ei = self.edges(edge_index, n)
        xw = self.lin(x).reshape(n, heads, c)  # (N, H, C)
        s_src = (xw * self.att_src).sum(-1)  # (N, H): a_src . W h_j
        s_dst = (xw * self.att_dst).sum(-1)  # (N, H): a_dst . W h_i
        e = F.leaky_relu(gather_rows(s_src, ei[0]) + gather_rows(s_dst, ei[1]),
                         self.negative_slope)  # (E, H)
        alpha = segment_softmax(e, ei[1], n)  # (E, H)
        alpha_used = F.dropout(alpha, self.dropout, training=self.training)
        messages = gather_rows(xw, ei[0]) * alpha_used.unsqueeze(-1)  # (E, H, C)
        out = segment_sum(messages, ei[1], n)  # (N, H, C)
        out = out.reshape(n, heads * c) if self.concat else out.mean(1)
        if self.bias is not None:
            out = out + self.bias
        if return_attention_weights:
            return out, (Tensor._wrap(ei), alpha)
        return out

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, heads={self.heads}"
