"""A small PyTorch oracle for the shape, indexing, linear-algebra and fused op tests.

`check(fn, *arrays)` calls `fn(lib, *tensors)` once with `lib = neuronet` and once with
`lib = torch` on the same float64 inputs (floating arrays become leaves that require grad;
integer and boolean arrays are passed as constant tensors), then compares:

- the forward values, shapes and dtypes;
- every input's gradient for one random upstream gradient per output (rtol 1e-10);
- neuronet's own `autograd.gradcheck` (finite differences) on the same function;
- optionally (`second_order=True`) the gradient of <grad, w> for a random w, against torch,
  and `autograd.gradgradcheck`.

Write `fn` once for both libraries: `lambda lib, x: lib.cat([x, x], 1)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
import neuronet.nn.functional  # noqa: E402, F401
from neuronet.autograd import gradcheck, gradgradcheck  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return rng(seed).standard_normal(shape)


class Const:
    """A floating array passed as a constant tensor (no gradient, left out of gradcheck)."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


def _is_diff(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def _const(a: Any, lib: Any) -> Any:
    if isinstance(a, Const):
        return lib.tensor(a.array)
    if isinstance(a, np.ndarray):
        return neuronet.Tensor(a) if lib is neuronet else torch.tensor(a)
    return a


def _as_tuple(out: Any) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _nt_inputs(arrays: tuple) -> list:
    # Tensor(array) shares the array, so a non-contiguous view stays non-contiguous
    return [neuronet.Tensor(a, requires_grad=True) if _is_diff(a) else _const(a, neuronet)
            for a in arrays]


def _torch_inputs(arrays: tuple) -> list:
    return [torch.tensor(a, requires_grad=True) if _is_diff(a) else _const(a, torch)
            for a in arrays]


def _np(t: Any) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach()._data)


def _diff_outputs(outs: tuple) -> list:
    return [o for o in outs if o.dtype.is_floating_point]


def _nt_grads(outs: list, xs: list, ups: list, create_graph: bool = False) -> list:
    live = [(o, u) for o, u in zip(outs, ups) if o.requires_grad]
    if not live:
        return [None] * len(xs)
    return list(neuronet.autograd.grad([o for o, _ in live],
                                       xs, [neuronet.tensor(u) for _, u in live],
                                       create_graph=create_graph, allow_unused=True))


def _torch_grads(outs: list, xs: list, ups: list, create_graph: bool = False) -> list:
    live = [(o, u) for o, u in zip(outs, ups) if o.requires_grad]
    if not live:
        return [None] * len(xs)
    return list(torch.autograd.grad([o for o, _ in live], xs,
                                    [torch.tensor(u) for _, u in live],
                                    create_graph=create_graph, allow_unused=True))


def _dense(g: Any, shape: tuple) -> np.ndarray:
    return np.zeros(shape) if g is None else _np(g)


def check(
    fn: Callable,
    *arrays: Any,
    grad_check: bool = True,
    second_order: bool = False,
    seed: int = 1,
    rtol: float = RTOL,
    atol: float = ATOL,
) -> tuple:
    """Compare `fn(neuronet, ...)` with `fn(torch, ...)`; returns the neuronet outputs."""
    r = rng(seed)
    nt_in, th_in = _nt_inputs(arrays), _torch_inputs(arrays)
    nt_out = _as_tuple(fn(neuronet, *nt_in))
    th_out = _as_tuple(fn(torch, *th_in))
    assert len(nt_out) == len(th_out), f"{len(nt_out)} outputs, torch gives {len(th_out)}"
    for i, (a, b) in enumerate(zip(nt_out, th_out)):
        assert tuple(a.shape) == tuple(b.shape), f"output {i}: shape {a.shape} vs {b.shape}"
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], (
            f"output {i}: dtype {a.dtype} vs {b.dtype}")
        np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol,
                                   err_msg=f"forward output {i}")
    xs_nt = [t for t, a in zip(nt_in, arrays) if _is_diff(a)]
    xs_th = [t for t, a in zip(th_in, arrays) if _is_diff(a)]
    if not xs_nt:
        return nt_out
    nt_f, th_f = _diff_outputs(nt_out), _diff_outputs(th_out)
    ups = [r.standard_normal(tuple(o.shape)) for o in th_f]
    g_nt = _nt_grads(nt_f, xs_nt, ups, create_graph=second_order)
    g_th = _torch_grads(th_f, xs_th, ups, create_graph=second_order)
    for k, (a, b, x) in enumerate(zip(g_nt, g_th, xs_th)):
        if a is not None:
            assert tuple(a.shape) == tuple(x.shape), f"grad {k}: shape {a.shape} vs {x.shape}"
            assert a.dtype == neuronet.float64, f"grad {k}: dtype {a.dtype}"
        np.testing.assert_allclose(_dense(a, x.shape), _dense(b, x.shape), rtol=rtol,
                                   atol=atol, err_msg=f"gradient of input {k}")
    if second_order:
        _check_second_order(g_nt, g_th, xs_nt, xs_th, r, rtol, atol)
    if grad_check:
        _gradcheck(fn, arrays, second_order)
    return nt_out


