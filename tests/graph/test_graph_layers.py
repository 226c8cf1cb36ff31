"""GCNConv, SAGEConv, GATConv against dense-matrix references in torch (float64)."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.nn.graph import GATConv, GCNConv, SAGEConv, to_dense_adj

torch = pytest.importorskip("torch")

# directed edges (0->1 without 1->0), node 5 isolated, a self-loop on 4, a duplicate 2->3
EDGES = np.array([[0, 1, 2, 2, 3, 4, 1, 2],
                  [1, 2, 1, 3, 2, 4, 3, 3]])
N = 6


def dense(edges=EDGES, n=N):
    a = np.zeros((n, n))
    np.add.at(a, (edges[0], edges[1]), 1.0)  # A[j, i] = number of edges j -> i
    return a


def loops_where_missing(a):
    a = a.copy()
    d = np.diag(a).copy()
    np.fill_diagonal(a, np.where(d == 0, 1.0, d))
    return a


def features(seed=0, f=3):
    x = np.random.default_rng(seed).standard_normal((N, f))
    return nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def params(module):
    return {k: torch.tensor(v.detach().numpy(), requires_grad=True)
            for k, v in module.named_parameters()}


def check_grads(module, x, tp, tx, out, t_out):
    g = np.random.default_rng(9).standard_normal(tuple(out.shape))
    out.backward(nt.tensor(g))
    t_out.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    for k, p in module.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tp[k].grad.numpy(), rtol=1e-9, atol=1e-12)


def gcn_reference(a, tx, tp):
    """D^-1/2 (A + I)^T D^-1/2 X W^T + b with d_i = sum_j (A + I)[j, i], written densely."""
    ah = torch.tensor(loops_where_missing(a))
    d = ah.sum(0)
    dinv = torch.where(d > 0, d.clamp_min(1e-300) ** -0.5, torch.zeros_like(d))
    op = dinv[:, None] * ah * dinv[None, :]
    return op.T @ (tx @ tp["lin.weight"].T) + tp["bias"]


def test_gcn_forward_and_backward_match_dense_formula():
    conv = GCNConv(3, 4).double()
    x, tx = features()
    tp = params(conv)
    out = conv(x, nt.tensor(EDGES))
    ref = gcn_reference(dense(), tx, tp)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10)
    check_grads(conv, x, tp, tx, out, ref)


def test_gcn_symmetric_graph_is_kipf_welling():
    und = np.concatenate([EDGES[:, :4], EDGES[::-1, :4]], axis=1)
    a = dense(und)
    conv = GCNConv(3, 2, bias=False).double()
    x, _ = features()
    ah = a + np.eye(N)
    dinv = np.diag(ah.sum(1) ** -0.5)
    want = dinv @ ah @ dinv @ x.detach().numpy() @ conv.lin.weight.detach().numpy().T
    np.testing.assert_allclose(conv(x, und).detach().numpy(), want, rtol=1e-10)


def test_gcn_options_normalize_improved_and_edge_weight_gradient():
    x, tx = features(1)
    conv = GCNConv(3, 2, normalize=False, add_self_loops=False).double()
    w = conv.lin.weight.detach().numpy()
    np.testing.assert_allclose(conv(x, EDGES).detach().numpy(),
                               dense().T @ x.detach().numpy() @ w.T, rtol=1e-10)
    improved = GCNConv(3, 2, improved=True, bias=False).double()
    a = dense()
    ah = a + 2 * np.eye(N) * (np.diag(a) == 0)
    d = ah.sum(0)
    op = ah / np.sqrt(d)[:, None] / np.sqrt(d)[None, :]
    np.testing.assert_allclose(improved(x, EDGES).detach().numpy(),
                               op.T @ x.detach().numpy() @ improved.lin.weight.detach().numpy().T,
                               rtol=1e-10)
    ew = nt.tensor(np.random.default_rng(2).random(EDGES.shape[1]) + 0.5, requires_grad=True)
    gconv = GCNConv(3, 2).double()
    assert gradcheck(lambda ew, x: gconv(x, EDGES, ew), (ew, x))


def test_gcn_edge_index_equals_dense_adjacency_with_duplicates_counted():
    conv = GCNConv(3, 2).double()
    x, _ = features(2)
    by_edges = conv(x, EDGES).detach().numpy()
    by_dense = conv(x, nt.tensor(dense())).detach().numpy()  # entry (2, 3) is 2
    adj = to_dense_adj(nt.tensor(EDGES), max_num_nodes=N)[0].double()
    by_to_dense = conv(x, adj).detach().numpy()
    np.testing.assert_allclose(by_edges, by_dense, rtol=1e-12)
    np.testing.assert_allclose(by_edges, by_to_dense, rtol=1e-12)
    # the isolated node sees only itself: d = 1, so its row is x_5 W^T + b
    want = x.detach().numpy()[5] @ conv.lin.weight.detach().numpy().T
    np.testing.assert_allclose(by_edges[5], want + conv.bias.detach().numpy(), rtol=1e-12)


def sage_reference(a, tx, tp):
    deg = a.sum(0)
    mean_op = torch.tensor(a / np.where(deg == 0, 1, deg)[None, :])
    agg = mean_op.T @ tx
    return agg @ tp["lin_l.weight"].T + tp["lin_l.bias"] + tx @ tp["lin_r.weight"].T


@pytest.mark.parametrize("normalize", [False, True])
def test_sage_matches_dense_mean_aggregation(normalize):
    conv = SAGEConv(3, 4, normalize=normalize).double()
    x, tx = features(3)
    tp = params(conv)
    out = conv(x, EDGES)
    ref = sage_reference(dense(), tx, tp)
    if normalize:
        ref = torch.nn.functional.normalize(ref, dim=-1)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10)
    check_grads(conv, x, tp, tx, out, ref)
    np.testing.assert_allclose(conv(x, dense()).detach().numpy(), out.detach().numpy(),
                               rtol=1e-12)


def test_sage_sum_and_max_aggregations():
    x, tx = features(4)
    s = SAGEConv(3, 2, aggr="sum", root_weight=False, bias=False).double()
    np.testing.assert_allclose(s(x, EDGES).detach().numpy(),
                               dense().T @ x.detach().numpy() @ s.lin_l.weight.detach().numpy().T,
                               rtol=1e-10)
    m = SAGEConv(3, 2, aggr="max", root_weight=False, bias=False).double()
    xs = x.detach().numpy()
    want = np.zeros((N, 3))
    for i in range(N):
        src = EDGES[0][EDGES[1] == i]
        want[i] = xs[src].max(0) if src.size else 0
    np.testing.assert_allclose(m(x, EDGES).detach().numpy(),
                               want @ m.lin_l.weight.detach().numpy().T, rtol=1e-10)
    assert gradcheck(lambda t: m(t, EDGES), (x,))


def gat_reference(a, tx, tp, heads, c, concat, slope=0.2):
    """Dense GAT: masked attention matrix per head over the in-neighbours (A + I, one loop)."""
    mask = torch.tensor(a + np.eye(N) * 0 > 0)
    mask = mask | torch.eye(N, dtype=torch.bool)
    mult = torch.tensor(np.where(np.eye(N) > 0, 1.0, a))  # duplicate edges counted twice
    xw = (tx @ tp["lin.weight"].T).reshape(N, heads, c)
    s_src = (xw * tp["att_src"]).sum(-1)  # (N, H)
    s_dst = (xw * tp["att_dst"]).sum(-1)
    e = torch.nn.functional.leaky_relu(s_dst[:, None, :] + s_src[None, :, :], slope)  # (i, j, H)
    e = e.masked_fill(~mask.T[:, :, None], float("-inf"))
    w = torch.exp(e - e.amax(1, keepdim=True)) * mult.T[:, :, None]
    alpha = w / w.sum(1, keepdim=True)  # (i, j, H)
    out = torch.einsum("ijh,jhc->ihc", alpha, xw)
    out = out.reshape(N, heads * c) if concat else out.mean(1)
    return out + tp["bias"]


@pytest.mark.parametrize("heads,concat", [(1, True), (3, True), (2, False)])
def test_gat_matches_dense_attention(heads, concat):
    nt.manual_seed(0)
    conv = GATConv(3, 2, heads=heads, concat=concat).double()
    with nt.no_grad():
        conv.bias.copy_(nt.randn(*conv.bias.shape, dtype=nt.float64))
    x, tx = features(5)
    tp = params(conv)
    out = conv(x, EDGES)
    ref = gat_reference(dense(), tx, tp, heads, 2, concat)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10)
    check_grads(conv, x, tp, tx, out, ref)


def test_gat_attention_sums_to_one_and_is_stable():
    conv = GATConv(3, 2, heads=2).double()
    x = nt.tensor(np.random.default_rng(6).standard_normal((N, 3)) * 1e3)
    out, (ei, alpha) = conv(x, EDGES, return_attention_weights=True)
    assert np.isfinite(out.detach().numpy()).all()
    sums = np.zeros((N, 2))
    np.add.at(sums, ei.numpy()[1], alpha.detach().numpy())
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)


def test_gat_dropout_only_in_training():
    conv = GATConv(3, 2, dropout=0.5).double()
    x, _ = features(7)
    conv.eval()
    np.testing.assert_array_equal(conv(x, EDGES).detach().numpy(),
                                  conv(x, EDGES).detach().numpy())
    conv.train()
    nt.manual_seed(1)
    a = conv(x, EDGES).detach().numpy()
    nt.manual_seed(2)
    assert not np.allclose(a, conv(x, EDGES).detach().numpy())


@pytest.mark.parametrize("make", [
    lambda: GCNConv(3, 2), lambda: SAGEConv(3, 2), lambda: GATConv(3, 2, heads=2),
    lambda: SAGEConv(3, 2, normalize=True),
])
def test_gradcheck_layers_wrt_input_and_weights(make):
    conv = make().double()
    x, _ = features(8)
    assert gradcheck(lambda t: conv(t, EDGES), (x,))
    weight = next(iter(conv.parameters()))
    assert gradcheck(lambda w: conv(x.detach(), EDGES), (weight,))


def test_float32_preserved_and_scipy_like_input():
    x = nt.randn(N, 3)
    for conv in (GCNConv(3, 2), SAGEConv(3, 2), GATConv(3, 2)):
        assert conv(x, EDGES).dtype == nt.float32

    class FakeCoo:  # what scipy.sparse's .tocoo() gives: row, col, data, shape
        def __init__(self, a):
            self.row, self.col = np.nonzero(a)
            self.data, self.shape = a[self.row, self.col], a.shape

        def tocoo(self):
            return self

    conv = GCNConv(3, 2)
    np.testing.assert_allclose(conv(x, FakeCoo(dense())).detach().numpy(),
                               conv(x, EDGES).detach().numpy(), rtol=1e-6)


def test_real_scipy_sparse_input():
    sparse = pytest.importorskip("scipy.sparse")
    conv = GCNConv(3, 2)
    x = nt.randn(N, 3)
    np.testing.assert_allclose(conv(x, sparse.csr_matrix(dense())).detach().numpy(),
                               conv(x, EDGES).detach().numpy(), rtol=1e-6)


def test_bad_arguments_raise_naming_the_value():
    with pytest.raises(ValueError, match="in_channels"):
        GCNConv(-1, 2)
    with pytest.raises(ValueError, match="aggr"):
        SAGEConv(3, 2, aggr="median")
    with pytest.raises(ValueError, match="heads"):
        GATConv(3, 2, heads=0)
    conv = GCNConv(3, 2)
    with pytest.raises(ValueError, match=r"\(num_nodes, 3\)"):
        conv(nt.randn(N, 4), EDGES)
    with pytest.raises(ValueError, match="num_nodes=6"):
        conv(nt.randn(N, 3), np.array([[0], [6]]))
    with pytest.raises(ValueError, match=r"\(6, 6\)"):
        conv(nt.randn(N, 3), np.zeros((5, 5)))
    with pytest.raises(ValueError, match="edge_weight"):
        conv(nt.randn(N, 3), EDGES, nt.ones(3))
