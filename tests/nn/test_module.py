"""Module API: registration, iteration order, state_dict, modes, hooks, containers, repr."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import neuronet as nt
import neuronet.nn as nn

torch = pytest.importorskip("torch")
tnn = torch.nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.block = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        self.scale = nn.Parameter(nt.ones(1))
        self.register_buffer("steps", nt.zeros(1))
        self.register_buffer("cache", nt.zeros(2), persistent=False)
        self.plain = 5

    def forward(self, x):
        return self.block(self.fc1(x)) * self.scale


def test_registration_and_iteration_order():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias"]
    assert [n for n, _ in net.named_buffers()] == ["steps", "cache"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "block", "block.0", "block.1"]
    assert [n for n, _ in net.named_children()] == ["fc1", "block"]
    assert list(net.children()) == [net.fc1, net.block]
    assert len(list(net.modules())) == 5
    assert list(net.state_dict()) == ["scale", "steps", "fc1.weight", "fc1.bias",
                                      "block.0.weight", "block.0.bias"]
    assert isinstance(net.scale, nn.Parameter) and net.plain == 5
    assert len(list(net.parameters(recurse=False))) == 1


def test_same_names_as_torch():
    class TNet(tnn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = tnn.Linear(3, 4)
            self.block = tnn.Sequential(tnn.Linear(4, 4), tnn.ReLU())
            self.scale = tnn.Parameter(torch.ones(1))
            self.register_buffer("steps", torch.zeros(1))
            self.register_buffer("cache", torch.zeros(2), persistent=False)

    assert list(Net().state_dict()) == list(TNet().state_dict())
    assert [n for n, _ in Net().named_modules()] == [n for n, _ in TNet().named_modules()]


def test_register_variants_and_errors():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter(nt.zeros(2)))
    m.register_parameter("b", None)
    m.add_module("sub", nn.Linear(1, 1))
    m.register_module("sub2", nn.ReLU())
    assert m.b is None and [n for n, _ in m.named_parameters()][0] == "w"
    assert "b" not in m.state_dict()
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        m.w = nt.zeros(2)
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", nt.zeros(1))
    with pytest.raises(TypeError, match="cannot assign"):
        m.register_buffer("x", 3.0)
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        m.nope  # noqa: B018
    with pytest.raises(AttributeError, match="before Module.__init__"):
        class Bad(nn.Module):
            def __init__(self):
                self.w = nn.Parameter(nt.zeros(1))
        Bad()
    m.buf = nn.Buffer(nt.ones(2))
    assert "buf" in m.state_dict()
    del m.w
    assert "w" not in dict(m.named_parameters())
    shared = nn.Linear(2, 2)
    s = nn.Sequential(shared, shared)
    assert len(list(s.parameters())) == 2
    assert len(list(s.named_parameters(remove_duplicate=False))) == 4


def test_parameter_basics():
    p = nn.Parameter(nt.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.], requires_grad=True)")
    arr = np.zeros(3, np.float32)
    q = nn.Parameter(nt.from_numpy(arr), requires_grad=False)
    assert q.numpy() is arr and not q.requires_grad
    c = copy.deepcopy(p)
    assert isinstance(c, nn.Parameter) and c.requires_grad and c.numpy(force=True) is not \
        p.numpy(force=True)


def test_state_dict_load_missing_unexpected_and_shape_errors():
    net = Net()
    sd = {k: v.numpy().copy() for k, v in net.state_dict().items()}
    fresh = Net()
    res = fresh.load_state_dict(sd)
    assert res.missing_keys == [] and res.unexpected_keys == []
    np.testing.assert_array_equal(fresh.fc1.weight.detach().numpy(), sd["fc1.weight"])
    w_arr = fresh.fc1.weight.detach().numpy()
    fresh.load_state_dict({k: nt.tensor(v) for k, v in sd.items()})
    assert fresh.fc1.weight.detach().numpy() is w_arr  # copied in place
    partial = dict(sd)
    del partial["fc1.bias"]
    partial["extra"] = np.zeros(1)
    with pytest.raises(RuntimeError) as err:
        fresh.load_state_dict(partial)
    assert 'Missing key(s) in state_dict: "fc1.bias"' in str(err.value)
    assert 'Unexpected key(s) in state_dict: "extra"' in str(err.value)
    res = fresh.load_state_dict(partial, strict=False)
    assert res.missing_keys == ["fc1.bias"] and res.unexpected_keys == ["extra"]
    bad = dict(sd, **{"fc1.weight": np.zeros((2, 2))})
    with pytest.raises(RuntimeError, match="size mismatch for fc1.weight"):
        fresh.load_state_dict(bad)
    t = torch.nn.Linear(3, 4)
    lin = nn.Linear(3, 4)
    lin.load_state_dict(t.state_dict())  # torch tensors accepted directly
    np.testing.assert_allclose(lin.weight.detach().numpy(), t.weight.detach().numpy())


def test_train_eval_propagate_and_requires_grad():
    net = Net()
    assert net.training and net.block[1].training
    net.eval()
    assert not net.training and not net.block[1].training
    net.train()
    assert net.block[0].training
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_zero_grad_and_apply_and_to():
    net = Net()
    net(nt.randn(2, 3)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.numpy() == 0) for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen == ["Linear", "Linear", "ReLU", "Sequential", "Net"]
    w = net.fc1.weight
    net.double()
    assert net.fc1.weight is w and w.dtype == nt.float64 and net.steps.dtype == nt.float64
    assert net(nt.randn(2, 3, dtype=nt.float64)).dtype == nt.float64
    net.to(nt.float32).to("cpu").cpu()
    assert w.dtype == nt.float32 and w.numpy(force=True).flags.c_contiguous
    bn = nn.BatchNorm1d(2).double()
    assert bn.num_batches_tracked.dtype == nt.int64
    with pytest.raises(RuntimeError, match="not available"):
        net.to("cuda")


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_pre_hook(lambda m, args: (args[0] * 0,))
    h2 = lin.register_forward_hook(lambda m, args, out: calls.append(out.shape) or out + 1)
    y = lin(nt.ones(3, 2))
    expected = np.broadcast_to(lin.bias.detach().numpy() + 1, (3, 2))  # input zeroed, +1 after
    np.testing.assert_allclose(y.detach().numpy(), expected, rtol=1e-6)
    assert calls == [nt.Size([3, 2])]
    h1.remove()
    h2.remove()
    assert not lin._forward_hooks and not lin._forward_pre_hooks
    with lin.register_forward_hook(lambda m, a, kw, out: out * 2, with_kwargs=True):
        x = nt.ones(1, 2)
        np.testing.assert_allclose(lin(x).detach().numpy(),
                                   2 * nn.functional.linear(x, lin.weight, lin.bias)
                                   .detach().numpy())
    assert not lin._forward_hooks


def test_full_backward_hook_matches_torch():
    ours, theirs = nn.Linear(3, 2).double(), tnn.Linear(3, 2).double()
    ours.load_state_dict(theirs.state_dict())
    got, want = [], []
    ours.register_full_backward_hook(lambda m, gi, go: got.append((gi, go)))
    theirs.register_full_backward_hook(lambda m, gi, go: want.append((gi, go)))
    x = np.random.default_rng(0).standard_normal((4, 3))
    xa = nt.tensor(x, requires_grad=True)
    xb = torch.tensor(x, requires_grad=True)
    (ours(xa) ** 2).sum().backward()
    (theirs(xb) ** 2).sum().backward()
    np.testing.assert_allclose(got[0][0][0].numpy(), want[0][0][0].numpy())
    np.testing.assert_allclose(got[0][1][0].numpy(), want[0][1][0].numpy())
    # a hook may replace grad_input
    ours.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    xa.grad = None
    (ours(xa) ** 2).sum().backward()
    assert np.all(xa.grad.numpy() == 0)


def test_sequential_api():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    s = nn.Sequential(a, b)
    s.append(c)
    assert len(s) == 3 and s[0] is a and s[-1] is c and list(s) == [a, b, c]
    sub = s[1:]
    assert isinstance(sub, nn.Sequential) and list(sub) == [b, c]
    s.insert(1, nn.Identity())
    assert [type(m).__name__ for m in s] == ["Linear", "Identity", "ReLU", "Linear"]
    assert list(s.state_dict()) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    s.extend([nn.Sigmoid()])
    del s[1]
    assert [k for k, _ in s.named_children()] == ["0", "1", "2", "3"]
    od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert od.fc is od[0] and list(od.state_dict()) == ["fc.weight", "fc.bias"]
    assert od(nt.ones(1, 2)).shape == nt.Size([1, 2])
    with pytest.raises(IndexError, match="out of range"):
        s[10]


def test_module_list_dict_parameter_containers():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    assert len(ml) == 4 and len(list(ml.parameters())) == 6
    assert isinstance(ml[1:], nn.ModuleList)
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.ReLU()})
    md["c"] = nn.Tanh()
    assert list(md.keys()) == ["a", "b", "c"] and "a" in md and len(md) == 3
    pl = nn.ParameterList([nt.zeros(2), nn.Parameter(nt.ones(3))])
    pl.append(nt.ones(1))
    assert len(pl) == 3 and all(isinstance(p, nn.Parameter) for p in pl)
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
    pd = nn.ParameterDict({"x": nt.zeros(2)})
    pd["y"] = nt.ones(1)
    assert list(pd.keys()) == ["x", "y"] and isinstance(pd["y"], nn.Parameter)
    assert [n for n, _ in pd.named_parameters()] == ["x", "y"]


def test_repr_matches_torch():
    ours = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2),
                         nn.Sequential(nn.Linear(8, 2), nn.LogSoftmax(dim=1)))
    theirs = tnn.Sequential(tnn.Linear(4, 8), tnn.BatchNorm1d(8), tnn.ReLU(), tnn.Dropout(0.2),
                            tnn.Sequential(tnn.Linear(8, 2), tnn.LogSoftmax(dim=1)))
    assert repr(ours) == repr(theirs)
    ml = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.ReLU()])
    tml = tnn.ModuleList([tnn.Linear(2, 2), tnn.Linear(2, 2), tnn.ReLU()])
    assert repr(ml) == repr(tml)
    assert repr(nn.ModuleList()) == repr(tnn.ModuleList())
    assert repr(Net()).startswith("Net(\n  (fc1): Linear(in_features=3")


def test_call_without_hooks_is_cheap():
    """No hook bookkeeping: __call__ goes straight to forward."""
    lin = nn.Linear(2, 2)
    calls = []
    lin.forward = lambda x: calls.append(x) or x
    x = nt.ones(1)
    assert lin(x) is x and calls == [x]


def test_docstring_examples_run():
    import doctest

    from neuronet.nn import init, parameter
    from neuronet.nn.modules import batchnorm, container, dropout, linear, loss, module, sparse
    from neuronet.nn.modules import normalization as norm_mod
    from neuronet.nn.utils import clip_grad

    for mod in (module, container, linear, dropout, batchnorm, norm_mod, sparse, loss, init,
                parameter, clip_grad):
        failed, _ = doctest.testmod(mod)
        assert failed == 0, mod.__name__


def test_sequential_relu_then_max_pool_matches_torch_and_respects_hooks():
    """Sequential runs ReLU -> MaxPool2d as MaxPool2d -> ReLU (the same values and
    gradients, ties at zero included); a hook on either module, or return_indices, keeps the
    written order (the hook sees the ReLU's full output)."""
    torch = pytest.importorskip("torch")
    x = np.round(np.random.default_rng(0).standard_normal((2, 3, 6, 7)), 0)
    x[0, 0] = -1.0  # a plane whose windows all tie at relu's zero
    conv_w = np.random.default_rng(1).standard_normal((4, 3, 1, 1)).round(1)

    def run(lib, hook=False):
        conv = lib.nn.Conv2d(3, 4, 1, bias=False)
        with lib.no_grad():
            conv.weight.copy_(lib.tensor(conv_w, dtype=lib.float32))
        relu, pool = lib.nn.ReLU(), lib.nn.MaxPool2d(2)
        seen = []
        if hook:
            relu.register_forward_hook(lambda m, i, o: seen.append(tuple(o.shape)))
        model = lib.nn.Sequential(conv, relu, pool, lib.nn.Flatten())
        xt = lib.tensor(x, dtype=lib.float32, requires_grad=True)
        out = model(xt)
        (out * lib.arange(out.shape[1], dtype=lib.float32)).sum().backward()
        return out.detach().numpy(), xt.grad.numpy(), conv.weight.grad.numpy(), seen

    ref = run(torch)
    for hook in (False, True):
        got = run(nt, hook)
        for a, b in zip(got[:3], ref[:3]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
        assert got[3] == ([(2, 4, 6, 7)] if hook else [])
    relu, shapes = nn.ReLU(), []
    plain_forward = relu.forward
    relu.forward = lambda t: shapes.append(tuple(t.shape)) or plain_forward(t)
    nn.Sequential(relu, nn.MaxPool2d(2))(nt.tensor(x, dtype=nt.float32))
    assert shapes == [(2, 3, 3, 3)]  # without hooks the ReLU ran on the pooled tensor
