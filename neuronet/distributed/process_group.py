"""Set up and tear down the process group: `init_process_group(backend="mpi")` and friends.

One process per rank, started by an MPI launcher (`mpiexec -n 4 python train.py`, `srun`).
`init_process_group` reads the rank and world size from MPI itself, so no address, port or
store is needed; the `rank`/`world_size` arguments, when given, are checked against MPI's.

Failure behaviour: an uncaught exception on any rank prints `rank R: <traceback>` and aborts
the whole job (MPI_Abort), so the other ranks do not wait forever in a collective; a rank that
never arrives at a collective is reported by the others after `timeout` (see `collectives`).

Example (under `mpiexec -n 2`):
    >>> import neuronet.distributed as dist
    >>> dist.init_process_group(backend="mpi")      # doctest: +SKIP
    >>> dist.get_rank(), dist.get_world_size()      # doctest: +SKIP
    (0, 2)
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import timedelta
from typing import Any

from ._state import DEFAULT_TIMEOUT_S, INITIALIZED, STATE, GroupState, import_mpi

__all__ = [
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
]

_BACKENDS = ("mpi",)


def is_available() -> bool:
    """True: the package is always importable (MPI itself is checked by `is_mpi_available`)."""
    return True


def is_mpi_available() -> bool:
    """True when mpi4py (and so an MPI library) can be imported."""
    try:
        import_mpi()
    except ImportError:
        return False
    return True


def _timeout_seconds(timeout: Any) -> float:
    if timeout is None:
        env = os.environ.get("NEURONET_DIST_TIMEOUT")
        return float(env) if env else DEFAULT_TIMEOUT_S
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds <= 0:
        raise ValueError(f"init_process_group: timeout must be a positive timedelta or number of "
                         f"seconds, received timeout={timeout!r}")
    return float(seconds)


def init_process_group(backend: str | None = "mpi", init_method: str | None = None,
                       timeout: Any = None, world_size: int = -1, rank: int = -1,
                       store: Any = None, group_name: str = "", pg_options: Any = None,
                       device_id: Any = None) -> None:
    """Join the job's process group (PyTorch's signature; only the MPI backend exists here).

    Args:
        backend: "mpi" (or None for the default, "mpi"); "gloo"/"nccl" are refused by name.
        init_method: only None or "env://" (MPI already knows the peers).
        timeout: how long a collective waits for the other ranks before raising an error
            that names them (timedelta or seconds; default $NEURONET_DIST_TIMEOUT or 300 s).
        world_size, rank: optional; when given they must equal MPI's.
    """
    if INITIALIZED[0]:
        raise RuntimeError("init_process_group: the default process group is already "
                           "initialized; call destroy_process_group() first")
    name = "mpi" if backend is None else str(backend).lower()
    if name not in _BACKENDS:
        raise ValueError(f"init_process_group: backend {backend!r} is not available; neuronet "
                         f"runs on MPI, use backend='mpi' (valid: {list(_BACKENDS)})")
    if init_method not in (None, "env://"):
        raise ValueError(f"init_process_group: init_method={init_method!r} is not supported "
                         "with the MPI backend (MPI finds the peers itself); leave it None")
    seconds = _timeout_seconds(timeout)
    MPI = import_mpi()
    world = MPI.COMM_WORLD
    mpi_rank, mpi_size = world.Get_rank(), world.Get_size()
    if world_size not in (-1, None) and world_size != mpi_size:
        raise ValueError(f"init_process_group: world_size={world_size} but MPI started "
                         f"{mpi_size} processes")
    if rank not in (-1, None) and rank != mpi_rank:
        raise ValueError(f"init_process_group: rank={rank} but MPI says this is rank {mpi_rank}")
    STATE.__dict__.update(GroupState().__dict__)
    STATE.comm, STATE.control = world.Dup(), world.Dup()
    STATE.rank, STATE.world_size, STATE.backend, STATE.timeout_s = (
        mpi_rank, mpi_size, name, seconds)
    STATE.previous_excepthook = sys.excepthook
    if mpi_size > 1:
        sys.excepthook = _abort_on_uncaught
    INITIALIZED[0] = True


def _abort_on_uncaught(kind: type, value: BaseException, tb: Any) -> None:
    """Print the error with this rank's number, then stop every rank (no rank hangs)."""
    text = "".join(traceback.format_exception(kind, value, tb))
    sys.stderr.write(f"neuronet.distributed: rank {STATE.rank} of {STATE.world_size} stopped "
                     f"with an uncaught exception; aborting all ranks.\n"
                     + "".join(f"[rank {STATE.rank}] {line}\n" for line in text.splitlines()))
    sys.stderr.flush()
    import_mpi().COMM_WORLD.Abort(1)


def _require(what: str) -> GroupState:
    if not INITIALIZED[0]:
        raise RuntimeError(f"{what}: the default process group has not been initialized; call "
                           "neuronet.distributed.init_process_group(backend='mpi') first")
    return STATE


def is_initialized() -> bool:
    """True between `init_process_group` and `destroy_process_group`."""
    return INITIALIZED[0]


def get_rank(group: Any = None) -> int:
    """This process's rank, 0 .. world_size - 1."""
    return _require("get_rank").rank


def get_world_size(group: Any = None) -> int:
    """The number of processes in the group."""
    return _require("get_world_size").world_size


def get_backend(group: Any = None) -> str:
    return _require("get_backend").backend


def destroy_process_group(group: Any = None) -> None:
    """Leave the group (free its communicators); `init_process_group` may be called again."""
    state = _require("destroy_process_group")
    for comm in (state.comm, state.control):
        if comm is not None:
            comm.Free()
    if state.previous_excepthook is not None:
        sys.excepthook = state.previous_excepthook
    STATE.__dict__.update(GroupState().__dict__)
    INITIALIZED[0] = False
