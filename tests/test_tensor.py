"""Tensor construction, dtypes, attributes and printing, side by side with PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import neuronet as nt

torch = pytest.importorskip("torch")


def same_repr(ours, theirs):
    assert repr(ours) == repr(theirs).replace("torch.", "neuronet."), (repr(ours), repr(theirs))


@pytest.mark.parametrize(
    "data",
    [[1.0, 2.0], [[1.0, 2.5], [3.0, 4.0]], 3.5, [1, 2, 3], [True, False], [[0.1, 0.25]], [],
     [1e-5, 2.0], [123456789.0, 1.0]],
)
def test_repr_matches_pytorch(data):
    same_repr(nt.tensor(data), torch.tensor(data))


def test_repr_with_dtype_and_grad():
    same_repr(nt.tensor([1.0, 2.0], dtype=nt.float64),
              torch.tensor([1.0, 2.0], dtype=torch.float64))
    same_repr(nt.tensor([1.0, 2.0], requires_grad=True),
              torch.tensor([1.0, 2.0], requires_grad=True))
    same_repr(nt.tensor([1, 2], dtype=nt.int32), torch.tensor([1, 2], dtype=torch.int32))
    y = nt.tensor([1.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2.], grad_fn=<MulBackward>)"


@pytest.mark.parametrize(
    "data,dtype",
    [(1.5, "float32"), (1, "int64"), (True, "bool"), ([1, 2.0], "float32"),
     (np.float64(1.0), "float64"), (np.arange(3, dtype=np.int32), "int32")],
)
def test_tensor_dtype_inference_matches_pytorch(data, dtype):
    assert str(nt.tensor(data).dtype) == "neuronet." + dtype
    assert str(torch.tensor(data).dtype) == "torch." + dtype


def test_default_float_dtype_and_python_scalars_keep_float32():
    x = nt.ones(3)
    assert x.dtype == nt.float32
    for y in (x * 2.5, 2.5 * x, x / 3, x ** 2.0, x - 1e-3, 1 / x, x + True):
        assert y.dtype == nt.float32
    i = nt.arange(3)
    assert i.dtype == nt.int64
    assert (i * 1.5).dtype == nt.float32
    assert (i / 2).dtype == nt.float32
    assert (i + x).dtype == nt.float32
    assert (x.double() + x).dtype == nt.float64
    assert (x + nt.tensor(2.0, dtype=nt.float64)).dtype == nt.float32  # 0-d does not widen


def test_to_and_conversions():
    x = nt.tensor([1.7, -2.2])
    assert x.to(nt.float64).dtype == nt.float64
    assert x.double().dtype == nt.float64 and x.float().dtype == nt.float32
    assert x.long().tolist() == [1, -2]
    assert x.to("cpu") is x
    assert x.to(nt.device("cpu"), nt.float64).dtype == nt.float64
    assert x.to(nt.zeros(1, dtype=nt.int32)).dtype == nt.int32
    with pytest.raises(RuntimeError, match="not available"):
        x.to("cuda")
    assert not nt.cuda.is_available() and not nt.accelerator.is_available()


def test_factories_match_pytorch_shapes_and_dtypes():
    cases = [
        (nt.zeros(2, 3), torch.zeros(2, 3)),
        (nt.zeros((2, 3)), torch.zeros((2, 3))),
        (nt.ones([4]), torch.ones([4])),
        (nt.full((2, 2), 7), torch.full((2, 2), 7)),
        (nt.full((2, 2), 7.0), torch.full((2, 2), 7.0)),
        (nt.arange(5), torch.arange(5)),
        (nt.arange(0, 1, 0.1), torch.arange(0, 1, 0.1)),
        (nt.arange(1.0, 4.0), torch.arange(1.0, 4.0)),
        (nt.linspace(0, 1, 7), torch.linspace(0, 1, 7)),
        (nt.eye(3), torch.eye(3)),
        (nt.eye(2, 4), torch.eye(2, 4)),
        (nt.empty(3, 0), torch.empty(3, 0)),
        (nt.zeros_like(nt.ones(2, dtype=nt.int32)),
         torch.zeros_like(torch.ones(2, dtype=torch.int32))),
    ]
    for ours, theirs in cases:
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        if ours.numel() and "empty" not in repr(ours):
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_random_factories_are_seeded_and_typed():
    nt.manual_seed(3)
    a = nt.randn(4, 5)
    nt.manual_seed(3)
    b = nt.randn(4, 5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert a.dtype == nt.float32
    r = nt.rand(1000)
    assert 0 <= r.numpy().min() and r.numpy().max() < 1
    i = nt.randint(3, 7, (1000,))
    assert i.dtype == nt.int64 and set(np.unique(i.numpy())) == {3, 4, 5, 6}
    assert nt.randint(5, (3,)).numpy().max() < 5
    p = nt.randperm(10)
    assert sorted(p.tolist()) == list(range(10))
    g = nt.Generator().manual_seed(1)
    assert nt.rand(3, generator=g).shape == (3,)
    assert nt.randn(2, 2, dtype=nt.float64).dtype == nt.float64


def test_from_numpy_shares_memory_and_tensor_copies():
    a = np.zeros(3)
    t = nt.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 5 and t.dtype == nt.float64
    c = nt.tensor(a)
    a[1] = 7
    assert c[1].item() == 0


def test_attributes_pytorch_users_expect():
    x = nt.randn(2, 3, requires_grad=True)
    assert x.shape == (2, 3) and x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert repr(x.shape) == "neuronet.Size([2, 3])"
    assert x.dim() == 2 and x.ndim == 2 and x.numel() == 6 and len(x) == 2
    assert x.is_leaf and x.grad_fn is None and x.requires_grad
    y = x.sum()
    assert isinstance(y.item(), float)
    assert nt.tensor([[1, 2]]).tolist() == [[1, 2]]
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    assert x.detach().numpy().shape == (2, 3)
    z = nt.zeros(2)
    z.requires_grad_()
    assert z.requires_grad
    with pytest.raises(RuntimeError, match="cannot be converted"):
        x.item()
    assert x.is_floating_point() and not nt.arange(2).is_floating_point()


def test_comparisons_give_bool_tensors_without_grad():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x > 1, x >= 2, x < 2, x <= 2, x == 2, x != 2):
        assert r.dtype == nt.bool and not r.requires_grad
    assert (x > 1).tolist() == [False, True, True]
    assert ((x > 1) & (x < 3)).tolist() == [False, True, False]
    assert (~(x > 1)).tolist() == [True, False, False]


def test_in_place_ops_under_no_grad_mutate_the_array():
    x = nt.ones(3, requires_grad=True)
    arr = x.detach().numpy()
    with nt.no_grad():
        x.add_(2).mul_(3).sub_(1, alpha=2)
        x.copy_(x * 2)
    assert x.detach().numpy() is arr or np.shares_memory(arr, x.detach().numpy())
    np.testing.assert_allclose(arr, [14, 14, 14])
    y = nt.zeros(2, 2)
    y.fill_(3)
    y[0, 1] = 9
    y[1] = nt.tensor([5.0, 6.0])
    assert y.tolist() == [[3, 9], [5, 6]]
    y.zero_()
    assert y.sum().item() == 0


def test_uniform_and_normal_fill_in_place():
    nt.manual_seed(0)
    w = nt.empty(10000)
    w.uniform_(-2, 2)
    assert -2 <= w.numpy().min() and w.numpy().max() <= 2
    w.normal_(1.0, 0.5)
    assert abs(w.numpy().mean() - 1.0) < 0.03 and abs(w.numpy().std() - 0.5) < 0.03
    assert w.dtype == nt.float32


def test_numpy_interop():
    x = nt.tensor([1.0, 2.0])
    arr = np.array([10.0, 20.0], dtype=np.float32)
    assert isinstance(arr + x, nt.Tensor)
    assert (arr + x).tolist() == [11.0, 22.0]
    assert np.asarray(x).tolist() == [1.0, 2.0]


def test_iteration_and_bool():
    x = nt.tensor([[1.0, 2.0], [3.0, 4.0]])
    rows = list(x)
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]
    assert bool(nt.tensor([1.0]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x)


def test_unsupported_data_is_a_clear_error():
    with pytest.raises(TypeError, match="could not convert|unsupported"):
        nt.tensor(["a", "b"])
