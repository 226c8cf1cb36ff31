"""Shared parts of the NumPy preprocessing layers (Discretization, Hashing, the lookups):
input conversion, argument checks, encoded output shapes, and their base layer."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend
from .layer import Layer
from .preprocessing import CategoryEncoding
from .symbolic import any_symbolic


# --- shared helpers ---------------------------------------------------------------------------
def _to_numpy(value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return backend.to_numpy(value)  # the array itself, gradient or not
    if hasattr(value, "detach"):  # a torch tensor
        return value.detach().cpu().numpy()
    return np.asarray(value)


def _as_strings(values: np.ndarray, encoding: str = "utf-8", owner: str = "") -> np.ndarray:
    """A NumPy str array: bytes are decoded; an object array's elements are turned to str."""
    kind = values.dtype.kind
    if kind == "U":
        return values
    if kind == "S":
        return np.char.decode(values, encoding)
    if kind == "O":
        flat = [v.decode(encoding) if isinstance(v, bytes) else str(v) for v in values.flat]
        return np.array(flat, dtype=str).reshape(values.shape)
    if values.size == 0:
        return values.astype(str)
    raise TypeError(f"{owner}: expected strings, received an array of {values.dtype}")


def _as_integers(values: np.ndarray, owner: str) -> np.ndarray:
    kind = values.dtype.kind
    if kind in "iub":
        return values.astype(np.int64)
    if kind == "f" and np.all(np.isfinite(values)) and np.all(values == np.trunc(values)):
        return values.astype(np.int64)
    if values.size == 0:
        return values.astype(np.int64)
    raise TypeError(f"{owner}: expected integers, received an array of {values.dtype}")


def _equal(values: np.ndarray, token: Any) -> np.ndarray:
    """values == token elementwise; False where a string meets a number."""
    if isinstance(token, bytes):
        token = token.decode("utf-8")
    if (values.dtype.kind == "U") != isinstance(token, str):
        return np.zeros(values.shape, bool)
    return np.asarray(values == token)


def _check_string_arg(value: Any, allowed: tuple, owner: str, arg_name: str) -> None:
    if not (isinstance(value, str) and value in allowed):
        raise ValueError(f"Unknown value for `{arg_name}` argument of {owner}. Allowed values "
                         f"are: {allowed}. Received: {arg_name}={value}")


def _encoded_shape(shape: Any, output_mode: str, depth: int | None) -> tuple:
    """The shape `CategoryEncoding` gives: one_hot replaces a trailing 1 (else appends depth);
    multi_hot/count/tf_idf reduce axis 1 (axis 0 of a single sample)."""
    shape = tuple(shape)
    if output_mode == "int":
        return shape
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return shape[:-1] + (depth,)
        return (shape or (1,)) + (depth,)
    if len(shape) <= 1:
        return (depth,)
    return (shape[0],) + shape[2:] + (depth,)


class _ArrayLayer(Layer):
    """A preprocessing layer: `call` receives the input as a NumPy array, untouched (strings and
    integers as given, not turned into float Tensors), and nothing it returns has a gradient."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic(args) or any_symbolic(kwargs):
            return super().__call__(*args, **kwargs)
        kwargs.pop("training", None)
        if len(args) != 1 or kwargs:
            raise TypeError(f"{type(self).__name__}: a preprocessing layer is called on one "
                            f"input, received {len(args)} positional and {sorted(kwargs)} "
                            f"keyword arguments")
        self.built = True
        return self.call(args[0])

    def _encode(self, ids: np.ndarray, output_mode: str, depth: int) -> np.ndarray:
        """Bin / vocabulary indices -> CategoryEncoding's float32 vectors (ids outside
        [0, depth) add nothing: that is how a mask token is dropped)."""
        encoders = self.__dict__.setdefault("_encoders", {})
        if (output_mode, depth) not in encoders:
            encoders[output_mode, depth] = CategoryEncoding(
                num_tokens=depth, output_mode=output_mode, name=f"{self.name}_{output_mode}")
        return encoders[output_mode, depth](ids).numpy()


# --- Discretization ---------------------------------------------------------------------------


def adapt_batches(data: Any, steps: int | None, whole: tuple) -> Any:
    """What adapt() reads: the data itself when it is one of the `whole` types (or not
    iterable), else its batches, at most `steps` of them."""
    if isinstance(data, whole) or not hasattr(data, "__iter__"):
        yield data
        return
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            return
        yield batch
