"""Shape ops: they move or copy elements, so each gradient moves them back.

    reshape/view   dL/dx = reshape(g, x.shape)
    permute        dL/dx = permute(g, inverse permutation)
    expand         dL/dx = g summed over the expanded dims (the engine's sum_to)
    sum_to         dL/dx = expand(g, x.shape)
    repeat         dL/dx = g reshaped to (r0, s0, r1, s1, ...) and summed over the r axes
    flip / roll    dL/dx = flip / roll back
    cat            dL/dx_i = the slice of g that x_i filled
    split          dL/dx = cat of the pieces' gradients (zeros for unused pieces)
    tril / triu    dL/dx = tril / triu of g
    pad (constant) dL/dx = the interior slice of g; other modes gather by index
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..dtypes import result_type
from ..tensor import Tensor, as_tensor_arg
from ._util import norm_dim, norm_dims


class Reshape(Function):
    """y = x with a new shape (same elements in C order);  dL/dx = reshape(g, x.shape)"""

    uses_input_values = False

    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return reshape(g, self.in_shape)


class Permute(Function):
    """y = x with axes reordered;  dL/dx = permute(g, argsort(dims))"""

    uses_input_values = False

    def forward(self, x, dims):
        self.inverse = tuple(np.argsort(dims))
        return x.transpose(dims)

    def backward(self, g):
        return Permute.apply(g, dims=self.inverse)


class Expand(Function):
    """y = x broadcast to `shape` (a view);  dL/dx = g summed back (done by the engine)"""

    uses_input_values = False

    def forward(self, x, shape):
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return g


class SumTo(Function):
    """y = x summed down to `shape` (undoes broadcasting);  dL/dx = expand(g, x.shape)"""

    uses_input_values = False

    def forward(self, x, shape):
        self.in_shape = x.shape
        return _sum_to_array(x, shape)

    def backward(self, g):
        return expand(g, self.in_shape)


def _sum_to_array(x: np.ndarray, shape: tuple) -> np.ndarray:
    lead = x.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1
    )
    out = np.sum(x, axis=axes, keepdims=True) if axes else x
    if lead:
        out = out.reshape(out.shape[lead:])
    return out.reshape(shape)


class Repeat(Function):
    """y = x tiled `reps` times per dim;  dL/dx = sum of g over the copies"""

    uses_input_values = False

    def forward(self, x, reps):
        self.reps, self.in_shape = reps, (1,) * (len(reps) - x.ndim) + x.shape
        return np.tile(x, reps)

    def backward(self, g):
        split = []
        for r, s in zip(self.reps, self.in_shape):
            split += [r, s]
        gs = reshape(g, tuple(split))
        from .reductions import sum as _sum

        out = _sum(gs, tuple(range(0, len(split), 2)))
        return out


class Flip(Function):
    """y = x reversed along dims;  dL/dx = flip(g, dims)"""

    uses_input_values = False

    def forward(self, x, dims):
        self.dims = dims
        return np.flip(x, dims).copy()

    def backward(self, g):
        return Flip.apply(g, dims=self.dims)


class Roll(Function):
    """y = x rolled by shifts along dims;  dL/dx = roll(g, -shifts, dims)"""

    uses_input_values = False

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return np.roll(x, shifts, dims)

    def backward(self, g):
        neg = tuple(-s for s in self.shifts) if isinstance(self.shifts, tuple) else -self.shifts
        return Roll.apply(g, shifts=neg, dims=self.dims)


class Cat(Function):
    """y = concatenation of inputs along dim;  dL/dx_i = g[..., offset_i : offset_i + n_i]"""

    uses_input_values = False

    def forward(self, *xs, dim):
        self.dim = dim
        self.sizes = [x.shape[dim] for x in xs]
        return np.concatenate(xs, axis=dim)

    def backward(self, g):
        grads, start = [], 0
        for n, need in zip(self.sizes, self.needs_input_grad):
            if need:
                index = (slice(None),) * self.dim + (slice(start, start + n),)
                grads.append(g[index])
            else:
                grads.append(None)
            start += n
        return tuple(grads)


class Split(Function):
    """y_1, ..., y_n = consecutive pieces of x along dim (views);  dL/dx = cat(g_1, ..., g_n)

    One multi-output node instead of n slices: the slices' backward would each build a
    zero tensor of x's full size (O(n * x.size) work for unbind); this is one cat."""

    uses_input_values = False

    def forward(self, x, sizes, dim):
        self.dim = dim
        bounds = np.cumsum(sizes[:-1]).tolist()
        return tuple(np.split(x, bounds, axis=dim))

    def backward(self, *grads):
        return Cat.apply(*grads, dim=self.dim)


