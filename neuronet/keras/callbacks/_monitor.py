"""Shared 'is this better?' logic of monitoring callbacks."""

from __future__ import annotations

import warnings


def resolve_mode(owner: str, mode: str, monitor: str) -> str:
    """'min' or 'max'; 'auto' is 'max' for accuracy/AUC-like names, else 'min' (as Keras)."""
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner}: mode {mode!r} is unknown, falling back to 'auto'",
                      stacklevel=3)
        mode = "auto"
    if mode != "auto":
        return mode
    name = monitor.removeprefix("val_")
    if name.endswith(("acc", "accuracy", "auc", "precision", "recall")) or name.startswith(
            ("fmeasure", "auc")):
        return "max"
    return "min"


def missing_metric(owner: str, monitor: str, logs: dict) -> None:
    warnings.warn(f"{owner}: metric '{monitor}' is not available; available metrics are: "
                  f"{','.join(sorted(logs))}", stacklevel=3)
