"""Asynchronous training: a parameter server and workers that never wait for each other.

Rank 0 holds the model and the optimizer; ranks 1..P-1 are workers. A worker computes a
gradient on its copy of the parameters (version v), pushes it, and gets the newest
parameters back in the same round trip. The server applies each gradient as soon as it
arrives, one optimizer step per push, so workers never wait for one another. A gradient is
stale by s = (server version now) - v steps; with a bound S (`max_staleness`):
    s <= S:  theta <- optimizer_step(theta, grad)     (version += 1)
    s >  S:  the gradient is dropped, the worker just receives the newest parameters
(stale-synchronous style: no update is older than S steps). With one worker s is always 0
and this is plain SGD; see docs/distributed.md for accuracy and time against synchronous DDP.

Example (under `mpiexec -n 3`):
    >>> if dist.get_rank() == 0:                                    # doctest: +SKIP
    ...     ParameterServer(model, optimizer, max_staleness=4).serve()
    ... else:
    ...     worker = AsyncWorker(model); worker.pull()
    ...     for xb, yb in loader:
    ...         model.zero_grad(); loss_fn(model(xb), yb).backward(); worker.push()
    ...     worker.done()
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..tensor import Tensor
from ._state import STATE, import_mpi
from ._wait import wait
from .process_group import _require

__all__ = ["AsyncWorker", "ParameterServer"]

TAG_HEADER, TAG_GRAD, TAG_PARAMS = 7201, 7202, 7203
PULL, PUSH, DONE = 0, 1, 2


def _trainable(model: Any, what: str) -> list[Tensor]:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError(f"{what}: the model has no trainable parameters")
    dtypes = {p._data.dtype for p in params}
    if len(dtypes) != 1:
        raise TypeError(f"{what}: all parameters must share one dtype, got "
                        f"{sorted(map(str, dtypes))}")
    return params


def _flatten(arrays: list[np.ndarray], out: np.ndarray) -> np.ndarray:
    start = 0
    for a in arrays:
        out[start : start + a.size] = a.reshape(-1)
        start += a.size
    return out


def _unflatten(flat: np.ndarray, params: list[Tensor]) -> None:
    start = 0
    for p in params:
        p._data[...] = flat[start : start + p._data.size].reshape(p._data.shape)
        p._version += 1
        start += p._data.size


class ParameterServer:
    """Rank 0's side: applies pushed gradients with `optimizer` as they arrive.

    Args:
        model: the model whose parameters are served (the same architecture on every rank).
        optimizer: an optimizer over the model's parameters (applied once per push).
        max_staleness: the largest accepted staleness S (>= 0); older gradients are dropped.
    """

    def __init__(self, model: Any, optimizer: Any, max_staleness: int = 4) -> None:
        state = _require("ParameterServer")
        if isinstance(max_staleness, bool) or not isinstance(max_staleness, int) or (
                max_staleness < 0):
            raise ValueError(f"ParameterServer: max_staleness must be a non-negative integer, "
                             f"received max_staleness={max_staleness!r}")
        if state.world_size < 2:
            raise RuntimeError("ParameterServer: needs at least 2 processes (a server and a "
                               "worker); launch with mpiexec -n 2 or more")
        self.model, self.optimizer, self.max_staleness = model, optimizer, max_staleness
        self.params = _trainable(model, "ParameterServer")
        self.flat = np.zeros(sum(p._data.size for p in self.params), self.params[0]._data.dtype)
        self.version = 0
        self.accepted = 0
        self.dropped = 0
        self.staleness_counts: dict[int, int] = {}

    def serve(self) -> None:
        """Answer pulls and pushes until every worker has called `done()`."""
        MPI = import_mpi()
        comm = STATE.comm
        active = set(range(1, STATE.world_size))
        header = np.zeros(2, np.int64)  # (kind, version the worker's gradient is based on)
        grad = np.empty_like(self.flat)
        status = MPI.Status()
        while active:
            wait(comm.Irecv(header, source=MPI.ANY_SOURCE, tag=TAG_HEADER),
                 "parameter server receive", status=status)
            source, kind = status.Get_source(), int(header[0])
            if kind == DONE:
                active.discard(source)
                continue
            if kind == PUSH:
                wait(comm.Irecv(grad, source=source, tag=TAG_GRAD), "parameter server receive")
                self._apply(grad, self.version - int(header[1]))
            reply = np.array([self.version, 0], np.int64)
            comm.Send(reply, dest=source, tag=TAG_HEADER)
            comm.Send(_flatten([p._data for p in self.params], self.flat), dest=source,
                      tag=TAG_PARAMS)

    def _apply(self, grad: np.ndarray, staleness: int) -> None:
        self.staleness_counts[staleness] = self.staleness_counts.get(staleness, 0) + 1
        if staleness > self.max_staleness:
            self.dropped += 1
            return
        start = 0
        for p in self.params:
            p.grad = Tensor._wrap(grad[start : start + p._data.size].reshape(p._data.shape).copy())
            start += p._data.size
        self.optimizer.step()
        self.version += 1
        self.accepted += 1


class AsyncWorker:
    """A worker's side: `pull()` the newest parameters, `push()` this rank's gradients."""

    def __init__(self, model: Any, server: int = 0) -> None:
        _require("AsyncWorker")
        self.params = _trainable(model, "AsyncWorker")
        self.server = server
        self.flat = np.zeros(sum(p._data.size for p in self.params), self.params[0]._data.dtype)
        self.version = -1
        self.pushes = 0

    def _exchange(self, kind: int) -> None:
        comm = STATE.comm
        comm.Send(np.array([kind, self.version], np.int64), dest=self.server, tag=TAG_HEADER)
        if kind == PUSH:
            grads = [np.zeros_like(p._data) if p.grad is None else p.grad._data
                     for p in self.params]
            comm.Send(_flatten(grads, self.flat), dest=self.server, tag=TAG_GRAD)
        if kind == DONE:
            return
        reply = np.zeros(2, np.int64)
        wait(comm.Irecv(reply, source=self.server, tag=TAG_HEADER), "worker receive")
        wait(comm.Irecv(self.flat, source=self.server, tag=TAG_PARAMS), "worker receive")
        _unflatten(self.flat, self.params)
        self.version = int(reply[0])

    def pull(self) -> int:
        """Copy the server's parameters into the model; returns their version."""
        self._exchange(PULL)
        return self.version

    def push(self) -> int:
        """Send the model's `.grad`s (computed on the last pulled version), receive the
        newest parameters; returns their version."""
        self._exchange(PUSH)
        self.pushes += 1
        return self.version

    def done(self) -> None:
        """Tell the server this worker has finished."""
        self._exchange(DONE)