class Tri(Function):
    """y = tril(x, k) or triu(x, k);  dL/dx = the same triangle of g"""

    uses_input_values = False

    def forward(self, x, k, lower):
        self.k, self.lower = k, lower
        return np.tril(x, k) if lower else np.triu(x, k)

    def backward(self, g):
        return Tri.apply(g, k=self.k, lower=self.lower)


class PadConstant(Function):
    """y = x surrounded by `value`;  dL/dx = g[interior]"""

    uses_input_values = False

    def forward(self, x, widths, value):
        self.interior = tuple(slice(lo, lo + n) for (lo, _hi), n in zip(widths, x.shape))
        return np.pad(x, widths, mode="constant", constant_values=value)

    def backward(self, g):
        return g[self.interior]


# --- functions --------------------------------------------------------------------------
def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(int(s) for s in shape)
    if shape == x._data.shape:
        return x if not x.requires_grad else Reshape.apply(x, shape=shape)
    try:
        return Reshape.apply(x, shape=shape)
    except ValueError:
        raise RuntimeError(
            f"reshape: shape '{list(shape)}' is invalid for input of size {x._data.size} "
            f"(input shape {tuple(x._data.shape)})"
        ) from None


def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    if x._data.ndim == 0:
        return reshape(x, (1,))
    s = norm_dim(start_dim, x._data.ndim, "flatten")
    e = norm_dim(end_dim, x._data.ndim, "flatten")
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = x._data.shape
    return reshape(x, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


def unflatten(x: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    d = norm_dim(dim, x._data.ndim, "unflatten")
    sizes = [int(s) for s in sizes]
    shape = x._data.shape
    known = int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) == 1 and known and shape[d] % known == 0:
        sizes[sizes.index(-1)] = shape[d] // known
    if sizes.count(-1) or int(np.prod(sizes)) != shape[d]:
        raise RuntimeError(
            f"unflatten: provided sizes {tuple(sizes)} don't multiply up to the size of dim "
            f"{d} ({shape[d]}) in the input tensor of shape {tuple(shape)}"
        )
    return reshape(x, shape[:d] + tuple(sizes) + shape[d + 1:])


def squeeze(x: Tensor, dim: Any = None) -> Tensor:
    shape = x._data.shape
    if dim is None:
        return reshape(x, tuple(s for s in shape if s != 1))
    dims = norm_dims(dim, x._data.ndim, "squeeze") if x._data.ndim else ()
    return reshape(x, tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)))


