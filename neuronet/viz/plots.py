"""Training plots as matplotlib figures: learning curves, the confusion matrix, a grid of
misclassified images and per-layer gradient norms.

Each `plot_*` function returns a `matplotlib.figure.Figure` drawn on the Agg canvas (no
window, no display, pyplot untouched); `to_png(figure)` gives its PNG bytes and
`save_png(figure, path)` writes them.

Example:
    >>> fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
    >>> to_png(fig)[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._mpl import new_figure, save_png, to_png

__all__ = [
    "confusion_matrix",
    "plot_confusion_matrix",
    "plot_gradient_norms",
    "plot_history",
    "plot_misclassified",
    "save_png",
    "to_png",
]


def _history_dict(history: Any) -> dict[str, list[float]]:
    """Accept a Keras `History` (its `.history`) or a dict of per-epoch lists."""
    data = getattr(history, "history", history)
    if not isinstance(data, Mapping) or not data:
        raise ValueError(
            "plot_history: expected a History or a non-empty dict of per-epoch lists "
            f"(e.g. {{'loss': [...], 'val_loss': [...]}}), received {type(history).__name__} "
            f"{data!r}"
        )
    out = {str(key): [float(v) for v in values] for key, values in data.items()}
    lengths = {key: len(values) for key, values in out.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"plot_history: every series must have one value per epoch, "
                         f"received lengths {lengths}")
    return out


def plot_history(history: Any, title: str | None = None) -> Any:
    """Learning curves: one panel per quantity (loss first, then each metric), training and
    validation (the `val_` series) together, against the epoch number (1-based).

    Args:
        history: `model.fit(...)`'s `History`, or its `.history` dict.
        title: an optional figure title.
    """
    from matplotlib.ticker import MaxNLocator

    data = _history_dict(history)
    bases = [key for key in data if not key.startswith("val_")]
    bases += [key[4:] for key in data if key.startswith("val_") and key[4:] not in data]
    bases.sort(key=lambda key: (key != "loss", key))
    figure = new_figure(5.0 * len(bases), 3.6)
    axes = figure.subplots(1, len(bases), squeeze=False)[0]
    for ax, base in zip(axes, bases):
        for key, label, style in ((base, "train", "-o"), (f"val_{base}", "validation", "--s")):
            if key in data:
                epochs = np.arange(1, len(data[key]) + 1)
                ax.plot(epochs, data[key], style, markersize=3, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(base)
        ax.set_title(base)
        ax.grid(True, alpha=0.3)
        ax.legend()
        n_epochs = len(data[base] if base in data else data[f"val_{base}"])
        if n_epochs <= 15:
            ax.set_xticks(range(1, n_epochs + 1))
            ax.set_xlim(0.5, n_epochs + 0.5)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts C[i, j] of samples of true class i predicted as class j, int64 (K, K).

    Labels are integer class indices in 0..K-1; K is `num_classes` or 1 + the largest label.
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"confusion_matrix: y_true and y_pred must have the same length, "
                         f"received {y_true.shape[0]} and {y_pred.shape[0]}")
    for name, labels in (("y_true", y_true), ("y_pred", y_pred)):
        if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0):
            raise ValueError(f"confusion_matrix: {name} must hold non-negative integer class "
                             f"indices, received dtype {labels.dtype} with minimum "
                             f"{labels.min()}")
    largest = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
    k = largest + 1 if num_classes is None else int(num_classes)
    if largest >= k:
        raise ValueError(f"confusion_matrix: labels go up to {largest} but num_classes={k}")
    flat = y_true.astype(np.int64) * k + y_pred.astype(np.int64)
    return np.bincount(flat, minlength=k * k).reshape(k, k)


def plot_confusion_matrix(matrix: Any, class_names: Sequence[str] | None = None,
                          title: str = "Confusion matrix") -> Any:
    """The confusion matrix as a heat map with the count written in each cell.

    Rows are true classes and columns predicted classes (as `confusion_matrix` returns).
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square (K, K) matrix, "
                         f"received shape {matrix.shape}")
    k = matrix.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(n) for n in class_names]
    if len(names) != k:
        raise ValueError(f"plot_confusion_matrix: {len(names)} class names for a {k}x{k} matrix")
    size = max(4.0, 0.6 * k + 2.0)
    figure = new_figure(size + 1.0, size)
    ax = figure.subplots()
    image = ax.imshow(matrix, cmap="Blues")
    figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    threshold = matrix.max() / 2.0 if matrix.size else 0.0
    for i in range(k):
        for j in range(k):
            ax.text(j, i, f"{matrix[i, j]:g}", ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] > threshold else "black")
    ax.set_xticks(range(k), names, rotation=45, ha="right")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    figure.tight_layout()
    return figure


