"""Semi-supervised node classification on Zachary's karate club (34 members, 78 friendships).

The club split in two (the 'club' attribute: 'Mr. Hi' or 'Officer'). A 2-layer GCN
(Kipf & Welling 2017) with one-hot node features learns from a few labelled members per
side and predicts the side of everyone else from the friendship graph alone.

Needs networkx (`pip install networkx`), which ships the graph.
Run: python examples/graph/karate_club.py
"""

from __future__ import annotations

import numpy as np

import neuronet as torch
import neuronet.nn.functional as F
from neuronet import nn
from neuronet.nn.graph import GCNConv, from_networkx


class GCN(nn.Module):
    def __init__(self, n_in: int, n_hidden: int, n_out: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = GCNConv(n_in, n_hidden), GCNConv(n_hidden, n_out)

    def forward(self, x, edge_index):
        return self.conv2(torch.tanh(self.conv1(x, edge_index)), edge_index)


def main(seed: int = 0, labelled_per_class: int = 3, epochs: int = 200,
         verbose: bool = True) -> dict:
    import networkx as nx

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    data = from_networkx(nx.karate_club_graph())
    y = torch.tensor([0 if club == "Mr. Hi" else 1 for club in data.club])
    x = torch.eye(data.num_nodes)  # featureless: each node its own one-hot
    train = np.zeros(data.num_nodes, bool)
    for c in (0, 1):
        train[rng.choice(np.flatnonzero(y.numpy() == c), labelled_per_class, replace=False)] = 1
    test = ~train
    model = GCN(data.num_nodes, 16, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    for _ in range(epochs):
        loss = F.cross_entropy(model(x, data.edge_index)[train], y[train])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        pred = model(x, data.edge_index).argmax(1)
    accuracy = float((pred[test] == y[test]).float().mean())
    if verbose:
        print(f"karate club: {data.num_nodes} nodes, {data.num_edges} directed edges, "
              f"{int(train.sum())} labelled")
        print(f"GCN test accuracy on the {int(test.sum())} unlabelled members: {accuracy:.3f}")
    return {"accuracy": accuracy, "loss": float(loss)}


if __name__ == "__main__":
    main()
