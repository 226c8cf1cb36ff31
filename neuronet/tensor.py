"""`Tensor`: an array, its gradient, and the `Function` that made it.

As in PyTorch, `.data` is a detached Tensor sharing the array and `.numpy()` gives the array
itself. Every operator is a method here that calls a primitive in `neuronet.ops`; the
maths (forward and backward) lives there.
"""

from __future__ import annotations

import builtins
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import dtypes as _dt
from .autograd.grad_mode import state as _grad_state


class Tensor:
    """A multi-dimensional array with reverse-mode automatic differentiation.

    Args:
        data: array-like (nested lists, NumPy array, scalar or Tensor).
        dtype: element type; floats default to float32, ints to int64.
        requires_grad: record operations on this tensor for backward.

    Example:
        >>> import neuronet as nn_
        >>> x = nn_.tensor([1.0, 2.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        tensor([2., 4.])
    """

    __slots__ = (
        "_data", "requires_grad", "grad", "grad_fn", "_out_index", "_version", "_hooks",
        "_post_hooks", "_retains_grad", "__weakref__", "__dict__",
    )
    __array_priority__ = 1000
    __array_ufunc__ = None  # NumPy defers to our reflected operators (ndarray + Tensor)

    def __init__(self, data: Any = None, dtype: Any = None, requires_grad: bool = False) -> None:
        arr = _to_array(data if data is not None else [], dtype)
        self._data = arr
        self.grad: Tensor | None = None
        self.grad_fn = None
        self._out_index = 0
        self._version = 0
        self._hooks = None
        self._post_hooks = None
        self._retains_grad = False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, arr: np.ndarray, fn: Any = None, index: int = 0) -> Tensor:
        """Fast constructor for op results (no validation but one: NumPy returns a scalar, not
        a 0-d array, from ufuncs on 0-d arrays; .grad and in-place ops need the array)."""
        t = object.__new__(cls)
        t._data = np.asarray(arr) if isinstance(arr, np.generic) else arr
        t.grad = None
        t.grad_fn = fn
        t._out_index = index
        t._version = 0
        t._hooks = None
        t._post_hooks = None
        t._retains_grad = False
        t.requires_grad = fn is not None
        return t

    # --- basic attributes -----------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """A detached Tensor sharing this tensor's array."""
        return Tensor._wrap(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value._data if isinstance(value, Tensor) else np.asarray(value)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_norm_dim(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    @property
    def dtype(self) -> _dt.dtype:
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def device(self) -> Any:
        from .device import device

        return device("cpu")

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def element_size(self) -> int:
        return self._data.itemsize

    def stride(self, dim: int | None = None) -> Any:
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_norm_dim(dim, self.ndim, "stride")]

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._data.size} values is ambiguous"
            )
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self._data if dtype is None else self._data.astype(dtype)

    def __reduce_ex__(self, protocol: Any) -> Any:
        # deepcopy / copy support (Module deep copies); never used to write files.
        return (_rebuild, (self._data.copy(), self.requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        out = type(self).__new__(type(self))
        Tensor.__init__(out, self._data.copy())
        out.requires_grad = self.requires_grad
        if self.grad is not None:
            out.grad = Tensor._wrap(self.grad._data.copy())
        if hasattr(self, "__dict__"):
            import copy

            for k, v in self.__dict__.items():
                out.__dict__[k] = copy.deepcopy(v, memo)
        memo[id(self)] = out
        return out

    # --- conversion -----------------------------------------------------------------------
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"item(): a Tensor with {self._data.size} elements cannot be converted to a "
                "Python scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, force: bool = False) -> np.ndarray:
        """The array itself (shared memory), like PyTorch's `.numpy()`."""
        if self.requires_grad and _grad_state.enabled and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        return self._data

    def detach(self) -> Tensor:
        """A tensor sharing the array, cut from the graph."""
        return Tensor._wrap(self._data)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def clone(self, memory_format: Any = None) -> Tensor:
        from .ops.arithmetic import clone

        return clone(self)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        return self if self._data.flags.c_contiguous else self.clone()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """`.to(dtype)`, `.to(device)`, `.to(other)`, `.to(device, dtype)`."""
        dtype = kwargs.get("dtype")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif _is_device(a):
                _check_device(a)
            elif a is not None:
                dtype = a
        if "device" in kwargs:
            _check_device(kwargs["device"])
        if dtype is None:
            return self
        target = _dt.to_numpy_dtype(dtype)
        if target == self._data.dtype:
            return self
        from .ops.arithmetic import cast

        return cast(self, target)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return "neuronet." + {"f": "Float", "i": "Long", "u": "Byte", "b": "Bool"}.get(
                self._data.dtype.kind, "") + "Tensor"
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self) -> Tensor:
        return self.to(_dt.float32)

    def double(self) -> Tensor:
        return self.to(_dt.float64)

    def half(self) -> Tensor:
        return self.to(_dt.float16)

    def long(self) -> Tensor:
        return self.to(_dt.int64)

    def int(self) -> Tensor:
        return self.to(_dt.int32)

    def bool(self) -> Tensor:
        return self.to(_dt.bool)

    def byte(self) -> Tensor:
        return self.to(_dt.uint8)

    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        raise RuntimeError("neuronet: no CUDA device is available (CPU build)")

    # --- autograd -------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate the gradient of this tensor into the `.grad` of every leaf."""
        from .autograd.engine import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def retain_grad(self) -> None:
        """Keep `.grad` for a non-leaf tensor after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.is_leaf:
            return
        fn = self.grad_fn
        if fn._retain is None:
            fn._retain = {}
        fn._retain[self._out_index] = weakref.ref(self)
        self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call `hook(grad)` when this tensor's gradient is computed; it may return a new one."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.is_leaf:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            hooks = self._hooks
        else:
            self.grad_fn._add_output_hook(self._out_index, hook)
            hooks = self.grad_fn._hooks[self._out_index]
        return _RemovableHandle(hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        if not self.is_leaf:
            raise RuntimeError("post accumulate grad hooks can only be registered on leaf tensors")
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

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

    # --- operators ------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ar.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ar.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ar.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ar.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ar.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ar.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ar.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ar.div(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return _ar.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return _ar.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return _ar.remainder(self, other)

    def __pow__(self, other: Any) -> Tensor:
        return _ar.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _ar.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _la.matmul(other, self)

    def __neg__(self) -> Tensor:
        return _ar.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return _el.abs(self)

    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    # comparisons and logic: bool results, never differentiable
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ar.compare(np.equal, self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _ar.compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> Tensor:
        return _ar.compare(np.less, self, other)

    def __le__(self, other: Any) -> Tensor:
        return _ar.compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> Tensor:
        return _ar.compare(np.greater, self, other)

    def __ge__(self, other: Any) -> Tensor:
        return _ar.compare(np.greater_equal, self, other)

    def __and__(self, other: Any) -> Tensor:
        return _ar.compare(np.bitwise_and, self, other, keep_dtype=True)

    def __or__(self, other: Any) -> Tensor:
        return _ar.compare(np.bitwise_or, self, other, keep_dtype=True)

    def __xor__(self, other: Any) -> Tensor:
        return _ar.compare(np.bitwise_xor, self, other, keep_dtype=True)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind == "b":
            return Tensor._wrap(~self._data)
        return Tensor._wrap(np.invert(self._data))

    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__
    greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne

    def logical_not(self) -> Tensor:
        return Tensor._wrap(np.logical_not(self._data))

    def logical_and(self, other: Any) -> Tensor:
        return _ar.compare(np.logical_and, self, other)

    def logical_or(self, other: Any) -> Tensor:
        return _ar.compare(np.logical_or, self, other)

    def isnan(self) -> Tensor:
        return Tensor._wrap(np.isnan(self._data))

    def isinf(self) -> Tensor:
        return Tensor._wrap(np.isinf(self._data))

    def isfinite(self) -> Tensor:
        return Tensor._wrap(np.isfinite(self._data))

    def equal(self, other: Tensor) -> bool:
        return self.shape == other.shape and bool(np.array_equal(self._data, other._data))

    def allclose(self, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8,
                 equal_nan: bool = False) -> bool:
        return bool(np.allclose(self._data, _array_of(other), rtol, atol, equal_nan))

    def isclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8,
                equal_nan: bool = False) -> Tensor:
        return Tensor._wrap(np.isclose(self._data, _array_of(other), rtol, atol, equal_nan))

    # --- elementwise maths (neuronet.ops.elementwise, activations) -------------------------
    def exp(self) -> Tensor:
        return _el.exp(self)

    def log(self) -> Tensor:
        return _el.log(self)

    def log2(self) -> Tensor:
        return _el.log(self) / float(np.log(2.0))

    def log10(self) -> Tensor:
        return _el.log(self) / float(np.log(10.0))

    def log1p(self) -> Tensor:
        return _el.log1p(self)

    def expm1(self) -> Tensor:
        return _el.expm1(self)

    def sqrt(self) -> Tensor:
        return _el.sqrt(self)

    def rsqrt(self) -> Tensor:
        return _el.rsqrt(self)

    def square(self) -> Tensor:
        return _ar.mul(self, self)

    def abs(self) -> Tensor:
        return _el.abs(self)

    absolute = abs

    def sign(self) -> Tensor:
        return _el.sign(self)

    def sin(self) -> Tensor:
        return _el.sin(self)

    def cos(self) -> Tensor:
        return _el.cos(self)

    def tan(self) -> Tensor:
        return _el.sin(self) / _el.cos(self)

    def tanh(self) -> Tensor:
        return _el.tanh(self)

    def sigmoid(self) -> Tensor:
        return _el.sigmoid(self)

    def relu(self) -> Tensor:
        return _el.relu(self)

    def erf(self) -> Tensor:
        return _el.erf(self)

    def reciprocal(self) -> Tensor:
        return _el.reciprocal(self)

    def floor(self) -> Tensor:
        return _el.floor(self)

    def ceil(self) -> Tensor:
        return _el.ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        return _el.round(self, decimals)

    def trunc(self) -> Tensor:
        return _el.trunc(self)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return _el.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Any) -> Tensor:  # noqa: A002
        return _el.clamp(self, min, None)

    def clamp_max(self, max: Any) -> Tensor:  # noqa: A002
        return _el.clamp(self, None, max)

    def maximum(self, other: Any) -> Tensor:
        return _el.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        return _el.minimum(self, other)

    def pow(self, exponent: Any) -> Tensor:
        return _ar.pow(self, exponent)

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        return _ar.add(self, other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        return _ar.sub(self, other if alpha == 1 else other * alpha)

    subtract = sub

    def mul(self, other: Any) -> Tensor:
        return _ar.mul(self, other)

    multiply = mul

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        if rounding_mode is None:
            return _ar.div(self, other)
        if rounding_mode == "floor":
            return _ar.floor_divide(self, other)
        if rounding_mode == "trunc":
            return _ar.div(self, other).trunc().to(_ar.result_dtype(self, other))
        raise ValueError(
            f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}"
        )

    divide = true_divide = div

    def neg(self) -> Tensor:
        return _ar.neg(self)

    negative = neg

    def where(self, condition: Any, other: Any) -> Tensor:
        return _el.where(condition, self, other)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        return self + weight * (end - self)

    def addcmul(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self + value * t1 * t2

    def addcdiv(self, t1: Any, t2: Any, value: Any = 1) -> Tensor:
        return self + value * t1 / t2

    def softmax(self, dim: int, dtype: Any = None) -> Tensor:
        from .ops.fused import softmax

        return softmax(self if dtype is None else self.to(dtype), dim)

    def log_softmax(self, dim: int, dtype: Any = None) -> Tensor:
        from .ops.fused import log_softmax

        return log_softmax(self if dtype is None else self.to(dtype), dim)

    # --- reductions (neuronet.ops.reductions) ---------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return _red.sum(self if dtype is None else self.to(dtype), dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return _red.mean(self if dtype is None else self.to(dtype), dim, keepdim)

    def prod(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        return _red.prod(self if dtype is None else self.to(dtype), dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return _el.maximum(self, dim)
        return _red.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return _el.minimum(self, dim)
        return _red.min(self, dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _red.amax(self, dim, keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> Tensor:
        return _red.amin(self, dim, keepdim)

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _red.argmax(self, dim, keepdim)

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        return _red.argmin(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return _red.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
            correction: Any = None) -> Tensor:
        return _red.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> Tensor:
        return _red.logsumexp(self, dim, keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.norm(self, p, dim, keepdim)

    def cumsum(self, dim: int, dtype: Any = None) -> Tensor:
        return _red.cumsum(self if dtype is None else self.to(dtype), dim)

    def all(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.logical_reduce(np.all, self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        return _red.logical_reduce(np.any, self, dim, keepdim)

    def count_nonzero(self, dim: Any = None) -> Tensor:
        return Tensor._wrap(np.asarray(np.count_nonzero(self._data, axis=dim), dtype=np.int64))

    def nonzero(self, as_tuple: bool = False) -> Any:
        idx = np.nonzero(self._data)
        if as_tuple:
            return tuple(Tensor._wrap(i.astype(np.int64)) for i in idx)
        return Tensor._wrap(np.stack(idx, axis=1).astype(np.int64))

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        return _idx.sort(self, dim, descending)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        return _idx.sort(self, dim, descending)[1]

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return _idx.topk(self, k, dim, largest)

    # --- shape (neuronet.ops.shape) -------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return _sh.reshape(self, _shape_arg(shape))

    def view(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (builtins.int, tuple, list, Size)):
            return self.to(shape[0])
        return _sh.reshape(self, _shape_arg(shape))

    def view_as(self, other: Tensor) -> Tensor:
        return _sh.reshape(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return _sh.reshape(self, other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return _sh.flatten(self, start_dim, end_dim)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        return _sh.unflatten(self, dim, sizes)

    def squeeze(self, dim: Any = None) -> Tensor:
        return _sh.squeeze(self, dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return _sh.unsqueeze(self, dim)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return _sh.transpose(self, dim0, dim1)

    swapaxes = swapdims = transpose

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self if self.ndim < 2 else _sh.transpose(self, 0, 1)

    def permute(self, *dims: Any) -> Tensor:
        return _sh.permute(self, _shape_arg(dims))

    def movedim(self, source: Any, destination: Any) -> Tensor:
        return _sh.movedim(self, source, destination)

    @property
    def T(self) -> Tensor:  # noqa: N802
        return _sh.permute(self, tuple(range(self.ndim - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices")
        return _sh.transpose(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        return _sh.expand(self, _shape_arg(sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return _sh.expand(self, other.shape)

    def broadcast_to(self, shape: Any) -> Tensor:
        return _sh.expand(self, tuple(shape))

    def repeat(self, *sizes: Any) -> Tensor:
        return _sh.repeat(self, _shape_arg(sizes))

    def repeat_interleave(self, repeats: int, dim: int | None = None) -> Tensor:
        return _sh.repeat_interleave(self, repeats, dim)

    def tile(self, *dims: Any) -> Tensor:
        dims = _shape_arg(dims)
        dims = (1,) * (self.ndim - len(dims)) + tuple(dims)
        return _sh.repeat(self, dims)

    def flip(self, *dims: Any) -> Tensor:
        return _sh.flip(self, _shape_arg(dims))

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        return _sh.roll(self, shifts, dims)

    def split(self, split_size: Any, dim: int = 0) -> tuple:
        return _sh.split(self, split_size, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return _sh.chunk(self, chunks, dim)

    def unbind(self, dim: int = 0) -> tuple:
        return _sh.unbind(self, dim)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        return _sh.narrow(self, dim, start, length)

    def select(self, dim: int, index: int) -> Tensor:
        return _sh.select(self, dim, index)

    def take_along_dim(self, indices: Any, dim: Any = None) -> Tensor:
        return _idx.take_along_dim(self, indices, dim)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        return _sh.movedim(self, source, destination)

    def tril(self, diagonal: int = 0) -> Tensor:
        return _sh.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        return _sh.triu(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        return _la.diagonal(self, offset, dim1, dim2)

    # --- indexing (neuronet.ops.indexing) -------------------------------------------------
    def gather(self, dim: int, index: Tensor) -> Tensor:
        return _idx.gather(self, dim, index)

    def scatter(self, dim: int, index: Tensor, src: Any, reduce: str | None = None) -> Tensor:
        return _idx.scatter(self, dim, index, src, reduce)

    def scatter_add(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return _idx.scatter(self, dim, index, src, "add")

    def scatter_(self, dim: int, index: Tensor, src: Any, reduce: str | None = None) -> Tensor:
        return self._inplace(_idx.scatter, dim, index, src, reduce)

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        return self._inplace(_idx.scatter, dim, index, src, "add")

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        return _idx.index_select(self, dim, index)

    def index_add(self, dim: int, index: Tensor, source: Tensor, alpha: Any = 1) -> Tensor:
        return _idx.index_add(self, dim, index, source if alpha == 1 else source * alpha)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, alpha: Any = 1) -> Tensor:
        return self._inplace(_idx.index_add, dim, index, source if alpha == 1 else source * alpha)

    def index_fill_(self, dim: int, index: Tensor, value: Any) -> Tensor:
        idx = [slice(None)] * self.ndim
        idx[dim] = _array_of(index)
        self[tuple(idx)] = value
        return self

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        return _idx.masked_fill(self, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        mask = _array_of(mask)
        shape = np.broadcast_shapes(self._data.shape, mask.shape)
        return self.expand(shape)[np.broadcast_to(mask, shape)]

    # --- linear algebra (neuronet.ops.linalg) ---------------------------------------------
    def matmul(self, other: Any) -> Tensor:
        return _la.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return _la.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return _la.bmm(self, other)

    def mv(self, vec: Tensor) -> Tensor:
        return _la.matmul(self, vec)

    def dot(self, other: Tensor) -> Tensor:
        return _la.dot(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return _la.outer(self, other)

    ger = outer

    def __getitem__(self, index: Any) -> Tensor:
        from .ops.indexing import getitem

        return getitem(self, _index_arg(index))

    def __repr__(self) -> str:
        from .printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and spec:
            return format(self._data.item(), spec)
        return repr(self) if not spec else format(repr(self), spec)


class Size(tuple):
    """A tensor's shape: a tuple that prints as PyTorch's `torch.Size([...])`."""

    def __repr__(self) -> str:
        return f"neuronet.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n


class _RemovableHandle:
    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


def _shape_arg(args: tuple) -> tuple:
    """`f(2, 3)`, `f((2, 3))`, `f([2, 3])` and `f(Size)` all mean the shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(arr, requires_grad=requires_grad)


def _is_device(a: Any) -> bool:
    from .device import device

    return isinstance(a, device) or (isinstance(a, str) and a.split(":")[0] in ("cpu", "cuda",
                                                                                  "mps", "meta"))


def _check_device(d: Any) -> None:
    from .device import device

    device(d) if not isinstance(d, device) else None
    name = str(d).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"neuronet: device '{d}' is not available; this build runs on the CPU only"
        )


