"""Keras's progress bar (`keras.utils.Progbar`) and the `ProgbarLogger` callback.

    verbose=1, terminal:  one line redrawn per step:
        "  12/1875 ━━━━━━━━━━━━━━━━━━━━ 9s 5ms/step - accuracy: 0.7100 - loss: 0.8100"
        (the time is the ETA while running, the elapsed time when the epoch ends)
    verbose=1, not a terminal (a log file, a notebook capture): the final line of each epoch
    verbose=2: "1875/1875 - 2s - 1ms/step - accuracy: 0.8218 - loss: 0.5020" per epoch
    verbose=0: nothing
"""

from __future__ import annotations

import sys
import time
from typing import Any

from .callback import Callback


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds >= 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(round(seconds))}s"


def _format_per_step(seconds: float, unit: str) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/{unit}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit}"
    return f"{seconds * 1e6:.0f}us/{unit}"


def _format_value(value: Any) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{value:.4f}" if value == 0 or abs(value) >= 1e-3 else f"{value:.4e}"


class Progbar:
    """A text progress bar.

    Args:
        target: total steps (None when unknown); width: bar characters (20).
        verbose: 1 (bar) or 2 (one line at the end); interval: seconds between redraws.
    """

    def __init__(self, target: int | None, width: int = 20, verbose: int = 1,
                 interval: float = 0.05, stateful_metrics: Any = None, unit_name: str = "step",
                 stream: Any = None) -> None:
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stream = stream or sys.stdout
        self.dynamic = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.start = time.time()
        self.last_update = 0.0
        self.values: dict[str, Any] = {}

    def update(self, current: int, values: Any = None, finalize: bool | None = None) -> None:
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for key, value in (values or []):
            self.values[key] = value
        now = time.time()
        if self.verbose == 0 or (self.verbose == 2 and not finalize):
            return
        if self.verbose == 1 and not self.dynamic and not finalize:
            return
        if not finalize and now - self.last_update < self.interval:
            return
        self.last_update = now
        elapsed = now - self.start
        per_step = elapsed / max(current, 1)
        metrics = "".join(f" - {k}: {_format_value(v)}" for k, v in sorted(self.values.items()))
        counter = f"{current}/{self.target}" if self.target else f"{current}/Unknown"
        if self.verbose == 2:
            line = (f"{counter} - {_format_time(elapsed)} - "
                    f"{_format_per_step(per_step, self.unit_name)}{metrics}")
            self.stream.write(line + "\n")
            self.stream.flush()
            return
        width = len(str(self.target)) if self.target else 0
        counter = f"{current:>{width}}/{self.target}" if self.target else counter
        done = int(self.width * current / self.target) if self.target else 0
        bar = "━" * done + "─" * (self.width - done) if self.target else ""
        shown = elapsed if finalize or not self.target else per_step * (self.target - current)
        line = (f"{counter} {bar} {_format_time(shown)} "
                f"{_format_per_step(per_step, self.unit_name)}{metrics}")
        if self.dynamic:
            self.stream.write("\r" + line + ("\n" if finalize else "\x1b[K"))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def add(self, n: int, values: Any = None) -> None:
        self.update(getattr(self, "_seen", 0) + n, values)
        self._seen = getattr(self, "_seen", 0) + n


class ProgbarLogger(Callback):
    """Prints "Epoch i/n" and a progress bar (see the module docstring for the verbose modes).
    `fit` adds one when verbose > 0."""

    def __init__(self, count_mode: str = "steps", stream: Any = None) -> None:
        super().__init__()
        self.stream = stream
        self.progbar: Progbar | None = None
        self.verbose, self.epochs, self.target, self.seen = 1, 1, None, 0

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _out(self) -> Any:
        return self.stream or sys.stdout

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose, stream=self._out())
        if self.verbose and self.epochs > 1:
            self._out().write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.seen = batch + 1
        if self.progbar is not None:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.progbar is not None:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=True)

    def on_test_begin(self, logs: dict | None = None) -> None:
        self._test = Progbar(self.params.get("test_steps"), verbose=self.verbose,
                             stream=self._out()) if self.params.get("evaluating") else None

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if getattr(self, "_test", None) is not None:
            self._test.update(batch + 1, list((logs or {}).items()), finalize=False)
            self._test_seen = batch + 1

    def on_test_end(self, logs: dict | None = None) -> None:
        if getattr(self, "_test", None) is not None:
            self._test.update(getattr(self, "_test_seen", 0), list((logs or {}).items()),
                              finalize=True)
