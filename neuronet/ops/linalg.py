"""Linear algebra: matmul (1-D, 2-D, batched with broadcasting), linear, einsum.

    C = A @ B          dL/dA = g @ B^T,  dL/dB = A^T @ g   (batch dims summed by the engine)
    y = x @ W^T + b    dL/dx = g @ W,    dL/dW = g^T @ x,  dL/db = sum of g over the batch
    einsum             the gradient of each operand is the einsum of g with the others
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from ._util import norm_dim, operands, sum_rows


def matmul_arrays(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.matmul, but (..., n, k) @ (k, m) runs as one GEMM on the (prod(...) * n, k) matrix:
    NumPy's matmul runs one GEMM per leading index, much slower for few rows per index
    (measured (32, 128, 256) @ (256, 768) float32 on 2 threads: 7.6 ms vs 4.9 ms)."""
    if a.ndim > 2 and b.ndim == 2:
        return np.matmul(a.reshape(-1, a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[1:])
    return np.matmul(a, b)


class MatMul(Function):
    """C = A @ B;  dL/dA = g @ B^T,  dL/dB = A^T @ g  (1-D operands are promoted and squeezed
    as in NumPy's matmul)"""

    def forward(self, a, b):
        return matmul_arrays(a, b)

    def backward(self, g):
        a, b = self.inputs
        da = db = None
        na, nb = a._data.ndim, b._data.ndim
        if na == 1 and nb == 1:  # dot product
            return (g * b if self.needs_input_grad[0] else None,
                    g * a if self.needs_input_grad[1] else None)
        if na == 1:  # (k) @ (..., k, m) -> (..., m)
            if self.needs_input_grad[0]:
                da = matmul(g.unsqueeze(-2), b.mT).squeeze(-2)
            if self.needs_input_grad[1]:
                db = a.unsqueeze(-1) * g.unsqueeze(-2)
            return da, db
        if nb == 1:  # (..., n, k) @ (k) -> (..., n)
            if self.needs_input_grad[0]:
                da = g.unsqueeze(-1) * b
            if self.needs_input_grad[1]:
                db = matmul(a.mT, g.unsqueeze(-1)).squeeze(-1)
            return da, db
        if self.needs_input_grad[0]:
            da = matmul(g, b.mT)
        if self.needs_input_grad[1]:
            if na > 2 and nb == 2:  # (..., n, k) @ (k, m): one GEMM over all leading indices
                db = matmul(a.reshape(-1, a.shape[-1]).mT, g.reshape(-1, g.shape[-1]))
            else:
                db = matmul(a.mT, g)
        return da, db


class Linear(Function):
    """y = x @ W^T + b;  dL/dx = g @ W,  dL/dW = g^T @ x,  dL/db = sum(g over batch)

    One primitive instead of transpose + matmul + add: one GEMM and an in-place bias add
    forward, two GEMMs and a sum backward."""

    def forward(self, x, w, b=None):
        out = matmul_arrays(x, w.T)
        if b is not None:
            out += b
        return out

    def backward(self, g):
        x, w = self.inputs[0], self.inputs[1]
        need = self.needs_input_grad
        dx = matmul(g, w) if need[0] else None
        dw = db = None
        if need[1] or (len(need) > 2 and need[2]):
            g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
            if need[1]:
                x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
                dw = matmul(g2.mT, x2)
            if len(need) > 2 and need[2]:
                db = sum_rows(g2)
        return (dx, dw) if len(need) == 2 else (dx, dw, db)


class Einsum(Function):
    """y = einsum(eq, *xs);  dL/dx_i = einsum(g and the other operands -> subscripts of x_i),
    broadcast over indices that only x_i has (a size-1 dim of x_i broadcast against a larger
    one elsewhere is summed back by the engine)"""

    def forward(self, *xs, inputs, output):
        self.subs, self.out = inputs, output
        eq = ",".join(inputs) + "->" + output
        return np.asarray(np.einsum(eq, *xs, optimize=len(xs) > 2))

    def backward(self, g):
        grads = []
        for i, need in enumerate(self.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [s for j, s in enumerate(self.subs) if j != i]
            ops = [t for j, t in enumerate(self.inputs) if j != i]
            have = set(self.out).union(*others) if others else set(self.out)
            target = self.subs[i]
            kept = "".join(c for c in dict.fromkeys(target) if c in have)
            r = einsum_subs([self.out] + others, kept, g, *ops)
            # indices of x_i summed away in y (or broadcast from size 1 by another operand):
            # the gradient is constant along them
            shape = self.inputs[i]._data.shape
            if kept != target:
                sizes = dict(zip(kept, r._data.shape))
                r = r.reshape([sizes.get(c, 1) for c in target])
            if r._data.shape != shape:  # the engine then sums size-1 dims of x_i back
                r = r.expand(np.broadcast_shapes(r._data.shape, shape))
            grads.append(r)
        return tuple(grads)


class SingularValueNorm(Function):
    """Matrix norms of the last two axes from the singular values s_1 >= ... >= s_n of
    x = U diag(s) V^T:
        ord=2      y = s_1        dL/dx = g u_1 v_1^T
        ord=-2     y = s_n        dL/dx = g u_n v_n^T
        ord='nuc'  y = sum_i s_i  dL/dx = g U V^T      (thin U, V)
    (where singular values tie, the gradient is one of the subgradients, as PyTorch's).

    NOTE: first order only (the singular vectors are functions of x); create_graph=True
    raises."""

    def forward(self, x, *, ord):
        u, s, vt = np.linalg.svd(x, full_matrices=False)
        self.ord = ord
        if ord == "nuc":
            self.d = np.matmul(u, vt)
            return s.sum(-1)
        k = 0 if ord == 2 else -1
        self.d = u[..., :, k, None] * vt[..., k, None, :]
        return s[..., k].copy()

    def backward(self, g):
        from ..autograd.grad_mode import state

        if state.enabled:
            raise RuntimeError("matrix norm ord=2/-2/'nuc': the gradient is first order only; "
                               "create_graph=True (double backward) is not supported")
        return Tensor._wrap(g._data[..., None, None] * self.d)


def einsum_subs(inputs: list, output: str, *xs: Tensor) -> Tensor:
    return Einsum.apply(*xs, inputs=tuple(inputs), output=output)


def einsum(equation: str, *operands_: Any) -> Tensor:
    """Einstein summation (`einsum('bij,bjk->bik', a, b)`), with `...` and implicit output."""
    if len(operands_) == 1 and isinstance(operands_[0], (list, tuple)):
        operands_ = tuple(operands_[0])
    xs = [x if isinstance(x, Tensor) else Tensor(x) for x in operands_]
    eq = equation.replace(" ", "")
    lhs, _, rhs = eq.partition("->")
    subs = lhs.split(",")
    if len(subs) != len(xs):
        raise ValueError(
            f"einsum: the equation names {len(subs)} operands but {len(xs)} were given"
        )
    if "..." in eq:
        unused = [c for c in string.ascii_letters if c not in eq]
        ell_n = max(x.ndim - (len(s) - 3) for s, x in zip(subs, xs) if "..." in s)
        ell = "".join(unused[:ell_n])
        subs = [s.replace("...", ell[ell_n - (x.ndim - (len(s) - 3)):]) if "..." in s else s
                for s, x in zip(subs, xs)]
        rhs = rhs.replace("...", ell) if "->" in eq else None
    if "->" not in eq or rhs is None:
        counts: dict = {}
        for s in subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        rhs_ell = ell if "..." in eq else ""
        rhs = rhs_ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in rhs_ell))
    _check_subscripts(subs, rhs, xs)
    dtype = xs[0]._data.dtype
    for x in xs[1:]:
        if x._data.dtype != dtype:
            xs = [operands(xs[0], x)[0] for x in xs]
            break
    return Einsum.apply(*xs, inputs=tuple(subs), output=rhs)


