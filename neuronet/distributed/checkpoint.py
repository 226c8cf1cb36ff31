"""Checkpoints for distributed runs: written by rank 0 only, read by every rank.

The file holds the unwrapped model's state (no `module.` prefix), the optimizer's state and
the next epoch, so a run can resume with a different number of processes: the parameters are
the same on every rank, and a `DistributedSampler` built for the new world size re-splits
the data. The write is atomic (a crash mid-write leaves the previous checkpoint intact), and
every rank waits at a barrier until the file is complete. Safetensors, never pickle.

Example:
    >>> save_checkpoint("run/ckpt.safetensors", ddp_model, optimizer, epoch=3)   # doctest: +SKIP
    >>> start = load_checkpoint("run/ckpt.safetensors", model, optimizer)["epoch"]  # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..serialization import load, save
from .process_group import get_rank, is_initialized

__all__ = ["load_checkpoint", "save_checkpoint"]


def _unwrap(model: Any) -> Any:
    from ..nn.parallel import DistributedDataParallel

    return model.module if isinstance(model, DistributedDataParallel) else model


def save_checkpoint(path: str | os.PathLike, model: Any, optimizer: Any = None,
                    epoch: int = 0, **extra: Any) -> None:
    """Rank 0 writes {model, optimizer, epoch, extra} atomically; all ranks then synchronize."""
    from .collectives import barrier

    if not is_initialized() or get_rank() == 0:
        state = {"model": _unwrap(model).state_dict(), "epoch": int(epoch), "extra": extra}
        if optimizer is not None:
            state["optimizer"] = optimizer.state_dict()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        save(state, path)  # neuronet.save writes through an atomic rename
    if is_initialized():
        barrier()


def load_checkpoint(path: str | os.PathLike, model: Any, optimizer: Any = None) -> dict:
    """Load the checkpoint into `model` (and `optimizer`) on this rank; returns
    {"epoch": next epoch, "extra": ...}."""
    if not Path(path).exists():
        raise FileNotFoundError(f"load_checkpoint: no checkpoint at {str(path)!r}")
    state = load(path)
    _unwrap(model).load_state_dict(state["model"])
    if optimizer is not None and "optimizer" in state:
        optimizer.load_state_dict(state["optimizer"])
    return {"epoch": state["epoch"], "extra": state.get("extra", {})}
