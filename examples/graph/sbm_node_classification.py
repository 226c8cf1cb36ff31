"""Node classification on a stochastic block model: a GCN sees the graph, an MLP does not.

The graph: 4 blocks x 100 nodes; an edge joins two nodes of the same block with probability
p_in = 0.1 and of different blocks with p_out = 0.01 (about 10 in-block and 3 cross-block
neighbours per node). Node features are weak on their own: x = 0.5 * e_class + N(0, I_16)
noise. A 2-layer GCN (Kipf & Welling 2017) averages each node with its neighbours, mostly of
its own block, which cancels the noise; the MLP on the same features cannot.

Run: python examples/graph/sbm_node_classification.py
"""

from __future__ import annotations

import numpy as np

import neuronet as torch
import neuronet.nn.functional as F
from neuronet import nn
from neuronet.nn.graph import GCNConv


def stochastic_block_model(sizes: list[int], p_in: float, p_out: float,
                           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(edge_index (2, E) both directions, labels (N,)) of an undirected block-model graph."""
    labels = np.repeat(np.arange(len(sizes)), sizes)
    n = labels.size
    p = np.where(labels[:, None] == labels[None, :], p_in, p_out)
    upper = np.triu(rng.random((n, n)) < p, k=1)
    src, dst = np.nonzero(upper)
    return np.stack([np.concatenate([src, dst]), np.concatenate([dst, src])]), labels


def make_data(seed: int = 0, blocks: int = 4, block_size: int = 100, n_features: int = 16,
              shift: float = 0.5, train_per_class: int = 20) -> dict:
    rng = np.random.default_rng(seed)
    edge_index, y = stochastic_block_model([block_size] * blocks, 0.1, 0.01, rng)
    x = rng.standard_normal((y.size, n_features)) + shift * np.eye(n_features)[y]
    train = np.zeros(y.size, bool)
    for c in range(blocks):
        train[rng.choice(np.flatnonzero(y == c), train_per_class, replace=False)] = True
    return {"x": torch.tensor(x.astype(np.float32)), "y": torch.tensor(y),
            "edge_index": torch.tensor(edge_index), "train": train, "test": ~train}


class GCN(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = GCNConv(n_in, n_hidden), GCNConv(n_hidden, n_out)

    def forward(self, x, edge_index):
        h = F.dropout(F.relu(self.conv1(x, edge_index)), 0.5, training=self.training)
        return self.conv2(h, edge_index)


class MLP(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(n_in, n_hidden), nn.Linear(n_hidden, n_out)

    def forward(self, x, edge_index=None):
        h = F.dropout(F.relu(self.fc1(x)), 0.5, training=self.training)
        return self.fc2(h)


def train_and_test(model: nn.Module, data: dict, epochs: int = 200) -> float:
    """Semi-supervised training on the labelled nodes; accuracy on the others."""
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    train, test = data["train"], data["test"]
    for _ in range(epochs):
        model.train()
        out = model(data["x"], data["edge_index"])
        loss = F.cross_entropy(out[train], data["y"][train])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        pred = model(data["x"], data["edge_index"]).argmax(1)
    return float((pred[test] == data["y"][test]).float().mean())


def main(seed: int = 0, verbose: bool = True) -> dict:
    torch.manual_seed(seed)
    data = make_data(seed)
    n_in = data["x"].shape[1]
    gcn = train_and_test(GCN(n_in, 16, 4), data)
    mlp = train_and_test(MLP(n_in, 16, 4), data)
    if verbose:
        print(f"stochastic block model, 4 x 100 nodes, {int(data['train'].sum())} labelled")
        print(f"GCN test accuracy: {gcn:.3f}")
        print(f"MLP test accuracy: {mlp:.3f}  (same features, no graph)")
    return {"gcn_accuracy": gcn, "mlp_accuracy": mlp}


if __name__ == "__main__":
    main()
