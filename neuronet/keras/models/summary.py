"""`model.summary()`: Keras 3's table of layers, output shapes and parameter counts.

    Model: "sequential"
    ┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
    ┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
    ┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
    │ dense (Dense)                   │ (None, 128)            │       100,480 │
    └─────────────────────────────────┴────────────────────────┴───────────────┘
     Total params: 100,480 (392.50 KB)
     Trainable params: 100,480 (392.50 KB)
     Non-trainable params: 0 (0.00 B)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..layers.input_layer import InputLayer
from ..layers.symbolic import flatten


def _size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def _shape(model: Any, layer: Any) -> str:
    shapes = getattr(model, "_output_shapes", {})
    if id(layer) in shapes:
        return str(tuple(shapes[id(layer)]))
    nodes = [n for n in layer._inbound_nodes if n in getattr(model, "_nodes", [])]
    if nodes:
        outs = [t.shape for t in flatten(nodes[0].outputs)]
        return str(outs[0]) if len(outs) == 1 else str(outs)
    return "?"


def _params(layer: Any) -> str:
    if not layer.built:
        return "0 (unbuilt)"
    return f"{sum(w._data.size for w in layer.weights):,}"


def _connections(model: Any, layer: Any) -> str:
    nodes = [n for n in layer._inbound_nodes if n in getattr(model, "_nodes", [])]
    if not nodes:
        return "-"
    sources = []
    for t in nodes[0].input_tensors:
        source = t.node.layer
        index = source._inbound_nodes.index(t.node) if t.node in source._inbound_nodes else 0
        sources.append(f"{source.name}[{index}][{t.index}]")
    return ", ".join(sources) or "-"


def summarize(model: Any, line_length: int | None = None,
              print_fn: Callable[..., Any] | None = None) -> str:
    """Build (and print with print_fn or print) the summary table; returns its text."""
    from .sequential import Sequential

    layers = list(model.layers)
    if not isinstance(model, Sequential) and getattr(model, "_functional", False):
        shown = layers
    else:
        shown = [layer for layer in layers if not isinstance(layer, InputLayer)]
    show_connections = getattr(model, "_functional", False) and not isinstance(
        model, Sequential) and any(len(n.input_tensors) > 1 for n in model._nodes)
    headers = ["Layer (type)", "Output Shape", "Param #"] + (
        ["Connected to"] if show_connections else [])
    rows = []
    for layer in shown:
        row = [f"{layer.name} ({type(layer).__name__})", _shape(model, layer), _params(layer)]
        if show_connections:
            row.append(_connections(model, layer))
        rows.append(row)
    widths = [max([len(headers[i]) + 2] + [len(r[i]) + 2 for r in rows] + [w]) for i, w in
              enumerate([33, 24, 15, 20][: len(headers)])]

    def line(cells: list[str], sep: str) -> str:
        parts = []
        for i, (cell, width) in enumerate(zip(cells, widths)):
            parts.append(f" {cell:>{width - 2}} " if i == 2 else f" {cell:<{width - 2}} ")
        return sep + sep.join(parts) + sep

    out = [f'Model: "{model.name}"',
           "┏" + "┳".join("━" * w for w in widths) + "┓",
           line(headers, "┃"),
           "┡" + "╇".join("━" * w for w in widths) + "┩"]
    for row in rows:
        out.append(line(row, "│"))
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    weights = model.weights if model.built else []
    trainable = {id(w) for w in model.trainable_weights} if model.built else set()
    total = sum(w._data.size for w in weights)
    n_train = sum(w._data.size for w in weights if id(w) in trainable)
    total_bytes = sum(w._data.nbytes for w in weights)
    train_bytes = sum(w._data.nbytes for w in weights if id(w) in trainable)
    out.append(f" Total params: {total:,} ({_size(total_bytes)})")
    out.append(f" Trainable params: {n_train:,} ({_size(train_bytes)})")
    out.append(f" Non-trainable params: {total - n_train:,} ({_size(total_bytes - train_bytes)})")
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        n_opt = sum(a.size for a in optimizer.variables)
        n_bytes = sum(a.nbytes for a in optimizer.variables)
        out.append(f" Optimizer params: {n_opt:,} ({_size(n_bytes)})")
    text = "\n".join(out)
    (print_fn or print)(text)
    return text
