"""autograd.grad runs only the part of the graph that leads to the requested inputs (as
PyTorch's engine does), and releases only that part."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import Function

torch = pytest.importorskip("torch")


def pair(shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return nt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def counted_cube(lib):
    """A custom Function y = x**3 (saving x) whose backward counts its calls."""
    base = Function if lib is nt else torch.autograd.Function

    class CountedCube(base):
        calls = 0

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, g):
            CountedCube.calls += 1
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    return CountedCube


def two_branches(lib, x, w, cube):
    """a: the x branch; b: the w branch, through `cube`; out mixes them."""
    a = (x * 1.5).exp()
    b = cube.apply(w).sin()
    bs = b.sum()
    out = (a * b).sum() + a.tanh().sum() + bs
    return a, b, bs, out


def test_grad_skips_the_backward_of_branches_that_do_not_lead_to_the_inputs():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    *_, out = two_branches(nt, x, w, cube)
    *_, tout = two_branches(torch, tx, tw, tcube)
    (gx,) = nt.autograd.grad(out, x)
    (tgx,) = torch.autograd.grad(tout, tx)
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-12)
    assert cube.calls == 0 and tcube.calls == 0
    assert x.grad is None and w.grad is None


def test_grad_with_respect_to_both_branches_runs_each_once():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    *_, out = two_branches(nt, x, w, cube)
    *_, tout = two_branches(torch, tx, tw, tcube)
    gx, gw = nt.autograd.grad(out, [x, w])
    tgx, tgw = torch.autograd.grad(tout, [tx, tw])
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-12)
    np.testing.assert_allclose(gw.numpy(), tgw.numpy(), rtol=1e-12)
    assert cube.calls == 1 and tcube.calls == 1


def test_unneeded_branch_is_not_released_and_can_backward_later():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    _, _, bs, out = two_branches(nt, x, w, cube)
    _, _, tbs, tout = two_branches(torch, tx, tw, tcube)
    nt.autograd.grad(out, x)  # no retain_graph: frees the part of the graph that ran
    torch.autograd.grad(tout, tx)
    # the w branch did not run, so it was not freed: backward through it works, as in torch
    bs.backward()
    tbs.backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    assert x.grad is None and tx.grad is None
    assert cube.calls == 1 and tcube.calls == 1
    # the x branch (exp saves its result) ran and was freed: a second pass fails in both
    with pytest.raises(RuntimeError, match="second time"):
        tout.backward()
    with pytest.raises(RuntimeError, match="second time"):
        out.backward()


def test_grad_with_respect_to_an_intermediate_runs_and_frees_only_above_it():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    _, b, _, out = two_branches(nt, x, w, cube)
    _, tb, _, tout = two_branches(torch, tx, tw, tcube)
    (gb,) = nt.autograd.grad(out, b)
    (tgb,) = torch.autograd.grad(tout, tb)
    np.testing.assert_allclose(gb.numpy(), tgb.numpy(), rtol=1e-12)
    assert cube.calls == 0 and tcube.calls == 0  # nothing below b runs
    b.sum().backward()  # b's own graph is intact
    tb.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    b2 = cube.apply(w).sin()
    (g,) = nt.autograd.grad(b2.sum() * 2, b2)  # only SumBackward and MulBackward run
    np.testing.assert_array_equal(g.numpy(), np.full((3, 4), 2.0))
    assert cube.calls == 1
    b2.sum().backward()
    assert cube.calls == 2


def test_grad_leaves_existing_grads_alone():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube = counted_cube(nt)
    *_, out = two_branches(nt, x, w, cube)
    x.grad = nt.ones(3, 4, dtype=nt.float64)
    w.grad = nt.full((3, 4), 2.0, dtype=nt.float64)
    x_grad, w_grad = x.grad, w.grad
    nt.autograd.grad(out, [x, w], retain_graph=True)
    nt.autograd.grad(out, x)
    assert x.grad is x_grad and w.grad is w_grad
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((3, 4)))
    np.testing.assert_array_equal(w.grad.numpy(), np.full((3, 4), 2.0))


def test_hooks_in_the_unneeded_branch_do_not_run_as_in_torch():
    def run(lib, x, w):
        seen = []
        w.register_hook(lambda g: seen.append("w"))
        a = (x * 2).exp()
        b = w.sin()
        b.register_hook(lambda g: seen.append("b"))
        a.register_hook(lambda g: seen.append("a"))
        x.register_hook(lambda g: seen.append("x"))
        b.retain_grad()
        lib.autograd.grad((a * 3).sum() + b.sum(), x)
        return seen, b.grad

    x, tx = pair()
    w, tw = pair(seed=1)
    seen, bg = run(nt, x, w)
    tseen, tbg = run(torch, tx, tw)
    assert seen == tseen == ["a", "x"]
    assert bg is None and tbg is None


def test_retain_graph_lets_the_pruned_part_run_again():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    *_, out = two_branches(nt, x, w, cube)
    *_, tout = two_branches(torch, tx, tw, tcube)
    (g1,) = nt.autograd.grad(out, x, retain_graph=True)
    (g2,) = nt.autograd.grad(out, x, retain_graph=True)
    (gw,) = nt.autograd.grad(out, w, retain_graph=True)
    out.backward()
    (tgw,) = torch.autograd.grad(tout, tw, retain_graph=True)
    tout.backward()
    np.testing.assert_array_equal(g1.numpy(), g2.numpy())
    np.testing.assert_allclose(gw.numpy(), tgw.numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    assert cube.calls == tcube.calls == 2


def test_higher_order_grads_through_a_pruned_graph_match_torch():
    def run(lib, x, w, cube):
        h = (x * w).tanh()
        out = (h * h).sum() + cube.apply(w).sum() + (x.exp() * w.sin()).sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        assert cube.calls == 0
        gxx, gxw = lib.autograd.grad((gx * gx).sum(), [x, w], create_graph=True)
        (g3,) = lib.autograd.grad(gxx.sum(), w)
        return gx, gxx, gxw, g3

    x, tx = pair((5,))
    w, tw = pair((5,), seed=2)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    res = run(nt, x, w, cube)
    tres = run(torch, tx, tw, tcube)
    for r, t in zip(res, tres):
        np.testing.assert_allclose(r.detach().numpy(), t.detach().numpy(), rtol=1e-10)
    assert cube.calls == tcube.calls == 0
    assert x.grad is None and w.grad is None


def test_gradient_penalty_then_backward_matches_torch():
    def run(lib, x, w, v):
        out = ((x @ w).tanh() @ v).sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        (out + (gx * gx).sum()).backward()

    x, tx = pair((2, 3))
    w, tw = pair((3, 4), seed=1)
    v, tv = pair((4,), seed=2)
    run(nt, x, w, v)
    run(torch, tx, tw, tv)
    for a, t in ((x, tx), (w, tw), (v, tv)):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10)


def test_anomaly_mode_ignores_the_branch_that_does_not_run():
    x, tx = pair()
    w = nt.tensor([0.0, 1.0], dtype=nt.float64, requires_grad=True)
    tw = torch.tensor([0.0, 1.0], dtype=torch.float64, requires_grad=True)
    with nt.autograd.detect_anomaly():
        out = x.exp().sum() + w.sqrt().sum()  # d sqrt / dw = inf at 0, in the other branch
        (gx,) = nt.autograd.grad(out, x, retain_graph=True)
        with pytest.raises(RuntimeError, match="SqrtBackward"):
            nt.autograd.grad(out, w)
    with torch.autograd.detect_anomaly():
        (tgx,) = torch.autograd.grad(tx.exp().sum() + tw.sqrt().sum(), tx)
    np.testing.assert_allclose(gx.numpy(), tgx.numpy(), rtol=1e-12)


def test_allow_unused_with_an_input_outside_the_graph_runs_nothing():
    x, _ = pair()
    z, _ = pair(seed=2)
    cube = counted_cube(nt)
    y = cube.apply(x).sum()
    (gz,) = nt.autograd.grad(y, z, allow_unused=True)
    assert gz is None and cube.calls == 0
    with pytest.raises(RuntimeError, match="allow_unused"):
        nt.autograd.grad(y, z)
    y.backward()  # nothing ran, so nothing was freed
    assert cube.calls == 1


def test_backward_with_inputs_also_prunes_like_torch():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    *_, out = two_branches(nt, x, w, cube)
    *_, tout = two_branches(torch, tx, tw, tcube)
    out.backward(inputs=[x])
    tout.backward(inputs=[tx])
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert w.grad is None and tw.grad is None
    assert cube.calls == tcube.calls == 0


def test_full_backward_still_runs_every_branch():
    x, tx = pair()
    w, tw = pair(seed=1)
    cube, tcube = counted_cube(nt), counted_cube(torch)
    *_, out = two_branches(nt, x, w, cube)
    *_, tout = two_branches(torch, tx, tw, tcube)
    out.backward()
    tout.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)
    assert cube.calls == tcube.calls == 1


def test_pruning_walk_is_iterative_on_a_deep_graph():
    x = nt.tensor([1.0], requires_grad=True)
    w = nt.tensor([1.0], requires_grad=True)
    y, v = x, w
    for _ in range(50_000):
        y = y + 1e-6
        v = v * 1.0
    (g,) = nt.autograd.grad((y + v).sum(), x)
    assert g.item() == 1.0


def test_grad_skips_the_gradients_of_inputs_that_lead_nowhere_requested():
    """Inside a node that must run, an input leading to no requested tensor is marked as not
    needing a gradient, so the op skips computing it (the weight GEMM of grad(loss, x) through
    a linear layer); .backward() still asks for every input."""
    seen = []

    class Scale(Function):
        def forward(self, x, w):
            return x * w

        def backward(self, g):
            seen.append(self.needs_input_grad)
            x, w = self.inputs
            return (g * w if self.needs_input_grad[0] else None,
                    g * x if self.needs_input_grad[1] else None)

    x = nt.tensor(np.arange(3.0), requires_grad=True)
    w = nt.tensor(np.full(3, 2.0), requires_grad=True)
    out = Scale.apply(x, w).sum()
    (gx,) = nt.autograd.grad(out, x, retain_graph=True)
    np.testing.assert_allclose(gx.numpy(), np.full(3, 2.0))
    out.backward()
    assert seen == [(True, False), (True, True)]
    np.testing.assert_allclose(w.grad.numpy(), np.arange(3.0))
    # the linear layer's weight gradient is not computed for grad(loss, x)
    lin = nt.nn.Linear(4, 2).double()
    xi = nt.randn(5, 4, dtype=nt.float64, requires_grad=True)
    (g_in,) = nt.autograd.grad(lin(xi).sum(), xi)
    np.testing.assert_allclose(g_in.numpy(), np.tile(lin.weight.detach().numpy().sum(0), (5, 1)))
    assert lin.weight.grad is None


def test_grad_walks_through_a_freed_part_it_does_not_run():
    """A branch freed by an earlier backward does not stop autograd.grad w.r.t. another
    branch (its edges stay, as in PyTorch); running the freed part still fails."""
    results = []
    for lib in (nt, torch):
        x = lib.tensor(np.arange(3.0), requires_grad=True)
        w = lib.tensor(np.full(3, 2.0), requires_grad=True)
        c = (w * 3).exp().sum()
        out = (x * 2).exp().sum() + c
        c.backward()  # frees the w branch
        (gx,) = lib.autograd.grad(out, x, retain_graph=True)
        results.append(gx.detach().numpy())
        with pytest.raises(RuntimeError, match="second time"):
            lib.autograd.grad(out, w)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)
