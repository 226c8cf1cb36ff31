"""Shape ops against PyTorch (forward, backward, gradcheck) and float32 preservation."""

from __future__ import annotations

import numpy as np
import pytest
from _oracle_shape import Const, check, check_float32, randn

import neuronet

X = randn(2, 3, 4)
NONCONTIG_T = randn(4, 3, seed=2).T  # (3, 4) transposed view
NONCONTIG_S = randn(3, 8, seed=3)[:, ::2]  # (3, 4) strided view
IDX = np.array([[0, 2, 1, 0], [3, 3, 0, 1], [1, 0, 2, 2]])  # (3, 4) int64 into dim 1 of (3, 4)


def _case(fn, *arrays, id):  # noqa: A002
    return pytest.param(fn, arrays, id=id)


CASES = [
    # reshape / view / flatten / unflatten
    _case(lambda t, x: x.reshape(6, 4), X, id="reshape"),
    _case(lambda t, x: x.reshape(-1), X, id="reshape-1"),
    _case(lambda t, x: t.reshape(x, (4, -1, 3)), X, id="reshape-fn"),
    _case(lambda t, x: x.reshape(4, 3), NONCONTIG_T, id="reshape-noncontig"),
    _case(lambda t, x: x.reshape(0, 5), np.zeros((5, 0)), id="reshape-zero"),
    _case(lambda t, x: x.reshape(()), randn(1, 1), id="reshape-scalar"),
    _case(lambda t, x: x.view(3, 8), X, id="view"),
    _case(lambda t, x: x.view(-1, 2), X, id="view-1"),
    _case(lambda t, x: x.flatten(), X, id="flatten"),
    _case(lambda t, x: x.flatten(1), X, id="flatten1"),
    _case(lambda t, x: t.flatten(x, 0, -2), X, id="flatten0-2"),
    _case(lambda t, x: x.flatten(), np.array(2.5), id="flatten-0d"),
    _case(lambda t, x: x.unflatten(2, (2, 2)), X, id="unflatten"),
    _case(lambda t, x: x.unflatten(-1, (-1, 2)), X, id="unflatten-1"),
    # squeeze / unsqueeze
    _case(lambda t, x: x.squeeze(), randn(1, 3, 1, 2), id="squeeze"),
    _case(lambda t, x: x.squeeze(2), randn(1, 3, 1, 2), id="squeeze-dim"),
    _case(lambda t, x: x.squeeze(-1), randn(3, 1), id="squeeze-neg"),
    _case(lambda t, x: x.squeeze(1), randn(3, 2), id="squeeze-noop"),
    _case(lambda t, x: x.squeeze((0, 2)), randn(1, 3, 1, 2), id="squeeze-tuple"),
    _case(lambda t, x: x.unsqueeze(0), X, id="unsqueeze0"),
    _case(lambda t, x: x.unsqueeze(-1), X, id="unsqueeze-1"),
    _case(lambda t, x: t.unsqueeze(x, 2), NONCONTIG_S, id="unsqueeze-noncontig"),
    # transpose / permute / T / mT / movedim
    _case(lambda t, x: x.transpose(0, -1), X, id="transpose"),
    _case(lambda t, x: t.transpose(x, 1, 0), NONCONTIG_T, id="transpose-noncontig"),
    _case(lambda t, x: x.permute(2, 0, 1), X, id="permute"),
    _case(lambda t, x: t.permute(x, (-1, -3, -2)), X, id="permute-neg"),
    _case(lambda t, x: x.permute(1, 0, 2), randn(2, 0, 3), id="permute-zero"),
    _case(lambda t, x: x.T, randn(3, 4), id="T"),
    _case(lambda t, x: x.mT, X, id="mT"),
    _case(lambda t, x: x.t(), NONCONTIG_S, id="t"),
    _case(lambda t, x: t.movedim(x, 0, -1), X, id="movedim"),
    _case(lambda t, x: x.movedim((0, 1), (2, 0)), X, id="movedim-tuple"),
    # expand / repeat
    _case(lambda t, x: x.expand(2, 3, 4), randn(3, 1), id="expand"),
    _case(lambda t, x: x.expand(-1, 5), randn(3, 1), id="expand-1"),
    _case(lambda t, x: x.expand(2, 3), np.array(1.5), id="expand-0d"),
    _case(lambda t, x: x.expand(0, 3), randn(1, 3), id="expand-zero"),
    _case(lambda t, x, y: x.expand_as(y), randn(1, 4), randn(3, 4), id="expand_as"),
    _case(lambda t, x: x.repeat(2, 1, 3), X, id="repeat"),
    _case(lambda t, x: x.repeat(2, 2, 1), randn(3, 2), id="repeat-newdim"),
    _case(lambda t, x: x.repeat(2, 3), NONCONTIG_T, id="repeat-noncontig"),
    _case(lambda t, x: x.repeat_interleave(2, dim=1), X, id="repeat_interleave"),
    _case(lambda t, x: x.repeat_interleave(3), randn(2, 2), id="repeat_interleave-flat"),
    _case(lambda t, x: t.repeat_interleave(x, 2, dim=-1), X, id="repeat_interleave-neg"),
    _case(lambda t, x: x.repeat_interleave(t.tensor([1, 0, 2]), dim=0), randn(3, 2),
          id="repeat_interleave-tensor"),
    # flip / roll
    _case(lambda t, x: x.flip(0, 2), X, id="flip"),
    _case(lambda t, x: t.flip(x, (-1,)), NONCONTIG_S, id="flip-neg"),
    _case(lambda t, x: x.roll(1, 0), X, id="roll"),
    _case(lambda t, x: x.roll((1, -2), (0, -1)), X, id="roll-multi"),
    _case(lambda t, x: t.roll(x, 5), X, id="roll-flat"),
    _case(lambda t, x: x.roll(2, -1), NONCONTIG_T, id="roll-noncontig"),
    # cat / stack
    _case(lambda t, x, y: t.cat([x, y]), randn(2, 3), randn(4, 3), id="cat0"),
    _case(lambda t, x, y: t.cat([x, y, x], dim=-1), randn(2, 3), randn(2, 1), id="cat-neg"),
    _case(lambda t, x, y: t.cat((x, y), 1), NONCONTIG_T, NONCONTIG_S, id="cat-noncontig"),
    _case(lambda t, x, y: t.cat([x, y]), np.zeros((0, 3)), randn(2, 3), id="cat-zero"),
    _case(lambda t, x, y: t.cat([x, y]), np.zeros(0), randn(2, 3), id="cat-legacy-empty"),
    _case(lambda t, x, y: t.concat([x, y], 0), randn(1), randn(2), id="concat"),
    _case(lambda t, x, y: t.stack([x, y]), randn(2, 3), randn(2, 3), id="stack"),
    _case(lambda t, x, y: t.stack([x, y], -1), randn(2, 3), randn(2, 3), id="stack-neg"),
    _case(lambda t, x, y: t.stack((x, y), 1), NONCONTIG_T, NONCONTIG_S, id="stack-mid"),
    # split / chunk / unbind / narrow / select
    _case(lambda t, x: x.split(2, 1), randn(2, 5), id="split-int"),
    _case(lambda t, x: t.split(x, [1, 3, 1], dim=-1), randn(2, 5), id="split-sizes"),
    _case(lambda t, x: x.split([2, 0, 1], 0), randn(3, 2), id="split-zero-size"),
    _case(lambda t, x: x.chunk(3, 1), randn(2, 5), id="chunk"),
    _case(lambda t, x: t.chunk(x, 2, -1), X, id="chunk-neg"),
    _case(lambda t, x: x.unbind(1), X, id="unbind"),
    _case(lambda t, x: t.unbind(x, -1), NONCONTIG_T, id="unbind-neg"),
    _case(lambda t, x: x.narrow(1, 1, 2), X, id="narrow"),
    _case(lambda t, x: x.narrow(-1, 0, 0), X, id="narrow-empty"),
    _case(lambda t, x: x.select(1, -1), X, id="select"),
    _case(lambda t, x: x.select(-1, 2), X, id="select-neg"),
    # tril / triu / diagonal
    _case(lambda t, x: x.tril(), randn(4, 4), id="tril"),
    _case(lambda t, x: t.tril(x, -1), X, id="tril-batched"),
    _case(lambda t, x: x.triu(1), randn(3, 5), id="triu"),
    _case(lambda t, x: t.triu(x, -2), NONCONTIG_T, id="triu-noncontig"),
    _case(lambda t, x: x.diagonal(), randn(3, 4), id="diagonal"),
    _case(lambda t, x: x.diagonal(1), randn(3, 4), id="diagonal-offset"),
    _case(lambda t, x: x.diagonal(-1, 0, 2), X, id="diagonal-dims"),
    _case(lambda t, x: t.diagonal(x, 0, -2, -1), X, id="diagonal-neg-dims"),
    _case(lambda t, x: x.diagonal(5), randn(3, 4), id="diagonal-empty"),
    # pad
    _case(lambda t, x: t.nn.functional.pad(x, (1, 2)), X, id="pad-constant"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 0, 0, 2), value=3.0), X, id="pad-value"),
    _case(lambda t, x: t.nn.functional.pad(x, (-1, 2, 1, -1)), X, id="pad-negative"),
    _case(lambda t, x: t.nn.functional.pad(x, (2, 1), mode="reflect"), X, id="pad-reflect"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 2, 2, 1), mode="reflect"), X,
          id="pad-reflect-2d"),
    _case(lambda t, x: t.nn.functional.pad(x, (2, 3), mode="replicate"), X,
          id="pad-replicate"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 1, 2, 0), mode="replicate"), X,
          id="pad-replicate-2d"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 3), mode="circular"), X, id="pad-circular"),
    _case(lambda t, x: t.nn.functional.pad(x, (2, 1, 1, 2), mode="circular"), X,
          id="pad-circular-2d"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 1)), NONCONTIG_T, id="pad-noncontig"),
    # gather / scatter / index_select / index_add / masked_fill / take_along_dim
    _case(lambda t, x, i: x.gather(1, i), randn(3, 4), IDX, id="gather"),
    _case(lambda t, x, i: t.gather(x, 0, i[:2, :3] % 3), randn(3, 4), IDX, id="gather-small"),
    _case(lambda t, x, i: x.gather(-1, i), NONCONTIG_S, IDX, id="gather-noncontig"),
    _case(lambda t, x, s, i: x.scatter(1, i, s), randn(3, 4), randn(3, 4),
          np.array([[3, 1, 0, 2], [0, 2, 1, 3], [2, 3, 1, 0]]), id="scatter"),
    # torch's own backward cannot handle a src larger than index: compare through x only
    _case(lambda t, x, s, i: x.scatter(0, i, s), randn(3, 4), Const(randn(2, 5)),
          np.array([[2, 0, 1, 0], [0, 1, 2, 2]]), id="scatter-smaller-index"),
    _case(lambda t, x, i: x.scatter(1, i, 2.5), randn(3, 4),
          np.array([[0, 2], [1, 1], [3, 0]]), id="scatter-scalar"),
    _case(lambda t, x, s, i: x.scatter_add(1, i, s), randn(3, 4), randn(3, 4), IDX,
          id="scatter_add"),
    _case(lambda t, x, s, i: x.scatter_add(0, i, s), randn(3, 4), Const(randn(4, 4)),
          IDX[:, :3] % 3, id="scatter_add-small-index"),
    # torch has no derivative for scatter(reduce=...): its scatter_add is the same map
    _case(lambda t, x, s, i: x.scatter(1, i, s, reduce="add") if t is neuronet else
          x.scatter_add(1, i, s), randn(3, 4), randn(3, 4), IDX, id="scatter-reduce-add"),
    _case(lambda t, x, i: x.index_select(2, i), X, np.array([3, 0, 3]), id="index_select"),
    _case(lambda t, x, i: t.index_select(x, -3, i), X, np.array([1, 1]),
          id="index_select-neg"),
    _case(lambda t, x, i: x.index_select(0, i), randn(3, 2), np.zeros(0, np.int64),
          id="index_select-empty"),
    _case(lambda t, x, s, i: x.index_add(1, i, s), X, randn(2, 3, 4), np.array([0, 2, 0]),
          id="index_add"),
    _case(lambda t, x, s, i: x.index_add(0, i, s, alpha=2.0), randn(3, 2), randn(4, 2),
          np.array([2, 2, 0, 2]), id="index_add-alpha"),
    _case(lambda t, x, m: x.masked_fill(m, -1.5), X, X > 0.3, id="masked_fill"),
    _case(lambda t, x, m: t.masked_fill(x, m, 0.0), X, np.array([True, False, True, False]),
          id="masked_fill-broadcast"),
    _case(lambda t, x, v, m: x.masked_fill(m, v), X, np.array(0.7), X < 0,
          id="masked_fill-value-tensor"),
    _case(lambda t, x, i: t.take_along_dim(x, i, 1), randn(3, 4), IDX, id="take_along_dim"),
    _case(lambda t, x, i: t.take_along_dim(x, i, dim=-1), randn(3, 4), IDX[:1, :2],
          id="take_along_dim-broadcast"),
    _case(lambda t, x, i: t.take_along_dim(x, i), randn(3, 4), IDX, id="take_along_dim-flat"),
    _case(lambda t, x, i: t.take_along_dim(x, i, 0), randn(1, 4), IDX % 1,
          id="take_along_dim-broadcast-x"),
    _case(lambda t, x, i: x.gather(0, i), np.array(1.5), np.array(0), id="gather-0d"),
    # sort / topk
    _case(lambda t, x: x.sort(), randn(3, 5), id="sort"),
    _case(lambda t, x: x.sort(0, descending=True), randn(3, 5), id="sort-desc"),
    _case(lambda t, x: t.sort(x, dim=-2), NONCONTIG_T, id="sort-noncontig"),
    _case(lambda t, x: x.topk(2), randn(3, 5), id="topk"),
    _case(lambda t, x: x.topk(2, dim=0, largest=False), randn(3, 5), id="topk-smallest"),
    _case(lambda t, x: t.topk(x, 0, -1), randn(3, 5), id="topk-0"),
    # size-1 and zero-size dims
    _case(lambda t, x: x.flip(1), randn(2, 0, 3), id="flip-zero"),
    _case(lambda t, x: x.roll(1, 0), randn(0, 3), id="roll-zero"),
    _case(lambda t, x: x.roll(3, 1), randn(2, 1), id="roll-size-1"),
    _case(lambda t, x: x.repeat(0, 2), randn(2, 3), id="repeat-zero"),
    _case(lambda t, x: x.repeat(1, 1), randn(1, 1), id="repeat-size-1"),
    _case(lambda t, x, y: t.stack([x, y], 1), randn(0, 2), randn(0, 2), id="stack-zero"),
    _case(lambda t, x: x.unbind(0), randn(1, 3), id="unbind-size-1"),
    _case(lambda t, x: x.chunk(2, 0), randn(1, 3), id="chunk-size-1"),
    _case(lambda t, x: x.transpose(0, 1), randn(1, 0), id="transpose-zero"),
    _case(lambda t, x: x.tril(), randn(0, 3), id="tril-zero"),
    _case(lambda t, x: x.triu(), randn(1, 1), id="triu-size-1"),
    _case(lambda t, x, i: x.gather(1, i), randn(3, 4), np.zeros((3, 0), np.int64),
          id="gather-zero-index"),
    _case(lambda t, x: x.sort(1), randn(2, 0), id="sort-zero"),
    _case(lambda t, x: x.sort(0), randn(1, 3), id="sort-size-1"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 1)), randn(0, 2), id="pad-zero"),
    _case(lambda t, x: t.nn.functional.pad(x, (1, 2), mode="replicate"), randn(2, 1),
          id="pad-replicate-size-1"),
    _case(lambda t, x: x.expand(3, 1, 2), randn(1, 1), id="expand-size-1"),
    _case(lambda t, x: x.diagonal(), randn(0, 3), id="diagonal-zero"),
    _case(lambda t, x: x.movedim(1, 0), randn(1, 0, 2), id="movedim-zero"),
]


