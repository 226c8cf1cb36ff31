"""F.interpolate and the Upsample modules: forward and backward against torch in float64,
finite differences (gradcheck), double backward, dtypes and errors."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet import nn  # noqa: E402
from neuronet.autograd import gradcheck  # noqa: E402
from neuronet.nn import functional as F  # noqa: E402

TF = torch.nn.functional

CASES = [
    ((2, 3, 5, 7), dict(size=(9, 4), mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 5, 7), dict(scale_factor=2.5, mode="bilinear", align_corners=True)),
    ((2, 3, 5, 7), dict(size=(3, 2), mode="bilinear", align_corners=False)),
    ((2, 3, 5, 7), dict(scale_factor=(2, 3), mode="bilinear")),
    ((1, 2, 4, 4), dict(size=(1, 1), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 7), dict(scale_factor=1.7, mode="nearest")),
    ((2, 3, 5, 7), dict(size=(3, 13), mode="nearest")),
    ((2, 3, 5, 7), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5, 7), dict(size=(11, 6), mode="nearest-exact")),
    ((2, 3, 8), dict(scale_factor=0.6, mode="linear")),
    ((2, 3, 8), dict(size=13, mode="linear", align_corners=True)),
    ((2, 3, 8), dict(size=5, mode="nearest")),
    ((1, 2, 3, 4, 5), dict(scale_factor=(2, 1.5, 0.7), mode="trilinear")),
    ((1, 2, 3, 4, 5), dict(size=(4, 2, 6), mode="nearest")),
    ((2, 3, 6, 8), dict(size=(4, 3), mode="area")),
    ((2, 3, 5, 7), dict(scale_factor=1.5, mode="bilinear", recompute_scale_factor=True)),
]


def _run(shape, kw, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    x = neuronet.tensor(a, dtype=neuronet.float64, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    y, ty = F.interpolate(x, **kw), TF.interpolate(t, **kw)
    return x, t, y, ty, rng


@pytest.mark.parametrize(("shape", "kw"), CASES, ids=[str(k) for _, k in CASES])
def test_forward_backward_against_torch(shape, kw) -> None:
    x, t, y, ty, rng = _run(shape, kw)
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = rng.standard_normal(tuple(ty.shape))
    y.backward(neuronet.tensor(g))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("shape", "kw"), CASES[::2], ids=[str(k) for _, k in CASES[::2]])
def test_gradcheck(shape, kw) -> None:
    x = neuronet.tensor(np.random.default_rng(1).standard_normal(shape),
                        dtype=neuronet.float64, requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, **kw), (x,))


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_double_backward_against_torch(mode: str) -> None:
    """d/dx of sum(w * dL/dx): the backward is itself a differentiable primitive (scatter /
    transposed weights); the result must match torch's second-order gradient."""
    kw = dict(scale_factor=(1.5, 2), mode=mode)
    x, t, y, ty, rng = _run((2, 2, 3, 4), kw)
    w = rng.standard_normal((2, 2, 3, 4))
    (gx,) = neuronet.autograd.grad((y * y).sum(), [x], create_graph=True)
    (tgx,) = torch.autograd.grad((ty * ty).sum(), [t], create_graph=True)
    np.testing.assert_allclose(gx.detach().numpy(), tgx.detach().numpy(), rtol=1e-12)
    (h,) = neuronet.autograd.grad((gx * neuronet.tensor(w)).sum(), [x])
    (th,) = torch.autograd.grad((tgx * torch.tensor(w)).sum(), [t])
    np.testing.assert_allclose(h.numpy(), th.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_float32_preserved_and_non_contiguous(mode: str) -> None:
    a = np.random.default_rng(2).standard_normal((2, 5, 6, 3)).astype(np.float32)
    x = neuronet.tensor(a).permute(0, 3, 1, 2)  # a non-contiguous (N, C, H, W) view
    y = F.interpolate(x, scale_factor=2, mode=mode)
    assert y.dtype == neuronet.float32
    ty = TF.interpolate(torch.tensor(a).permute(0, 3, 1, 2), scale_factor=2, mode=mode)
    np.testing.assert_allclose(y.numpy(), ty.numpy(), rtol=1e-6, atol=1e-6)


def test_modules_match_torch() -> None:
    a = np.random.default_rng(3).standard_normal((1, 2, 3, 4))
    pairs = [(nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2)),
             (nn.Upsample(size=(5, 7), mode="bilinear"),
              torch.nn.Upsample(size=(5, 7), mode="bilinear")),
             (nn.UpsamplingNearest2d(scale_factor=3), torch.nn.UpsamplingNearest2d(scale_factor=3)),
             (nn.UpsamplingBilinear2d(size=(6, 5)), torch.nn.UpsamplingBilinear2d(size=(6, 5)))]
    for ours, theirs in pairs:
        y = ours(neuronet.tensor(a))
        np.testing.assert_allclose(y.numpy(), theirs(torch.tensor(a)).numpy(), rtol=1e-12)
        assert repr(ours) == repr(theirs)
        assert list(ours.parameters()) == []


def test_size_one_and_identity() -> None:
    x = neuronet.randn(1, 1, 1, 1, requires_grad=True)
    y = F.interpolate(x, size=(3, 2), mode="bilinear")
    want = np.broadcast_to(x.detach().numpy(), (1, 1, 3, 2))
    np.testing.assert_allclose(y.detach().numpy(), want)
    same = F.interpolate(x, size=(1, 1), mode="bilinear")
    assert same is not x
    same.sum().backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize(("kw", "shape", "match"), [
    (dict(), (1, 1, 2, 2), "exactly one of size or scale_factor"),
    (dict(size=2, scale_factor=2), (1, 1, 2, 2), "exactly one"),
    (dict(size=4, mode="linear"), (1, 1, 2, 2), "linear mode needs 3D input"),
    (dict(size=4, mode="bilinear"), (1, 1, 2), "bilinear mode needs 4D input"),
    (dict(size=4, mode="cubic"), (1, 1, 2, 2), "mode must be one of"),
    (dict(size=4, align_corners=True), (1, 1, 2, 2), "align_corners option"),
    (dict(size=(4, 4, 4)), (1, 1, 2, 2), "sequence of 2 numbers"),
    (dict(scale_factor=0.1), (1, 1, 2, 2), "empty output size"),
    (dict(scale_factor=-1), (1, 1, 2, 2), "must be positive"),
    (dict(size=4), (2, 2), "3-D, 4-D or 5-D"),
])
def test_errors_name_the_problem(kw, shape, match) -> None:
    with pytest.raises(ValueError, match=match):
        F.interpolate(neuronet.zeros(*shape), **kw)


def test_integer_input_is_refused() -> None:
    with pytest.raises(TypeError, match="floating point"):
        F.interpolate(neuronet.zeros(1, 1, 2, 2, dtype=neuronet.int64), scale_factor=2)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor"):
        nn.Upsample()
