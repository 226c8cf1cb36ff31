"""`History`: records every epoch's logs; `fit` returns it."""

from __future__ import annotations

from .callback import Callback


class History(Callback):
    """`history.history` maps each metric name to its per-epoch values; `history.epoch` lists
    the epoch indices."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self
