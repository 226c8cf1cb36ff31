"""`repr` of tensors in PyTorch's format: `tensor([1., 2.], requires_grad=True)`."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import dtypes


def tensor_repr(t: Any, prefix: str = "tensor(") -> str:
    arr = t._data
    opts: dict = {"separator": ", ", "prefix": prefix, "threshold": 1000, "edgeitems": 3}
    if arr.dtype.kind == "f" and arr.size:
        finite = arr[np.isfinite(arr)]
        integral = finite.size == 0 or bool(np.all(finite == np.round(finite)))
        big = finite.size and (np.abs(finite).max() >= 1e8 or (
            np.abs(finite[finite != 0]).min() < 1e-4 if (finite != 0).any() else False))
        if integral and not big:
            body = np.array2string(arr, floatmode="unique", **opts)
        elif big:
            body = np.array2string(
                arr, formatter={"float_kind": lambda v: f"{v:.4e}"}, **opts)
        else:
            body = np.array2string(arr, precision=4, floatmode="fixed", **opts)
    else:
        body = np.array2string(arr, **opts)
    if arr.size == 0:
        body = "[]" if arr.ndim == 1 else body
    extras = []
    default = arr.dtype == dtypes.get_default_dtype().numpy or arr.dtype == np.int64 or (
        arr.dtype == np.bool_)
    if not default or (arr.size == 0 and arr.dtype != dtypes.get_default_dtype().numpy):
        extras.append(f"dtype={t.dtype!r}")
    if arr.size == 0 and arr.ndim != 1:
        extras.insert(0, f"size={tuple(arr.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    tail = "".join(", " + e for e in extras)
    return f"{prefix}{body}{tail})"
