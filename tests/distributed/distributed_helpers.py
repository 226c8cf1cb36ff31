"""Helpers for the MPI tests: find mpiexec, launch N ranks on this machine (loopback only)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

WORKERS = Path(__file__).parent / "workers"
REPO = Path(__file__).resolve().parents[2]


def mpi_or_skip() -> None:
    pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install "
                        "'neuronet[distributed]' (make test installs it)")
    from neuronet.distributed.launch import find_mpiexec

    try:
        find_mpiexec()
    except FileNotFoundError as error:
        pytest.skip(str(error))


def mpirun(nprocs: int, script: str, *args: str, timeout: float = 120,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """Run workers/<script> in nprocs ranks; returns the finished process (stdout+stderr)."""
    from neuronet.distributed.launch import mpiexec_command

    child_env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1",
                     OPENBLAS_NUM_THREADS="1", OMPI_MCA_btl="self,vader,tcp",
                     OMPI_MCA_btl_tcp_if_include="lo", OMPI_MCA_oob_tcp_if_include="lo")
    child_env.update(env or {})
    command = mpiexec_command(nprocs, [sys.executable, str(WORKERS / script), *args],
                              oversubscribe=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=child_env)
