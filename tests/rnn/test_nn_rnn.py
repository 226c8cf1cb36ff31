"""nn.RNN / LSTM / GRU and their cells against torch.nn in float64 with the state dict copied
across: outputs, final states and the gradients of the input, the initial states and every
parameter; plus gradcheck, parameter names/shapes/init, validation and gradient clipping."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.autograd import gradcheck

torch = pytest.importorskip("torch")

CLASSES = {"RNN": (nn.RNN, torch.nn.RNN), "LSTM": (nn.LSTM, torch.nn.LSTM),
           "GRU": (nn.GRU, torch.nn.GRU)}

OPTIONS = [
    {},
    {"num_layers": 2},
    {"bidirectional": True},
    {"num_layers": 2, "bidirectional": True, "batch_first": True},
    {"bias": False},
    {"num_layers": 2, "dropout": 0.5},  # eval mode: no dropout
]


def _pair(name: str, input_size: int = 4, hidden: int = 5, **kw):
    ours, theirs = CLASSES[name]
    torch.manual_seed(0)
    t = theirs(input_size, hidden, **kw).double().eval()
    n = ours(input_size, hidden, **kw).double().eval()
    n.load_state_dict({k: nt.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    return n, t


def _states(name: str, n_mod, batch: int, rng, with_state: bool):
    if not with_state:
        return None, None
    dirs = 2 if n_mod.bidirectional else 1
    out = n_mod.proj_size or n_mod.hidden_size
    h = rng.standard_normal((n_mod.num_layers * dirs, batch, out))
    if name != "LSTM":
        return (nt.tensor(h, requires_grad=True), torch.tensor(h, requires_grad=True))
    c = rng.standard_normal((n_mod.num_layers * dirs, batch, n_mod.hidden_size))
    return ((nt.tensor(h, requires_grad=True), nt.tensor(c, requires_grad=True)),
            (torch.tensor(h, requires_grad=True), torch.tensor(c, requires_grad=True)))


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def _compare(name: str, kw: dict, with_state: bool, steps: int = 6, batch: int = 3) -> None:
    n, t = _pair(name, **kw)
    rng = np.random.default_rng(1)
    shape = (batch, steps, 4) if kw.get("batch_first") else (steps, batch, 4)
    x = rng.standard_normal(shape)
    xn, xt = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    hn0, ht0 = _states(name, n, batch, rng, with_state)
    yn, sn = n(xn, hn0)
    yt, st = t(xt, ht0)
    np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    for a, b in zip(_flat(sn), _flat(st)):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    # a loss that weighs every output and every final state differently
    wy = rng.standard_normal(yt.shape)
    ln = (yn * nt.tensor(wy)).sum() + sum(((s * s) * (i + 1)).sum()
                                          for i, s in enumerate(_flat(sn)))
    lt = (yt * torch.tensor(wy)).sum() + sum(((s * s) * (i + 1)).sum()
                                             for i, s in enumerate(_flat(st)))
    ln.backward()
    lt.backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), atol=1e-11)
    if with_state:
        for a, b in zip(_flat(hn0), _flat(ht0)):
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), atol=1e-11)
    ours = dict(n.named_parameters())
    for key, p in t.named_parameters():
        np.testing.assert_allclose(ours[key].grad.numpy(), p.grad.numpy(), atol=1e-11,
                                   err_msg=key)


@pytest.mark.parametrize("name", list(CLASSES))
@pytest.mark.parametrize("kw", OPTIONS, ids=lambda kw: ",".join(kw) or "default")
def test_layer_matches_torch(name: str, kw: dict) -> None:
    _compare(name, kw, with_state=False)


@pytest.mark.parametrize("name", list(CLASSES))
def test_initial_states_match_torch(name: str) -> None:
    _compare(name, {"num_layers": 2, "bidirectional": True}, with_state=True)


def test_rnn_relu_matches_torch() -> None:
    _compare("RNN", {"nonlinearity": "relu", "num_layers": 2}, with_state=True)


@pytest.mark.parametrize("kw", [{"proj_size": 3}, {"proj_size": 2, "num_layers": 2,
                                                   "bidirectional": True}])
def test_lstm_projection_matches_torch(kw: dict) -> None:
    _compare("LSTM", kw, with_state=True)


@pytest.mark.parametrize("name", list(CLASSES))
def test_unbatched_input(name: str) -> None:
    n, t = _pair(name, bidirectional=True)
    x = np.random.default_rng(2).standard_normal((5, 4))
    yn, sn = n(nt.tensor(x))
    yt, st = t(torch.tensor(x))
    assert tuple(yn.shape) == tuple(yt.shape)
    np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    for a, b in zip(_flat(sn), _flat(st)):
        assert tuple(a.shape) == tuple(b.shape)


@pytest.mark.parametrize("name", list(CLASSES))
def test_parameter_names_shapes_and_init(name: str) -> None:
    n = CLASSES[name][0](3, 8, num_layers=2, bidirectional=True)
    t = CLASSES[name][1](3, 8, num_layers=2, bidirectional=True)
    assert [(k, tuple(p.shape)) for k, p in n.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in t.named_parameters()]
    bound = 1 / np.sqrt(8)
    for p in n.parameters():
        assert p.dtype == nt.float32
        assert np.abs(p.detach().numpy()).max() <= bound
        assert np.abs(p.detach().numpy()).max() > 0.5 * bound  # actually spread over U(-b, b)


def test_lstm_proj_parameter_names() -> None:
    n = nn.LSTM(3, 8, proj_size=2, bidirectional=True)
    t = torch.nn.LSTM(3, 8, proj_size=2, bidirectional=True)
    assert [(k, tuple(p.shape)) for k, p in n.named_parameters()] == [
        (k, tuple(p.shape)) for k, p in t.named_parameters()]


def test_float32_preserved_and_train_mode_dropout_changes_output() -> None:
    nt.manual_seed(0)
    lstm = nn.LSTM(4, 6, num_layers=2, dropout=0.5)
    x = nt.randn(5, 2, 4)
    y, (h, c) = lstm(x)
    assert y.dtype == h.dtype == c.dtype == nt.float32
    lstm.eval()
    y1, _ = lstm(x)
    y2, _ = lstm(x)
    np.testing.assert_array_equal(y1.detach().numpy(), y2.detach().numpy())
    lstm.train()
    y3, _ = lstm(x)
    assert not np.allclose(y3.detach().numpy(), y1.detach().numpy())


@pytest.mark.parametrize("name", list(CLASSES))
def test_gradcheck_layer(name: str) -> None:
    nt.manual_seed(0)
    mod = CLASSES[name][0](3, 2, bidirectional=True).double()
    params = list(mod.parameters())
    x = nt.randn(4, 2, 3, dtype=nt.float64, requires_grad=True)

    def fn(x, *ps):
        out, state = mod(x)
        return out, *(_flat(state))

    assert gradcheck(fn, (x, *params), eps=1e-6, atol=1e-6)


def test_gradcheck_lstm_projection_and_states() -> None:
    nt.manual_seed(1)
    mod = nn.LSTM(3, 4, proj_size=2, batch_first=True).double()
    x = nt.randn(2, 3, 3, dtype=nt.float64, requires_grad=True)
    h0 = nt.randn(1, 2, 2, dtype=nt.float64, requires_grad=True)
    c0 = nt.randn(1, 2, 4, dtype=nt.float64, requires_grad=True)

    def fn(x, h0, c0, *ps):
        out, (h, c) = mod(x, (h0, c0))
        return out, h, c

    assert gradcheck(fn, (x, h0, c0, *mod.parameters()), eps=1e-6, atol=1e-6)


def test_double_backward_raises_clearly() -> None:
    lstm = nn.LSTM(2, 3).double()
    x = nt.randn(4, 1, 2, dtype=nt.float64, requires_grad=True)
    y, _ = lstm(x)
    with pytest.raises(RuntimeError, match="first-order backward only"):
        nt.autograd.grad(y.sum(), x, create_graph=True)


def test_graph_has_one_node_per_layer_direction() -> None:
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    y, _ = lstm(nt.randn(50, 2, 3))
    nodes, stack = set(), [y.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, tuple) or node in nodes:
            continue
        nodes.add(node)
        stack.extend(fn for fn, _ in node.next_functions)
    fused = [n for n in nodes if type(n).__name__ == "RecurrentLayer"]
    assert len(fused) == 4
    assert len(nodes) < 20  # independent of the 50 time steps


def test_clip_grad_norm_after_lstm() -> None:
    lstm = nn.LSTM(3, 4)
    y, _ = lstm(nt.randn(6, 2, 3) * 10)
    (y * 100).sum().backward()
    total = nn.utils.clip_grad_norm_(lstm.parameters(), 1.0)
    assert float(total) > 1.0
    norm = np.sqrt(sum(float((p.grad * p.grad).sum()) for p in lstm.parameters()))
    assert norm == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize(("make", "match"), [
    (lambda: nn.RNN(3, 4, nonlinearity="sigmoid"), "nonlinearity"),
    (lambda: nn.GRU(3, 4, proj_size=2), "proj_size"),
    (lambda: nn.LSTM(3, 4, proj_size=4), "proj_size"),
    (lambda: nn.LSTM(3, 4, dropout=1.5), "dropout"),
    (lambda: nn.LSTM(3, 0), "hidden_size"),
    (lambda: nn.LSTM(3, -1), "hidden_size"),
])
def test_constructor_validation(make, match) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_forward_validation() -> None:
    lstm = nn.LSTM(3, 4)
    with pytest.raises(RuntimeError, match="input_size"):
        lstm(nt.randn(5, 2, 7))
    with pytest.raises(ValueError, match="2D or 3D"):
        lstm(nt.randn(5, 2, 3, 1))
    with pytest.raises(TypeError, match="float32"):
        lstm(nt.randn(5, 2, 3, dtype=nt.float64))
    with pytest.raises(RuntimeError, match="hidden size"):
        lstm(nt.randn(5, 2, 3), (nt.zeros(1, 3, 4), nt.zeros(1, 3, 4)))


# --- cells --------------------------------------------------------------------------------

CELLS = {"RNNCell": (nn.RNNCell, torch.nn.RNNCell), "LSTMCell": (nn.LSTMCell, torch.nn.LSTMCell),
         "GRUCell": (nn.GRUCell, torch.nn.GRUCell)}


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("bias", [True, False])
def test_cell_matches_torch(name: str, bias: bool) -> None:
    ours, theirs = CELLS[name]
    torch.manual_seed(0)
    t = theirs(4, 5, bias=bias).double()
    n = ours(4, 5, bias=bias).double()
    n.load_state_dict({k: nt.tensor(v.detach().numpy()) for k, v in t.state_dict().items()})
    assert [k for k, _ in n.named_parameters()] == [k for k, _ in t.named_parameters()]
    rng = np.random.default_rng(0)
    x, h, c = (rng.standard_normal((3, 4)), rng.standard_normal((3, 5)),
               rng.standard_normal((3, 5)))
    xs = (nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True))
    hs = (nt.tensor(h, requires_grad=True), torch.tensor(h, requires_grad=True))
    cs = (nt.tensor(c, requires_grad=True), torch.tensor(c, requires_grad=True))
    outs = []
    for i, mod in enumerate((n, t)):
        state = (hs[i], cs[i]) if name == "LSTMCell" else hs[i]
        out = mod(xs[i], state)
        out = out if isinstance(out, tuple) else (out,)
        sum((o * o * (k + 1)).sum() for k, o in enumerate(out)).backward()
        outs.append(out)
    for a, b in zip(*outs):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    for pair in (xs, hs) + ((cs,) if name == "LSTMCell" else ()):
        np.testing.assert_allclose(pair[0].grad.numpy(), pair[1].grad.numpy(), atol=1e-12)
    ours_p = dict(n.named_parameters())
    for key, p in t.named_parameters():
        np.testing.assert_allclose(ours_p[key].grad.numpy(), p.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("name", list(CELLS))
def test_cell_gradcheck_and_no_state(name: str) -> None:
    nt.manual_seed(0)
    cell = CELLS[name][0](3, 2).double()
    x = nt.randn(2, 3, dtype=nt.float64, requires_grad=True)

    def fn(x, *ps):
        out = cell(x)
        return out if isinstance(out, tuple) else (out,)

    assert gradcheck(fn, (x, *cell.parameters()), eps=1e-6, atol=1e-6)
    single = cell(nt.randn(3, dtype=nt.float64))  # unbatched
    single = single if isinstance(single, tuple) else (single,)
    assert all(tuple(s.shape) == (2,) for s in single)


def test_cell_double_backward() -> None:
    cell = nn.LSTMCell(2, 3).double()
    x = nt.randn(2, 2, dtype=nt.float64, requires_grad=True)
    h, c = cell(x)
    (g,) = nt.autograd.grad(h.sum(), x, create_graph=True)
    (gg,) = nt.autograd.grad((g * g).sum(), x)
    assert np.isfinite(gg.numpy()).all() and np.abs(gg.numpy()).sum() > 0


def test_fused_primitive_validates_shapes() -> None:
    from neuronet.ops.recurrent import RecurrentLayer

    with pytest.raises(ValueError, match=r"w_ih \(20, I\)"):
        RecurrentLayer.apply(nt.zeros(3, 2, 4), nt.zeros(2, 5), nt.zeros(2, 5),
                             nt.zeros(20, 3), nt.zeros(20, 5), mode="lstm", has_bias=False)
    with pytest.raises(ValueError, match="mode must be one of"):
        RecurrentLayer.apply(nt.zeros(3, 2, 4), nt.zeros(2, 5), nt.zeros(5, 4),
                             nt.zeros(5, 5), mode="elman", has_bias=False)


@pytest.mark.parametrize(("name", "use"), [(name, use) for name in CLASSES
                                           for use in ("output", "h_n", "c_n")
                                           if use != "c_n" or name == "LSTM"])
def test_gradients_when_only_one_output_is_used(name: str, use: str) -> None:
    n, t = _pair(name, batch_first=True)
    x = np.random.default_rng(5).standard_normal((2, 4, 4))
    xn, xt = nt.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for mod, inp in ((n, xn), (t, xt)):
        y, state = mod(inp)
        pick = {"output": y, "h_n": _flat(state)[0], "c_n": _flat(state)[-1]}[use]
        (pick * pick).sum().backward()
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), atol=1e-12)
    ours = dict(n.named_parameters())
    for key, p in t.named_parameters():
        np.testing.assert_allclose(ours[key].grad.numpy(), p.grad.numpy(), atol=1e-12)


def test_scratch_pool_with_retained_and_interleaved_graphs() -> None:
    """The recurrent layers recycle their scratch arrays once the engine releases a node: a
    retained graph keeps them, and graphs alive side by side never share them."""
    n, t = _pair("LSTM")
    rng = np.random.default_rng(5)
    xs = [rng.standard_normal((6, 3, 4)) for _ in range(3)]

    def reference(x: np.ndarray) -> np.ndarray:
        xt = torch.tensor(x, requires_grad=True)
        (t(xt)[0] ** 2).sum().backward()
        return xt.grad.numpy()

    ours = [nt.tensor(x, requires_grad=True) for x in xs]
    loss0 = (n(ours[0])[0] ** 2).sum()
    loss0.backward(retain_graph=True)
    first = ours[0].grad.numpy().copy()
    ours[0].grad = None
    loss1 = (n(ours[1])[0] ** 2).sum()  # alive while loss0's node is released below
    loss0.backward()
    np.testing.assert_allclose(ours[0].grad.numpy(), first, atol=1e-12)
    loss2 = (n(ours[2])[0] ** 2).sum()  # may take the arrays loss0's node gave back
    loss1.backward()
    loss2.backward()
    for x, ref in zip(ours, (reference(xs[0]), reference(xs[1]), reference(xs[2]))):
        np.testing.assert_allclose(x.grad.numpy(), ref, atol=1e-11)


def test_lstm_output_kept_across_later_steps_keeps_its_values() -> None:
    """The output is a view of the layer's state buffer, which goes back to the scratch pool
    after backward only when no view of it is alive: a kept output must not be overwritten
    by later calls, and a dropped one lets the next call reuse the buffer."""
    from neuronet.ops import recurrent

    nt.manual_seed(0)
    lstm = nn.LSTM(5, 7, batch_first=True)
    kept, _ = lstm(nt.randn(3, 4, 5))
    kept.sum().backward()
    before = kept.detach().numpy().copy()
    for _ in range(3):  # same shapes: the pool would hand out the same buffers
        out, _ = lstm(nt.randn(3, 4, 5))
        out.sum().backward()
    np.testing.assert_array_equal(kept.detach().numpy(), before)
    recurrent._POOL.clear()
    out, (h, _) = lstm(nt.randn(3, 4, 5))
    states = id(out.detach().numpy().base)  # the (T + 1, H, N) state buffer
    del out
    h.sum().backward()
    assert any(id(a) == states for stack in recurrent._POOL.values() for a in stack)
