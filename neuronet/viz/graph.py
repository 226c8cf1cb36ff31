"""Drawings of the autograd graph: DOT text for Graphviz, and SVG laid out here in Python.

The graph is the one backward walks: each op node is a `Function` (its `name()`, such as
`MulBackward`, and the shape it produced), each leaf a tensor that requires grad (its name
and shape), and the tensor drawn from is the output node. Arrows follow the data, from
inputs to the ops that consume them (the reverse of the direction gradients flow).

Draw before `backward()` (or after `backward(retain_graph=True)`): backward frees the graph.

Example:
    >>> import neuronet as nt
    >>> w = nt.ones(3, requires_grad=True)
    >>> y = (w * 2).sum()
    >>> print(to_dot(y, params={"w": w}))  # doctest: +ELLIPSIS
    digraph autograd {
    ...
      n1 [label="SumBackward\\n()", fillcolor="#d9d9d9"];
    ...
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..tensor import Tensor

__all__ = ["AutogradGraph", "build_graph", "layout", "render_dot", "render_png", "render_svg",
           "save_graph", "to_dot", "to_svg"]

_FILL = {"op": "#d9d9d9", "leaf": "#add8e6", "output": "#c8e6a0"}


@dataclass
class AutogradGraph:
    """Nodes (id -> (kind, label lines)) in discovery order and data-flow edges."""

    nodes: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)  # (input, consumer)


def _shape_text(shape: Any) -> str:
    return str(tuple(int(n) for n in shape))


def _leaf_name(tensor: Tensor, names: dict[int, str]) -> str | None:
    if id(tensor) in names:
        return names[id(tensor)]
    for attribute in ("path", "name"):
        value = getattr(tensor, attribute, None)
        if isinstance(value, str) and value:
            return value
    return None


def build_graph(roots: Tensor | Sequence[Tensor],
                params: Mapping[str, Tensor] | None = None) -> AutogradGraph:
    """Walk the graph behind `roots` (iteratively, each node once) into an `AutogradGraph`.

    Args:
        roots: a tensor or a sequence of tensors to draw the graph of.
        params: optional name -> tensor, e.g. `dict(model.named_parameters())`, to name the
            leaves (otherwise a leaf's own `path` or `name` attribute is used, if any).
    """
    roots = [roots] if isinstance(roots, Tensor) else list(roots)
    for root in roots:
        if not isinstance(root, Tensor):
            raise TypeError(f"build_graph: expected Tensors, received {type(root).__name__}")
    names = {id(t): str(name) for name, t in (params or {}).items()}
    graph = AutogradGraph()
    ids: dict[int, str] = {}
    keep: list[Any] = []  # keeps visited objects alive so their id() stays unique

    def node_id(obj: Any, kind: str, label: list[str]) -> str:
        key = id(obj)
        if key not in ids:
            ids[key] = f"n{len(ids)}"
            keep.append(obj)
            graph.nodes[ids[key]] = (kind, label)
        return ids[key]

    def leaf_id(tensor: Tensor) -> str:
        name = _leaf_name(tensor, names)
        label = ([name] if name else []) + [_shape_text(tensor.shape)]
        return node_id(tensor, "leaf", label)

    out_shapes: dict[int, dict[int, str]] = {}  # id(fn) -> output index -> shape text
    stack: list[Any] = []
    for index, root in enumerate(roots):
        if root.grad_fn is None:
            leaf_id(root)
            continue
        output = node_id(root, "output", [f"output {index}" if len(roots) > 1 else "output",
                                          _shape_text(root.shape)])
        out_shapes.setdefault(id(root.grad_fn), {})[root._out_index] = _shape_text(root.shape)
        graph.edges.append((f"@{id(root.grad_fn)}", output))
        stack.append(root.grad_fn)
    seen: set[int] = set()
    order: list[Any] = []
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        order.append(fn)
        node_id(fn, "op", [fn.name()])  # numbered in walk order; shapes filled in below
        if fn.__dict__.get("_freed"):
            raise RuntimeError(
                f"build_graph: the graph through {fn.name()} was freed by backward(); draw it "
                "before calling backward(), or call backward(retain_graph=True)")
        inputs = fn.__dict__.get("inputs", ())
        for position, (child, out_index, leaf) in enumerate(fn._edges):
            if child is not None:
                if position < len(inputs):
                    shape = _shape_text(inputs[position].shape)
                    out_shapes.setdefault(id(child), {})[out_index] = shape
                graph.edges.append((f"@{id(child)}", f"@{id(fn)}"))
                stack.append(child)
            elif leaf is not None:
                graph.edges.append((leaf_id(leaf), f"@{id(fn)}"))
    for fn in order:
        shapes = out_shapes.get(id(fn), {})
        meta = fn.__dict__.get("_out_meta", ())
        for i, (shape, _dtype) in enumerate(meta):
            shapes.setdefault(i, _shape_text(shape))
        graph.nodes[ids[id(fn)]][1].extend(shapes[i] for i in sorted(shapes))
    resolved = []
    for source, target in graph.edges:
        source = ids[int(source[1:])] if source.startswith("@") else source
        target = ids[int(target[1:])] if target.startswith("@") else target
        if (source, target) not in resolved:
            resolved.append((source, target))
    graph.edges = resolved
    return graph


def _dot_quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def to_dot(roots: Tensor | Sequence[Tensor], params: Mapping[str, Tensor] | None = None,
           name: str = "autograd") -> str:
    """The autograd graph of `roots` as Graphviz DOT text (render with `dot -Tsvg`).

    Op nodes (grey) show the backward function's name and the shape it produced; leaves
    (blue) their name and shape; the output (green) its shape.
    """
    return render_dot(build_graph(roots, params), name)


def render_dot(graph: AutogradGraph, name: str = "graph", rankdir: str = "TB") -> str:
    """Any node/edge graph (AutogradGraph's form) as Graphviz DOT text."""
    lines = [
        f"digraph {name} {{",
        f"  graph [rankdir={rankdir}];",
        '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10];',
    ]
    for node, (kind, label) in graph.nodes.items():
        text = "\\n".join(_dot_quote(line) for line in label)
        lines.append(f'  {node} [label="{text}", fillcolor="{_FILL[kind]}"];')
    for source, target in graph.edges:
        lines.append(f"  {source} -> {target};")
    lines.append("}")
    return "\n".join(lines) + "\n"


# --- SVG: a layered layout ---------------------------------------------------------------
_CHAR_W, _LINE_H, _PAD, _GAP_X, _GAP_Y = 7.2, 15.0, 8.0, 24.0, 46.0


def _layers(graph: AutogradGraph) -> list[list[str]]:
    """Rank each node by its longest data-flow path to an output (outputs at the bottom),
    then order each rank by the barycenter of its neighbours (a few sweeps)."""
    consumers: dict[str, list[str]] = {node: [] for node in graph.nodes}
    producers: dict[str, list[str]] = {node: [] for node in graph.nodes}
    for source, target in graph.edges:
        consumers[source].append(target)
        producers[target].append(source)
    remaining = {node: len(consumers[node]) for node in graph.nodes}
    depth = dict.fromkeys(graph.nodes, 0)
    ready = [node for node, count in remaining.items() if count == 0]
    while ready:  # Kahn's algorithm from the outputs towards the inputs
        node = ready.pop()
        for source in producers[node]:
            depth[source] = max(depth[source], depth[node] + 1)
            remaining[source] -= 1
            if remaining[source] == 0:
                ready.append(source)
    top = max(depth.values(), default=0)
    layers: list[list[str]] = [[] for _ in range(top + 1)]
    for node in graph.nodes:  # discovery order as the first ordering
        layers[top - depth[node]].append(node)
    position = {node: i for layer in layers for i, node in enumerate(layer)}
    for _ in range(4):
        for sweep, neighbours in ((range(1, len(layers)), producers),
                                  (range(len(layers) - 2, -1, -1), consumers)):
            for r in sweep:
                def barycenter(node: str, around: dict = neighbours) -> float:
                    near = [position[other] for other in around[node]]
                    return sum(near) / len(near) if near else position[node]

                layers[r].sort(key=barycenter)
                position.update({node: i for i, node in enumerate(layers[r])})
    return layers


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def to_svg(roots: Tensor | Sequence[Tensor], params: Mapping[str, Tensor] | None = None) -> str:
    """The autograd graph of `roots` as standalone SVG text, laid out in Python (layered:
    inputs at the top, the output at the bottom) without a system Graphviz."""
    return render_svg(build_graph(roots, params))


def layout(graph: AutogradGraph) -> tuple[dict[str, tuple[float, float, float, float]],
                                          float, float]:
    """Boxes (x, y, w, h) per node in a layered top-to-bottom layout, and the canvas size."""
    layers = _layers(graph)
    size = {node: (max(len(line) for line in label) * _CHAR_W + 2 * _PAD,
                   len(label) * _LINE_H + 2 * _PAD)
            for node, (_kind, label) in graph.nodes.items()}
    widths = [sum(size[n][0] for n in layer) + _GAP_X * (len(layer) - 1) for layer in layers]
    width = max(widths, default=0.0) + 2 * _GAP_X
    box: dict[str, tuple[float, float, float, float]] = {}  # x, y, w, h
    y = _GAP_X
    for layer, layer_width in zip(layers, widths):
        x = (width - layer_width) / 2
        row_height = max(size[n][1] for n in layer)
        for node in layer:
            w, h = size[node]
            box[node] = (x, y + (row_height - h) / 2, w, h)
            x += w + _GAP_X
        y += row_height + _GAP_Y
    height = y - _GAP_Y + _GAP_X
    return box, width, height


def render_svg(graph: AutogradGraph) -> str:
    """Any node/edge graph (AutogradGraph's form) as standalone SVG text."""
    box, width, height = layout(graph)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="monospace" font-size="12">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" '
        'fill="#555"/></marker></defs>',
    ]
    for source, target in graph.edges:
        sx, sy, sw, sh = box[source]
        tx, ty, tw, _th = box[target]
        x1, y1, x2, y2 = sx + sw / 2, sy + sh, tx + tw / 2, ty
        bend = (y2 - y1) / 2
        out.append(f'<path class="edge" d="M {x1:.1f} {y1:.1f} C {x1:.1f} {y1 + bend:.1f} '
                   f'{x2:.1f} {y2 - bend:.1f} {x2:.1f} {y2:.1f}" fill="none" stroke="#555" '
                   'marker-end="url(#arrow)"/>')
    for node, (kind, label) in graph.nodes.items():
        x, y, w, h = box[node]
        out.append(f'<g class="node {kind}" id="{node}"><rect x="{x:.1f}" y="{y:.1f}" '
                   f'width="{w:.1f}" height="{h:.1f}" rx="6" fill="{_FILL[kind]}" '
                   'stroke="#333"/>')
        for i, line in enumerate(label):
            ty = y + _PAD + (i + 0.8) * _LINE_H
            out.append(f'<text x="{x + w / 2:.1f}" y="{ty:.1f}" text-anchor="middle">'
                       f"{_escape(line)}</text>")
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def save_graph(roots: Tensor | Sequence[Tensor], path: str | os.PathLike[str],
               params: Mapping[str, Tensor] | None = None) -> str:
    """Write the graph to `path`: SVG for a '.svg' name, DOT text otherwise. Returns the text."""
    text = to_svg(roots, params) if str(path).endswith(".svg") else to_dot(roots, params)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return text


def render_png(graph: AutogradGraph, path: str | os.PathLike[str], dpi: int = 100) -> None:
    """Draw the graph's layout with matplotlib into a PNG file (no Graphviz needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    box, width, height = layout(graph)
    # layout units are pixels at 100 dpi (12 px monospace, as in the SVG); savefig rescales
    fig = Figure(figsize=(max(width, 50) / 100, max(height, 50) / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for source, target in graph.edges:
        sx, sy, sw, sh = box[source]
        tx, ty, tw, _th = box[target]
        ax.add_patch(FancyArrowPatch((sx + sw / 2, sy + sh), (tx + tw / 2, ty),
                                     arrowstyle="-|>", mutation_scale=10, color="#555"))
    for node, (kind, label) in graph.nodes.items():
        x, y, w, h = box[node]
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=6",
                                    facecolor=_FILL[kind], edgecolor="#333"))
        ax.text(x + w / 2, y + h / 2, "\n".join(label), ha="center", va="center",
                family="monospace", fontsize=12 * 72 / 100, linespacing=1.05)
    fig.savefig(path, dpi=dpi)