def _norm_dim(dim: int, ndim: int, op: str) -> int:
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim % n


def _array_of(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _index_arg(index: Any) -> Any:
    """Replace Tensors inside an index by their arrays (ints, bools)."""
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, Tensor) else i for i in index)
    if isinstance(index, list) and any(isinstance(i, Tensor) for i in index):
        return [i._data if isinstance(i, Tensor) else i for i in index]
    return index


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Array for `tensor(data)`: floats -> default float dtype, ints -> int64, bools -> bool."""
    if isinstance(data, Tensor):
        arr = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
            data = _untensor(data)
        arr = np.asarray(data)
        if dtype is None:
            kind = arr.dtype.kind
            if kind == "f":
                arr = arr.astype(_dt.get_default_dtype().numpy, copy=False)
            elif kind in "iu":
                arr = arr.astype(np.int64, copy=False)
            elif kind == "c":
                raise TypeError("neuronet: complex numbers are not supported")
            elif kind not in "b":
                raise TypeError(
                    f"neuronet.tensor: could not convert data of type {type(data).__name__} "
                    f"(NumPy dtype {arr.dtype}) to a tensor"
                )
    if dtype is not None:
        arr = arr.astype(_dt.to_numpy_dtype(dtype), copy=False)
    else:
        _dt.from_numpy_dtype(arr.dtype)  # raises TypeError for unsupported dtypes
    return arr


def _flat(data: Any) -> Iterator[Any]:
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            yield d


def _untensor(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_untensor(d) for d in data]
    return data


def as_tensor_arg(x: Any, like: np.ndarray | None = None) -> Tensor:
    """An op argument as a constant Tensor (Python scalars take a dtype from `like`)."""
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, (builtins.int, builtins.float, builtins.bool)):
        return Tensor._wrap(_dt.scalar_to_array(x, like))
    if isinstance(x, np.ndarray):
        return Tensor._wrap(x)
    return Tensor._wrap(_to_array(x))


from .autograd import function as _function  # noqa: E402

_function.Tensor, _function.as_tensor_arg, _function._wrap = Tensor, as_tensor_arg, Tensor._wrap

# The op families; imported last because they import Tensor from this module.
from .autograd import engine as _engine  # noqa: E402
from .ops import arithmetic as _ar  # noqa: E402
from .ops import elementwise as _el  # noqa: E402
from .ops import indexing as _idx  # noqa: E402
from .ops import linalg as _la  # noqa: E402
from .ops import reductions as _red  # noqa: E402
from .ops import shape as _sh  # noqa: E402

_engine.Tensor, _engine._wrap, _engine.sum_to = Tensor, Tensor._wrap, _sh.sum_to
