"""`ModelCheckpoint`: save the model (or its weights) every epoch or when it improves."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ._monitor import missing_metric, resolve_mode
from .callback import Callback


class ModelCheckpoint(Callback):
    """Saves to `filepath` formatted with the epoch (1-based) and the epoch's logs, e.g.
    'model-{epoch:02d}-{val_loss:.2f}.keras'.

    Args:
        filepath: must end in '.keras', or '.weights.safetensors' with save_weights_only.
        monitor, mode: what "best" means (as EarlyStopping).
        save_best_only: save only when `monitor` improves (the file is overwritten when the
            name does not depend on the epoch).
        save_weights_only: save only the weights (`model.save_weights`).
        save_freq: 'epoch' or an integer number of batches.
        initial_value_threshold: the value to beat for the first save (save_best_only).
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss",
                 verbose: int = 0, save_best_only: bool = False,
                 save_weights_only: bool = False, mode: str = "auto",
                 save_freq: Any = "epoch", initial_value_threshold: float | None = None) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        if save_weights_only and not self.filepath.endswith(".weights.safetensors"):
            raise ValueError(f"ModelCheckpoint: with save_weights_only=True the filepath must "
                             f"end in '.weights.safetensors', received {self.filepath!r}")
        if not save_weights_only and not self.filepath.endswith(".keras"):
            raise ValueError(f"ModelCheckpoint: the filepath must end in '.keras' (or use "
                             f"save_weights_only=True with '.weights.safetensors'), received "
                             f"{self.filepath!r}")
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive "
                             f"integer, received save_freq={save_freq!r}")
        self.monitor, self.verbose = monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.save_freq = save_freq
        self.mode = resolve_mode("ModelCheckpoint", mode, monitor)
        self.best = initial_value_threshold
        self._batches_seen = 0
        self._current_epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.save_freq != "epoch":
            self._batches_seen += 1
            if self._batches_seen % self.save_freq == 0:
                self._save(self._current_epoch, logs or {}, batch)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, logs or {})

    def _better(self, current: float) -> bool:
        if self.best is None:
            return True
        return bool(np.less(current, self.best) if self.mode == "min"
                    else np.greater(current, self.best))

    def _save(self, epoch: int, logs: dict, batch: int | None = None) -> None:
        path = self._file_path(epoch, logs, batch)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                missing_metric("ModelCheckpoint", self.monitor, logs)
                return
            if not self._better(current):
                if self.verbose > 0:
                    print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from "
                          f"{self.best:.5f}")
                return
            if self.verbose > 0:
                previous = "inf" if self.best is None else f"{self.best:.5f}"
                print(f"\nEpoch {epoch + 1}: {self.monitor} improved from {previous} to "
                      f"{current:.5f}, saving model to {path}")
            self.best = current
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: saving model to {path}")
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path, overwrite=True)
        else:
            self.model.save(path, overwrite=True)

    def _file_path(self, epoch: int, logs: dict, batch: int | None) -> str:
        try:
            if batch is None or "{batch" not in self.filepath:
                return self.filepath.format(epoch=epoch + 1, **logs)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as error:
            raise KeyError(f"ModelCheckpoint: failed to format filepath {self.filepath!r}: "
                           f"{error} is not among the logged values {sorted(logs)}") from error
