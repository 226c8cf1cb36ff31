"""Small callbacks: `CSVLogger`, `TerminateOnNaN`, `LambdaCallback`."""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable
from typing import Any

from .callback import Callback


class CSVLogger(Callback):
    """Writes one row per epoch to a CSV file: 'epoch' then the logs' keys, sorted.

    Args:
        filename: the CSV file; separator: the field separator (',');
        append: add to an existing file instead of overwriting it.
    """

    def __init__(self, filename: str | os.PathLike, separator: str = ",",
                 append: bool = False) -> None:
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys: list[str] | None = None
        self.writer: Any = None
        self.file: Any = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        has_header = (self.append and os.path.exists(self.filename)
                      and os.path.getsize(self.filename) > 0)
        self.file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self.keys = None
        self._write_header = not has_header

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self.writer = csv.DictWriter(self.file, fieldnames=["epoch"] + self.keys,
                                         delimiter=self.sep)
            if self._write_header:
                self.writer.writeheader()
        row = {"epoch": epoch}
        row.update({k: _value(logs.get(k, "NA")) for k in self.keys})
        self.writer.writerow(row)
        self.file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.file is not None:
            self.file.close()
            self.file = self.writer = None


def _value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        buffer = io.StringIO()
        buffer.write("[" + ", ".join(str(v) for v in value) + "]")
        return buffer.getvalue()
    return value


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or infinite."""

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback from functions: `LambdaCallback(on_epoch_end=lambda epoch, logs: ...)`.

    on_epoch_begin/on_epoch_end(epoch, logs), on_train_batch_begin/end(batch, logs),
    on_train_begin/on_train_end(logs); also the Keras 2 names on_batch_begin/on_batch_end.
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None, on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None, **kwargs: Callable) -> None:
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}
        for name, fn in hooks.items():
            if not hasattr(Callback, name):
                raise TypeError(f"LambdaCallback: unknown hook {name!r}")
            if fn is not None:
                setattr(self, name, fn)