@pytest.mark.parametrize("fn, arrays", CASES)
def test_against_torch(fn, arrays):
    check(fn, *arrays)


@pytest.mark.parametrize("fn, arrays", CASES)
def test_float32_preserved(fn, arrays):
    check_float32(fn, *arrays)


def test_view_shares_memory_and_reshape_of_view():
    x = neuronet.arange(12.0).reshape(3, 4)
    v = x.view(4, 3)
    assert np.shares_memory(v.numpy(), x.numpy())
    assert np.shares_memory(x.T.numpy(), x.numpy())
    assert np.shares_memory(x.expand(2, 3, 4).numpy(), x.numpy())


def test_stack_then_split_round_trip_gradient():
    a = neuronet.tensor(randn(2, 3), requires_grad=True)
    parts = neuronet.stack([a, 2 * a, 3 * a], 1).unbind(1)
    (parts[0] + parts[2]).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), np.full((2, 3), 4.0))


def test_sort_indices_and_topk_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = randn(4, 6, seed=5)
    v, i = neuronet.tensor(x).sort(1, descending=True)
    tv, ti = torch.tensor(x).sort(1, descending=True)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert i.dtype == neuronet.int64
    v, i = neuronet.tensor(x).topk(3, 0, largest=False)
    tv, ti = torch.tensor(x).topk(3, 0, largest=False)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    np.testing.assert_array_equal(v.numpy(), tv.numpy())


