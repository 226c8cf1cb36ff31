"""Collective operations on tensors, in place, as `torch.distributed` spells them.

    all_reduce(t, op)   every rank's t <- op(t_0, ..., t_{P-1})        (SUM, AVG, MAX, MIN, PRODUCT)
    reduce(t, dst, op)  rank dst's t <- op(t_0, ..., t_{P-1}); the others' t is left as it was
    broadcast(t, src)   every rank's t <- t_src
    all_gather(ts, t)   every rank's ts[r] <- t_r
    barrier()           return once every rank has called it

AVG is SUM followed by a division by P (floating-point tensors only). Each call starts a
non-blocking MPI operation and polls it with the group's timeout, so a missing rank gives an
error naming it instead of a hang; `async_op=True` returns a `Work` to `wait()` on instead.

Example (under `mpiexec -n 2`, after init_process_group):
    >>> t = neuronet.tensor([1.0, 2.0]) * (dist.get_rank() + 1)   # doctest: +SKIP
    >>> dist.all_reduce(t, op=dist.ReduceOp.SUM); t               # doctest: +SKIP
    tensor([3., 6.])
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from ._state import STATE, import_mpi
from ._wait import wait
from .process_group import _require

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "reduce",
]


class ReduceOp:
    """Reduction operations (`dist.ReduceOp.SUM`, ...); strings like "sum" are accepted too."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


_OPS = ("sum", "avg", "product", "min", "max")


def _mpi_op(op: Any, what: str, dtype: np.dtype) -> tuple[Any, bool]:
    """(MPI op, divide-by-world-size afterwards) for a ReduceOp name."""
    name = str(op).lower().rsplit(".", 1)[-1]
    if name not in _OPS:
        raise ValueError(f"{what}: unknown op {op!r}; expected one of ReduceOp.SUM, AVG, "
                         f"PRODUCT, MIN, MAX")
    if name == "avg" and dtype.kind not in "fc":
        raise TypeError(f"{what}: ReduceOp.AVG needs a floating-point tensor, got {dtype}; "
                        "use SUM and divide yourself")
    MPI = import_mpi()
    table = {"sum": MPI.SUM, "avg": MPI.SUM, "product": MPI.PROD, "min": MPI.MIN,
             "max": MPI.MAX}
    return table[name], name == "avg"


class Work:
    """A collective in flight (`async_op=True`): `wait()` completes it and writes the result."""

    def __init__(self, request: Any, op: str, finish: Callable[[], None] | None) -> None:
        self._request, self._op, self._finish, self._done = request, op, finish, False

    def is_completed(self) -> bool:
        if not self._done and self._request.Test():
            self._complete()
        return self._done

    def wait(self, timeout: Any = None) -> bool:
        if not self._done:
            seconds = None if timeout is None else getattr(timeout, "total_seconds",
                                                           lambda: timeout)()
            wait(self._request, self._op, seconds)
            self._complete()
        return True

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()


def _array(tensor: Any, what: str) -> np.ndarray:
    if isinstance(tensor, Tensor):
        return tensor._data
    if isinstance(tensor, np.ndarray):
        return tensor
    raise TypeError(f"{what}: expected a Tensor, got {type(tensor).__name__}")


def _wire(array: np.ndarray) -> np.ndarray:
    """A contiguous array MPI can send: the array itself when possible, else a copy
    (float16 travels as float32, bool as uint8, which MPI's arithmetic ops accept)."""
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if array.dtype == np.bool_:
        return array.astype(np.uint8)
    return array if array.flags.c_contiguous else np.ascontiguousarray(array)


def _start(what: str, launch: Callable[[Any], Any], finish: Callable[[], None] | None,
           async_op: bool) -> Work | None:
    state = _require(what)
    state.sequence += 1
    state.current_op = what
    work = Work(launch(state.comm), what, finish)
    if async_op:
        return work
    work.wait()
    return None


def _write_back(tensor: Any, array: np.ndarray, buffer: np.ndarray, scale: float | None
                ) -> Callable[[], None]:
    def finish() -> None:
        if scale is not None:
            np.multiply(buffer, buffer.dtype.type(scale), out=buffer)
        if buffer is not array:
            array[...] = buffer.astype(array.dtype, copy=False)
        if isinstance(tensor, Tensor):
            tensor._version += 1
    return finish


