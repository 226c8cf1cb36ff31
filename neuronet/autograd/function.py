"""`Function`: one differentiable op, a node of the backward graph.

Two ways to write one, both with forward and backward side by side:

- Primitives (neuronet's own ops) subclass `Function` with instance methods. `forward` takes
  NumPy arrays (plus keyword options) and returns an array; it may keep what backward needs
  on `self`. `backward` takes the gradient of the output as a Tensor and returns one gradient
  per input, written with Tensor ops so that `create_graph=True` differentiates it again::

      class Tanh(Function):
          '''y = tanh(x);  dL/dx = dL/dy * (1 - y**2)'''

          def forward(self, x):
              return np.tanh(x)

          def backward(self, grad_y):
              y = self.output()
              return grad_y * (1 - y * y)

- Custom ops, as in PyTorch: static `forward(ctx, *args)` on Tensors and static
  `backward(ctx, *grads)`, with `ctx.save_for_backward` / `ctx.saved_tensors`, called through
  `MyOp.apply(...)`.

Gradients may have the broadcast shape of the output; the engine sums them back to each
input's shape in one place, so no backward rule calls `sum_to` itself.
"""

from __future__ import annotations

import traceback
import weakref
from typing import Any

import numpy as np

from .grad_mode import state


class Function:
    """Base class of differentiable ops (see the module docstring)."""

    # Class options a primitive may override:
    op_name: str | None = None  # the name errors use (default: the class name, lower case)
    saves_output = False  # keep the output array so backward can call self.output()
    uses_input_values = True  # backward reads the inputs' values (checked against in-place edits)

    _ctx_style = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fwd = cls.__dict__.get("forward")
        if isinstance(fwd, staticmethod):
            cls._ctx_style = True

    # --- filled in by apply() when the graph is recorded -----------------------------------
    needs_input_grad: tuple
    _versions: tuple
    _out_meta: tuple = ()
    _out_versions: list = [0]
    _out_refs: tuple = ()
    _n_out = 1
    inputs: tuple = ()
    _edges: tuple = ()
    _saved: tuple = ()
    _out_data: Any = None
    _hooks: dict | None = None
    _retain: dict | None = None
    _freed = False
    _trace: list | None = None
    _materialize = True
    _non_diff: frozenset = frozenset()

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward")

    def backward(self, *grads: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define backward")

    # --- PyTorch-style context API -------------------------------------------------------
    def save_for_backward(self, *tensors: Any) -> None:
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE.format(name=self.name()))
        return getattr(self, "_saved", ())

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self._non_diff = frozenset(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Any) -> None:
        """Accepted for compatibility; neuronet's custom ops work out of place."""

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    # --- graph inspection -----------------------------------------------------------------
    def output(self, index: int = 0) -> Any:
        """The output tensor (graph-connected while alive), for backward rules that use y."""
        ref = self._out_refs[index]() if self._out_refs else None
        if ref is not None:
            if ref._version != self._out_versions[index]:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: the output {index} of {self.name()} is at version "
                    f"{ref._version}; expected version {self._out_versions[index]} instead."
                )
            return ref
        if self._out_data is None:
            raise RuntimeError(_FREED_MESSAGE.format(name=self.name()))
        return _wrap(self._out_data)

    @classmethod
    def name(cls) -> str:
        return cls.__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        out = []
        for fn, idx, leaf in self._edges:
            if fn is not None:
                out.append((fn, idx))
            else:
                out.append((("AccumulateGrad", leaf) if leaf is not None else None, 0))
        return tuple(out)

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    def register_hook(self, hook: Any) -> None:
        """Hook on this node's output gradient(s): `hook(grad)` may return a replacement."""
        self._add_output_hook(0, hook)

    def _add_output_hook(self, index: int, hook: Any) -> None:
        if self._hooks is None:
            self._hooks = {}
        self._hooks.setdefault(index, []).append(hook)

    def _release(self) -> None:
        """Free what backward needed (after a backward without retain_graph). The edges stay,
        as in PyTorch: autograd.grad can still walk through a freed part it does not run."""
        d = self.__dict__
        edges = d.get("_edges")
        d.clear()
        d["_freed"] = True
        if edges is not None:
            d["_edges"] = edges

    # --- calling an op --------------------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run the op on tensors; records the graph when grad mode is on and an input needs it.

        NOTE: this is the hottest path of the framework (every op, forward and backward), so
        it is written out for one and two inputs instead of with generator expressions."""
        if cls._ctx_style:
            return _apply_ctx(cls, args, kwargs)
        for a in args:
            if not isinstance(a, Tensor):
                args = tuple(a if isinstance(a, Tensor) else as_tensor_arg(a) for a in args)
                break
        fn = cls.__new__(cls)
        n = len(args)
        try:
            if n == 1:
                t0 = args[0]
                out = fn.forward(t0._data, **kwargs)
                need = t0.requires_grad
            elif n == 2:
                t0, t1 = args
                out = fn.forward(t0._data, t1._data, **kwargs)
                need = t0.requires_grad or t1.requires_grad
            else:
                out = fn.forward(*[t._data for t in args], **kwargs)
                need = any(t.requires_grad for t in args)
        except ValueError as e:
            if "broadcast" in str(e):
                shapes = " and ".join(str(tuple(t._data.shape)) for t in args)
                raise ValueError(
                    f"{cls.op_name or cls.__name__.lower()}: shapes {shapes} are not "
                    f"broadcastable ({e})"
                ) from None
            raise
        except TypeError as e:
            if "ufunc" in str(e) or "not supported" in str(e):
                dts = " and ".join(str(t._data.dtype) for t in args)
                raise TypeError(
                    f"{cls.op_name or cls.__name__.lower()}: not supported for dtypes {dts}: {e}"
                ) from None
            raise
        if not need or not state.enabled:
            if type(out) is tuple:
                return tuple(_wrap(o) for o in out)
            return _wrap(out)
        return _record(fn, args, out)


def _record(fn: Function, tensors: tuple, out: Any) -> Any:
    fn.inputs = tensors
    if len(tensors) == 1:
        t0 = tensors[0]
        fn.needs_input_grad = (t0.requires_grad,)
        fn._edges = ((t0.grad_fn, t0._out_index, t0 if t0.requires_grad else None),)
        fn._versions = (t0._version,)
    else:
        fn.needs_input_grad = tuple([t.requires_grad for t in tensors])
        fn._edges = tuple([(t.grad_fn, t._out_index, t if t.requires_grad else None)
                           for t in tensors])
        fn._versions = tuple([t._version for t in tensors])
    if state.anomaly:
        fn._trace = traceback.format_stack()[:-3]
    if type(out) is tuple:
        outs = tuple(_wrap(o, fn, i) for i, o in enumerate(out))
        fn._n_out = len(outs)
        fn._out_meta = tuple((o._data.shape, o._data.dtype) for o in outs)
        fn._out_refs = tuple(weakref.ref(o) for o in outs)
        fn._out_versions = [0] * len(outs)
        return outs
    y = _wrap(out, fn, 0)
    if fn.saves_output:
        fn._out_data = out
        fn._out_refs = (weakref.ref(y),)
        fn._out_versions = [0]
    return y


def _apply_ctx(cls: type, args: tuple, kwargs: dict) -> Any:
    """PyTorch-style custom Function: forward(ctx, ...) on tensors under no_grad."""
    ctx = cls.__new__(cls)
    tensors = tuple(a for a in args if isinstance(a, Tensor))
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    prev = state.enabled
    state.enabled = False
    try:
        out = cls.forward(ctx, *args, **kwargs)
    finally:
        state.enabled = prev
    multi = isinstance(out, tuple)
    outs = out if multi else (out,)
    needs = prev and any(t.requires_grad for t in tensors)
    if not needs:
        return out
    ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
    ctx._ctx_needs = ctx.needs_input_grad
    arrays = tuple(o._data if isinstance(o, Tensor) else o for o in outs)
    wrapped = _record(ctx, tensors, arrays if multi else arrays[0])
    ctx.needs_input_grad = ctx._ctx_needs  # PyTorch's: one flag per forward argument
    wrapped = wrapped if multi else (wrapped,)
    for i, w in enumerate(wrapped):
        if id(outs[i]) in ctx._non_diff or w._data.dtype.kind != "f":
            w.requires_grad = False
            w.grad_fn = None
    return wrapped if multi else wrapped[0]


def call_backward(fn: Function, grads: tuple) -> tuple:
    """Run a node's backward and return one gradient (or None) per recorded input."""
    if not fn._ctx_style:
        result = fn.backward(*grads)
        return result if type(result) is tuple else (result,)
    result = type(fn).backward(fn, *grads)
    result = result if isinstance(result, tuple) else (result,)
    n_args = len(fn._arg_is_tensor)
    if len(result) != n_args:
        raise RuntimeError(
            f"{type(fn).__name__}.backward returned {len(result)} gradients, "
            f"expected {n_args} (one per argument of forward)"
        )
    return tuple(g for g, is_t in zip(result, fn._arg_is_tensor) if is_t)


def zeros_for(meta: tuple) -> Any:
    shape, dt = meta
    return _wrap(np.zeros(shape, dt))


# Set by neuronet.tensor once Tensor exists (the two modules depend on each other).
Tensor: Any = None
as_tensor_arg: Any = None
_wrap: Any = None


_FREED_MESSAGE = (
    "{name}: trying to backward through the graph a second time (or to read saved values after "
    "they were freed). The buffers of the graph are freed after .backward() or autograd.grad(); "
    "pass retain_graph=True to the first call if you need to backward through it again."
)
