"""`keras.utils.plot_model` and `model_to_dot`: a model's layer graph as DOT, SVG or PNG,
laid out in Python (no system Graphviz needed)."""

from __future__ import annotations

import os
from typing import Any

from ..viz.graph import AutogradGraph, render_dot, render_png, render_svg


def _shape_text(shape: Any) -> str:
    if isinstance(shape, list):
        return ", ".join(_shape_text(s) for s in shape)
    return str(tuple(shape)) if shape is not None else "?"


def _layer_graph(model: Any, show_shapes: bool, show_dtype: bool,
                 show_layer_names: bool, show_layer_activations: bool) -> AutogradGraph:
    """Nodes are layers (inputs blue, the output green), edges follow the data."""
    from .layers.input_layer import InputLayer

    graph = AutogradGraph()
    ids: dict[int, str] = {}

    def node_id(layer: Any) -> str:
        if id(layer) not in ids:
            ids[id(layer)] = f"l{len(ids)}"
        return ids[id(layer)]

    def label(layer: Any, out_shape: Any) -> list[str]:
        kind = type(layer).__name__
        lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
        act = getattr(layer, "activation", None)
        if show_layer_activations and act is not None:
            lines.append(f"activation: {getattr(act, '__name__', str(act))}")
        if show_shapes:
            lines.append(f"output: {_shape_text(out_shape)}")
        if show_dtype:
            lines.append(f"dtype: {getattr(layer, 'dtype', 'float32')}")
        return lines

    nodes = getattr(model, "_nodes", None)
    if nodes:  # functional graph (Sequential models with a known input build one too)
        outputs = {id(t.node.layer) for t in _flat(model._outputs_struct)}
        for node in nodes:
            layer = node.layer
            shape = [t.shape for t in node.output_tensors]
            shape = shape[0] if len(shape) == 1 else shape
            kind = ("leaf" if isinstance(layer, InputLayer)
                    else "output" if id(layer) in outputs else "op")
            graph.nodes[node_id(layer)] = (kind, label(layer, shape))
            for t in node.input_tensors:
                edge = (node_id(t.node.layer), node_id(layer))
                if edge not in graph.edges:
                    graph.edges.append(edge)
        return graph
    # Sequential: a chain, led by its input layer when it has one
    shapes = getattr(model, "_output_shapes", None) or {}
    layers = list(model.layers)
    first = getattr(model, "_input_layer", None)
    if first is not None:
        graph.nodes[node_id(first)] = ("leaf", label(first, first.batch_shape))
        layers = [first] + layers
    for i, layer in enumerate(layers):
        if layer is first:
            continue
        kind = "output" if i == len(layers) - 1 else "op"
        graph.nodes[node_id(layer)] = (kind, label(layer, shapes.get(id(layer))))
        if i:
            graph.edges.append((node_id(layers[i - 1]), node_id(layer)))
    return graph


def _flat(x: Any) -> list:
    from .layers.symbolic import flatten

    return flatten(x)


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB",
                 show_layer_activations: bool = False, **_: Any) -> str:
    """The model's layer graph as Graphviz DOT text."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"model_to_dot: rankdir must be 'TB' or 'LR', received {rankdir!r}")
    graph = _layer_graph(model, show_shapes, show_dtype, show_layer_names,
                         show_layer_activations)
    return render_dot(graph, name="model", rankdir=rankdir)


def plot_model(model: Any, to_file: str = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = True, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, **_: Any) -> str:
    """Draw the model's layers and connections to `to_file`: '.svg' -> SVG, '.dot'/'.gv' ->
    DOT text, anything else -> PNG drawn with matplotlib. Returns the path written."""
    graph = _layer_graph(model, show_shapes, show_dtype, show_layer_names,
                         show_layer_activations)
    path = os.fspath(to_file)
    ext = os.path.splitext(path)[1].lower()
    if ext in (".dot", ".gv"):
        text = render_dot(graph, name="model", rankdir=rankdir)
    elif ext == ".svg":
        text = render_svg(graph)
    else:
        render_png(graph, path, dpi=min(dpi, 200))
        return path
    from ..io import atomic_write

    atomic_write(path, text)
    return path
