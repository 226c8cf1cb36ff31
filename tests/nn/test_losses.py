"""Losses against torch.nn (float64, all reductions and options), gradcheck, double backward
and numerical stability at logits of +-1000."""

from __future__ import annotations

import numpy as np
import pytest
from _nn_helpers import close, leaf

import neuronet as nt
import neuronet.nn as nn
import neuronet.nn.functional as F
from neuronet.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

RNG = np.random.default_rng(2)
REDUCTIONS = ["mean", "sum", "none"]


def randn(*shape):
    return RNG.standard_normal(shape)


def _both(name, kwargs, inputs, consts=(), ours_kwargs=None):
    """Run loss module `name` in both libraries on float64 leaves `inputs` and constant
    `consts`; compare the loss and every input gradient."""
    ours = getattr(nn, name)(**(ours_kwargs or kwargs))
    theirs = getattr(tnn, name)(**kwargs)
    pairs = [leaf(x) for x in inputs]
    const_a = [nt.tensor(c) for c in consts]
    const_b = [torch.tensor(c) for c in consts]
    la = ours(*[a for a, _ in pairs], *const_a)
    lb = theirs(*[b for _, b in pairs], *const_b)
    close(la, lb)
    g = randn(*lb.shape) if lb.ndim else np.array(1.0)
    la.backward(nt.tensor(g))
    lb.backward(torch.tensor(g))
    for a, b in pairs:
        close(a.grad, b.grad)
    return la


