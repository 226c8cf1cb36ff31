"""Top-level tensor functions as PyTorch spells them (`neuronet.exp(x)`, `neuronet.cat(...)`).

Each is a thin call into `neuronet.ops`; the maths lives there.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ops import arithmetic as _ar
from .ops import elementwise as _el
from .ops import indexing as _idx
from .ops import linalg as _la
from .ops import reductions as _red
from .ops import shape as _sh
from .ops.fused import log_softmax, softmax  # noqa: F401
from .tensor import Tensor, as_tensor_arg

# elementwise
exp, log, log1p, expm1, sqrt, rsqrt = _el.exp, _el.log, _el.log1p, _el.expm1, _el.sqrt, _el.rsqrt
abs, sign, sin, cos, tanh, sigmoid = _el.abs, _el.sign, _el.sin, _el.cos, _el.tanh, _el.sigmoid  # noqa: A001
relu, erf, reciprocal, floor, ceil = _el.relu, _el.erf, _el.reciprocal, _el.floor, _el.ceil
round, trunc, maximum, minimum, where = _el.round, _el.trunc, _el.maximum, _el.minimum, _el.where  # noqa: A001
clamp = clip = _el.clamp
add, sub, mul, div, neg, pow = _ar.add, _ar.sub, _ar.mul, _ar.div, _ar.neg, _ar.pow  # noqa: A001
subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg
floor_divide, remainder = _ar.floor_divide, _ar.remainder

# reductions
sum, mean, prod, amax, amin = _red.sum, _red.mean, _red.prod, _red.amax, _red.amin  # noqa: A001
argmax, argmin, var, std = _red.argmax, _red.argmin, _red.var, _red.std
logsumexp, norm, cumsum = _red.logsumexp, _red.norm, _red.cumsum

# shape and indexing
reshape, flatten, squeeze, unsqueeze = _sh.reshape, _sh.flatten, _sh.squeeze, _sh.unsqueeze
transpose, permute, movedim, flip, roll = (_sh.transpose, _sh.permute, _sh.movedim, _sh.flip,
                                           _sh.roll)
swapaxes = swapdims = transpose
cat, stack, split, chunk, unbind = _sh.cat, _sh.stack, _sh.split, _sh.chunk, _sh.unbind
concat = concatenate = cat
tril, triu, repeat_interleave = _sh.tril, _sh.triu, _sh.repeat_interleave
gather, scatter, index_select, masked_fill = (_idx.gather, _idx.scatter, _idx.index_select,
                                              _idx.masked_fill)
take_along_dim, sort, topk = _idx.take_along_dim, _idx.sort, _idx.topk
narrow, select, unflatten = _sh.narrow, _sh.select, _sh.unflatten
moveaxis = movedim


def scatter_add(x: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:
    return _idx.scatter(x, dim, index, src, "add")


def index_add(x: Tensor, dim: int, index: Any, source: Tensor, alpha: Any = 1) -> Tensor:
    return _idx.index_add(x, dim, index, source if alpha == 1 else source * alpha)


def tile(x: Tensor, dims: Any) -> Tensor:
    return x.tile(dims)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last `dims` dims of a with the first of b (or explicit dim lists)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if isinstance(dims, int):
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = [list(d) if isinstance(d, (list, tuple)) else [d] for d in dims]
    sa = list(letters[:a.ndim])
    sb = list(letters[a.ndim:a.ndim + b.ndim])
    for i, j in zip(da, db):
        sb[j % b.ndim] = sa[i % a.ndim]
    out = [c for k, c in enumerate(sa) if k not in [d % a.ndim for d in da]] + [
        c for k, c in enumerate(sb) if k not in [d % b.ndim for d in db]]
    return _la.einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


def hstack(tensors: Any) -> Tensor:
    return _sh.cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors: Any) -> Tensor:
    return _sh.cat([t.reshape(1, -1) if t.ndim == 1 else t for t in tensors], 0)

# linear algebra
matmul, mm, bmm, dot, outer, einsum = _la.matmul, _la.mm, _la.bmm, _la.dot, _la.outer, _la.einsum
ger = outer
diagonal = _la.diagonal


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    if isinstance(dim, Tensor):
        return _el.maximum(input, dim)
    return _red.max(input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    if isinstance(dim, Tensor):
        return _el.minimum(input, dim)
    return _red.min(input, dim, keepdim)


def square(x: Tensor) -> Tensor:
    return x * x


def flatten_(x: Tensor) -> Tensor:
    return _sh.flatten(x)


def t(x: Tensor) -> Tensor:
    return x.t()


def argsort(x: Tensor, dim: int = -1, descending: bool = False) -> Tensor:
    return _idx.sort(x, dim, descending)[1]


def all(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.all(dim, keepdim)


def any(x: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    return x.any(dim, keepdim)


def isnan(x: Tensor) -> Tensor:
    return x.isnan()


def isinf(x: Tensor) -> Tensor:
    return x.isinf()


def isfinite(x: Tensor) -> Tensor:
    return x.isfinite()


def eq(a: Any, b: Any) -> Tensor:
    return _ar.compare(np.equal, a, b)


def ne(a: Any, b: Any) -> Tensor:
    return _ar.compare(np.not_equal, a, b)


def lt(a: Any, b: Any) -> Tensor:
    return _ar.compare(np.less, a, b)


def le(a: Any, b: Any) -> Tensor:
    return _ar.compare(np.less_equal, a, b)


def gt(a: Any, b: Any) -> Tensor:
    return _ar.compare(np.greater, a, b)


def ge(a: Any, b: Any) -> Tensor:
    return _ar.compare(np.greater_equal, a, b)


def equal(a: Tensor, b: Tensor) -> bool:
    return a.equal(b)


def allclose(a: Tensor, b: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
             equal_nan: bool = False) -> bool:
    return a.allclose(b, rtol, atol, equal_nan)


def isclose(a: Tensor, b: Any, rtol: float = 1e-5, atol: float = 1e-8,
            equal_nan: bool = False) -> Tensor:
    return a.isclose(b, rtol, atol, equal_nan)


def numel(x: Tensor) -> int:
    return x.numel()


def clone(x: Tensor) -> Tensor:
    return x.clone()


def detach(x: Tensor) -> Tensor:
    return x.detach()


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def is_floating_point(x: Tensor) -> bool:
    return x.is_floating_point()


def broadcast_to(x: Tensor, shape: Any) -> Tensor:
    return _sh.expand(x, tuple(shape))


def broadcast_shapes(*shapes: Any) -> tuple:
    from .tensor import Size

    return Size(np.broadcast_shapes(*[tuple(s) for s in shapes]))


def broadcast_tensors(*tensors: Tensor) -> tuple:
    shape = np.broadcast_shapes(*[t._data.shape for t in tensors])
    return tuple(_sh.expand(t, shape) for t in tensors)


def lerp(start: Tensor, end: Any, weight: Any) -> Tensor:
    return start + weight * (end - start)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, beta: float = 1,  # noqa: A002
          alpha: float = 1) -> Tensor:
    return beta * input + alpha * _la.matmul(mat1, mat2)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = [as_tensor_arg(t) for t in tensors]
    shape = tuple(t.numel() for t in tensors)
    if indexing == "xy" and len(shape) >= 2:
        shape = (shape[1], shape[0]) + shape[2:]
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(shape)
        pos = i
        if indexing == "xy" and len(shape) >= 2 and i < 2:
            pos = 1 - i
        view[pos] = -1
        out.append(_sh.expand(t.reshape(view), shape))
    return tuple(out)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return _red.norm(diff, p, dim=-1)


def diag(x: Tensor, diagonal: int = 0) -> Tensor:
    if x.ndim == 1:
        n = x.shape[0] + builtins_abs(diagonal)
        out = Tensor._wrap(np.zeros((n, n), dtype=x._data.dtype))
        rows = np.arange(x.shape[0]) + builtins_max(-diagonal, 0)
        cols = np.arange(x.shape[0]) + builtins_max(diagonal, 0)
        return _idx.index_put(out, (rows, cols), x)
    return _la.diagonal(x, diagonal)


import builtins as _builtins  # noqa: E402

builtins_abs, builtins_max = _builtins.abs, _builtins.max