@pytest.mark.parametrize("values", [
    np.array([3.0, 1.0, 3.0, np.nan, 1.0, 2.0, np.nan]),
    np.array([True, False, True, True, False]),
    np.array([3, 250, 0, 250, 7], dtype=np.uint8),
    np.array([2, -1, 2, 5, -1], dtype=np.int64),
])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_is_stable_like_torch_stable_sort(values, descending):
    torch = pytest.importorskip("torch")
    v, i = neuronet.tensor(values).sort(0, descending=descending)
    tv, ti = torch.tensor(values).sort(dim=0, descending=descending, stable=True)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    np.testing.assert_array_equal(v.numpy(), tv.numpy())
    assert v.dtype == neuronet.tensor(values).dtype


def test_unbind_and_split_use_one_node():
    x = neuronet.tensor(randn(5, 3), requires_grad=True)
    parts = x.unbind(0)
    assert len({p.grad_fn.next_functions[0][0] for p in parts}) == 1
    (parts[1] * 2).sum().backward()  # the other pieces get zero gradient
    expected = np.zeros((5, 3))
    expected[1] = 2
    np.testing.assert_array_equal(x.grad.numpy(), expected)
    pieces = x.split([2, 3], 0)
    assert pieces[0].grad_fn is pieces[1].grad_fn


def test_second_order_through_shape_ops():
    # the backward of each shape op is itself built from shape ops, so it differentiates again
    check(lambda t, x: (t.cat([x.flip(0), x.roll(1, 1)], 1).permute(1, 0) ** 2).tril(),
          randn(3, 3), second_order=True)
    check(lambda t, x: [p ** 3 for p in x.unbind(1)] + [q ** 2 for q in x.split([1, 2], 0)],
          randn(3, 2), second_order=True)
