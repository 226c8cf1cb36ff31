"""`neuronet.distributed`: data-parallel training on MPI, as `torch.distributed` spells it.

    mpiexec -n 4 python train.py          # or: python -m neuronet.distributed.launch -n 4 ...

    import neuronet.distributed as dist
    dist.init_process_group(backend="mpi")
    model = neuronet.nn.parallel.DistributedDataParallel(model)
    sampler = neuronet.utils.data.DistributedSampler(dataset)

Collectives work on tensors in place and wait at most the group's timeout, then raise an
error naming the ranks that did not arrive. `ParameterServer`/`AsyncWorker` give asynchronous
training with bounded staleness. mpi4py is needed only once a process group is set up
(`pip install 'neuronet[distributed]'`). See docs/distributed.md.
"""

from ._wait import DistributedTimeoutError
from .checkpoint import load_checkpoint, save_checkpoint
from .collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    reduce,
)
from .environment import init_from_environment, set_single_thread_blas
from .parameter_server import AsyncWorker, ParameterServer
from .process_group import (
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "AsyncWorker",
    "DistributedTimeoutError",
    "ParameterServer",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_from_environment",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "load_checkpoint",
    "reduce",
    "save_checkpoint",
    "set_single_thread_blas",
]
