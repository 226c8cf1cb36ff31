"""Module hooks: forward pre-hooks, forward hooks and full backward hooks.

Only `Module.__call__` with at least one hook registered comes here, so a module without
hooks pays nothing for them. Backward hooks put an identity op on the module's tensor inputs
and one on its tensor outputs: the output op's backward records grad_output, the input op's
backward calls hook(module, grad_input, grad_output) and may replace grad_input.
"""

from __future__ import annotations

import itertools
from typing import Any

from ...autograd.function import Function
from ...tensor import Tensor

_ids = itertools.count()


class RemovableHandle:
    """Returned by register_*_hook: `.remove()` unregisters the hook (also a context manager)."""

    def __init__(self, store: dict, key: int) -> None:
        self._store, self.id = store, key

    @classmethod
    def add(cls, store: dict, entry: Any, prepend: bool) -> RemovableHandle:
        key = next(_ids)
        store[key] = entry
        if prepend:
            store.move_to_end(key, last=False)
        return cls(store, key)

    def remove(self) -> None:
        self._store.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class _Identity(Function):
    """y_k = x_k for every input (a tuple of outputs); backward calls `on_grads(grads)`,
    which returns the gradients to pass on."""

    uses_input_values = False

    def forward(self, *xs, on_grads):
        self.on_grads = on_grads
        return tuple(xs)

    def backward(self, *grads):
        return tuple(self.on_grads(grads))


class _BackwardState:
    def __init__(self, module: Any, n_inputs: int) -> None:
        self.module, self.n_inputs = module, n_inputs
        self.grad_output: tuple = ()

    def call(self, grad_input: tuple) -> tuple:
        for hook in list(self.module._backward_hooks.values()):
            res = hook(self.module, grad_input, self.grad_output)
            if res is not None:
                res = tuple(res)
                if len(res) != len(grad_input):
                    raise RuntimeError(
                        f"backward hook returned {len(res)} gradients, expected "
                        f"{len(grad_input)} (one per tensor input of the module)"
                    )
                grad_input = res
        return grad_input


def _wrap_inputs(state: _BackwardState, args: tuple) -> tuple:
    idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if not idx:
        return args
    outs = _Identity.apply(*[args[i] for i in idx], on_grads=state.call)
    new = list(args)
    for i, o in zip(idx, outs):
        new[i] = o
    state.has_inputs = True
    return tuple(new)


def _wrap_outputs(state: _BackwardState, output: Any) -> Any:
    single = isinstance(output, Tensor)
    outs = (output,) if single else output
    if not isinstance(outs, tuple):
        return output
    idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not idx:
        return output

    def on_grads(grads: tuple) -> tuple:
        state.grad_output = grads
        if not getattr(state, "has_inputs", False):  # no input needs grad: hook here
            state.call((None,) * state.n_inputs)
        return grads

    wrapped = _Identity.apply(*[outs[i] for i in idx], on_grads=on_grads)
    new = list(outs)
    for i, o in zip(idx, wrapped):
        new[i] = o
    return new[0] if single else tuple(new)


def call_with_hooks(module: Any, args: tuple, kwargs: dict) -> Any:
    """Module.__call__ when hooks are registered."""
    for hook, with_kwargs, _ in list(module._forward_pre_hooks.values()):
        if with_kwargs:
            res = hook(module, args, kwargs)
            if res is not None:
                args, kwargs = res
        else:
            res = hook(module, args)
            if res is not None:
                args = res if isinstance(res, tuple) else (res,)
    state = None
    if module._backward_hooks:
        n = sum(isinstance(a, Tensor) for a in args)
        state = _BackwardState(module, n)
        args = _wrap_inputs(state, args)
    output = module.forward(*args, **kwargs)
    for hook, with_kwargs, _ in list(module._forward_hooks.values()):
        res = hook(module, args, kwargs, output) if with_kwargs else hook(module, args, output)
        if res is not None:
            output = res
    if state is not None:
        output = _wrap_outputs(state, output)
    return output
