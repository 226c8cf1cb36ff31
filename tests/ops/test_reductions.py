"""Reductions (sum, mean, prod, max/min, amax/amin, arg*, var/std, logsumexp, norm, cumsum)
against PyTorch and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_check import check, check_float32, noncontig, randn

import neuronet

torch = pytest.importorskip("torch")

DIMS = [None, 0, -1, (0, 2), (-1, 1), (), 1]


def _call(name: str, **kwargs):
    return lambda t: getattr(t, name)(**kwargs)


@pytest.mark.parametrize("name", ["sum", "mean", "prod"])
@pytest.mark.parametrize("dim", DIMS, ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_sum_mean_prod(name, dim, keepdim):
    x = randn(2, 3, 4, seed=1)
    if dim is None:
        check(lambda t: getattr(t, name)(), None, x, second_order=True)
        return
    if name == "prod" and isinstance(dim, tuple):
        pytest.skip("torch.prod takes a single dim")
    check(_call(name, dim=dim, keepdim=keepdim), None, x, second_order=True)


@pytest.mark.parametrize("name", ["sum", "mean", "prod"])
def test_sum_mean_prod_edge_shapes(name):
    check(_call(name), None, np.asarray(randn(seed=2)), second_order=True)  # 0-d
    check(_call(name, dim=0), None, np.asarray(randn(seed=2)))
    check(_call(name, dim=-1, keepdim=True), None, randn(1, seed=3))
    check(_call(name, dim=1), None, randn(3, 0, seed=3), run_gradcheck=False)  # empty dim
    check(_call(name, dim=0), None, randn(0, 3, seed=3), run_gradcheck=False)
    check(_call(name, dim=1), None, noncontig(randn(3, 4, seed=4)), second_order=True)
    check_float32(_call(name, dim=1), randn(3, 4))
    check_float32(_call(name), randn(3, 4))


def test_prod_with_zeros():
    x = randn(3, 4, seed=5)
    x[0, 1] = 0.0  # one zero in row 0
    x[1, 0] = x[1, 2] = 0.0  # two zeros in row 1
    for kw in ({"dim": 1}, {"dim": 0}, {"dim": -1, "keepdim": True}, {}):
        check(_call("prod", **kw), None, x, second_order=True)
    check(_call("prod", dim=1), None, noncontig(x))
    y = randn(2, 4, seed=6)
    y[0, :3] = 0.0  # three zeros: every gradient and second derivative is 0
    y[1, 1] = 0.0
    check(_call("prod", dim=1), None, y, second_order=True)
    check(_call("prod"), None, y, second_order=True)


def test_sum_dtypes():
    i = neuronet.tensor([[1, 2], [3, 4]])
    assert i.sum().dtype == neuronet.int64 and i.sum().item() == 10
    assert neuronet.tensor([True, True, False]).sum().item() == 2
    assert i.prod(1).tolist() == [2, 12]
    assert neuronet.ones(2, 3).sum(dtype=neuronet.float64).dtype == neuronet.float64
    with pytest.raises(RuntimeError, match="mean"):
        i.mean()


def test_dim_errors_name_the_op():
    x = neuronet.ones(2, 3)
    for name in ("sum", "mean", "prod", "amax", "logsumexp", "cumsum", "argmax", "var"):
        with pytest.raises(IndexError, match=rf"{name}.*range"):
            getattr(x, name)(dim=2)
    with pytest.raises(IndexError, match="max"):
        x.max(dim=-3)
    with pytest.raises(RuntimeError, match="multiple"):
        x.sum(dim=(0, -2))


# --- max / min / amax / amin / argmax / argmin -----------------------------------------------

TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 4.0, 5.0]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_full_reduction_splits_ties(name):
    check(_call(name), None, TIES, run_gradcheck=False)
    check(_call(name), None, -TIES, run_gradcheck=False)
    check(_call(name), None, randn(3, 4, seed=6), second_order=True)
    check(lambda t: getattr(neuronet if isinstance(t, neuronet.Tensor) else torch, name)(t),
          None, noncontig(randn(3, 4, seed=7)))
    check_float32(_call(name), randn(3, 4))
    with pytest.raises(RuntimeError, match=name):
        getattr(neuronet.ones(0, 3), name)()


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_max_min_with_dim(name, dim, keepdim):
    # ties: values and indices as torch, the gradient to the index torch returns
    outs, refs = check(_call(name, dim=dim, keepdim=keepdim), None, TIES, run_gradcheck=False)
    assert outs[0].shape == outs[1].shape and outs[1].dtype == neuronet.int64
    named = getattr(neuronet.tensor(TIES), name)(dim=dim, keepdim=keepdim)
    assert named.values.shape == outs[0].shape and named.indices.dtype == neuronet.int64
    check(_call(name, dim=dim, keepdim=keepdim), None, randn(3, 4, 2, seed=8),
          second_order=True)
    check(_call(name, dim=dim), None, noncontig(randn(4, 3, seed=9)))


def test_max_min_dim_edge_shapes():
    check(_call("max", dim=0), None, np.asarray(randn(seed=1)))  # 0-d
    check(_call("min", dim=1, keepdim=True), None, randn(3, 1, seed=2))
    check(_call("max", dim=0), None, randn(2, 0, seed=3), run_gradcheck=False)
    x = neuronet.ones(2, 3)
    values, indices = x.float().max(1)  # unpacking works like torch's namedtuple
    assert values.shape == (2,) and indices.tolist() == [0, 0]


@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("dim", [0, 1, -1, (0, 1), ()])
def test_amax_amin_ties(name, dim):
    check(_call(name, dim=dim), None, TIES, run_gradcheck=False)
    check(_call(name, dim=dim, keepdim=True), None, -TIES, run_gradcheck=False)
    check(_call(name, dim=dim), None, randn(3, 4, seed=10), second_order=True)
    check(_call(name, dim=dim), None, noncontig(randn(3, 4, seed=11)))
    check_float32(_call(name, dim=dim), randn(3, 4))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin(name):
    for x in (TIES, -TIES, randn(3, 4, 5, seed=12), noncontig(randn(3, 4, seed=13))):
        for kw in ({}, {"dim": 0}, {"dim": -1}, {"dim": 1, "keepdim": True},
                   {"dim": None, "keepdim": True}):
            got = getattr(neuronet.tensor(x), name)(**kw)
            want = getattr(torch.tensor(x), name)(**kw)
            assert got.dtype == neuronet.int64 and tuple(got.shape) == tuple(want.shape), kw
            np.testing.assert_array_equal(got.numpy(), want.numpy())


# --- var / std -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("kw", [{}, {"dim": 0}, {"dim": -1, "keepdim": True},
                                {"dim": (0, 2)}, {"unbiased": False}, {"dim": 1, "unbiased": True},
                                {"dim": 1, "correction": 0}, {"dim": 2, "correction": 2}],
                         ids=str)
def test_var_std(name, kw):
    x = randn(3, 4, 5, seed=14)
    check(_call(name, **kw), None, x, second_order=True)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_edges(name):
    check(lambda t: getattr(t, name)(0), None, randn(4, 3, seed=15))  # positional dim
    check(_call(name, dim=1), None, noncontig(randn(4, 3, seed=16)))
    check(_call(name, dim=1), None, randn(4, 1, seed=17), run_gradcheck=False)  # n - 1 = 0: nan
    check(_call(name, dim=1, correction=0), None, randn(4, 1, seed=17), run_gradcheck=False)
    check_float32(_call(name, dim=1), randn(3, 4))


# --- logsumexp -------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, -1, (0, 1), 1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_logsumexp(dim, keepdim):
    check(_call("logsumexp", dim=dim, keepdim=keepdim), None, randn(3, 4, 2, seed=18),
          second_order=True)


def test_logsumexp_extreme_values():
    big = np.array([[1000.0, 1000.0, 999.0], [-1000.0, -1001.0, -1e4], [0.0, 1.0, 2.0]])
    check(_call("logsumexp", dim=1), None, big)
    with_inf = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, 3.0]])
    check(_call("logsumexp", dim=1), None, with_inf, run_gradcheck=False)
    check(_call("logsumexp", dim=1), None, np.full((2, 3), -np.inf), run_gradcheck=False)
    check(_call("logsumexp", dim=1), None, np.array([[np.inf, 0.0, 1.0]]), run_gradcheck=False)
    check(_call("logsumexp", dim=0), None, noncontig(randn(3, 4, seed=19)))
    check(_call("logsumexp", dim=1), None, randn(2, 0, seed=1), run_gradcheck=False)
    out = check_float32(_call("logsumexp", dim=1), big)
    assert np.all(np.isfinite(out.detach().numpy()))


# --- norm ------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [2, 1, float("inf"), 3, "fro", 0.5, float("-inf")], ids=str)
@pytest.mark.parametrize("dim", [None, 1, -1, (0, 1)], ids=str)
def test_norm(p, dim):
    x = randn(3, 4, seed=20)
    if p == "fro" and dim is not None and not isinstance(dim, tuple):
        pytest.skip("torch: 'fro' takes no single dim")
    check(lambda t: t.norm(p=p, dim=dim), None, x, second_order=p not in (1,))
    check(lambda t: t.norm(p=p, dim=dim, keepdim=True), None, noncontig(x))
    check_float32(lambda t: t.norm(p=p, dim=dim), x)


@pytest.mark.parametrize("p", [2, 1, float("inf"), 3, "fro"], ids=str)
def test_norm_zero_vector_and_ties(p):
    z = np.zeros((2, 3))
    z[1] = [1.0, -2.0, 2.0]  # ties of |x| for inf
    check(lambda t: t.norm(p=p), None, np.zeros(3), run_gradcheck=False)
    if p != "fro":
        check(lambda t: t.norm(p=p, dim=1), None, z, run_gradcheck=False)
    check(lambda t: neuronet.norm(t) if isinstance(t, neuronet.Tensor) else torch.norm(t),
          None, randn(2, 3, seed=21))


# --- cumsum ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dim", [0, 1, -1, -3])
def test_cumsum(dim):
    x = randn(2, 3, 4, seed=22)
    check(_call("cumsum", dim=dim), None, x, second_order=True)
    check(_call("cumsum", dim=dim), None, noncontig(x))
    check_float32(_call("cumsum", dim=dim), x)


def test_cumsum_edges():
    check(_call("cumsum", dim=0), None, np.asarray(randn(seed=23)))
    check(_call("cumsum", dim=0), None, randn(0, 2, seed=23), run_gradcheck=False)
    got = neuronet.tensor([1, 2, 3]).cumsum(0)
    assert got.dtype == neuronet.int64 and got.tolist() == [1, 3, 6]
    assert neuronet.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    check(lambda t: neuronet.cumsum(t, 1) if isinstance(t, neuronet.Tensor)
          else torch.cumsum(t, 1), None, randn(2, 3))
