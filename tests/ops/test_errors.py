"""Bad input to the shape, indexing, linear-algebra and fused ops: each error names the op and
the shapes or dtypes it received."""

from __future__ import annotations

import re

import pytest

import neuronet as nt
import neuronet.nn.functional as F


def z(*shape, dtype=None):
    return nt.zeros(*shape, dtype=dtype)


def _raises(exc, *patterns):
    """pytest.raises for `exc` whose message contains every pattern (plain substrings)."""
    return pytest.raises(exc, match="(?s)" + "".join(f"(?=.*{re.escape(p)})" for p in patterns))


# --- linear algebra --------------------------------------------------------------------------
def test_matmul_inner_dims():
    with _raises(RuntimeError, "matmul", "(3, 4)", "(5, 6)"):
        z(3, 4) @ z(5, 6)
    with _raises(RuntimeError, "matmul", "(4,)", "(3, 2)"):
        nt.matmul(z(4), z(3, 2))
    with _raises(RuntimeError, "matmul", "(2, 3)", "(2,)"):
        z(2, 3).matmul(z(2))


def test_matmul_batch_dims_not_broadcastable():
    with _raises(RuntimeError, "matmul", "(2, 3, 4)", "(3, 4, 5)", "broadcast"):
        z(2, 3, 4) @ z(3, 4, 5)


def test_matmul_0d():
    with _raises(RuntimeError, "matmul", "0D"):
        nt.matmul(z(), z(3))


def test_mm_bmm_dot_outer_shapes():
    with _raises(RuntimeError, "mm", "(2, 3, 4)", "(4, 5)"):
        nt.mm(z(2, 3, 4), z(4, 5))
    with _raises(RuntimeError, "mm", "(2, 3)", "(4, 2)"):
        nt.mm(z(2, 3), z(4, 2))
    with _raises(RuntimeError, "bmm", "(2, 3, 4)", "(3, 4, 5)"):
        nt.bmm(z(2, 3, 4), z(3, 4, 5))
    with _raises(RuntimeError, "bmm", "(2, 3, 4)", "(2, 3, 5)"):
        nt.bmm(z(2, 3, 4), z(2, 3, 5))
    with _raises(RuntimeError, "dot", "2D"):
        nt.dot(z(2, 2), z(2))
    with _raises(RuntimeError, "dot", "(3,)", "(4,)"):
        nt.dot(z(3), z(4))
    with _raises(RuntimeError, "outer", "(2, 2)"):
        nt.outer(z(2, 2), z(2))


def test_matmul_dtype_mismatch_promotes_like_torch_or_raises():
    # PyTorch refuses float @ long; neuronet must not silently produce float64
    out = None
    try:
        out = z(2, 3) @ nt.ones(3, 2, dtype=nt.int64)
    except (RuntimeError, TypeError) as e:
        assert "matmul" in str(e)
    if out is not None:
        assert out.dtype == nt.float32


def test_linear_shapes_and_dtypes():
    with _raises(RuntimeError, "linear", "(4, 3)", "(5, 2)"):
        F.linear(z(4, 3), z(5, 2))
    with _raises(RuntimeError, "linear", "float32", "float64"):
        F.linear(z(4, 3), z(5, 3, dtype=nt.float64))
    with _raises(RuntimeError, "linear", "bias", "(4,)"):
        F.linear(z(2, 3), z(5, 3), z(4))


def test_einsum_errors():
    with _raises(ValueError, "einsum", "2 operands", "1"):
        nt.einsum("ij,jk->ik", z(2, 3))
    with _raises(ValueError, "einsum", "'ijk'", "(2, 3)"):
        nt.einsum("ijk->i", z(2, 3))
    with _raises(ValueError, "einsum", "repeated", "'ii'"):
        nt.einsum("ii->", z(3, 3))
    with _raises(ValueError, "einsum", "j", "3", "2"):
        nt.einsum("ij,jk->ik", z(2, 2), z(3, 4))
    with _raises(ValueError, "einsum", "'z'"):
        nt.einsum("ij->iz", z(2, 2))


