"""`report.html`: one self-contained page about a training run (every image is embedded as a
base64 PNG, so the file can be mailed or opened offline).

Sections: run summary (the facts of the run, time per epoch, the model summary text),
training curves (with a per-epoch table), confusion matrix, misclassified test images and
per-layer gradient norms. A section whose data was not recorded says so.

Example:
    >>> html = render_report({"loss": [0.9, 0.5], "accuracy": [0.6, 0.8]},
    ...                      run_info={"dataset": "toy"})
    >>> 'id="curves"' in html and "data:image/png;base64," in html
    True
"""

from __future__ import annotations

import base64
import html as html_lib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import plots

__all__ = ["FIGURE_FILES", "make_figures", "render_report", "write_report"]

# section id -> (heading, PNG file name written next to report.html)
FIGURE_FILES: dict[str, tuple[str, str]] = {
    "curves": ("Training curves", "curves.png"),
    "confusion-matrix": ("Confusion matrix", "confusion_matrix.png"),
    "misclassified": ("Misclassified test images", "misclassified.png"),
    "gradient-norms": ("Gradient norms per layer", "gradient_norms.png"),
}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
h1 { border-bottom: 2px solid #444; } h2 { margin-top: 1.6em; border-bottom: 1px solid #bbb; }
table { border-collapse: collapse; margin: 0.5em 0; }
td, th { border: 1px solid #ccc; padding: 0.2em 0.7em; text-align: right; }
th { background: #f0f0f0; } td.key { text-align: left; font-weight: 600; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
img { max-width: 100%; } .missing { color: #777; font-style: italic; }
"""


def _gradient_series(gradient_norms: Any) -> tuple[list[int], dict[str, list[float]]] | None:
    """(steps, norms) from a GradientNormLogger, a dict with 'steps'/'norms', or None."""
    if gradient_norms is None:
        return None
    if isinstance(gradient_norms, Mapping):
        steps, norms = gradient_norms.get("steps"), gradient_norms.get("norms")
    else:
        steps, norms = getattr(gradient_norms, "steps", None), getattr(gradient_norms, "norms",
                                                                       None)
    if steps is None or norms is None:
        raise ValueError("gradient_norms: expected a GradientNormLogger or a dict with 'steps' "
                         f"and 'norms', received {type(gradient_norms).__name__}")
    return (list(steps), dict(norms)) if len(steps) else None


def make_figures(history: Any, *, y_true: Any = None, y_pred: Any = None,
                 probabilities: Any = None, images: Any = None,
                 class_names: Sequence[str] | None = None,
                 gradient_norms: Any = None) -> dict[str, bytes]:
    """Draw the report's figures: section id -> PNG bytes (only those with data).

    Args:
        history: `History` or its dict (curves).
        y_true, y_pred: test labels and predictions (confusion matrix; with `images`, the
            misclassified grid).
        probabilities: optional (N, K) predicted probabilities shown on the grid.
        images: the test images.
        class_names: names of the classes, indexed by label.
        gradient_norms: a `GradientNormLogger` or {'steps': [...], 'norms': {layer: [...]}}.
    """
    figures = {"curves": plots.to_png(plots.plot_history(history))}
    if y_true is not None and y_pred is not None:
        k = len(class_names) if class_names is not None else None
        matrix = plots.confusion_matrix(y_true, y_pred, num_classes=k)
        figures["confusion-matrix"] = plots.to_png(
            plots.plot_confusion_matrix(matrix, class_names))
        if images is not None:
            figures["misclassified"] = plots.to_png(plots.plot_misclassified(
                images, y_true, y_pred, class_names, probabilities))
    series = _gradient_series(gradient_norms)
    if series is not None:
        figures["gradient-norms"] = plots.to_png(plots.plot_gradient_norms(*series))
    return figures


def _table(rows: Sequence[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    out = ["<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{html_lib.escape(str(h))}</th>" for h in header)
                   + "</tr>")
    for row in rows:
        cells = [f'<td class="key">{html_lib.escape(str(row[0]))}</td>']
        cells += [f"<td>{html_lib.escape(str(cell))}</td>" for cell in row[1:]]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _format(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{float(value):.4f}"
    return str(value)


def _epoch_table(history: Mapping[str, Sequence[float]], epoch_times: Sequence[float] | None
                 ) -> str:
    keys = list(history)
    n = len(next(iter(history.values()), []))
    rows = []
    for epoch in range(n):
        row = [epoch + 1] + [f"{float(history[key][epoch]):.4f}" for key in keys]
        if epoch_times is not None and epoch < len(epoch_times):
            row.append(f"{float(epoch_times[epoch]):.2f}")
        rows.append(row)
    header = ["epoch", *keys] + (["time (s)"] if epoch_times is not None else [])
    return _table(rows, header)


def _image(png: bytes, alt: str) -> str:
    encoded = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html_lib.escape(alt)}" src="data:image/png;base64,{encoded}">'


def render_report(history: Any, *, title: str = "neuronet training run",
                  run_info: Mapping[str, Any] | None = None, model_summary: str = "",
                  epoch_times: Sequence[float] | None = None,
                  figures: Mapping[str, bytes] | None = None, **figure_data: Any) -> str:
    """The report as one HTML string with the figures embedded as base64 PNGs.

    Args:
        history: `History` or its dict of per-epoch lists.
        title: the page title.
        run_info: facts shown first in the run summary (dataset, epochs, test accuracy, ...).
        model_summary: the text of `model.summary()`.
        epoch_times: seconds per epoch (shown in the summary and the per-epoch table).
        figures: already drawn figures (section id -> PNG, as `make_figures` returns);
            drawn from `figure_data` (the keyword arguments of `make_figures`) when None.
    """
    data = plots._history_dict(history)
    if figures is None:
        figures = make_figures(data, **figure_data)
    info = [(key, _format(value)) for key, value in (run_info or {}).items()]
    if epoch_times:
        times = [float(t) for t in epoch_times]
        info.append(("time per epoch (s)", f"{np.mean(times):.2f} mean, "
                     + ", ".join(f"{t:.2f}" for t in times)))
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f"<title>{html_lib.escape(title)}</title>", f"<style>{_CSS}</style>", "</head>",
        "<body>", f"<h1>{html_lib.escape(title)}</h1>",
        '<section id="summary">', "<h2>Run summary</h2>", _table(info),
        "<h3>Model</h3>",
        f"<pre>{html_lib.escape(model_summary)}</pre>" if model_summary
        else '<p class="missing">No model summary recorded.</p>',
        "</section>",
    ]
    for section, (heading, _file) in FIGURE_FILES.items():
        parts += [f'<section id="{section}">', f"<h2>{heading}</h2>"]
        if section in figures:
            parts.append(_image(figures[section], heading))
        else:
            parts.append('<p class="missing">Not recorded for this run.</p>')
        if section == "curves":
            parts.append(_epoch_table(data, epoch_times))
        parts.append("</section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def write_report(folder: str | os.PathLike[str], history: Any, **kwargs: Any) -> Path:
    """Draw the figures, save each as a PNG in `folder` (`FIGURE_FILES` names) and write
    `folder/report.html` (arguments as `render_report`, plus `make_figures`'s). Returns the
    report's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    report_keys = {"title", "run_info", "model_summary", "epoch_times"}
    figure_data = {k: v for k, v in kwargs.items() if k not in report_keys}
    figures = make_figures(history, **figure_data)
    for section, png in figures.items():
        (folder / FIGURE_FILES[section][1]).write_bytes(png)
    text = render_report(history, figures=figures,
                         **{k: v for k, v in kwargs.items() if k in report_keys})
    path = folder / "report.html"
    path.write_text(text, encoding="utf-8")
    return path
