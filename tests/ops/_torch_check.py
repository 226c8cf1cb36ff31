"""PyTorch oracle for the arithmetic, elementwise, reduction and activation op tests.

`check(nn_fn, torch_fn, *inputs)` runs `nn_fn` on neuronet tensors and `torch_fn` on torch
tensors built from the same float64 NumPy arrays, then compares:

1. the forward outputs (values, shapes, dtypes; tuples such as `max(dim)` element by element);
2. every input's gradient for one random upstream gradient per floating output
   (backward of sum(out * v)), relative tolerance 1e-10;
3. neuronet's `autograd.gradcheck` (central finite differences) on the same function;
4. with `second_order=True`: the gradient of sum(g * w), g = d(sum(out * v))/dx computed with
   create_graph=True, against torch doing the same.

Inputs: a floating NumPy array becomes a leaf that requires grad (given to neuronet through
`from_numpy`, so a transposed or sliced array stays non-contiguous); integer and boolean arrays
become constant tensors; anything else (Python scalars, None) is passed unchanged. `torch_fn`
defaults to `nn_fn` (the Tensor method API is the same: `lambda x: x.exp()` serves both).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import neuronet  # noqa: E402
from neuronet.autograd import gradcheck  # noqa: E402

RTOL, ATOL = 1e-10, 1e-12

def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.asarray(np.random.default_rng(seed).standard_normal(shape))


def uniform(lo: float, hi: float, *shape: int, seed: int = 0) -> np.ndarray:
    return np.asarray(np.random.default_rng(seed).uniform(lo, hi, shape))


def _is_diff(a: Any) -> bool:
    return isinstance(a, np.ndarray) and a.dtype.kind == "f"


def to_neuronet(a: Any, grad: bool = True) -> Any:
    if isinstance(a, np.ndarray):
        t = neuronet.from_numpy(np.array(a, copy=True, order="K"))
        if grad and _is_diff(a):
            t.requires_grad_(True)
        return t
    return a


def to_torch(a: Any, grad: bool = True) -> Any:
    if isinstance(a, np.ndarray):
        t = torch.from_numpy(np.array(a, copy=True, order="C"))
        if grad and _is_diff(a):
            t.requires_grad_(True)
        return t
    return a


def _tuple(out: Any) -> tuple:
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def assert_same(ours: Any, ref: Any, what: str = "output", rtol: float = RTOL,
                atol: float = ATOL) -> None:
    """One neuronet tensor against one torch tensor: shape, dtype and values."""
    if ref is None or ours is None:
        zero = ref is None and (ours is None or not np.any(ours._data))
        assert zero or (ours is None and not torch.any(ref)), (
            f"{what}: neuronet {ours!r} vs torch {ref!r}")
        return
    assert tuple(ours.shape) == tuple(ref.shape), (
        f"{what}: shape {tuple(ours.shape)} != torch {tuple(ref.shape)}")
    assert getattr(torch, ours.dtype.name) == ref.dtype, (
        f"{what}: dtype {ours.dtype} != torch {ref.dtype}")
    got = np.asarray(ours._data, dtype=np.float64)
    want = ref.detach().numpy().astype(np.float64)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def _float_outputs(outs: tuple) -> list[int]:
    return [i for i, o in enumerate(outs) if o.dtype.is_floating_point and o.requires_grad]


def _nn_grad(outputs: list, inputs: list, grads: list, create_graph: bool = False) -> tuple:
    if not outputs or not any(o.requires_grad for o in outputs):
        return (None,) * len(inputs)
    return neuronet.autograd.grad(outputs, inputs, grads, create_graph=create_graph,
                                  allow_unused=True)


def _torch_grad(outputs: list, inputs: list, grads: list, create_graph: bool = False) -> tuple:
    pairs = [(o, g) for o, g in zip(outputs, grads) if o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return torch.autograd.grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                               create_graph=create_graph, allow_unused=True)


def check(nn_fn: Callable, torch_fn: Callable | None, *inputs: Any, second_order: bool = False,
          run_gradcheck: bool = True, rtol: float = RTOL, atol: float = ATOL,
          seed: int = 1) -> tuple:
    """Compare `nn_fn(*inputs)` with `torch_fn(*inputs)`: forward, backward, gradcheck and
    (optionally) second derivatives. Returns (neuronet outputs, torch outputs)."""
    torch_fn = nn_fn if torch_fn is None else torch_fn
    rng = np.random.default_rng(seed)
    xs = [to_neuronet(a) for a in inputs]
    ts = [to_torch(a) for a in inputs]
    diff = [i for i, a in enumerate(inputs) if _is_diff(a)]

    outs, refs = _tuple(nn_fn(*xs)), _tuple(torch_fn(*ts))
    assert len(outs) == len(refs), f"{len(outs)} outputs, torch gives {len(refs)}"
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert_same(o, r, f"forward output {k}", rtol, atol)
        if not r.dtype.is_floating_point:
            assert not o.requires_grad, f"output {k} ({o.dtype}) must not require grad"
    if not diff:
        return outs, refs

    # first derivatives for a random upstream gradient v per floating output
    fo = [k for k, r in enumerate(refs) if r.dtype.is_floating_point and r.requires_grad]
    vs = [rng.standard_normal(refs[k].shape) for k in fo]
    nn_in, t_in = [xs[i] for i in diff], [ts[i] for i in diff]
    need_graph = second_order
    g_nn = _nn_grad([outs[k] for k in fo], nn_in,
                    [neuronet.from_numpy(v.copy()) for v in vs], create_graph=need_graph)
    g_t = _torch_grad([refs[k] for k in fo], t_in, [torch.from_numpy(v.copy()) for v in vs],
                      create_graph=need_graph)
    for i, a, b in zip(diff, g_nn, g_t):
        assert_same(a, b, f"gradient of input {i}", rtol, atol)
        if a is not None:
            assert tuple(a.shape) == inputs[i].shape, "gradient shape differs from its input's"

    if second_order:
        _check_second(g_nn, g_t, nn_in, t_in, diff, rng, rtol, atol)

    if run_gradcheck:
        _gradcheck(nn_fn, inputs, diff)
    return outs, refs


def _check_second(g_nn: tuple, g_t: tuple, nn_in: list, t_in: list, diff: list,
                  rng: np.random.Generator, rtol: float, atol: float) -> None:
    """d/dx sum_i sum(g_i * w_i) against torch."""
    ws = [rng.standard_normal(x.shape) for x in t_in]
    s_nn = [(g * neuronet.from_numpy(w.copy())).sum() for g, w in zip(g_nn, ws)
            if g is not None and g.requires_grad]
    s_t = [(g * torch.from_numpy(w.copy())).sum() for g, w in zip(g_t, ws)
           if g is not None and g.requires_grad]
    hh_nn = _nn_grad([sum(s_nn[1:], s_nn[0])] if s_nn else [], nn_in, [None])
    hh_t = _torch_grad([sum(s_t[1:], s_t[0])] if s_t else [], t_in, [None])
    for i, a, b in zip(diff, hh_nn, hh_t):
        assert_same(a, b, f"second derivative of input {i}", rtol, atol)


def _gradcheck(nn_fn: Callable, inputs: tuple, diff: list) -> None:
    """Finite differences on contiguous float64 copies (gradcheck perturbs inputs in place)."""
    xs = [to_neuronet(np.array(a, copy=True, order="C")) if isinstance(a, np.ndarray) else a
          for a in inputs]

    def fn(*diff_xs: Any) -> tuple:
        args = list(xs)
        for i, x in zip(diff, diff_xs):
            args[i] = x
        outs = _tuple(nn_fn(*args))
        return tuple(o for o in outs if o.dtype.is_floating_point)

    assert gradcheck(fn, tuple(xs[i] for i in diff), eps=1e-6, atol=1e-5, rtol=1e-4)


def check_float32(nn_fn: Callable, *inputs: Any) -> Any:
    """Run on float32 inputs: the output and every input gradient must stay float32."""
    arrays = [a.astype(np.float32) if _is_diff(a) else a for a in inputs]
    xs = [to_neuronet(a) for a in arrays]
    out = _tuple(nn_fn(*xs))
    for o in out:
        if o.dtype.is_floating_point:
            assert o.dtype == neuronet.float32, f"float32 input gave a {o.dtype} output"
    floats = [o for o in out if o.dtype.is_floating_point and o.requires_grad]
    if floats:
        sum(o.sum() for o in floats).backward()
        for x in xs:
            if isinstance(x, neuronet.Tensor) and x.requires_grad:
                assert x.grad is not None and x.grad.dtype == neuronet.float32, (
                    f"float32 input got a gradient of dtype {getattr(x.grad, 'dtype', None)}")
    return out[0] if len(out) == 1 else out


def noncontig(a: np.ndarray) -> np.ndarray:
    """A non-contiguous view holding a's values: a transposed copy, transposed back."""
    t = np.ascontiguousarray(np.swapaxes(a, 0, -1)) if a.ndim >= 2 else np.repeat(a, 2)
    out = np.swapaxes(t, 0, -1) if a.ndim >= 2 else t[::2]
    assert not out.flags.c_contiguous or a.size <= 1
    return out
