"""`SyncBatchNorm`: batch normalization with the statistics of the batch across all ranks.

Formula (per channel c, the sums running over the M = sum_r m_r values on all P ranks):
    mean = (1/M) * sum x                     var = (1/M) * sum (x - mean)**2
    y = (x - mean) / sqrt(var + eps) * gamma + beta
The sums are local sums passed through `all_reduce_sum`, a differentiable all-reduce:
    y_r = sum_s x_s on every rank;  dL/dx_r = sum_s dL/dy_s  (an all-reduce of the gradients)
so autograd gives each rank the gradient of the summed loss of all ranks with respect to its
own inputs, which `DistributedDataParallel` then averages like any other gradient. Outside
training, or with one process, it is plain `BatchNorm`.

Example (under `mpiexec -n 2`):
    >>> model = SyncBatchNorm.convert_sync_batchnorm(model)           # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import distributed as dist
from ...autograd.function import Function
from ...autograd.grad_mode import no_grad
from ...ops.shape import cat
from ...tensor import Tensor
from ..modules.batchnorm import _BatchNorm
from ..modules.module import Module

__all__ = ["SyncBatchNorm", "all_reduce_sum"]


class AllReduceSum(Function):
    """y = sum over ranks of x (on every rank);  dL/dx = sum over ranks of dL/dy"""

    uses_input_values = False

    def forward(self, x):
        out = np.array(x, copy=True)
        dist.all_reduce(out, op=dist.ReduceOp.SUM)
        return out

    def backward(self, g):
        return AllReduceSum.apply(g)


def all_reduce_sum(x: Tensor) -> Tensor:
    """Differentiable all-reduce (sum) across the process group."""
    return AllReduceSum.apply(x)


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over (N, C, *) input with statistics of the global batch (PyTorch's args)."""

    _expected_dims = (2, 3, 4, 5)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats,
                         device=device, dtype=dtype)
        self.process_group = process_group

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if not (self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(input)
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        x, c = input, self.num_features
        dims = (0,) + tuple(range(2, x.ndim))
        bshape = (1, c) + (1,) * (x.ndim - 2)
        local_count = Tensor._wrap(np.array([x.numel() // c], x._data.dtype))
        totals = all_reduce_sum(cat([x.sum(dim=dims), local_count]))  # (C + 1,)
        count = float(totals._data[c])
        if count <= 1:
            raise ValueError(f"SyncBatchNorm: expected more than 1 value per channel across "
                             f"ranks when training, got input size {list(x.shape)}")
        mean = totals[:c] / count
        centered = x - mean.reshape(bshape)
        var = all_reduce_sum((centered * centered).sum(dim=dims)) / count
        y = centered * ((var + self.eps) ** -0.5).reshape(bshape)
        if self.weight is not None:
            y = y * self.weight.reshape(bshape)
        if self.bias is not None:
            y = y + self.bias.reshape(bshape)
        if self.track_running_stats and self.running_mean is not None:
            with no_grad():
                for run, value in ((self.running_mean, mean._data),
                                   (self.running_var, var._data * (count / (count - 1)))):
                    run._data *= 1.0 - factor
                    run._data += (factor * value).astype(run._data.dtype)
                    run._version += 1
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Replace every BatchNorm*d in `module` by a SyncBatchNorm sharing its parameters
        and buffers; returns the converted module (the same object unless it is a BN)."""
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            new = cls(module.num_features, module.eps, module.momentum, module.affine,
                      module.track_running_stats, process_group)
            for name in ("weight", "bias"):
                if name in module._parameters:
                    new._parameters[name] = module._parameters[name]
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                new._buffers[name] = module._buffers[name]
            new.training = module.training
            return new
        for name, child in list(module._modules.items()):
            if child is not None:
                module._modules[name] = cls.convert_sync_batchnorm(child, process_group)
        return module
