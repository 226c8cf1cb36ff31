"""Matplotlib without pyplot: figures drawn with the Agg canvas, so plotting never opens a
window, never needs a display and never changes the user's pyplot backend."""

from __future__ import annotations

import io
import os
from typing import Any


def new_figure(width: float, height: float) -> Any:
    """A `matplotlib.figure.Figure` of `width` x `height` inches on an Agg canvas."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "neuronet.viz needs matplotlib to draw plots; install it with "
            "`pip install 'matplotlib>=3.7'`"
        ) from error
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def to_png(figure: Any, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def save_png(figure: Any, path: str | os.PathLike[str], dpi: int = 100) -> bytes:
    """Write the figure to `path` as PNG and return the bytes written."""
    data = to_png(figure, dpi)
    with open(path, "wb") as handle:
        handle.write(data)
    return data