# --- shape ops -------------------------------------------------------------------------------
def test_reshape_and_view():
    with _raises(RuntimeError, "reshape", "[5, -1]", "12", "(3, 4)"):
        z(3, 4).reshape(5, -1)
    with _raises(RuntimeError, "reshape", "[7]", "(3, 4)"):
        z(3, 4).view(7)
    with _raises(RuntimeError, "reshape", "-1"):
        z(3, 4).reshape(-1, -1)


def test_cat_and_stack():
    with _raises(RuntimeError, "cat", "(2, 3)", "(2, 4)"):
        nt.cat([z(2, 3), z(2, 4)])
    with _raises(RuntimeError, "cat", "(2, 3)", "(2, 3, 1)"):
        nt.cat([z(2, 3), z(2, 3, 1)], 1)
    with _raises(RuntimeError, "cat", "non-empty"):
        nt.cat([])
    with _raises(IndexError, "cat", "range", "2"):
        nt.cat([z(2, 3), z(2, 3)], 2)
    with _raises(RuntimeError, "stack", "(2, 3)", "(3, 2)"):
        nt.stack([z(2, 3), z(3, 2)])
    with _raises(IndexError, "stack", "range", "3"):
        nt.stack([z(2), z(2)], 3)


@pytest.mark.parametrize("op, call", [
    ("squeeze", lambda x: x.squeeze(3)),
    ("unsqueeze", lambda x: x.unsqueeze(4)),
    ("transpose", lambda x: x.transpose(0, 3)),
    ("permute", lambda x: x.permute(0, 1, 3)),
    ("flatten", lambda x: x.flatten(-4)),
    ("unflatten", lambda x: x.unflatten(3, (1, 4))),
    ("movedim", lambda x: x.movedim(0, 3)),
    ("flip", lambda x: x.flip(3)),
    ("roll", lambda x: x.roll(1, 3)),
    ("split", lambda x: x.split(1, 3)),
    ("chunk", lambda x: x.chunk(2, -4)),
    ("unbind", lambda x: x.unbind(3)),
    ("narrow", lambda x: nt.ops.shape.narrow(x, 3, 0, 1)),
    ("select", lambda x: nt.ops.shape.select(x, -4, 0)),
    ("repeat_interleave", lambda x: x.repeat_interleave(2, 3)),
    ("gather", lambda x: x.gather(3, nt.zeros(2, 3, 4, dtype=nt.int64))),
    ("index_select", lambda x: x.index_select(3, nt.tensor([0]))),
    ("softmax", lambda x: x.softmax(3)),
    ("log_softmax", lambda x: x.log_softmax(-4)),
    ("sort", lambda x: x.sort(3)),
    ("topk", lambda x: x.topk(1, 3)),
    ("diagonal", lambda x: x.diagonal(0, 0, 3)),
])
def test_out_of_range_dim(op, call):
    with _raises(IndexError, op, "out of range"):
        call(z(2, 3, 4))


def test_other_shape_errors():
    with _raises(RuntimeError, "expand", "(2, 3)", "(4, 3)"):
        z(2, 3).expand(4, 3)
    with _raises(RuntimeError, "expand", "sizes", "3", "2"):
        z(2, 3, 4).expand(3, 4)
    with _raises(RuntimeError, "repeat", "(1", "(2, 3)"):
        z(2, 3).repeat(2)
    with _raises(RuntimeError, "repeat", "-1"):
        z(3).repeat(-1)
    with _raises(RuntimeError, "split", "[1, 1]", "3"):
        z(3, 2).split([1, 1])
    with _raises(RuntimeError, "chunk", "0"):
        z(3).chunk(0)
    with _raises(RuntimeError, "tril", "2 dimensions"):
        z(3).tril()
    with _raises(RuntimeError, "permute", "repeated"):
        z(2, 3).permute(0, 0)
    with _raises(RuntimeError, "unflatten", "(2, 3)", "4"):
        z(4, 2).unflatten(0, (2, 3))
    with _raises(RuntimeError, "narrow", "(3)", "(2)", "(4)"):
        nt.ops.shape.narrow(z(2, 4), 1, 3, 2)
    with _raises(IndexError, "select", "5", "(2, 4)"):
        nt.ops.shape.select(z(2, 4), 1, 5)
    with _raises(RuntimeError, "repeat_interleave", "-1"):
        z(3).repeat_interleave(-1)


