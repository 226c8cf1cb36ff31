"""Gradient checking by finite differences.

For each input element x_i, the numerical derivative is the central difference
    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)
and it must match the analytical vector-Jacobian products that backward computes:
    |analytical - numerical| <= atol + rtol * |numerical|.
Run it in float64: float32 has too few digits for eps = 1e-6.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: tuple) -> tuple:
    return _as_tuple(fn(*inputs))


def _numerical_jacobian(fn: Callable, inputs: tuple, x: Any, eps: float) -> list:
    """One matrix (x.numel(), out.numel()) per output."""
    if not x._data.flags.c_contiguous:
        x._data = np.ascontiguousarray(x._data)  # so that reshape below is a view
    flat = x._data.reshape(-1)  # a view: perturbs x in place
    with no_grad():
        base = _outputs(fn, inputs)
        jac = [np.zeros((flat.size, o._data.size)) for o in base]
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _outputs(fn, inputs)]
            flat[i] = orig - eps
            minus = [o._data.astype(np.float64).reshape(-1).copy() for o in _outputs(fn, inputs)]
            flat[i] = orig
            for j in range(len(base)):
                jac[j][i] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _analytical_jacobian(fn: Callable, inputs: tuple, diff: list, create_graph: bool) -> list:
    """jac[k][j]: (inputs[k].numel(), out_j.numel()), one backward per output element."""
    from ..tensor import Tensor

    outs = [o for o in _outputs(fn, inputs)]
    jac = [[np.zeros((x._data.size, o._data.size)) for o in outs] for x in diff]
    for j, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for e in range(o._data.size):
            seed = np.zeros(o._data.size, dtype=o._data.dtype)
            seed[e] = 1.0
            gs = autograd_grad(o, diff, Tensor._wrap(seed.reshape(o._data.shape)),
                               retain_graph=True, allow_unused=True)
            for k, g in enumerate(gs):
                if g is not None:
                    jac[k][j][:, e] = g._data.astype(np.float64).reshape(-1)
    return jac


def gradcheck(
    func: Callable,
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_: Any,
) -> bool:
    """Check backward against central finite differences for every input that requires grad.

    Example:
        >>> import neuronet
        >>> x = neuronet.randn(3, dtype=neuronet.float64, requires_grad=True)
        >>> neuronet.autograd.gradcheck(lambda t: (t * t).sin(), (x,))
        True
    """
    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if getattr(x, "requires_grad", False)]
    for x in diff:
        if x._data.dtype != np.float64:
            import warnings

            warnings.warn(
                f"gradcheck: input of dtype {x.dtype} is not float64; the check may fail from "
                "rounding alone", stacklevel=2,
            )
    analytical = _analytical_jacobian(func, inputs, diff, False)
    for k, x in enumerate(diff):
        numerical = _numerical_jacobian(func, inputs, x, eps)
        for j, (a, n) in enumerate(zip(analytical[k], numerical)):
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                bad = np.unravel_index(np.argmax(np.abs(a - n)), a.shape)
                msg = (
                    f"gradcheck: Jacobian mismatch for output {j} with respect to input {k} "
                    f"(shape {tuple(x.shape)}).\nnumerical:\n{n}\nanalytical:\n{a}\n"
                    f"largest difference at {bad}: numerical {n[bad]:.8g}, "
                    f"analytical {a[bad]:.8g}"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(
    func: Callable,
    inputs: Any,
    grad_outputs: Sequence | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    **_: Any,
) -> bool:
    """Check second derivatives: gradcheck of the function x -> vjp(func, x, v)."""
    from ..creation import randn
    from ..tensor import Tensor

    inputs = _as_tuple(inputs)
    diff = [x for x in inputs if getattr(x, "requires_grad", False)]
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        grad_outputs = [randn(*o.shape, dtype=o.dtype) for o in outs]
    vs = [v if isinstance(v, Tensor) else Tensor(v) for v in _as_tuple(grad_outputs)]

    def vjp(*xs: Any) -> tuple:
        with enable_grad():  # also while gradcheck perturbs inputs under no_grad
            o = _outputs(func, xs)
            ds = [x for x in xs if getattr(x, "requires_grad", False)]
            gs = autograd_grad(o, ds, vs, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    del diff
    return gradcheck(vjp, inputs, eps, atol, rtol, raise_exception)


class GradcheckError(RuntimeError):
    """Raised by gradcheck when backward disagrees with finite differences."""
