"""Graph utilities and global pooling against NumPy."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.nn.graph import (
    add_remaining_self_loops,
    add_self_loops,
    degree,
    dense_to_sparse,
    from_networkx,
    global_add_pool,
    global_max_pool,
    global_mean_pool,
    normalized_adjacency,
    remove_self_loops,
    scatter,
    softmax,
    to_dense_adj,
    to_edge_index,
)

EI = np.array([[0, 1, 1, 2, 2], [1, 0, 2, 2, 1]])  # a self-loop on 2


def test_to_edge_index_and_self_loop_helpers():
    assert to_edge_index([(0, 1), (1, 2)]).tolist() == [[0, 1], [1, 2]]
    assert to_edge_index([(0, 1)], undirected=True).tolist() == [[0, 1], [1, 0]]
    assert to_edge_index([]).shape == (2, 0)
    ei, _ = add_self_loops(EI, num_nodes=4)
    assert ei.numpy()[:, 5:].tolist() == [[0, 1, 2, 3], [0, 1, 2, 3]]
    ei, w = add_remaining_self_loops(EI, np.full(5, 3.0), num_nodes=4)
    assert ei.numpy()[:, 5:].tolist() == [[0, 1, 3], [0, 1, 3]]  # 2 keeps its own loop
    assert w.tolist() == [3.0] * 5 + [1.0] * 3
    ei, _ = remove_self_loops(EI)
    assert (ei.numpy()[0] != ei.numpy()[1]).all() and ei.shape[1] == 4
    assert degree(EI[1], 4).tolist() == [1.0, 2.0, 2.0, 0.0]
    assert degree(EI[1], dtype=nt.int64).dtype == nt.int64
    with pytest.raises(ValueError, match=r"shape \(2, E\)"):
        add_self_loops(np.zeros((3, 3), np.int64))


def test_normalized_adjacency_equals_dense_formula():
    ei, w = normalized_adjacency(EI, 4)
    got = np.zeros((4, 4))
    np.add.at(got, (ei[0], ei[1]), w)
    a = np.zeros((4, 4))
    a[EI[0], EI[1]] = 1
    ah = a + np.diag(np.diag(a) == 0) * 1.0
    d = ah.sum(0)
    want = ah / np.sqrt(d)[:, None] / np.sqrt(d)[None, :]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert w.dtype == np.float32


def test_to_dense_adj_and_back():
    adj = to_dense_adj(nt.tensor(np.array([[0, 0, 1], [1, 1, 2]])))
    assert adj.shape == (1, 3, 3) and adj.numpy()[0, 0, 1] == 2.0
    batched = to_dense_adj(np.array([[0, 2], [1, 3]]), batch=np.array([0, 0, 1, 1]))
    assert batched.numpy().tolist() == [[[0, 1], [0, 0]], [[0, 1], [0, 0]]]
    ei, w = dense_to_sparse(adj[0])
    assert ei.tolist() == [[0, 1], [1, 2]] and w.tolist() == [2.0, 1.0]


def test_from_networkx_karate_club():
    nx = pytest.importorskip("networkx")
    data = from_networkx(nx.karate_club_graph())
    assert data.num_nodes == 34 and data.num_edges == 2 * 78
    assert len(data.club) == 34 and data.club[0] == "Mr. Hi"
    ei = data.edge_index.numpy()
    a = np.zeros((34, 34))
    a[ei[0], ei[1]] = 1
    np.testing.assert_array_equal(a, a.T)
    g = nx.DiGraph([("a", "b"), ("b", "b")])
    assert from_networkx(g).edge_index.tolist() == [[0, 1], [1, 1]]


def test_from_networkx_missing_gives_clear_import_error(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "networkx":
            raise ImportError("no")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match="pip install networkx"):
        from_networkx(object())


BATCH = np.array([0, 0, 2, 2, 2, 0])  # graph 1 has no nodes


@pytest.mark.parametrize("pool,reduce", [
    (global_add_pool, np.sum), (global_mean_pool, np.mean), (global_max_pool, np.max)])
def test_pooling_matches_numpy(pool, reduce):
    a = np.random.default_rng(0).standard_normal((6, 3))
    got = pool(nt.tensor(a), nt.tensor(BATCH)).numpy()
    assert got.shape == (3, 3)
    for g in range(3):
        rows = a[BATCH == g]
        np.testing.assert_allclose(got[g], reduce(rows, 0) if len(rows) else 0, rtol=1e-12)
    np.testing.assert_allclose(pool(nt.tensor(a)).numpy(), reduce(a, 0, keepdims=True),
                               rtol=1e-12)
    x = nt.tensor(a, requires_grad=True)
    assert gradcheck(lambda t: pool(t, BATCH), (x,))
    assert pool(nt.randn(6, 3), BATCH).dtype == nt.float32
    with pytest.raises(ValueError, match="one graph index per node"):
        pool(nt.randn(5, 3), BATCH)


def test_pyg_style_scatter_and_softmax():
    src = nt.tensor([1.0, 2.0, 3.0, 4.0])
    idx = nt.tensor([0, 1, 0, 1])
    assert scatter(src, idx).tolist() == [4.0, 6.0]
    assert scatter(src, idx, reduce="mean", dim_size=3).tolist() == [2.0, 3.0, 0.0]
    assert scatter(src, idx, reduce="max").tolist() == [3.0, 4.0]
    s = softmax(src, idx).numpy()
    np.testing.assert_allclose(s[[0, 2]], np.exp([1, 3]) / np.exp([1, 3]).sum(), rtol=1e-6)
    with pytest.raises(ValueError, match="reduce"):
        scatter(src, idx, reduce="median")
