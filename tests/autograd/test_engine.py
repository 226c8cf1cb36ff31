"""The backward engine: graph traversal, accumulation, lifetime, hooks, grad modes."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import Function

torch = pytest.importorskip("torch")


def pair(shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    return (nt.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True))


def test_shared_subgraph_matches_torch_and_runs_each_node_once():
    calls = {"n": 0}

    class CountedSquare(Function):
        def forward(self, x):
            calls["n"] += 1
            return x * x

        def backward(self, g):
            calls["n"] += 100
            return g * 2.0 * self.inputs[0]

    x, tx = pair()
    y = CountedSquare.apply(x)
    z = (y * 3 + y.exp() + y.sin() * y).sum()
    z.backward()
    ty = tx * tx
    (ty * 3 + ty.exp() + ty.sin() * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert calls["n"] == 101  # one forward, one backward, although three paths lead to y


def test_leaf_gradients_accumulate_across_backward_calls():
    x, tx = pair()
    for _ in range(3):
        (x * x).sum().backward()
        (tx * tx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(x.grad.numpy(), 6 * x.detach().numpy())


def test_gradients_of_aliased_leaves_are_independent():
    x = nt.ones(3, requires_grad=True)
    y = nt.ones(3, requires_grad=True)
    (x + y).sum().backward()
    x.grad.mul_(5)  # clip_grad_norm_-style in-place edit must not leak into y.grad
    np.testing.assert_array_equal(y.grad.numpy(), np.ones(3, np.float32))


def test_gradients_passed_through_identity_ops_stay_independent():
    x = nt.ones(3, requires_grad=True)
    y = nt.ones(3, requires_grad=True)
    (x.clone() + y.clone()).sum().backward()  # add hands one tensor to both clones
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
    x.grad.mul_(5)
    np.testing.assert_array_equal(y.grad.numpy(), np.ones(3, np.float32))


def test_user_gradient_is_not_kept_as_grad():
    x = nt.ones(3, requires_grad=True)
    seed = nt.ones(3)
    x.backward(gradient=seed)
    x.grad.mul_(2)
    np.testing.assert_array_equal(seed.numpy(), np.ones(3, np.float32))


def test_second_backward_through_freed_graph_raises():
    x, _ = pair()
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x, tx = pair()
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    ty = (tx.exp() * tx).sum()
    ty.backward(retain_graph=True)
    ty.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_deep_chain_of_100k_ops_is_iterative():
    x = nt.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    y.backward()
    assert x.grad.item() == 1.0


def test_non_scalar_backward_needs_gradient():
    x, tx = pair()
    y = x * 2
    with pytest.raises(RuntimeError, match="only for scalar outputs"):
        y.backward()
    v = np.random.default_rng(1).standard_normal((3, 4))
    y.backward(gradient=nt.tensor(v))
    (tx * 2).backward(gradient=torch.tensor(v))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_backward_gradient_shape_mismatch_is_an_error():
    x, _ = pair()
    with pytest.raises(RuntimeError, match="shape"):
        (x * 2).backward(gradient=nt.ones(4, 3, dtype=nt.float64))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nt.ones(3).sum().backward()


def test_broadcast_gradients_are_summed_back_to_input_shapes():
    a, ta = pair((3, 1, 4))
    b, tb = pair((5, 1), seed=1)
    ((a * b + b).tanh()).sum().backward()
    ((ta * tb + tb).tanh()).sum().backward()
    assert a.grad.shape == (3, 1, 4) and b.grad.shape == (5, 1)
    np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-12)


def test_hooks_on_leaf_and_non_leaf_and_retain_grad():
    x, tx = pair()
    seen = []
    handle = x.register_hook(lambda g: g * 2)
    y = x.sin()
    y.register_hook(lambda g: seen.append(g.shape) or None)
    y.retain_grad()
    (y * y).sum().backward()
    ty = tx.sin()
    ty.retain_grad()
    tx.register_hook(lambda g: g * 2)
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-12)
    assert seen == [(3, 4)]
    handle.remove()
    x.grad = None
    x.sin().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos(x.detach().numpy()))


def test_non_leaf_grad_is_none_without_retain_grad():
    x, _ = pair()
    y = x * 2
    y.sum().backward()
    assert y.grad is None and x.grad is not None
    assert not y.is_leaf and x.is_leaf and y.grad_fn is not None


def test_grad_modes_as_context_managers_and_decorators():
    x = nt.ones(2, requires_grad=True)
    with nt.no_grad():
        assert not (x * 2).requires_grad
        with nt.enable_grad():
            assert (x * 2).requires_grad
    assert (x * 2).requires_grad

    @nt.no_grad()
    def f(t):
        return t * 2

    @nt.no_grad
    def g(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    with nt.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert nt.is_grad_enabled()
    nt.set_grad_enabled(False)
    assert not nt.is_grad_enabled()
    nt.set_grad_enabled(True)
    with nt.inference_mode():
        assert not (x * 2).requires_grad
    with nt.inference_mode(False):
        assert (x * 2).requires_grad

    @nt.inference_mode()
    def h(t):
        return t + 1

    assert not h(x).requires_grad


def test_autograd_grad_create_graph_gives_higher_derivatives():
    x = nt.tensor([0.5, -1.5, 2.0], dtype=nt.float64, requires_grad=True)
    y = (x ** 4).sum()
    (g1,) = nt.autograd.grad(y, x, create_graph=True)
    (g2,) = nt.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = nt.autograd.grad(g2.sum(), x)
    xv = x.detach().numpy()
    np.testing.assert_allclose(g1.detach().numpy(), 4 * xv ** 3)
    np.testing.assert_allclose(g2.detach().numpy(), 12 * xv ** 2)
    np.testing.assert_allclose(g3.numpy(), 24 * xv)
    assert x.grad is None  # autograd.grad never touches .grad


def test_double_backward_matches_torch_for_mixed_graph():
    x, tx = pair((4,))
    w, tw = pair((4,), seed=3)

    def f(m, a, b):
        return (m.tanh(a * b) * a.exp() + (a @ b) * b.sigmoid()).sum()

    (g,) = nt.autograd.grad(f(nt, x, w), x, create_graph=True)
    (g * g).sum().backward()
    (tg,) = torch.autograd.grad(f(torch, tx, tw), tx, create_graph=True)
    (tg * tg).sum().backward()
    np.testing.assert_allclose(g.detach().numpy(), tg.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-10)


def test_grad_allow_unused_and_materialize():
    x, _ = pair()
    z, _ = pair(seed=2)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        nt.autograd.grad(y, [x, z], retain_graph=True)
    gx, gz = nt.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    assert gz is None and gx.shape == (3, 4)
    _, gz = nt.autograd.grad(y, [x, z], materialize_grads=True)
    assert np.all(gz.numpy() == 0)


def test_grad_with_respect_to_intermediate_tensor():
    x, tx = pair()
    h = x.exp()
    y = (h * h.sin()).sum()
    (gh,) = nt.autograd.grad(y, h)
    th = tx.exp()
    (tgh,) = torch.autograd.grad((th * th.sin()).sum(), th)
    np.testing.assert_allclose(gh.numpy(), tgh.numpy(), rtol=1e-12)


def test_backward_inputs_argument_limits_accumulation():
    x, _ = pair()
    w, _ = pair(seed=4)
    (x * w).sum().backward(inputs=[x])
    assert x.grad is not None and w.grad is None


def test_custom_function_like_pytorch():
    class ScaledExp(Function):
        @staticmethod
        def forward(ctx, x, scale):
            y = x.exp() * scale
            ctx.save_for_backward(y)
            ctx.scale = scale
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y, None

    x, tx = pair()
    ScaledExp.apply(x, 3.0).sum().backward()
    (tx.exp() * 3.0).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    assert nt.autograd.gradcheck(lambda t: ScaledExp.apply(t, 2.0), (x,))


def test_custom_function_with_two_outputs_and_non_differentiable_output():
    class SplitSign(Function):
        @staticmethod
        def forward(ctx, x):
            pos = x.relu()
            mask = x > 0
            ctx.mark_non_differentiable(mask)
            ctx.save_for_backward(mask)
            return pos, mask

        @staticmethod
        def backward(ctx, g_pos, g_mask):
            (mask,) = ctx.saved_tensors
            return g_pos * mask.double()

    x, _ = pair()
    pos, mask = SplitSign.apply(x)
    assert pos.requires_grad and not mask.requires_grad
    pos.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (x.detach().numpy() > 0).astype(float))


def test_gradcheck_catches_a_wrong_backward():
    class WrongSin(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin()

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.cos() * 1.01

    x, _ = pair((2, 2))
    with pytest.raises(nt.autograd.GradcheckError, match="mismatch"):
        nt.autograd.gradcheck(WrongSin.apply, (x,))
    assert nt.autograd.gradcheck(WrongSin.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_on_composite_function():
    x, _ = pair((2, 3))
    w, _ = pair((3, 2), seed=5)
    assert nt.autograd.gradgradcheck(lambda a, b: (a @ b).tanh() * a.sum(), (x, w))


def test_detect_anomaly_names_the_op_and_where_it_was_made():
    x = nt.tensor([0.0, 1.0], dtype=nt.float64, requires_grad=True)
    with nt.autograd.detect_anomaly():
        y = x.sqrt()  # d sqrt / dx = inf at 0
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    msg = str(info.value)
    assert "SqrtBackward" in msg and "inf" in msg and "test_engine.py" in msg
    # without anomaly mode the inf simply flows through, as in PyTorch
    x.sqrt().sum().backward()
    assert np.isinf(x.grad.numpy()[0])


def test_set_detect_anomaly_switch():
    nt.autograd.set_detect_anomaly(True)
    try:
        assert nt.autograd.is_anomaly_enabled()
    finally:
        nt.autograd.set_detect_anomaly(False)
    assert not nt.autograd.is_anomaly_enabled()


def test_in_place_on_leaf_requiring_grad_is_an_error():
    x, _ = pair()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.add_(1)
    with nt.no_grad():
        x.add_(1)  # allowed, as in an optimizer step


def test_in_place_on_non_leaf_records_the_graph():
    x, tx = pair()
    y = x * 2
    y.add_(1)
    y.mul_(3)
    (y * y).sum().backward()
    ty = tx * 2
    ty.add_(1)
    ty.mul_(3)
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())


def test_in_place_change_of_saved_output_is_detected():
    x, _ = pair()
    y = x.exp()
    z = y.sum()
    with nt.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="inplace operation"):
        z.backward()


def test_in_place_change_of_saved_input_is_detected():
    x, _ = pair()
    h = x * 1.0
    z = (h * h).sum()
    h.add_(1)
    with pytest.raises(RuntimeError, match="inplace operation"):
        z.backward()


def test_relu_keeps_its_output_like_torch():
    """ReLU's backward reads its output, as PyTorch's does: its input may change in place
    afterwards; a change of its output is detected."""
    for lib in (nt, torch):
        x = lib.tensor([-1.0, 0.5, 2.0], requires_grad=True)
        a = x * 1.0
        y = lib.relu(a)
        a.add_(1.0)
        y.sum().backward()
        np.testing.assert_array_equal(np.asarray(x.grad), [0.0, 1.0, 1.0])
        y = lib.relu(x * 1.0)
        with lib.no_grad():
            y.add_(1.0)
        with pytest.raises(RuntimeError, match="inplace operation"):
            y.sum().backward()


def test_setitem_in_graph_routes_gradients():
    x, tx = pair()
    v, tv = pair((4,), seed=7)
    y = x * 1.0
    y[1] = v * 3
    (y * y).sum().backward()
    ty = tx * 1.0
    ty[1] = tv * 3
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy())
    np.testing.assert_allclose(v.grad.numpy(), tv.grad.numpy())


def test_detach_and_data_share_memory_and_cut_the_graph():
    x, _ = pair()
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.numpy()[0, 0] = 42.0
    assert x.detach().numpy()[0, 0] == 42.0
    x.data.mul_(0)
    assert np.all(x.detach().numpy() == 0)
    assert x.requires_grad


def test_clone_is_differentiable_and_copies():
    x, _ = pair()
    c = x.clone()
    c.sum().backward()
    assert np.all(x.grad.numpy() == 1)
    assert not np.shares_memory(c.detach().numpy(), x.detach().numpy())


def test_requires_grad_only_for_floats():
    with pytest.raises(RuntimeError, match="floating point"):
        nt.tensor([1, 2], requires_grad=True)


def test_zero_grad_pattern_and_grad_none():
    x, _ = pair()
    (x * 3).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    assert np.all(x.grad.numpy() == 3)
    x.grad.zero_()
    assert np.all(x.grad.numpy() == 0)


def test_zero_dim_leaf_accumulates_over_backward_calls() -> None:
    """0-d ops give NumPy scalars; the engine still accumulates .grad in place (as torch)."""
    x, xt = nt.tensor(2.0, requires_grad=True), torch.tensor(2.0, requires_grad=True)
    for a in (x, xt):
        (a * a).backward()  # two deliveries into the same 0-d leaf
        (a * 3).backward()
        a.sum().backward()
    assert isinstance(x.grad.numpy(), np.ndarray) and x.grad.shape == ()
    assert float(x.grad) == float(xt.grad) == 8.0
