"""Bucketed gradient averaging for `DistributedDataParallel`.

Parameters are grouped, in reverse registration order (the order backward usually produces
their gradients), into buckets of at most `bucket_cap_mb` of one dtype, each with one flat
contiguous buffer. After a forward, the graph is walked once to count how many gradient
contributions each parameter will receive (a parameter used twice gets two). Each
contribution fires the parameter's post-accumulate-grad hook; when a parameter has all of its
contributions its `.grad` is copied into its bucket slot, and when a bucket is full it is
all-reduced, in bucket order on every rank (MPI needs the same order everywhere). With
`overlap=True` that all-reduce starts at once, non-blocking, while backward goes on; otherwise
all buckets are reduced after the last gradient arrives. Either way, when the last bucket is
ready the reducer waits, divides by the world size and writes the averages back into `.grad`:

    grad_p <- (1/P) * sum_r grad_p(rank r)

Parameters the forward did not use contribute zeros, so every rank reduces the same buckets.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import distributed as dist
from ...tensor import Tensor


class _Bucket:
    def __init__(self, params: list, dtype: np.dtype) -> None:
        self.params = params
        sizes = [p._data.size for p in params]
        stops = np.cumsum(sizes).tolist()
        self.slots = [(stop - size, stop) for size, stop in zip(sizes, stops)]
        self.buffer = np.zeros(stops[-1] if stops else 0, dtype)
        self.pending = 0
        self.work: Any = None


def make_buckets(params: list, cap_bytes: int) -> list[_Bucket]:
    """Reverse order, one dtype per bucket, each at most cap_bytes (a larger parameter alone)."""
    buckets: list[_Bucket] = []
    groups: dict[np.dtype, list] = {}
    for p in reversed(params):
        dtype = p._data.dtype
        group = groups.setdefault(dtype, [])
        size = sum(q._data.nbytes for q in group)
        if group and size + p._data.nbytes > cap_bytes:
            buckets.append(_Bucket(group, dtype))
            group = groups[dtype] = []
        group.append(p)
    buckets += [_Bucket(group, dtype) for dtype, group in groups.items() if group]
    return buckets


def count_uses(outputs: list[Tensor], wanted: dict[int, Any]) -> dict[int, int]:
    """How many gradient contributions each wanted leaf receives in backward from `outputs`."""
    counts = dict.fromkeys(wanted, 0)
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    for t in outputs:
        if t.grad_fn is None and id(t) in counts:
            counts[id(t)] += 1
    seen = set(stack)
    while stack:
        node = stack.pop()
        for parent, _idx, leaf in node._edges:
            if parent is None:
                if leaf is not None and id(leaf) in counts:
                    counts[id(leaf)] += 1
            elif parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return counts


class Reducer:
    """Averages gradients across ranks during backward (see the module docstring)."""

    def __init__(self, params: list, bucket_cap_mb: float, overlap: bool) -> None:
        self.params = params
        self.buckets = make_buckets(params, int(bucket_cap_mb * 1024 * 1024))
        self.where: dict[int, tuple[_Bucket, int]] = {}
        for bucket in self.buckets:
            for k, p in enumerate(bucket.params):
                self.where[id(p)] = (bucket, k)
        self.overlap = overlap
        self.active = False
        self.remaining: dict[int, int] = {}
        self.used: set[int] = set()
        self.next_launch = 0
        self.handles = [p.register_post_accumulate_grad_hook(self._on_grad) for p in params]

    # --- one iteration ---------------------------------------------------------------------
    def prepare(self, outputs: list[Tensor]) -> None:
        """Called after a forward that will be followed by a synchronized backward."""
        self.check_finished()
        counts = count_uses(outputs, self.where)
        self.remaining = {key: n for key, n in counts.items() if n > 0}
        self.used = set(self.remaining)
        self.next_launch = 0
        for bucket in self.buckets:
            bucket.pending = 0
            for p, (start, stop) in zip(bucket.params, bucket.slots):
                if id(p) in self.remaining:
                    bucket.pending += 1
                elif p.grad is not None:  # unused now, but holds gradients accumulated earlier
                    bucket.buffer[start:stop] = p.grad._data.reshape(-1)
                else:
                    bucket.buffer[start:stop] = 0  # unused here; other ranks may have used it
        self.active = bool(self.remaining)
        if self.active:
            self._launch_ready()

    def check_finished(self) -> None:
        if not self.active:
            return
        missing = [self._name(key) for key, n in self.remaining.items() if n > 0]
        self.active = False
        raise RuntimeError(
            "DistributedDataParallel: the previous iteration's gradient reduction did not "
            f"finish: parameter(s) {missing} received no gradient after the forward. Make sure "
            "every forward output that requires grad takes part in the loss, or run the "
            "forward under neuronet.no_grad() when no backward follows.")

    def _name(self, key: int) -> str:
        names = getattr(self, "names", {})
        return names.get(key, f"<parameter {key}>")

    def _on_grad(self, p: Tensor) -> None:
        key = id(p)
        if not self.active or key not in self.remaining:
            return
        left = self.remaining[key] - 1
        self.remaining[key] = left
        if left:
            return
        bucket, k = self.where[key]
        start, stop = bucket.slots[k]
        bucket.buffer[start:stop] = p.grad._data.reshape(-1)
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready()
        elif self.overlap:  # MPI progresses non-blocking collectives inside MPI calls
            for b in self.buckets[: self.next_launch]:
                b.work.is_completed()

    def _launch_ready(self) -> None:
        while self.next_launch < len(self.buckets) and self.buckets[self.next_launch].pending == 0:
            bucket = self.buckets[self.next_launch]
            if self.overlap:
                bucket.work = dist.all_reduce(bucket.buffer, op=dist.ReduceOp.AVG, async_op=True)
            self.next_launch += 1
        if self.next_launch == len(self.buckets):
            self._finish()

    def _finish(self) -> None:
        self.active = False
        for bucket in self.buckets:
            if self.overlap:
                bucket.work.wait()
            else:
                dist.all_reduce(bucket.buffer, op=dist.ReduceOp.AVG)
            for p, (start, stop) in zip(bucket.params, bucket.slots):
                averaged = bucket.buffer[start:stop].reshape(p._data.shape)
                if p.grad is not None:
                    p.grad._data[...] = averaged
                    p.grad._version += 1
                elif id(p) in self.used or averaged.any():
                    p.grad = Tensor._wrap(averaged.copy())

    def remove_hooks(self) -> None:
        for handle in self.handles:
            handle.remove()
