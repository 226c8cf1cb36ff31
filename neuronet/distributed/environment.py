"""Process-level set-up for distributed runs: one BLAS thread, joining the group from the
environment a launcher (mpiexec, srun) leaves behind."""

from __future__ import annotations

import os
from typing import Any

from ._state import launched_by_mpi
from .process_group import get_world_size, init_process_group, is_initialized

__all__ = ["THREAD_VARIABLES", "init_from_environment", "set_single_thread_blas"]

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "BLIS_NUM_THREADS")


def set_single_thread_blas(env: dict | None = None) -> dict:
    """Ask for one BLAS/OpenMP thread: sets the variables in `env` (default os.environ, which
    only affects libraries loaded later, such as the children of `launch`) and limits the
    already-loaded BLAS through threadpoolctl when it is installed. Returns `env`."""
    target = os.environ if env is None else env
    for name in THREAD_VARIABLES:
        target[name] = "1"
    if env is None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            pass
        else:
            threadpool_limits(1)
    return target


def init_from_environment(timeout: Any = None) -> bool:
    """Join the MPI process group when an MPI launcher (mpiexec, srun) started this process
    as one of several; returns True when running distributed (world size > 1)."""
    if is_initialized():
        return get_world_size() > 1
    if not launched_by_mpi():
        return False
    init_process_group(backend="mpi", timeout=timeout)
    return True


