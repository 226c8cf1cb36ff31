"""`keras.distribution`: data-parallel `fit` across MPI processes with one switch.

    # mpiexec -n 4 python train.py
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    model.fit(x, y, batch_size=128, epochs=5, callbacks=[keras.callbacks.ModelCheckpoint(...)])

As in Keras 3, `batch_size` is the global batch: each of the P processes trains on its own
1/P of the (padded) training arrays with batch_size // P samples per step. After each
backward the gradients are averaged across processes with one all-reduce of a flat buffer,
and the weights are broadcast from rank 0 before the first step, so every process takes the
same optimizer step:
    grad = (1/P) * sum_r grad_r
Epoch logs are averaged over the processes, so callbacks see the same numbers everywhere
(EarlyStopping stops all ranks together). Only rank 0 prints progress and writes files
(ModelCheckpoint, CSVLogger). Launched without MPI (one process) nothing changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import distributed as dist
from ..distributed.environment import init_from_environment

__all__ = ["DataParallel", "distribution", "list_devices", "set_distribution"]

_CURRENT: list[Any] = [None]


def list_devices(device_type: str | None = None) -> list[str]:
    """One CPU per process: ["cpu:0", ..., "cpu:P-1"]."""
    size = dist.get_world_size() if dist.is_initialized() else 1
    return [f"cpu:{r}" for r in range(size)]


class DataParallel:
    """Replicate the model on every process and split each batch across them (Keras 3 name).

    Constructing it joins the MPI process group when the program was started by mpiexec/srun.
    Args: device_mesh, devices, auto_shard_dataset are accepted for compatibility.
    """

    def __init__(self, device_mesh: Any = None, devices: Any = None,
                 auto_shard_dataset: bool = True) -> None:
        self.distributed = init_from_environment()
        self.rank = dist.get_rank() if self.distributed else 0
        self.world_size = dist.get_world_size() if self.distributed else 1
        self.auto_shard_dataset = auto_shard_dataset


def set_distribution(value: DataParallel | None) -> None:
    """Make `fit` data-parallel (a DataParallel) or local again (None)."""
    if value is not None and not isinstance(value, DataParallel):
        raise TypeError(f"set_distribution: expected a keras.distribution.DataParallel or "
                        f"None, received {type(value).__name__}")
    _CURRENT[0] = value


def distribution() -> DataParallel | None:
    """The distribution set by `set_distribution`, or None."""
    return _CURRENT[0]


def active() -> DataParallel | None:
    """The current distribution when it spans more than one process."""
    value = _CURRENT[0]
    return value if value is not None and value.world_size > 1 else None


# --- hooks used by the training loop (neuronet/keras/models/trainer.py) ------------------------
def shard_fit_arrays(x: Any, y: Any, sample_weight: Any, batch_size: int) -> tuple:
    """This rank's share of the arrays (DistributedSampler's split, padded to equal length)
    and the per-process batch size."""
    from ..utils.data import DistributedSampler
    from .models import data_adapter as da

    current = active()
    if current is None or not current.auto_shard_dataset:
        return x, y, sample_weight, batch_size
    x, y, sample_weight = da.to_arrays(x), da.to_arrays(y), da.to_arrays(sample_weight)
    n = da.num_samples([x, y, sample_weight], "fit")
    mine = DistributedSampler(range(n), current.world_size, current.rank, shuffle=False)
    index = mine._index_array()
    per_process = max(1, batch_size // current.world_size)
    return (da.take(x, index), da.take(y, index), da.take(sample_weight, index), per_process)


def rank_zero_callbacks(callbacks: list | None, verbose: Any) -> tuple[list | None, Any]:
    """Ranks other than 0 drop the callbacks that write files, and print nothing."""
    from .callbacks.misc import CSVLogger
    from .callbacks.model_checkpoint import ModelCheckpoint

    current = active()
    if current is None or current.rank == 0:
        return callbacks, verbose
    kept = [c for c in (callbacks or []) if not isinstance(c, ModelCheckpoint | CSVLogger)]
    return kept, 0


def sync_weights(model: Any) -> None:
    """Rank 0's weights to every rank (at the start of fit, or at the first step of a model
    that builds its weights in its first call)."""
    from ..nn.parallel.distributed import broadcast_coalesced

    if active() is None:
        return
    weights = list(model.trainable_weights) + list(model.non_trainable_weights)
    if weights:
        broadcast_coalesced(weights)
        model._distribution_synced = True


def average_gradients(model: Any, variables: list) -> None:
    """After backward: grads <- their average over the processes (one flat all-reduce)."""
    if active() is None:
        return
    if not getattr(model, "_distribution_synced", False):
        sync_weights(model)
    grads = [v.grad for v in variables]
    flat = np.concatenate([np.zeros(v._data.size, v._data.dtype) if g is None
                           else g._data.reshape(-1) for v, g in zip(variables, grads)])
    dist.all_reduce(flat, op=dist.ReduceOp.AVG)
    start = 0
    for v in variables:
        stop = start + v._data.size
        if v.grad is None:
            from ..tensor import Tensor

            v.grad = Tensor._wrap(flat[start:stop].reshape(v._data.shape).copy())
        else:
            v.grad._data[...] = flat[start:stop].reshape(v._data.shape)
        start = stop


def average_logs(logs: dict) -> dict:
    """Epoch logs averaged over the processes (identical on every rank afterwards)."""
    if active() is None or not logs:
        return logs
    keys = sorted(k for k, v in logs.items() if isinstance(v, int | float | np.floating))
    values = np.array([float(logs[k]) for k in keys], np.float64)
    dist.all_reduce(values, op=dist.ReduceOp.AVG)
    return {**logs, **dict(zip(keys, values.tolist()))}
