"""The Keras face's fused primitives against PyTorch (float64) and finite differences."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import gradcheck
from neuronet.keras._ops import KernelDense, SoftmaxCrossEntropy, SparseSoftmaxCrossEntropy

torch = pytest.importorskip("torch")


def _pair(array):
    return (nt.tensor(array, dtype=nt.float64, requires_grad=True),
            torch.tensor(array, dtype=torch.float64, requires_grad=True))


@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (1, 4)])
def test_kernel_dense_matches_torch(shape):
    rng = np.random.default_rng(0)
    x, tx = _pair(rng.standard_normal(shape))
    k, tk = _pair(rng.standard_normal((4, 3)))
    b, tb = _pair(rng.standard_normal(3))
    y = KernelDense.apply(x, k, b)
    ty = tx @ tk + tb
    g = rng.standard_normal(ty.shape)
    y.backward(nt.tensor(g, dtype=nt.float64))
    ty.backward(torch.tensor(g))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    for ours, theirs in ((x, tx), (k, tk), (b, tb)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-10)


def test_kernel_dense_gradcheck():
    rng = np.random.default_rng(1)
    x = nt.tensor(rng.standard_normal((3, 4)), dtype=nt.float64, requires_grad=True)
    k = nt.tensor(rng.standard_normal((4, 2)), dtype=nt.float64, requires_grad=True)
    b = nt.tensor(rng.standard_normal(2), dtype=nt.float64, requires_grad=True)
    assert gradcheck(lambda x, k, b: KernelDense.apply(x, k, b), (x, k, b))
    assert gradcheck(lambda x, k: KernelDense.apply(x, k), (x, k))


def test_softmax_cross_entropy_matches_torch_and_gradcheck():
    rng = np.random.default_rng(2)
    z, tz = _pair(rng.standard_normal((6, 5)) * 3)
    target = rng.dirichlet(np.ones(5), size=6)
    y = nt.tensor(target, dtype=nt.float64)
    loss = SoftmaxCrossEntropy.apply(z, y)
    tloss = -(torch.tensor(target) * torch.log_softmax(tz, -1)).sum(-1)
    g = rng.standard_normal(6)
    loss.backward(nt.tensor(g, dtype=nt.float64))
    tloss.backward(torch.tensor(g))
    np.testing.assert_allclose(loss.detach().numpy(), tloss.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy(), rtol=1e-10, atol=1e-12)
    z2 = nt.tensor(rng.standard_normal((3, 4)), dtype=nt.float64, requires_grad=True)
    y2 = nt.tensor(rng.dirichlet(np.ones(4), size=3), dtype=nt.float64)
    assert gradcheck(lambda z: SoftmaxCrossEntropy.apply(z, y2), (z2,))


def test_sparse_softmax_cross_entropy_matches_torch_and_gradcheck():
    rng = np.random.default_rng(3)
    z, tz = _pair(rng.standard_normal((7, 4)) * 5)
    labels = rng.integers(0, 4, 7)
    loss = SparseSoftmaxCrossEntropy.apply(z, nt.tensor(labels))
    tloss = torch.nn.functional.cross_entropy(tz, torch.tensor(labels), reduction="none")
    loss.sum().backward()
    tloss.sum().backward()
    np.testing.assert_allclose(loss.detach().numpy(), tloss.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(z.grad.numpy(), tz.grad.numpy(), rtol=1e-10, atol=1e-12)
    z2 = nt.tensor(rng.standard_normal((3, 4)), dtype=nt.float64, requires_grad=True)
    t2 = nt.tensor(np.array([0, 3, 1]))
    assert gradcheck(lambda z: SparseSoftmaxCrossEntropy.apply(z, t2), (z2,))


def test_stable_for_huge_logits():
    z = nt.tensor([[1000.0, -1000.0, 0.0]], dtype=nt.float32, requires_grad=True)
    loss = SoftmaxCrossEntropy.apply(z, nt.tensor([[0.0, 1.0, 0.0]]))
    values = loss.detach().numpy()
    assert np.isfinite(values).all() and values[0] == pytest.approx(2000.0)
    assert loss.dtype == nt.float32
