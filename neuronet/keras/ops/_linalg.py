"""Products of `keras.ops.numpy`: matmul, dot, tensordot, einsum, outer.

    matmul(a, b)     batched a @ b;  dL/da = g @ b^T,  dL/db = a^T @ g
    tensordot(a, b)  sum over the paired axes (the last `axes` of a with the first of b)
    einsum(eq, ...)  Einstein summation; each operand's gradient is an einsum of g and the
                     others (a letter may not repeat within one operand: no 'ii->i')
Output dtypes follow Keras's torch backend: matmul, dot and tensordot give Keras's
result_type (so two float64 operands give float32, and two int8 give int32); einsum and
outer promote as PyTorch does.
"""

from __future__ import annotations

from typing import Any

from ... import functions as _fn
from ...ops import linalg as _la
from ...tensor import Tensor
from .. import backend
from ._convert import binary, cast, convert, convert_all, dtype_name, result_type


def _result_and_compute(a: Tensor, b: Tensor) -> tuple[str, str]:
    out = result_type(dtype_name(a), dtype_name(b))
    return out, result_type(out, float)


def matmul(x1: Any, x2: Any) -> Tensor:
    """Matrix product x1 @ x2, batched over leading axes (1-D operands as vectors)."""
    a, b = convert(x1), convert(x2)
    if dtype_name(a) == dtype_name(b) == "int8":
        out = "int32"
    else:
        out = result_type(dtype_name(a), dtype_name(b))
    compute = backend.floatx() if out == "bool" else out
    return cast(_la.matmul(cast(a, compute), cast(b, compute)), out)


def dot(x1: Any, x2: Any) -> Tensor:
    """Dot product: x1 * x2 when either is 0-d, else x1 @ x2."""
    a, b = convert(x1), convert(x2)
    out, compute = _result_and_compute(a, b)
    a, b = cast(a, compute), cast(b, compute)
    return cast(a * b if a.ndim == 0 or b.ndim == 0 else _la.matmul(a, b), out)


def tensordot(x1: Any, x2: Any, axes: Any = 2) -> Tensor:
    """Sum of products over `axes`: an int (last axes of x1, first of x2) or a pair of axis
    lists."""
    a, b = convert(x1), convert(x2)
    out, compute = _result_and_compute(a, b)
    if isinstance(axes, list | tuple):
        first, second = axes
        axes = (first if isinstance(first, list | tuple) else (first,),
                second if isinstance(second, list | tuple) else (second,))
    return cast(_fn.tensordot(cast(a, compute), cast(b, compute), axes), out)


def einsum(subscripts: str, *operands: Any, **kwargs: Any) -> Tensor:
    """Einstein summation over the operands as `subscripts` names their axes."""
    xs = convert_all(operands)
    if all(dtype_name(x) == "int8" for x in xs):
        return cast(_la.einsum(subscripts, *[cast(x, "int32") for x in xs]), "int32")
    return _la.einsum(subscripts, *xs)


def outer(x1: Any, x2: Any) -> Tensor:
    """Outer product of the flattened x1 and x2: out[i, j] = x1[i] * x2[j]."""
    a, b = binary(convert(x1).reshape(-1), convert(x2).reshape(-1))
    return a.reshape(-1, 1) * b.reshape(1, -1)
