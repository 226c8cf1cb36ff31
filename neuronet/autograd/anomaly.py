"""Anomaly detection: a NaN or inf made by a backward rule raises an error naming the op and
where that op was created in the forward pass."""

from __future__ import annotations

from typing import Any

from .grad_mode import state


def set_detect_anomaly(mode: bool, check_nan: bool = True) -> Any:
    """Switch anomaly detection on or off (also usable as a context manager)."""
    return _Anomaly(mode)


def is_anomaly_enabled() -> bool:
    return state.anomaly


class _Anomaly:
    def __init__(self, mode: bool) -> None:
        self.prev = state.anomaly
        state.anomaly = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.anomaly = self.prev


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager: record where each op is created and check backward for NaN/inf."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = False

    def __enter__(self) -> None:
        self.prev = state.anomaly
        state.anomaly = True

    def __exit__(self, *exc: object) -> None:
        state.anomaly = self.prev