def unsqueeze(x: Tensor, dim: int) -> Tensor:
    n = x._data.ndim + 1
    if not -n <= dim < n:
        raise IndexError(
            f"unsqueeze: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    d = dim % n
    shape = x._data.shape
    return reshape(x, shape[:d] + (1,) + shape[d:])


def permute(x: Tensor, dims: Sequence[int]) -> Tensor:
    nd = x._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    d = tuple(norm_dim(i, nd, "permute") for i in dims) if nd else ()
    if len(set(d)) != len(d):
        raise RuntimeError(f"permute: repeated dim in {tuple(dims)}")
    return Permute.apply(x, dims=d)


def transpose(x: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = x._data.ndim
    if nd == 0:
        return x
    order = list(range(nd))
    a, b = norm_dim(dim0, nd, "transpose"), norm_dim(dim1, nd, "transpose")
    order[a], order[b] = order[b], order[a]
    return Permute.apply(x, dims=tuple(order))


def movedim(x: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims `source` to positions `destination`, keeping the others in order."""
    nd = x._data.ndim
    src = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    dst = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    if nd == 0:
        return x
    s = [norm_dim(d, nd, "movedim") for d in src]
    t = [norm_dim(d, nd, "movedim") for d in dst]
    if len(set(s)) != len(s) or len(set(t)) != len(t):
        raise RuntimeError(f"movedim: repeated dim in source {src} or destination {dst}")
    order = [i for i in range(nd) if i not in s]
    for d, i in sorted(zip(t, s)):
        order.insert(d, i)
    return Permute.apply(x, dims=tuple(order))


def expand(x: Tensor, shape: Sequence[int]) -> Tensor:
    shape = tuple(shape)
    lead = len(shape) - x._data.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({x._data.ndim})"
        )
    full = tuple(
        x._data.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(shape)
    )
    if full == x._data.shape:
        return x
    try:
        return Expand.apply(x, shape=full)
    except ValueError:
        raise RuntimeError(
            f"expand: the expanded size of the tensor {tuple(x._data.shape)} must match the "
            f"existing size at non-singleton dimensions; target shape {shape}"
        ) from None


def sum_to(x: Tensor, shape: tuple) -> Tensor:
    """Sum `x` down to `shape`, undoing broadcasting (used by the engine)."""
    if x._data.shape == tuple(shape):
        return x
    return SumTo.apply(x, shape=tuple(shape))


def repeat(x: Tensor, reps: Sequence[int]) -> Tensor:
    reps = tuple(int(r) for r in reps)
    if len(reps) < x._data.ndim:
        raise RuntimeError(
            f"repeat: number of dimensions of repeat dims ({len(reps)}) can not be smaller than "
            f"number of dimensions of tensor ({x._data.ndim}, shape {tuple(x._data.shape)})"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats must be non-negative, got {reps}")
    return Repeat.apply(x, reps=reps)


def repeat_interleave(x: Tensor, repeats: Any, dim: int | None = None) -> Tensor:
    """Repeat each element `repeats` times along `dim` (the flattened input when None);
    `repeats` is an int or a 1-D integer tensor with one count per element."""
    if dim is None:
        x, dim = flatten(x), 0
    d = norm_dim(dim, x._data.ndim, "repeat_interleave")
    shape = x._data.shape
    counts = repeats._data if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
        raise RuntimeError(
            f"repeat_interleave: repeats must be non-negative integers, got {counts.tolist()}"
        )
    if counts.ndim:
        if counts.shape not in ((1,), (shape[d],)):
            raise RuntimeError(
                f"repeat_interleave: repeats must have the same size as input along dim {d} "
                f"(input shape {tuple(shape)}, repeats shape {counts.shape})"
            )
        from .indexing import index_select

        index = np.repeat(np.arange(shape[d]), np.broadcast_to(counts, (shape[d],)))
        return index_select(x, d, Tensor._wrap(index))
    repeats = int(counts)
    y = expand(unsqueeze(x, d + 1), shape[:d + 1] + (repeats,) + shape[d + 1:])
    return reshape(y, shape[:d] + (shape[d] * repeats,) + shape[d + 1:])


def flip(x: Tensor, dims: Sequence[int]) -> Tensor:
    return Flip.apply(x, dims=tuple(norm_dims(dims, x._data.ndim, "flip") or ()))


def roll(x: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    if dims is None:
        flat = flatten(x)
        return reshape(Roll.apply(flat, shifts=shifts, dims=0), x._data.shape)
    many = isinstance(shifts, (list, tuple)) or isinstance(dims, (list, tuple))
    shifts_t = tuple(shifts) if isinstance(shifts, (list, tuple)) else (shifts,)
    dims_t = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    if len(shifts_t) != len(dims_t):
        raise RuntimeError(
            f"roll: shifts and dimensions must align. shifts: {len(shifts_t)}, "
            f"dims: {len(dims_t)}"
        )
    nd = max(x._data.ndim, 1)
    dims_t = tuple(norm_dim(d, nd, "roll") for d in dims_t)
    if not many:
        return Roll.apply(x, shifts=int(shifts_t[0]), dims=dims_t[0])
    return Roll.apply(x, shifts=tuple(int(s) for s in shifts_t), dims=dims_t)


def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else as_tensor_arg(t) for t in tensors]
    if not tensors:
        raise RuntimeError("cat(): expected a non-empty list of Tensors")
    # PyTorch skips 1-D empty tensors (legacy behaviour)
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.size == 0)] or tensors[:1]
    ref = kept[0]
    d = norm_dim(dim, ref._data.ndim, "cat")
    for i, t in enumerate(kept):
        if t._data.ndim != ref._data.ndim or any(
            a != b for j, (a, b) in enumerate(zip(t._data.shape, ref._data.shape)) if j != d
        ):
            raise RuntimeError(
                f"cat: sizes of tensors must match except in dimension {d}; tensor 0 has shape "
                f"{tuple(ref._data.shape)} but tensor {i} has shape {tuple(t._data.shape)}"
            )
    dtype = ref._data.dtype
    for t in kept[1:]:
        if t._data.dtype != dtype:
            dtype = result_type(np.zeros(1, dtype), np.zeros(1, t._data.dtype))
    kept = [t if t._data.dtype == dtype else t.to(dtype) for t in kept]
    return Cat.apply(*kept, dim=d)


def stack(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    tensors = [t if isinstance(t, Tensor) else as_tensor_arg(t) for t in tensors]
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(shape)} at entry 0 "
                f"and {tuple(t._data.shape)} at entry {i}"
            )
    n = len(shape) + 1
    if not -n <= dim < n:
        raise IndexError(f"stack: dimension out of range (expected [{-n}, {n - 1}], got {dim})")
    return cat([unsqueeze(t, dim % n) for t in tensors], dim % n)


def split(x: Tensor, split_size: Any, dim: int = 0) -> tuple:
    """Pieces of `x` along `dim`: of `split_size` each (the last may be smaller), or of the
    listed sizes. One Split node for all pieces, so backward is a single cat."""
    d = norm_dim(dim, x._data.ndim, "split")
    n = x._data.shape[d]
    if isinstance(split_size, (int, np.integer)):
        if split_size <= 0 and n:
            raise RuntimeError(f"split: split_size must be positive, got {split_size}")
        sizes = [min(split_size, n - i) for i in range(0, n, split_size)] if n else [0]
    else:
        sizes = [int(s) for s in split_size]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {d}, shape {tuple(x._data.shape)}), but got "
                f"split_sizes={sizes}"
            )
    return Split.apply(x, sizes=tuple(sizes), dim=d)


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple:
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = x._data.shape[norm_dim(dim, x._data.ndim, "chunk")]
    size = -(-n // chunks) if n else 1
    return split(x, size, dim)


def unbind(x: Tensor, dim: int = 0) -> tuple:
    """The slices x.select(dim, i) for every i (one Split node, then size-1 dims dropped)."""
    d = norm_dim(dim, x._data.ndim, "unbind")
    n = x._data.shape[d]
    if n == 0:
        return ()
    shape = x._data.shape[:d] + x._data.shape[d + 1:]
    return tuple(reshape(p, shape) for p in Split.apply(x, sizes=(1,) * n, dim=d))


def narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    """x[..., start : start + length, ...] along `dim` (a view; PyTorch's narrow)."""
    d = norm_dim(dim, x._data.ndim, "narrow")
    n = x._data.shape[d]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start ({start}) out of range for dimension {d} of size {n} "
                         f"(input shape {tuple(x._data.shape)})")
    start = start % n if start < 0 else start
    if length < 0 or start + length > n:
        raise RuntimeError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({n}) "
            f"(input shape {tuple(x._data.shape)}, dim {d})"
        )
    return x[(slice(None),) * d + (slice(start, start + length),)]


def select(x: Tensor, dim: int, index: int) -> Tensor:
    """x[..., index, ...] along `dim`, removing that dim (PyTorch's select)."""
    d = norm_dim(dim, x._data.ndim, "select")
    n = x._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select: index {index} out of range for tensor of shape {tuple(x._data.shape)} "
            f"at dimension {d} (size {n})"
        )
    return x[(slice(None),) * d + (int(index),)]


def tril(x: Tensor, diagonal: int = 0) -> Tensor:
    _check_matrix(x, "tril")
    return Tri.apply(x, k=diagonal, lower=True)


def triu(x: Tensor, diagonal: int = 0) -> Tensor:
    _check_matrix(x, "triu")
    return Tri.apply(x, k=diagonal, lower=False)


def _check_matrix(x: Tensor, op: str) -> None:
    if x._data.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got {x.ndim}")


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: Tensor, pad: Sequence[int], mode: str = "constant",
        value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims; `pad` lists (left, right) pairs from the last dim back,
    as PyTorch's F.pad. Negative widths crop."""
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > x._data.ndim:
        raise ValueError(
            f"pad: padding length must be even and at most 2 * input.dim() = {2 * x.ndim}, "
            f"got {len(pad)}"
        )
    widths = [(0, 0)] * x._data.ndim
    for i in range(len(pad) // 2):
        widths[x._data.ndim - 1 - i] = (pad[2 * i], pad[2 * i + 1])
    # negative widths crop first
    if any(lo < 0 or hi < 0 for lo, hi in widths):
        crop = tuple(slice(-min(lo, 0), s + min(hi, 0) if hi < 0 else None)
                     for (lo, hi), s in zip(widths, x._data.shape))
        x = x[crop]
        widths = [(max(lo, 0), max(hi, 0)) for lo, hi in widths]
    if mode == "constant":
        return PadConstant.apply(x, widths=tuple(widths), value=0.0 if value is None else value)
    if mode not in _PAD_MODES:
        raise ValueError(f"pad: mode must be one of constant, reflect, replicate, circular; "
                         f"got {mode!r}")
    from .indexing import index_select

    for axis, (lo, hi) in enumerate(widths):
        if lo or hi:
            n = x._data.shape[axis]
            if mode == "reflect" and (lo >= n or hi >= n):
                raise ValueError(
                    f"pad: padding size ({lo}, {hi}) should be less than the corresponding "
                    f"input dimension {n} for mode='reflect'"
                )
            idx = np.pad(np.arange(n), (lo, hi), mode=_PAD_MODES[mode])
            x = index_select(x, axis, Tensor._wrap(idx))
    return x
