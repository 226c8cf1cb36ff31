"""Public saving entry points (`keras.saving.save_model`, `keras.saving.load_model`)."""

from __future__ import annotations

import os
from typing import Any

from . import saving_lib


def save_model(model: Any, filepath: str | os.PathLike, overwrite: bool = True,
               include_optimizer: bool = True) -> None:
    """Save to a '.keras' zip (config + weights + optimizer state), atomically."""
    saving_lib.save_model(model, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer)


def load_model(filepath: str | os.PathLike, custom_objects: dict | None = None,
               compile: bool = True, safe_mode: bool = True) -> Any:  # noqa: A002
    """Load a '.keras' file; custom layers/functions must be registered or passed in
    `custom_objects` (no code is ever loaded from the file)."""
    return saving_lib.load_model(filepath, custom_objects=custom_objects, compile=compile,
                                 safe_mode=safe_mode)