def _check_subscripts(subs: list, rhs: str, xs: list) -> None:
    """Each operand names one letter per dim, no letter twice; a letter has one size (or 1)."""
    sizes: dict = {}
    for s, x in zip(subs, xs):
        if len(s) != x.ndim or not all(c in string.ascii_letters for c in s):
            raise ValueError(
                f"einsum: operand subscripts '{s}' name {len(s)} dims but the operand has "
                f"shape {tuple(x.shape)} (subscripts must be letters, one per dim)"
            )
        if len(set(s)) != len(s):
            raise ValueError(f"einsum: repeated subscripts within one operand ('{s}') are not "
                             "supported; take a diagonal first")
        for c, n in zip(s, x._data.shape):
            seen = sizes.setdefault(c, n)
            if seen != n and 1 not in (seen, n):
                raise ValueError(
                    f"einsum: subscript {c} has size {n} for an operand of shape "
                    f"{tuple(x.shape)}, which does not broadcast with the size {seen} seen "
                    f"before; operand shapes {[tuple(t.shape) for t in xs]}"
                )
            sizes[c] = max(seen, n) if 1 in (seen, n) else n
    for c in rhs:
        if c not in sizes or rhs.count(c) > 1:
            raise ValueError(
                f"einsum: output subscript '{c}' in '{rhs}' must appear once in the output and "
                f"in at least one input ({','.join(subs)})"
            )


