"""`BackupAndRestore`: resume an interrupted `fit` where it stopped.

At the end of every epoch it writes, into `backup_dir`, the model's weights, the optimizer's
state, the finished epoch's index and the state of neuronet's random source (which drives
shuffling and dropout). When `fit` starts and a backup exists, all of it is restored and
training continues at the next epoch, so an interrupted and resumed run ends with exactly the
weights of an uninterrupted one. The backup is deleted when training finishes
(`delete_checkpoint=True`).
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

from ... import random as _random
from ...io import atomic_write, load_arrays, save_arrays
from .callback import Callback


class BackupAndRestore(Callback):
    """Args:
        backup_dir: a folder for the backup files (created if needed).
        save_freq: 'epoch' (the only supported value).
        delete_checkpoint: remove the backup when training ends normally.
    """

    def __init__(self, backup_dir: str | os.PathLike, save_freq: Any = "epoch",
                 delete_checkpoint: bool = True) -> None:
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir must be a non-empty path")
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: only save_freq='epoch' is supported, received "
                             f"save_freq={save_freq!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.delete_checkpoint = save_freq, delete_checkpoint
        self._weights = os.path.join(self.backup_dir, "latest.weights.safetensors")
        self._optimizer = os.path.join(self.backup_dir, "optimizer.safetensors")
        self._state = os.path.join(self.backup_dir, "training_metadata.json")

    def on_train_begin(self, logs: dict | None = None) -> None:
        if not os.path.exists(self._state):
            return
        with open(self._state, encoding="utf-8") as handle:
            state = json.load(handle)
        self.model.load_weights(self._weights)
        if os.path.exists(self._optimizer) and self.model.optimizer is not None:
            self.model.optimizer.load_state_arrays(load_arrays(self._optimizer),
                                                   self.model.trainable_weights)
        _random.set_rng_state(state["rng_state"])
        self.model._initial_epoch = state["epoch"] + 1

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        self.model.save_weights(self._weights, overwrite=True)
        optimizer = self.model.optimizer
        if optimizer is not None and optimizer.built:
            save_arrays(optimizer.state_arrays(), self._optimizer)
        atomic_write(self._state, json.dumps({"epoch": epoch,
                                              "rng_state": _random.get_rng_state()}))

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint and os.path.isdir(self.backup_dir):
            shutil.rmtree(self.backup_dir)
