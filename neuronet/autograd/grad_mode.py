"""Grad modes: whether ops record the graph.

`no_grad`, `enable_grad`, `set_grad_enabled` and `inference_mode` work as context managers and
as decorators (`@no_grad()` and bare `@no_grad`), as in PyTorch. The state is per thread.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State(threading.local):
    def __init__(self) -> None:
        self.enabled = True
        self.anomaly = False


state = _State()


def is_grad_enabled() -> bool:
    """True when new ops record the graph for backward."""
    return state.enabled


class _GradMode:
    """A context manager that is also a decorator; `mode` is the grad mode inside."""

    mode = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(state.enabled)
        state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev.pop()

    def __call__(self, func: F) -> F:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = state.enabled
            state.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                state.enabled = prev

        return wrapper  # type: ignore[return-value]


class _NoParam(_GradMode):
    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        if func is not None:  # bare decorator: @no_grad
            self.__init__()
            return self(func)
        return self

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        super().__init__()


class no_grad(_NoParam):  # noqa: N801 - PyTorch's name
    """Context manager / decorator: ops inside do not record the graph."""

    mode = False


class enable_grad(_NoParam):  # noqa: N801
    """Context manager / decorator: ops inside record the graph, even inside `no_grad`."""

    mode = True


class inference_mode(_GradMode):  # noqa: N801
    """`inference_mode(mode=True)`: like `no_grad` for tensors made inside."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = not mode


class set_grad_enabled(_GradMode):  # noqa: N801
    """`set_grad_enabled(mode)`: called plainly it switches the mode at once (as in PyTorch);
    as a context manager it restores the previous mode on exit; also a decorator."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._prev.append(state.enabled)
        state.enabled = self.mode

    def __enter__(self) -> None:
        pass  # already switched in __init__

    def __call__(self, func: F) -> F:
        state.enabled = self._prev.pop()  # used as a decorator: undo the switch made at creation
        return super().__call__(func)