def test_pad_errors():
    with _raises(ValueError, "pad", "even", "3"):
        F.pad(z(2, 3), (1, 1, 1))
    with _raises(ValueError, "pad", "reflect", "3"):
        F.pad(z(2, 3), (3, 0), mode="reflect")
    with _raises(ValueError, "pad", "'wrap'", "circular"):
        F.pad(z(2, 3), (1, 1), mode="wrap")


# --- indexing --------------------------------------------------------------------------------
def test_getitem_errors():
    with _raises(IndexError, "out of bounds", "(2, 3)"):
        z(2, 3)[2]
    with _raises(IndexError, "too many", "(2, 3)"):
        z(2, 3)[0, 0, 0]
    with _raises(IndexError, "float"):
        z(2, 3)[nt.tensor([0.0])]
    with _raises(IndexError, "mask", "(3,)", "(2, 3)"):
        z(2, 3)[nt.tensor([True, False, True])]


def test_gather_scatter_errors():
    x = z(3, 4)
    with _raises(RuntimeError, "gather", "float32", "int64"):
        x.gather(1, nt.zeros(3, 2))
    with _raises(RuntimeError, "gather", "(3, 4)", "(3,)"):
        x.gather(1, nt.zeros(3, dtype=nt.int64))
    with _raises(RuntimeError, "gather", "4", "size 4"):
        x.gather(1, nt.full((3, 1), 4, dtype=nt.int64))
    with _raises(RuntimeError, "gather", "-5", "size 4"):
        x.gather(1, nt.full((3, 1), -5, dtype=nt.int64))
    with _raises(RuntimeError, "scatter", "float32", "int64"):
        x.scatter(1, nt.zeros(3, 1), 1.0)
    with _raises(RuntimeError, "scatter", "(3, 4)", "(4, 1)"):
        x.scatter(1, nt.zeros(4, 1, dtype=nt.int64), 1.0)
    with _raises(RuntimeError, "scatter", "4", "size 4"):
        x.scatter(1, nt.full((3, 1), 4, dtype=nt.int64), 1.0)
    with _raises(RuntimeError, "scatter", "float32", "float64"):
        x.scatter(1, nt.zeros(3, 1, dtype=nt.int64), z(3, 1, dtype=nt.float64))
    with _raises(ValueError, "scatter", "'mean'"):
        x.scatter(1, nt.zeros(3, 1, dtype=nt.int64), z(3, 1), reduce="mean")
    with _raises(RuntimeError, "index_select", "float32", "int64"):
        x.index_select(0, nt.zeros(2))
    with _raises(IndexError, "index_select", "(2, 2)"):
        x.index_select(0, nt.zeros(2, 2, dtype=nt.int64))
    with _raises(IndexError, "index_select", "3", "size 3"):
        x.index_select(0, nt.tensor([3]))
    with _raises(RuntimeError, "index_add", "(2, 4)", "(3, 4)"):
        x.index_add(0, nt.tensor([0, 1, 2]), z(2, 4))
    with _raises(RuntimeError, "masked_fill", "float32"):
        x.masked_fill(z(3, 4), 1.0)
    with _raises(RuntimeError, "topk", "5", "4"):
        x.topk(5)
    with _raises(RuntimeError, "take_along_dim", "float32"):
        nt.take_along_dim(x, nt.zeros(3, 1), 1)
    with _raises(RuntimeError, "take_along_dim", "(3, 4)", "(3,)"):
        nt.take_along_dim(x, nt.zeros(3, dtype=nt.int64), 1)
    with _raises(RuntimeError, "masked_fill", "(3,)", "(3, 4)"):
        x.masked_fill(nt.zeros(3, dtype=nt.bool), 1.0)
    with _raises(RuntimeError, "masked_fill", "0-dimensional"):
        x.masked_fill(nt.zeros(4, dtype=nt.bool), nt.zeros(4))


def test_setitem_errors():
    with _raises(RuntimeError, "index_put", "(5,)", "(4,)", "(3, 4)"):
        z(3, 4)[0] = z(5)
    y = nt.zeros(3, 4, requires_grad=True) * 1
    with _raises(RuntimeError, "index_put", "(2,)", "(3,)"):
        y[:, 1] = z(2)
    with _raises(IndexError, "index_put", "(3, 4)"):
        y[3] = 1.0
    with _raises(IndexError, "float"):
        y[nt.tensor([0.5])] = 1.0
