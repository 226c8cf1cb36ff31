"""keras.ops on symbolic inputs: building a functional model with `x = keras.ops.add(a, b)`,
`x = a + b` or `x[:, 0]` records the op as a graph node (an `OpLayer`), as Keras 3 does, so
residual connections and other tensor arithmetic work between layers of a functional model.

An `OpLayer` keeps the op's name in `keras.ops` and its arguments with every symbolic input
replaced by a placeholder; its config stores both (JSON: numbers, strings, lists, slices,
arrays), so a model using ops saves and loads like any other.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend
from ..layers.layer import Layer
from ..layers.symbolic import KerasTensor, any_symbolic, map_structure

# ops usable in an OpLayer that keras.ops has no name for (Python's operators)
_OPERATORS: dict[str, Callable] = {"getitem": operator.getitem}


def _resolve(op: str) -> Callable:
    from .. import ops

    if op in _OPERATORS:
        return _OPERATORS[op]
    fn = getattr(ops, op, None)
    if fn is None or not callable(fn):
        raise ValueError(f"OpLayer: keras.ops has no op named {op!r}")
    return getattr(fn, "__wrapped__", fn)


def _encode(value: Any) -> Any:
    """A JSON-able form of an op argument (placeholders pass through)."""
    if isinstance(value, dict) and "__input__" in value:
        return value
    if isinstance(value, slice):
        return {"__slice__": [_encode(value.start), _encode(value.stop), _encode(value.step)]}
    if value is Ellipsis:
        return {"__ellipsis__": True}
    if isinstance(value, Tensor | np.ndarray):
        array = np.asarray(getattr(value, "_data", value))
        return {"__array__": array.tolist(), "dtype": str(array.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "__input__" in value:
        return value
    if "__slice__" in value:
        return slice(*(_decode(v) for v in value["__slice__"]))
    if "__ellipsis__" in value:
        return Ellipsis
    if "__array__" in value:
        return np.asarray(value["__array__"], value["dtype"])
    if "__tuple__" in value:
        return tuple(_decode(v) for v in value["__tuple__"])
    return {k: _decode(v) for k, v in value.items()}


class OpLayer(Layer):
    """One keras.ops call inside a functional model: y = op(*args, **kwargs) with the
    symbolic inputs (placeholders {"__input__": i} in args/kwargs) taken from the call's
    input list."""

    def __init__(self, op: str, args: Any = (), kwargs: Any = None, **layer_kwargs: Any) -> None:
        if layer_kwargs.get("name") is None:  # named after the op, as Keras names its nodes
            layer_kwargs["name"] = backend.unique_name("get_item" if op == "getitem" else op)
        super().__init__(**layer_kwargs)
        self.op, self.fn = op, _resolve(op)
        self.op_args, self.op_kwargs = _decode(list(args)), _decode(dict(kwargs or {}))
        self._out_dtype: str | None = None
        self._in_dtypes: list | None = None  # the symbolic inputs' dtypes, when built from them
        self.built = True

    def _fill(self, inputs: list) -> tuple[list, dict]:
        def fill(value: Any) -> Any:
            if isinstance(value, dict) and "__input__" in value:
                return inputs[value["__input__"]]
            if isinstance(value, list):
                return [fill(v) for v in value]
            if isinstance(value, tuple):
                return tuple(fill(v) for v in value)
            if isinstance(value, dict):
                return {k: fill(v) for k, v in value.items()}
            return value

        return fill(self.op_args), fill(self.op_kwargs)

    def call(self, inputs: Any) -> Any:
        args, kwargs = self._fill(list(inputs))
        return self.fn(*args, **kwargs)

    def compute_output_shape(self, input_shapes: Any) -> Any:
        """Runs the op on zeros of the inputs' shapes (unknown sizes 1) and dtypes."""
        from ...autograd import no_grad

        dtypes = self._in_dtypes or [self.dtype] * len(input_shapes)
        dummies = [Tensor._wrap(np.zeros([1 if d is None else d for d in shape], dtype))
                   for shape, dtype in zip(input_shapes, dtypes)]
        with no_grad():
            out = self.call(dummies)
        self._out_dtype = str(out._data.dtype) if isinstance(out, Tensor) else None
        return map_structure(lambda t: (None,) + tuple(t.shape)[1:], out)

    def compute_output_dtype(self) -> str:
        return self._out_dtype or self.dtype

    def get_config(self) -> dict:
        return {**super().get_config(), "op": self.op, "args": _encode(self.op_args),
                "kwargs": _encode(self.op_kwargs)}


def symbolic_call(op: str, args: tuple, kwargs: dict) -> Any:
    """The KerasTensor(s) of op(*args, **kwargs) with symbolic inputs: a new OpLayer node."""
    inputs: list[KerasTensor] = []

    def placeholder(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            inputs.append(value)
            return {"__input__": len(inputs) - 1}
        return value

    args = map_structure(placeholder, list(args))
    kwargs = map_structure(placeholder, dict(kwargs))
    layer = OpLayer(op, args, kwargs)
    layer._in_dtypes = [t.dtype for t in inputs]
    return layer(inputs)


def symbolic_aware(op: str, fn: Callable) -> Callable:
    """fn, or an OpLayer node when any argument is a symbolic KerasTensor."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if any_symbolic(args) or any_symbolic(kwargs):
            return symbolic_call(op, args, kwargs)
        return fn(*args, **kwargs)

    return wrapper


def _binary(op: str, swap: bool = False) -> Callable:
    def method(self: KerasTensor, other: Any) -> Any:
        return symbolic_call(op, (other, self) if swap else (self, other), {})

    return method


def install_operators() -> None:
    """KerasTensor arithmetic as keras.ops nodes: a + b, a - b, a * b, a / b, a // b, a ** b,
    a @ b (both orders), -a, abs(a), a[index], and the order comparisons."""
    for name, op in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "divide"), ("floordiv", "floor_divide"), ("pow", "power"),
                     ("matmul", "matmul")):
        setattr(KerasTensor, f"__{name}__", _binary(op))
        setattr(KerasTensor, f"__r{name}__", _binary(op, swap=True))
    for name, op in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                     ("ge", "greater_equal")):
        setattr(KerasTensor, f"__{name}__", _binary(op))
    KerasTensor.__neg__ = lambda self: symbolic_call("negative", (self,), {})
    KerasTensor.__abs__ = lambda self: symbolic_call("abs", (self,), {})
    KerasTensor.__getitem__ = lambda self, key: symbolic_call("getitem", (self, key), {})
    KerasTensor.__iter__ = _not_iterable  # else iteration would index it forever


def _not_iterable(self: KerasTensor) -> Any:
    raise TypeError(f"A symbolic KerasTensor {self.shape} is not iterable; index it "
                    f"(x[:, 0]) or use keras.ops.split / unstack")