def _shape_error(op: str, a: Tensor, b: Tensor, detail: str) -> RuntimeError:
    return RuntimeError(
        f"{op}: shapes {tuple(a._data.shape)} and {tuple(b._data.shape)} cannot be multiplied "
        f"({detail})"
    )


def matmul(a: Any, b: Any) -> Tensor:
    a, b = operands(a, b)
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"matmul: both arguments need at least 1 dimension, got {na}D and {nb}D tensors"
        )
    ka = a._data.shape[-1]
    kb = b._data.shape[-2] if nb > 1 else b._data.shape[0]
    if ka != kb:
        raise _shape_error("matmul", a, b, f"{ka} != {kb}")
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise _shape_error("matmul", a, b, "batch dimensions are not broadcastable") from None


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(
            f"mm: expected 2-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    if a.shape[1] != b.shape[0]:
        raise _shape_error("mm", a, b, f"{a.shape[1]} != {b.shape[0]}")
    return matmul(a, b)


def bmm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"bmm: expected 3-D tensors with the same batch size, got shapes {tuple(a.shape)} "
            f"and {tuple(b.shape)}"
        )
    if a.shape[2] != b.shape[1]:
        raise _shape_error("bmm", a, b, f"{a.shape[2]} != {b.shape[1]}")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(
            f"dot: 1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"dot: inconsistent tensor size, expected tensors of the same size, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: 1D tensors expected, got shapes {tuple(a.shape)}, "
                           f"{tuple(b.shape)}")
    return a.unsqueeze(1) * b.unsqueeze(0)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x @ weight^T + bias (PyTorch's F.linear; weight has shape (out, in))."""
    if x._data.shape[-1:] != weight._data.shape[-1:] or weight._data.ndim != 2:
        raise RuntimeError(
            f"linear: input shape {tuple(x._data.shape)} and weight shape "
            f"{tuple(weight._data.shape)} do not match: expected input (..., in_features) "
            f"and weight (out_features, in_features)"
        )
    if x._data.dtype != weight._data.dtype:
        raise RuntimeError(
            f"linear: expected input and weight of the same dtype, got {x.dtype} and "
            f"{weight.dtype}"
        )
    if bias is None:
        return Linear.apply(x, weight)
    if bias._data.shape not in ((), (1,), weight._data.shape[:1]):
        raise RuntimeError(
            f"linear: bias of shape {tuple(bias._data.shape)} does not match weight of shape "
            f"{tuple(weight._data.shape)}: expected bias of shape ({weight._data.shape[0]},)"
        )
    return Linear.apply(x, weight, bias)


def diagonal(x: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal (i, i + offset) of the matrices in dims (dim1, dim2), as a last dim:
    y[..., i] = x[..., i, i + offset];  dL/dx = g scattered back onto that diagonal."""
    d1, d2 = norm_dim(dim1, x._data.ndim, "diagonal"), norm_dim(dim2, x._data.ndim, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal: dimensions cannot be identical {dim1}, {dim2}")
    y = x.movedim((d1, d2), (-2, -1))
    n, m = y.shape[-2], y.shape[-1]
    if offset >= 0:
        k = max(0, min(n, m - offset))
        rows, cols = np.arange(k), np.arange(k) + offset
    else:
        k = max(0, min(n + offset, m))
        rows, cols = np.arange(k) - offset, np.arange(k)
    return y[(Ellipsis, rows, cols)]
