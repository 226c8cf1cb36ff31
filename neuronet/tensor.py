"""`Tensor`: an array, its gradient, and the `Function` that made it.

As in PyTorch, `.data` is a detached Tensor sharing the array and `.numpy()` gives the array
itself. This module holds Tensor's core: construction, attributes, conversion, autograd,
indexing and printing, and `Size`. Every operator is a method that calls a primitive in
`neuronet.ops`, where the maths (forward and backward) lives; those methods come from Tensor's
base classes in `neuronet._tensor_math` (operators, elementwise maths, reductions, linear
algebra) and `neuronet._tensor_shape` (shape, indexing); the in-place methods (optimizer
updates, initialisation, masks) come from `neuronet._tensor_inplace`. The helpers in
`neuronet._tensor_data` (array conversion, argument parsing, hook handles) are importable from
here too.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _tensor_data, _tensor_inplace, _tensor_math, _tensor_shape
from . import dtypes as _dt
from ._tensor_data import (  # noqa: F401 (re-exported: other modules import them from here)
    _array_of,
    _check_device,
    _flat,
    _index_arg,
    _is_device,
    _norm_dim,
    _RemovableHandle,
    _shape_arg,
    _to_array,
    _untensor,
    as_tensor_arg,
)
from ._tensor_inplace import _TensorInPlace
from ._tensor_math import _TensorMath
from ._tensor_shape import _TensorShape
from .autograd.grad_mode import state as _grad_state


class Tensor(_TensorMath, _TensorShape, _TensorInPlace):
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

    # --- indexing and printing ------------------------------------------------------------
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


def _rebuild(arr: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(arr, requires_grad=requires_grad)


# The helper and method modules cannot import Tensor (this module imports them): bind it there.
_tensor_data.Tensor = _tensor_math.Tensor = _tensor_shape.Tensor = _tensor_inplace.Tensor = Tensor
_tensor_shape.Size = Size

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
_tensor_math._ar, _tensor_math._el, _tensor_math._idx = _ar, _el, _idx
_tensor_math._la, _tensor_math._red = _la, _red
_tensor_shape._idx, _tensor_shape._la, _tensor_shape._sh = _idx, _la, _sh
