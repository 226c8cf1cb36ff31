"""`neuronet.nn.parallel`: `DistributedDataParallel` and `SyncBatchNorm` (on MPI)."""

from .distributed import DistributedDataParallel
from .sync_batchnorm import SyncBatchNorm

__all__ = ["DistributedDataParallel", "SyncBatchNorm"]