def all_reduce(tensor: Any, op: Any = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Reduce `tensor` across all ranks, in place on every rank."""
    _require("all_reduce")
    array = _array(tensor, "all_reduce")
    mpi_op, average = _mpi_op(op, "all_reduce", array.dtype)
    buffer = _wire(array)
    MPI = import_mpi()
    scale = 1.0 / STATE.world_size if average else None
    return _start("all_reduce", lambda comm: comm.Iallreduce(MPI.IN_PLACE, buffer, mpi_op),
                  _write_back(tensor, array, buffer, scale), async_op)


def reduce(tensor: Any, dst: int = 0, op: Any = ReduceOp.SUM, group: Any = None,
           async_op: bool = False) -> Work | None:
    """Reduce `tensor` across all ranks into rank `dst`'s tensor (the others keep theirs)."""
    _require("reduce")
    array = _array(tensor, "reduce")
    mpi_op, average = _mpi_op(op, "reduce", array.dtype)
    _check_rank("reduce", "dst", dst)
    MPI = import_mpi()
    if STATE.rank == dst:
        buffer = _wire(array)
        scale = 1.0 / STATE.world_size if average else None
        return _start("reduce", lambda comm: comm.Ireduce(MPI.IN_PLACE, buffer, mpi_op, dst),
                      _write_back(tensor, array, buffer, scale), async_op)
    send = _wire(array)
    return _start("reduce", lambda comm: comm.Ireduce(send, None, mpi_op, dst), None, async_op)


def broadcast(tensor: Any, src: int = 0, group: Any = None, async_op: bool = False
              ) -> Work | None:
    """Copy rank `src`'s tensor into every rank's tensor (same shape and dtype everywhere)."""
    _require("broadcast")
    array = _array(tensor, "broadcast")
    _check_rank("broadcast", "src", src)
    buffer = _wire(array)
    finish = None if STATE.rank == src else _write_back(tensor, array, buffer, None)
    return _start("broadcast", lambda comm: comm.Ibcast(buffer, root=src), finish, async_op)


def all_gather(tensor_list: list, tensor: Any, group: Any = None, async_op: bool = False
               ) -> Work | None:
    """tensor_list[r] <- rank r's tensor, on every rank (tensor_list holds world_size tensors
    shaped like `tensor`)."""
    _require("all_gather")
    array = _array(tensor, "all_gather")
    if not isinstance(tensor_list, list) or len(tensor_list) != STATE.world_size:
        raise ValueError(f"all_gather: tensor_list must be a list of world_size="
                         f"{STATE.world_size} tensors, got "
                         f"{len(tensor_list) if isinstance(tensor_list, list) else tensor_list!r}")
    for i, out in enumerate(tensor_list):
        got = _array(out, "all_gather")
        if got.shape != array.shape or got.dtype != array.dtype:
            raise ValueError(f"all_gather: tensor_list[{i}] has shape {got.shape} and dtype "
                             f"{got.dtype}; expected {array.shape} and {array.dtype} like the "
                             "input tensor")
    send = _wire(array)
    gathered = np.empty((STATE.world_size,) + send.shape, send.dtype)

    def finish() -> None:
        for out, part in zip(tensor_list, gathered):
            _array(out, "all_gather")[...] = part.astype(array.dtype, copy=False)
            if isinstance(out, Tensor):
                out._version += 1

    return _start("all_gather", lambda comm: comm.Iallgather(send, gathered), finish, async_op)


def all_gather_into_tensor(output_tensor: Any, input_tensor: Any, group: Any = None,
                           async_op: bool = False) -> Work | None:
    """output (world_size * n, ...) <- the ranks' (n, ...) inputs concatenated along dim 0."""
    _require("all_gather_into_tensor")
    out, inp = _array(output_tensor, "all_gather_into_tensor"), _array(
        input_tensor, "all_gather_into_tensor")
    want = (inp.shape[0] * STATE.world_size,) + inp.shape[1:] if inp.ndim else (
        STATE.world_size,)
    if out.shape != want or out.dtype != inp.dtype:
        raise ValueError(f"all_gather_into_tensor: output has shape {out.shape} and dtype "
                         f"{out.dtype}; expected {want} and {inp.dtype}")
    send, recv = _wire(inp), _wire(out)
    return _start("all_gather_into_tensor", lambda comm: comm.Iallgather(send, recv),
                  _write_back(output_tensor, out, recv, None), async_op)


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> Work | None:
    """Return when every rank has entered the barrier."""
    return _start("barrier", lambda comm: comm.Ibarrier(), None, async_op)


def broadcast_object_list(object_list: list, src: int = 0, group: Any = None) -> None:
    """object_list[i] <- rank src's object_list[i] (picklable objects; in memory, within the
    job only, never read from disk)."""
    _require("broadcast_object_list")
    _check_rank("broadcast_object_list", "src", src)
    payload = pickle.dumps(list(object_list)) if STATE.rank == src else b""
    data = _broadcast_bytes(payload, src)
    if STATE.rank != src:
        object_list[:] = pickle.loads(data)


def all_gather_object(object_list: list, obj: Any, group: Any = None) -> None:
    """object_list[r] <- rank r's obj (object_list holds world_size entries)."""
    _require("all_gather_object")
    if len(object_list) != STATE.world_size:
        raise ValueError(f"all_gather_object: object_list must have world_size="
                         f"{STATE.world_size} entries, got {len(object_list)}")
    mine = np.frombuffer(pickle.dumps(obj), np.uint8)
    sizes = [Tensor._wrap(np.zeros(1, np.int64)) for _ in range(STATE.world_size)]
    all_gather(sizes, Tensor._wrap(np.array([mine.size], np.int64)))
    longest = max(int(s._data[0]) for s in sizes)
    padded = np.zeros(longest, np.uint8)
    padded[: mine.size] = mine
    parts = [Tensor._wrap(np.zeros(longest, np.uint8)) for _ in range(STATE.world_size)]
    all_gather(parts, Tensor._wrap(padded))
    for r, (part, size) in enumerate(zip(parts, sizes)):
        object_list[r] = pickle.loads(part._data[: int(size._data[0])].tobytes())


def _broadcast_bytes(payload: bytes, src: int) -> bytes:
    size = np.array([len(payload)], np.int64)
    broadcast(size, src)
    data = np.frombuffer(payload, np.uint8).copy() if STATE.rank == src else np.zeros(
        int(size[0]), np.uint8)
    broadcast(data, src)
    return data.tobytes()


def _check_rank(what: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 <= value < STATE.world_size):
        raise ValueError(f"{what}: {name} must be a rank in [0, {STATE.world_size}), "
                         f"received {name}={value!r}")
