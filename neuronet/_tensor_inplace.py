"""Tensor's in-place methods: optimizer updates (`add_`, `mul_`, `addcmul_`, `lerp_`, ...),
initialisation (`zero_`, `fill_`, `copy_`, `uniform_`, `normal_`, ...), masks (`masked_fill_`,
item assignment) and in-place elementwise maths.

`_TensorInPlace` is a base class of `neuronet.tensor.Tensor`. With no graph to record, a method
writes into the tensor's array; otherwise it records the op out of place and rebinds the tensor
to the result, as PyTorch does.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from ._tensor_data import _index_arg
from .autograd.grad_mode import state as _grad_state

# Set by neuronet.tensor once Tensor exists (it imports this module).
Tensor: Any = None


class _TensorInPlace:
    """In-place methods of `Tensor` (a base class of it; holds no state)."""

    __slots__ = ()

    # --- in-place ops (optimizer updates, initialisation, masks) --------------------------
    def _inplace(self, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
        """Apply `op(self, *args)` in place: mutate the array when no graph is recorded;
        otherwise record the op out of place and rebind this tensor to its result."""
        graph = _grad_state.enabled and (
            self.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args)
        )
        if not graph:
            from .autograd.grad_mode import no_grad

            with no_grad():
                res = op(self, *args, **kwargs)
            if res._data.shape != self._data.shape:
                raise RuntimeError(
                    f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                    f"shape {list(res._data.shape)}"
                )
            self._data[...] = res._data
            self._version += 1
            return self
        if self.is_leaf and self.requires_grad:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        old = Tensor._wrap(self._data, self.grad_fn, self._out_index)
        old.requires_grad = self.requires_grad
        args = tuple(old if a is self else a for a in args)
        res = op(old, *args, **kwargs)
        self._rebind(res)
        return self

    def _rebind(self, res: Tensor) -> None:
        self._data = res._data
        self.grad_fn = res.grad_fn
        self._out_index = res._out_index
        self.requires_grad = res.requires_grad
        self._version += 1
        if res.grad_fn is not None and res.grad_fn._out_refs:
            refs = list(res.grad_fn._out_refs)
            refs[res._out_index] = weakref.ref(self)
            res.grad_fn._out_refs = tuple(refs)
            res.grad_fn._out_versions[res._out_index] = self._version

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Any) -> Tensor:
        if isinstance(value, Tensor):
            value = value.item()
        if _grad_state.enabled and self.requires_grad and self.is_leaf:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        self._data.fill(value)
        self._version += 1
        if self.grad_fn is not None:
            self.grad_fn = None
            self.requires_grad = False
        return self

    def copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
        from .ops.arithmetic import copy_from

        return self._inplace(copy_from, src)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda a, b: a + (b * alpha if alpha != 1 else b), other)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        return self._inplace(lambda a, b: a - (b * alpha if alpha != 1 else b), other)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace(Tensor.__mul__, other)

    def div_(self, other: Any) -> Tensor:
        return self._inplace(Tensor.__truediv__, other)

    def pow_(self, other: Any) -> Tensor:
        return self._inplace(Tensor.__pow__, other)

    def neg_(self) -> Tensor:
        return self._inplace(Tensor.__neg__)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return self._inplace(Tensor.clamp, min, max)

    clip_ = clamp_

    def addcmul_(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self._inplace(lambda a, b, c: a + value * b * c, t1, t2)

    def addcdiv_(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self._inplace(lambda a, b, c: a + value * b / c, t1, t2)

    def lerp_(self, end: Any, weight: Any) -> Tensor:
        return self._inplace(lambda a, b: a + weight * (b - a), end)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        return self._inplace(Tensor.masked_fill, mask, value)

    def exp_(self) -> Tensor:
        return self._inplace(Tensor.exp)

    def sqrt_(self) -> Tensor:
        return self._inplace(Tensor.sqrt)

    def relu_(self) -> Tensor:
        return self._inplace(Tensor.relu)

    def sigmoid_(self) -> Tensor:
        return self._inplace(Tensor.sigmoid)

    def tanh_(self) -> Tensor:
        return self._inplace(Tensor.tanh)

    def abs_(self) -> Tensor:
        return self._inplace(Tensor.abs)

    def sign_(self) -> Tensor:
        return self._inplace(Tensor.sign)

    def uniform_(self, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
        from . import random as _random

        return self._fill_random(_random.rng(generator).uniform(a, b, self._data.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
        from . import random as _random

        return self._fill_random(_random.rng(generator).normal(mean, std, self._data.shape))

    def bernoulli_(self, p: float = 0.5, generator: Any = None) -> Tensor:
        from . import random as _random

        return self._fill_random(_random.rng(generator).random(self._data.shape) < p)

    def random_(self, low: int = 0, high: int | None = None, generator: Any = None) -> Tensor:
        from . import random as _random

        if high is None:
            low, high = 0, low if low else 2**31
        return self._fill_random(_random.rng(generator).integers(low, high, self._data.shape))

    def _fill_random(self, values: np.ndarray) -> Tensor:
        self._data[...] = values
        self._version += 1
        return self

    def __setitem__(self, index: Any, value: Any) -> None:
        from .ops.indexing import index_put

        self._inplace(index_put, _index_arg(index), value)
