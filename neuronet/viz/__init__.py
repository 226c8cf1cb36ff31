"""Pictures of training and of the autograd graph.

Plots (matplotlib, drawn off-screen):
    plot_history, plot_confusion_matrix, plot_misclassified, plot_gradient_norms,
    confusion_matrix, to_png, save_png
Report:
    render_report, write_report, make_figures     (self-contained report.html)
Autograd graph:
    to_dot, to_svg, save_graph, build_graph        (SVG laid out here, no Graphviz needed)
Keras callbacks (imported on first use, they need neuronet.keras):
    GradientNormLogger, EpochTimer
"""

from __future__ import annotations

from typing import Any

from .graph import build_graph, save_graph, to_dot, to_svg
from .plots import (
    confusion_matrix,
    plot_confusion_matrix,
    plot_gradient_norms,
    plot_history,
    plot_misclassified,
    save_png,
    to_png,
)
from .report import make_figures, render_report, write_report

__all__ = [
    "EpochTimer",
    "GradientNormLogger",
    "build_graph",
    "confusion_matrix",
    "make_figures",
    "plot_confusion_matrix",
    "plot_gradient_norms",
    "plot_history",
    "plot_misclassified",
    "render_report",
    "save_graph",
    "save_png",
    "to_dot",
    "to_png",
    "to_svg",
    "write_report",
]

_CALLBACKS = ("EpochTimer", "GradientNormLogger")


def __getattr__(name: str) -> Any:
    if name in _CALLBACKS:
        from . import callbacks

        return getattr(callbacks, name)
    raise AttributeError(f"module 'neuronet.viz' has no attribute {name!r}")
