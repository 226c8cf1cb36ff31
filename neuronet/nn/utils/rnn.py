"""Variable-length sequences: padding and packing (PyTorch's `nn.utils.rnn`).

A batch of B sequences of lengths L_b is either
    padded:  (T, B, *) (or (B, T, *) with batch_first), T = max L_b, padding_value elsewhere;
    packed:  `PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices)` with the
             samples sorted by decreasing length and data (sum L_b, *) holding time step 0 of
             every sample, then step 1 of those with L_b > 1, ...; batch_sizes[t] = #{b: L_b > t}.
Every conversion here is one differentiable gather (indexing) on the tensors, so gradients
flow back through packing and padding.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import creation
from ...ops import shape as shape_ops
from ...ops.indexing import getitem
from ...tensor import Tensor


class PackedSequence(namedtuple("PackedSequence",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences of several lengths packed time step by time step (see the module docstring).
    Build it with `pack_padded_sequence` or `pack_sequence`, not directly."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _tensor(np.argsort(_array(sorted_indices), kind="stable"))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self._replace(data=self.data.to(*args, **kwargs))

    @property
    def is_cuda(self) -> bool:
        return False


def _array(values: Any) -> np.ndarray:
    if isinstance(values, Tensor):
        return np.asarray(values._data)
    return np.asarray(values)


def _tensor(values: np.ndarray) -> Tensor:
    return Tensor._wrap(np.ascontiguousarray(values, np.int64))


def _lengths(lengths: Any, batch: int, op: str) -> np.ndarray:
    arr = _array(lengths)
    if arr.ndim != 1 or arr.shape[0] != batch:
        raise ValueError(f"{op}: expected one length per sequence ({batch}), got lengths of "
                         f"shape {arr.shape}")
    if arr.dtype.kind not in "iu":
        if arr.size and not np.all(arr == np.round(arr)):
            raise ValueError(f"{op}: lengths must be integers, got {arr.tolist()}")
        arr = arr.astype(np.int64)
    if arr.size and arr.min() <= 0:
        raise RuntimeError(f"{op}: Length of all samples has to be greater than 0, but found an "
                           f"element in 'lengths' that is <= 0 (lengths={arr.tolist()})")
    return arr.astype(np.int64)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *)) of sequences of the given lengths.

    With enforce_sorted=True the lengths must be in decreasing order; otherwise the batch is
    sorted here and `sorted_indices` remembers the permutation.

    Example:
        >>> import neuronet as nt
        >>> p = pack_padded_sequence(nt.zeros(3, 2, 1), [3, 1])
        >>> p.batch_sizes.tolist()
        [2, 1, 1]
    """
    batch_dim = 0 if batch_first else 1
    if input.dim() < 2:
        raise ValueError(f"pack_padded_sequence: expected a padded batch with at least 2 dims, "
                         f"got shape {tuple(input.shape)}")
    lens = _lengths(lengths, input.shape[batch_dim], "pack_padded_sequence")
    steps = input.shape[1 - batch_dim]
    if lens.size and lens.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a length ({lens.max()}) exceeds the padded "
                           f"sequence length {steps}")
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                               "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                               "pack_padded_sequence and/or pack_sequence to sidestep this "
                               "requirement if you do not need ONNX exportability.")
        order = np.arange(lens.size)
        sorted_indices = None
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _tensor(order)
    return _pack(input, lens, order, batch_first, sorted_indices)


def _pack(input: Tensor, lens: np.ndarray, order: np.ndarray, batch_first: bool,  # noqa: A002
          sorted_indices: Tensor | None) -> PackedSequence:
    """Gather the valid steps time-major, samples in `order` (decreasing length)."""
    sorted_lens = lens[order]
    max_len = int(sorted_lens[0]) if sorted_lens.size else 0
    batch_sizes = (sorted_lens[None, :] > np.arange(max_len)[:, None]).sum(1)
    t_idx = np.repeat(np.arange(max_len), batch_sizes)
    b_idx = np.concatenate([order[:bs] for bs in batch_sizes]) if max_len else np.zeros(0, int)
    index = (b_idx, t_idx) if batch_first else (t_idx, b_idx)
    return PackedSequence(getitem(input, index), _tensor(batch_sizes), sorted_indices)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of `pack_padded_sequence`: (padded batch in the original order, lengths)."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    data, batch_sizes = sequence.data, _array(sequence.batch_sizes).astype(np.int64)
    max_len = batch_sizes.size
    steps = max_len if total_length is None else int(total_length)
    if steps < max_len:
        raise ValueError(f"pad_packed_sequence: Expected total_length to be at least the length "
                         f"of the longest sequence ({max_len}), but got total_length={steps}")
    batch = int(batch_sizes[0]) if max_len else 0
    sorted_lens = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)  # (B,)
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]]).astype(np.int64)
    # index[t, b] -> row of data, or the padding row len(data)
    t = np.arange(steps)[:, None]
    b = np.arange(batch)[None, :]
    valid = t < sorted_lens[None, :]
    index = np.where(valid, offsets[np.minimum(t, max(max_len - 1, 0))] + b, len(data))
    if sequence.unsorted_indices is not None:
        original = _array(sequence.unsorted_indices)
        index, lens = index[:, original], sorted_lens[original]
    else:
        lens = sorted_lens
    if batch_first:
        index = index.T
    pad_row = creation.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    padded = getitem(shape_ops.cat([data, pad_row], 0), index)
    return padded, _tensor(lens)


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences (L_b, *) into (T, B, *) (or (B, T, *)), T = max L_b, padding after
    (padding_side='right') or before ('left') each sequence.

    Example:
        >>> import neuronet as nt
        >>> pad_sequence([nt.ones(2), nt.ones(1)], batch_first=True).tolist()
        [[1.0, 1.0], [1.0, 0.0]]
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"{padding_side!r}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    if isinstance(sequences[0], Tensor):
        tail = tuple(sequences[0].shape[1:])
        for s in sequences:
            if tuple(s.shape[1:]) != tail:
                raise ValueError(f"pad_sequence: every sequence must have trailing shape {tail}, "
                                 f"got {tuple(s.shape)}")
    lens = np.array([s.shape[0] for s in sequences], np.int64)
    steps = int(lens.max())
    offsets = np.concatenate([[0], np.cumsum(lens)[:-1]])
    t = np.arange(steps)[:, None]
    start = 0 if padding_side == "right" else (steps - lens)[None, :]
    pos = t - start  # position inside sequence b
    valid = (pos >= 0) & (pos < lens[None, :])
    index = np.where(valid, offsets[None, :] + pos, lens.sum())
    first = sequences[0]
    pad_row = creation.full((1,) + tuple(first.shape[1:]), padding_value, dtype=first.dtype)
    flat = shape_ops.cat(list(sequences) + [pad_row], 0)
    return getitem(flat, index.T if batch_first else index)


def unpad_sequence(padded_sequences: Tensor, lengths: Any,
                   batch_first: bool = False) -> list[Tensor]:
    """The inverse of `pad_sequence` (right padding): a list of (L_b, *) tensors."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    lens = _lengths(lengths, x.shape[0], "unpad_sequence")
    return [x[b, :int(n)] for b, n in enumerate(lens)]


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """pack_padded_sequence(pad_sequence(sequences), lengths)."""
    lens = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lens, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The inverse of `pack_sequence`: the list of sequences in their original order."""
    padded, lens = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lens, batch_first=True)


def packed_mask(lengths: np.ndarray, steps: int) -> np.ndarray:
    """(T, B) bool: mask[t, b] = t < lengths[b]."""
    return np.arange(steps)[:, None] < np.asarray(lengths)[None, :]