def _as_images(images: Any) -> np.ndarray:
    """(N, H, W) grey images from (N, H, W), (N, H, W, 1) or flat square (N, H*W)."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim == 2:
        side = math.isqrt(images.shape[1])
        if side * side != images.shape[1]:
            raise ValueError(f"plot_misclassified: flat images of {images.shape[1]} pixels "
                             "are not square; pass them as (N, H, W)")
        images = images.reshape(len(images), side, side)
    if images.ndim != 3:
        raise ValueError(f"plot_misclassified: expected images of shape (N, H, W), "
                         f"(N, H, W, 1) or (N, H*W), received {images.shape}")
    return images


def plot_misclassified(images: Any, y_true: Any, y_pred: Any,
                       class_names: Sequence[str] | None = None,
                       probabilities: Any = None, max_images: int = 25) -> Any:
    """A grid of the first `max_images` images whose prediction is wrong, each titled
    'true: <name>' and 'pred: <name> (<probability>)'.

    Args:
        images: the evaluated images, (N, H, W), (N, H, W, 1) or flat square (N, H*W).
        y_true, y_pred: integer labels, (N,).
        class_names: names indexed by label (default: the label numbers).
        probabilities: optional (N, K) predicted probabilities, to show the confidence.
        max_images: how many mistakes to show at most.
    """
    images = _as_images(images)
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if not len(images) == len(y_true) == len(y_pred):
        raise ValueError(f"plot_misclassified: {len(images)} images, {len(y_true)} true labels "
                         f"and {len(y_pred)} predictions; expected the same number")
    if max_images < 1:
        raise ValueError(f"plot_misclassified: max_images must be >= 1, received {max_images}")
    wrong = np.flatnonzero(y_true != y_pred)[:max_images]

    def name(label: int) -> str:
        return str(class_names[label]) if class_names is not None else str(label)

    columns = max(1, min(5, len(wrong)))
    rows = max(1, math.ceil(len(wrong) / columns))
    figure = new_figure(2.0 * columns, 2.3 * rows)
    axes = figure.subplots(rows, columns, squeeze=False).reshape(-1)
    for ax in axes:
        ax.axis("off")
    if len(wrong) == 0:
        axes[0].text(0.5, 0.5, "no misclassified images", ha="center", va="center")
    for ax, index in zip(axes, wrong):
        ax.imshow(images[index], cmap="gray")
        predicted = name(int(y_pred[index]))
        if probabilities is not None:
            predicted += f" ({float(np.asarray(probabilities)[index, y_pred[index]]):.2f})"
        ax.set_title(f"true: {name(int(y_true[index]))}\npred: {predicted}", fontsize=8,
                     color="firebrick")
    figure.tight_layout()
    return figure


def plot_gradient_norms(steps: Sequence[int], norms: Mapping[str, Sequence[float]],
                        title: str = "Gradient L2 norm per layer") -> Any:
    """Per-layer gradient norms against the training step, on a log scale: lines falling
    towards zero in the first layers show vanishing gradients, lines shooting up exploding ones.

    Args:
        steps: the global batch index of each record.
        norms: layer name -> one norm per record (as `GradientNormLogger` collects them).
    """
    steps = list(steps)
    if not norms:
        raise ValueError("plot_gradient_norms: no layers given (norms is empty)")
    for layer, values in norms.items():
        if len(values) != len(steps):
            raise ValueError(f"plot_gradient_norms: layer {layer!r} has {len(values)} norms "
                             f"for {len(steps)} steps")
    figure = new_figure(7.0, 3.8)
    ax = figure.subplots()
    for layer, values in norms.items():
        values = np.asarray(values, dtype=np.float64)
        ax.plot(steps, np.where(values > 0, values, np.nan), label=layer, linewidth=1.2)
    ax.set_yscale("log")
    ax.set_xlabel("training step (batch)")
    ax.set_ylabel("||dL/dW||_2")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    figure.tight_layout()
    return figure
