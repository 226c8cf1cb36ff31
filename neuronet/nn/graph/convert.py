"""Graph inputs in several forms, and networkx conversion.

`as_edges(graph)` accepts what the graph layers take and returns (edge_index, edge_weight):
    - edge_index: an integer (2, E) tensor/array (row 0 source, row 1 target); weight None;
    - a dense adjacency: a float/bool (N, N) tensor/array, A[j, i] = weight of j -> i;
      its nonzero entries become edges carrying their values as weights;
    - a scipy.sparse matrix (anything with `.tocoo()`), read the same way as a dense one.
An integer array of shape (2, E) is always read as an edge_index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from .utils import check_edge_index


def as_edges(graph: Any, num_nodes: int, op: str) -> tuple[np.ndarray, np.ndarray | None]:
    """(edge_index (2, E) int64, edge_weight (E,) or None) of a graph in any accepted form."""
    if hasattr(graph, "tocoo") and not isinstance(graph, Tensor | np.ndarray):
        coo = graph.tocoo()
        _check_square(coo.shape, num_nodes, op)
        ei = np.stack([np.asarray(coo.row), np.asarray(coo.col)]).astype(np.int64)
        return ei, np.asarray(coo.data)
    arr = graph._data if isinstance(graph, Tensor) else np.asarray(graph)
    if arr.dtype.kind in "iu" and arr.ndim == 2 and arr.shape[0] == 2:
        return check_edge_index(arr, op, num_nodes), None
    if arr.ndim == 2 and arr.dtype.kind in "fbiu":
        _check_square(arr.shape, num_nodes, op)
        src, dst = np.nonzero(arr)
        return np.stack([src, dst]).astype(np.int64), arr[src, dst]
    raise ValueError(f"{op}: the graph must be an edge_index of shape (2, E) with integers, a "
                     f"dense (N, N) adjacency or a scipy.sparse matrix; got an array of shape "
                     f"{arr.shape} and dtype {arr.dtype}")


def _check_square(shape: tuple, num_nodes: int, op: str) -> None:
    if tuple(shape) != (num_nodes, num_nodes):
        raise ValueError(f"{op}: a dense/sparse adjacency must have shape (N, N) = "
                         f"({num_nodes}, {num_nodes}) for {num_nodes} nodes, got {tuple(shape)}")


class Data:
    """A graph: `edge_index` (2, E) int64 tensor, `num_nodes`, and node attributes as
    attributes (PyG's `Data`, minimal). Example: `data.edge_index`, `data.club`."""

    def __init__(self, edge_index: Tensor, num_nodes: int, **attrs: Any) -> None:
        self.edge_index = edge_index
        self.num_nodes = int(num_nodes)
        for key, value in attrs.items():
            setattr(self, key, value)

    @property
    def num_edges(self) -> int:
        return int(self.edge_index.shape[1])

    def keys(self) -> list[str]:
        return [k for k in vars(self)]

    def __repr__(self) -> str:
        parts = [f"{k}={list(v.shape) if hasattr(v, 'shape') else type(v).__name__}"
                 for k, v in vars(self).items() if k != "num_nodes"]
        return f"Data({', '.join(parts)}, num_nodes={self.num_nodes})"


def from_networkx(G: Any) -> Data:  # noqa: N803 - networkx's spelling
    """A networkx graph as `Data`: nodes renumbered 0..N-1 in `G.nodes` order; an undirected
    graph gives both directions of every edge; node attributes become attributes holding one
    value per node (a tensor when the values are numbers, else a list).

    Raises:
        ImportError: when networkx is not installed (it is optional).
    """
    try:
        import networkx  # noqa: F401
    except ImportError:
        raise ImportError("from_networkx needs the optional package networkx: "
                          "pip install networkx") from None
    nodes = list(G.nodes)
    position = {node: i for i, node in enumerate(nodes)}
    pairs = [(position[u], position[v]) for u, v in G.edges()]
    ei = np.asarray(pairs, dtype=np.int64).reshape(-1, 2).T
    if not G.is_directed():
        reverse = ei[::-1][:, ei[0] != ei[1]]  # a self-loop is one edge, not two
        ei = np.concatenate([ei, reverse], axis=1)
        ei = ei[:, np.lexsort((ei[1], ei[0]))]
    attrs: dict[str, Any] = {}
    names = set().union(*(G.nodes[n].keys() for n in nodes)) if nodes else set()
    for name in sorted(names):
        values = [G.nodes[n].get(name) for n in nodes]
        try:
            arr = np.asarray(values)
            attrs[name] = Tensor._wrap(arr) if arr.dtype.kind in "fiub" else values
        except ValueError:
            attrs[name] = values
    return Data(Tensor._wrap(np.ascontiguousarray(ei)), len(nodes), **attrs)