def _check_second_order(g_nt: list, g_th: list, xs_nt: list, xs_th: list,
                        r: np.random.Generator, rtol: float, atol: float) -> None:
    pairs = [(a, b, r.standard_normal(tuple(b.shape)))
             for a, b in zip(g_nt, g_th) if b is not None and b.requires_grad]
    assert pairs, "second_order: torch's gradient does not depend on the inputs"
    assert all(a is not None and a.requires_grad for a, _, _ in pairs), (
        "second_order: neuronet's gradient is not differentiable")
    s_nt = sum((a * neuronet.tensor(w)).sum() for a, _, w in pairs)
    s_th = sum((b * torch.tensor(w)).sum() for _, b, w in pairs)
    gg_nt = neuronet.autograd.grad(s_nt, xs_nt, allow_unused=True)
    gg_th = torch.autograd.grad(s_th, xs_th, allow_unused=True)
    for k, (a, b, x) in enumerate(zip(gg_nt, gg_th, xs_th)):
        np.testing.assert_allclose(_dense(a, x.shape), _dense(b, x.shape), rtol=rtol,
                                   atol=atol, err_msg=f"second derivative, input {k}")


def _gradcheck(fn: Callable, arrays: tuple, second_order: bool) -> None:
    nt_in = _nt_inputs(tuple(a.copy() if _is_diff(a) else a for a in arrays))

    def f(*xs: Any) -> tuple:
        outs = _as_tuple(fn(neuronet, *xs))
        return tuple(o for o in outs if o.dtype.is_floating_point)

    assert gradcheck(f, tuple(nt_in), eps=1e-6, atol=1e-7, rtol=1e-5)
    if second_order:
        assert gradgradcheck(f, tuple(nt_in), eps=1e-6, atol=1e-6, rtol=1e-4)


def check_float32(fn: Callable, *arrays: Any) -> None:
    """float32 in, float32 out (forward and every gradient), values close to torch's."""
    arrays32 = tuple(a.astype(np.float32) if _is_diff(a) else
                     Const(a.array.astype(np.float32)) if isinstance(a, Const) else a
                     for a in arrays)
    nt_in, th_in = _nt_inputs(arrays32), _torch_inputs(arrays32)
    nt_out = _as_tuple(fn(neuronet, *nt_in))
    th_out = _as_tuple(fn(torch, *th_in))
    for a, b in zip(nt_out, th_out):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1], (a.dtype, b.dtype)
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-5)
    xs = [t for t, a in zip(nt_in, arrays32) if _is_diff(a)]
    outs = _diff_outputs(nt_out)
    if xs and outs:
        ups = [np.ones(tuple(o.shape), np.float32) for o in outs]
        for g, x in zip(_nt_grads(outs, xs, ups), xs):
            if g is not None:
                assert g.dtype == neuronet.float32, f"gradient dtype {g.dtype}"
                assert g.shape == x.shape, f"gradient shape {g.shape} vs input {x.shape}"
