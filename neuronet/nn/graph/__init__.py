"""`neuronet.nn.graph`: graph neural networks in PyTorch Geometric's conventions.

Layers: GCNConv (Kipf & Welling 2017), SAGEConv (GraphSAGE), GATConv (Velickovic et al.
2018). Each takes node features x (N, F) and a graph: an edge_index (2, E) of integers
(row 0 source j, row 1 target i; messages flow source -> target), a dense adjacency
A[j, i] (N, N), or a scipy.sparse matrix.

Utilities: to_edge_index, from_networkx, add_self_loops, add_remaining_self_loops,
remove_self_loops, degree, normalized_adjacency, to_dense_adj, dense_to_sparse, scatter,
softmax; pooling: global_add_pool, global_mean_pool, global_max_pool.
"""

from .convert import Data, as_edges, from_networkx
from .gat import GATConv
from .gcn import GCNConv
from .pool import global_add_pool, global_max_pool, global_mean_pool
from .sage import SAGEConv
from .scatter import scatter, softmax
from .utils import (
    add_remaining_self_loops,
    add_self_loops,
    degree,
    dense_to_sparse,
    normalized_adjacency,
    remove_self_loops,
    to_dense_adj,
    to_edge_index,
)

__all__ = [
    "GCNConv", "SAGEConv", "GATConv", "Data", "as_edges", "from_networkx", "to_edge_index",
    "add_self_loops", "add_remaining_self_loops", "remove_self_loops", "degree",
    "normalized_adjacency", "to_dense_adj", "dense_to_sparse", "scatter", "softmax",
    "global_add_pool", "global_mean_pool", "global_max_pool",
]
