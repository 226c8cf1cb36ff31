"""`DistributedDataParallel`: synchronous data-parallel training, one process per rank.

Each rank holds a full copy of the model and trains on its own share of every batch. The
wrapper makes the copies start equal (rank 0's parameters and buffers are broadcast at
construction) and stay equal: during backward the gradients are averaged across ranks with
bucketed all-reduces of flat buffers (see `reducer.py`), so every rank's optimizer takes the
same step. With per-rank batch B on P ranks and a loss that is a mean over the batch, P ranks
give the same parameters as one process with batch P*B:

    grad = (1/P) * sum_r (1/B) * sum_{i in rank r} dl_i/dtheta = (1/(P*B)) * sum_i dl_i/dtheta

BatchNorm: by default each rank normalizes with its own batch statistics and rank 0's running
statistics are broadcast before every training forward (PyTorch's behaviour); convert the
model with `SyncBatchNorm.convert_sync_batchnorm(model)` to normalize with the statistics of
the global batch (then P ranks equal one process with batch P*B exactly).

Example (under `mpiexec -n 2`, after init_process_group):
    >>> model = DistributedDataParallel(nn.Linear(4, 2))              # doctest: +SKIP
    >>> model(x).pow(2).mean().backward()  # averaged .grad             # doctest: +SKIP
    >>> with model.no_sync():  # accumulate locally, no communication  # doctest: +SKIP
    ...     model(x2).sum().backward()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ... import distributed as dist
from ...autograd.grad_mode import state as grad_state
from ...tensor import Tensor
from ..modules.module import Module
from .reducer import Reducer

__all__ = ["DistributedDataParallel"]


def _tensors_in(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [t for v in value for t in _tensors_in(v)]
    return []


def broadcast_coalesced(tensors: list[Tensor], src: int = 0) -> None:
    """Broadcast many tensors with one call per dtype (packed into one flat buffer)."""
    by_dtype: dict[np.dtype, list[Tensor]] = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    for group in by_dtype.values():
        flat = np.concatenate([t._data.reshape(-1) for t in group])
        dist.broadcast(flat, src)
        start = 0
        for t in group:
            stop = start + t._data.size
            t._data[...] = flat[start:stop].reshape(t._data.shape)
            t._version += 1
            start = stop


class DistributedDataParallel(Module):
    """Wrap `module` for synchronous data-parallel training (PyTorch's arguments).

    Args:
        module: the model; every rank must build the same architecture.
        broadcast_buffers: broadcast rank 0's buffers (BatchNorm running statistics) before
            each training forward.
        bucket_cap_mb: the largest bucket, in MiB (gradients are reduced bucket by bucket).
        find_unused_parameters: accepted for compatibility; unused parameters are always
            found (the graph is walked after each forward) and contribute zeros.
        overlap_communication: start each bucket's all-reduce as soon as it is full, while
            backward goes on (True), or reduce all buckets after backward (False).
        device_ids, output_device, dim, process_group, check_reduction,
        gradient_as_bucket_view, static_graph: accepted for compatibility (CPU only).
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float = 25.0, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False,
                 static_graph: bool = False, *, overlap_communication: bool = True) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got "
                            f"{type(module).__name__}")
        if not dist.is_initialized():
            raise RuntimeError("DistributedDataParallel: the default process group has not "
                               "been initialized; call neuronet.distributed."
                               "init_process_group(backend='mpi') first")
        if not isinstance(bucket_cap_mb, int | float) or bucket_cap_mb <= 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, "
                             f"received bucket_cap_mb={bucket_cap_mb!r}")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.world_size = dist.get_world_size()
        broadcast_coalesced(list(module.parameters()) + list(module.buffers()), src=0)
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self.reducer = Reducer([p for _, p in named], bucket_cap_mb, overlap_communication)
        self.reducer.names = {id(p): n for n, p in named}

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.training and self.broadcast_buffers and self.world_size > 1:
            buffers = list(self.module.buffers())
            if buffers:
                broadcast_coalesced(buffers, src=0)
        output = self.module(*inputs, **kwargs)
        if grad_state.enabled and self.require_backward_grad_sync:
            self.reducer.prepare([t for t in _tensors_in(output) if t.requires_grad])
        else:
            self.reducer.check_finished()
        return output

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes of forwards run inside accumulate gradients locally, without
        communication; the first synchronized backward afterwards averages the sums."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    @property
    def bucket_sizes(self) -> list[int]:
        """Elements per gradient bucket, in reduction order."""
        return [b.buffer.size for b in self.reducer.buckets]