def _w(c):
    return RNG.uniform(0.2, 2.0, c)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", [
    ("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", {"beta": 0.7}), ("SmoothL1Loss", {}),
    ("HuberLoss", {"delta": 0.6}), ("SoftMarginLoss", {}),
])
def test_regression_losses(name, kwargs, reduction):
    kwargs = dict(kwargs, reduction=reduction)
    x, y = randn(4, 3), randn(4, 3)
    if name == "SoftMarginLoss":  # torch has no target gradient for it
        _both(name, kwargs, [x], consts=[np.sign(y)])
    else:
        _both(name, kwargs, [x, y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction, weighted):
    x = RNG.uniform(0.05, 0.95, (5, 3))
    y = RNG.uniform(0, 1, (5, 3))
    w = _w(3)
    kw = {"reduction": reduction}
    ours_kw = dict(kw, weight=nt.tensor(w)) if weighted else kw
    theirs_kw = dict(kw, weight=torch.tensor(w)) if weighted else kw
    _both("BCELoss", theirs_kw, [x, y], ours_kwargs=ours_kw)


def test_bce_clamps_log_like_torch():
    x = np.array([0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 1.0])
    close(F.binary_cross_entropy(nt.tensor(x), nt.tensor(y), reduction="none"),
          TF.binary_cross_entropy(torch.tensor(x), torch.tensor(y), reduction="none"))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(nt.tensor([1.5]), nt.tensor([1.0]))
    with pytest.raises(ValueError, match="target size"):
        F.binary_cross_entropy(nt.tensor([0.5, 0.5]), nt.tensor([[1.0, 1.0]]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted,pos", [(False, False), (True, False), (False, True),
                                          (True, True)])
def test_bce_with_logits(reduction, weighted, pos):
    x, y = randn(5, 3) * 3, RNG.uniform(0, 1, (5, 3))
    w, pw = _w(3), _w(3)
    ours_kw, theirs_kw = {"reduction": reduction}, {"reduction": reduction}
    if weighted:
        ours_kw["weight"], theirs_kw["weight"] = nt.tensor(w), torch.tensor(w)
    if pos:
        ours_kw["pos_weight"], theirs_kw["pos_weight"] = nt.tensor(pw), torch.tensor(pw)
    _both("BCEWithLogitsLoss", theirs_kw, [x, y], ours_kwargs=ours_kw)


def test_bce_with_logits_stable_at_1000():
    x = np.array([1000.0, -1000.0, 1000.0, -1000.0, 0.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    for dt, tdt in ((nt.float32, torch.float32), (nt.float64, torch.float64)):
        xa = nt.tensor(x, dtype=dt, requires_grad=True)
        xb = torch.tensor(x, dtype=tdt, requires_grad=True)
        la = F.binary_cross_entropy_with_logits(xa, nt.tensor(y, dtype=dt), reduction="sum")
        lb = TF.binary_cross_entropy_with_logits(xb, torch.tensor(y, dtype=tdt), reduction="sum")
        la.backward()
        lb.backward()
        assert np.isfinite(la.item()) and np.all(np.isfinite(xa.grad.numpy()))
        close(la, lb, rtol=1e-6)
        close(xa.grad, xb.grad, rtol=1e-6)
        assert la.dtype == dt


def _ce_case(kind, c=4):
    if kind == "2d":
        return randn(6, c) * 2, RNG.integers(0, c, 6)
    if kind == "nd":
        return randn(2, c, 3, 2) * 2, RNG.integers(0, c, (2, 3, 2))
    return randn(c) * 2, np.array(RNG.integers(0, c))  # unbatched


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["2d", "nd", "1d"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("ignore", [False, True])
def test_cross_entropy_class_indices(reduction, kind, weighted, smoothing, ignore):
    x, t = _ce_case(kind)
    if ignore and t.ndim:
        t.reshape(-1)[0] = -100 if kind != "nd" else 2
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    if ignore and kind == "nd":
        kw["ignore_index"] = 2
    ours_kw, theirs_kw = dict(kw), dict(kw)
    if weighted:
        w = _w(4)
        ours_kw["weight"], theirs_kw["weight"] = nt.tensor(w), torch.tensor(w)
    _both("CrossEntropyLoss", theirs_kw, [x], consts=[t], ours_kwargs=ours_kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets(reduction, weighted, smoothing):
    x = randn(2, 4, 3)
    p = RNG.uniform(0, 1, (2, 4, 3))
    p /= p.sum(1, keepdims=True)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    ours_kw, theirs_kw = dict(kw), dict(kw)
    if weighted:
        w = _w(4)
        ours_kw["weight"], theirs_kw["weight"] = nt.tensor(w), torch.tensor(w)
    _both("CrossEntropyLoss", theirs_kw, [x, p], ours_kwargs=ours_kw)  # target grads too


def test_cross_entropy_stable_at_1000():
    x = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [5.0, 5.0, 5.0]])
    t = np.array([1, 2, 0])
    for dt, tdt in ((nt.float32, torch.float32), (nt.float64, torch.float64)):
        xa = nt.tensor(x, dtype=dt, requires_grad=True)
        xb = torch.tensor(x, dtype=tdt, requires_grad=True)
        la, lb = F.cross_entropy(xa, nt.tensor(t)), TF.cross_entropy(xb, torch.tensor(t))
        la.backward()
        lb.backward()
        assert np.isfinite(la.item()) and np.all(np.isfinite(xa.grad.numpy()))
        assert la.dtype == dt and xa.grad.dtype == dt
        close(la, lb, rtol=1e-6)
        close(xa.grad, xb.grad, atol=1e-7)


def test_cross_entropy_errors_and_all_ignored():
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.cross_entropy(nt.randn(2, 3), nt.tensor([0, 5]))
    with pytest.raises(ValueError, match="target of shape"):
        F.cross_entropy(nt.randn(2, 3), nt.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")
    out = F.cross_entropy(nt.randn(2, 3), nt.tensor([-100, -100]))
    ref = TF.cross_entropy(torch.randn(2, 3), torch.tensor([-100, -100]))
    assert np.isnan(out.item()) and np.isnan(ref.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss(reduction, weighted):
    x, t = randn(2, 4, 3), RNG.integers(0, 4, (2, 3))
    t[0, 0] = 1
    kw = {"reduction": reduction, "ignore_index": 1}
    ours_kw, theirs_kw = dict(kw), dict(kw)
    if weighted:
        w = _w(4)
        ours_kw["weight"], theirs_kw["weight"] = nt.tensor(w), torch.tensor(w)
    _both("NLLLoss", theirs_kw, [x], consts=[t], ours_kwargs=ours_kw)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(4), 3))
    y = RNG.dirichlet(np.ones(4), 3)
    y[0, 1] = 0.0
    if log_target:
        y = np.log(y + 0.1)
    _both("KLDivLoss", {"reduction": reduction, "log_target": log_target}, [x], consts=[y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p,margin,weighted", [(1, 1.0, False), (2, 0.5, True), (1, 2.0, True)])
def test_multi_margin(reduction, p, margin, weighted):
    x, t = randn(5, 4), RNG.integers(0, 4, 5)
    kw = {"reduction": reduction, "p": p, "margin": margin}
    ours_kw, theirs_kw = dict(kw), dict(kw)
    if weighted:
        w = _w(4)
        ours_kw["weight"], theirs_kw["weight"] = nt.tensor(w), torch.tensor(w)
    _both("MultiMarginLoss", theirs_kw, [x], consts=[t], ours_kwargs=ours_kw)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3])
def test_cosine_embedding(reduction, margin):
    x1, x2 = randn(5, 3), randn(5, 3)
    y = np.array([1, -1, 1, -1, -1])
    _both("CosineEmbeddingLoss", {"reduction": reduction, "margin": margin}, [x1, x2],
          consts=[y])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding(reduction):
    x, y = randn(6) * 2, np.array([1, -1, 1, -1, -1, 1])
    _both("HingeEmbeddingLoss", {"reduction": reduction, "margin": 0.7}, [x], consts=[y])


def _f64(*shape):
    return nt.tensor(randn(*shape), dtype=nt.float64, requires_grad=True)


def test_losses_gradcheck():
    x, y = _f64(3, 4), _f64(3, 4)
    t = nt.tensor([0, 3, 1])
    w = nt.tensor(_w(4))
    p = nt.tensor(RNG.dirichlet(np.ones(4), 3), requires_grad=True)
    probs = nt.tensor(RNG.uniform(0.1, 0.9, (3, 4)), requires_grad=True)
    checks = [
        (lambda x: F.cross_entropy(x, t, weight=w, label_smoothing=0.1), (x,)),
        (lambda x: F.cross_entropy(x, t, reduction="none"), (x,)),
        (lambda x, p: F.cross_entropy(x, p), (x, p)),
        (lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=w), (x, y)),
        (lambda q, y: F.binary_cross_entropy(q, y), (probs, y)),
        (lambda x, y: F.smooth_l1_loss(x, y, beta=0.5), (x, y)),
        (lambda x, y: F.huber_loss(x, y, delta=0.5), (x, y)),
        (lambda x, y: F.mse_loss(x, y), (x, y)),
        (lambda x: F.nll_loss(x, t, weight=w), (x,)),
        (lambda x, y: F.kl_div(x, y, reduction="batchmean", log_target=True), (x, y)),
        (lambda x: F.multi_margin_loss(x, t, p=2), (x,)),
        (lambda x, y: F.cosine_embedding_loss(x, y, nt.tensor([1, -1, 1])), (x, y)),
        (lambda x, y: F.soft_margin_loss(x, y), (x, y)),
    ]
    for fn, args in checks:
        assert gradcheck(fn, args)


def test_fused_losses_double_backward():
    """Gradient-penalty style: the gradients of the fused losses are differentiable."""
    x, y = _f64(3, 4), _f64(3, 4)
    t = nt.tensor([0, 3, 1])
    pw = nt.tensor(_w(4), requires_grad=True)
    assert gradgradcheck(lambda x: F.cross_entropy(x, t, label_smoothing=0.2), (x,))
    assert gradgradcheck(lambda x: F.cross_entropy(x, t, reduction="none"), (x,))
    assert gradgradcheck(lambda x, y, pw: F.binary_cross_entropy_with_logits(
        x, y.sigmoid(), pos_weight=pw), (x, y, pw))
    # against torch: d/dx || d loss / dx ||^2
    xa, xb = leaf(randn(3, 4))
    (ga,) = nt.autograd.grad(F.cross_entropy(xa, t), (xa,), create_graph=True)
    (gb,) = torch.autograd.grad(TF.cross_entropy(xb, torch.tensor([0, 3, 1])), (xb,),
                                create_graph=True)
    (ga * ga).sum().backward()
    (gb * gb).sum().backward()
    close(xa.grad, xb.grad)


def test_losses_float32_preserved():
    x, y = nt.randn(4, 3), nt.rand(4, 3)
    t = nt.tensor([0, 1, 2, 1])
    for loss in (F.mse_loss(x, y), F.l1_loss(x, y), F.smooth_l1_loss(x, y),
                 F.huber_loss(x, y), F.binary_cross_entropy(y * 0.5 + 0.2, y),
                 F.binary_cross_entropy_with_logits(x, y), F.cross_entropy(x, t),
                 F.nll_loss(x, t), F.kl_div(x, y), F.multi_margin_loss(x, t),
                 F.cross_entropy(x, t, weight=nt.ones(3), label_smoothing=0.1)):
        assert loss.dtype == nt.float32


def test_loss_reprs():
    for name in ("MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss", "KLDivLoss"):
        assert repr(getattr(nn, name)()) == repr(getattr(tnn, name)())
