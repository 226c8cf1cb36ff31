"""neuronet.viz.graph: DOT and SVG drawings of the autograd graph."""

import re
import xml.etree.ElementTree as ET

import pytest

import neuronet as nt
from neuronet.viz import build_graph, save_graph, to_dot, to_svg


def _small_graph():
    w = nt.ones(3, 2, requires_grad=True)
    b = nt.zeros(2, requires_grad=True)
    x = nt.randn(4, 3)
    y = (x @ w + b).relu().sum()
    return y, w, b


def _dot_nodes_and_edges(dot: str):
    nodes = dict(re.findall(r'^  (n\d+) \[label="([^"]*)"', dot, re.M))
    edges = re.findall(r"^  (n\d+) -> (n\d+);$", dot, re.M)
    return nodes, edges


def test_dot_names_ops_shapes_and_leaves():
    y, w, b = _small_graph()
    dot = to_dot(y, params={"weight": w, "bias": b})
    assert dot.startswith("digraph autograd {") and dot.rstrip().endswith("}")
    nodes, edges = _dot_nodes_and_edges(dot)
    labels = sorted(nodes.values())
    assert labels == sorted([
        "output\\n()", "SumBackward\\n()", "ReluBackward\\n(4, 2)", "AddBackward\\n(4, 2)",
        "MatMulBackward\\n(4, 2)", "weight\\n(3, 2)", "bias\\n(2,)",
    ])
    by_label = {label.split("\\n")[0]: node for node, label in nodes.items()}
    expected = [("weight", "MatMulBackward"), ("MatMulBackward", "AddBackward"),
                ("bias", "AddBackward"), ("AddBackward", "ReluBackward"),
                ("ReluBackward", "SumBackward"), ("SumBackward", "output")]
    assert sorted(edges) == sorted((by_label[a], by_label[b]) for a, b in expected)


def test_shared_subgraph_is_drawn_once_and_leaf_names_come_from_attributes():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    h = x * 3
    y = h * h + h
    nodes, edges = _dot_nodes_and_edges(to_dot(y))
    labels = [label.split("\\n")[0] for label in nodes.values()]
    assert labels.count("x") == 1 and labels.count("MulBackward") == 2
    assert len(edges) == len(set(edges))  # h*h gives one edge, not two
    assert len(edges) == 5  # x->mul, mul->mul2, mul->add, mul2->add, add->output


def test_multiple_roots_and_multi_output_ops():
    a = nt.randn(6, requires_grad=True)
    parts = a.split(3)
    y1, y2 = parts[0].exp(), parts[1].sin()
    dot = to_dot([y1, y2], params={"a": a})
    nodes, _ = _dot_nodes_and_edges(dot)
    labels = list(nodes.values())
    assert "output 0\\n(3,)" in labels and "output 1\\n(3,)" in labels
    assert any(label.startswith("ExpBackward") for label in labels)
    assert any(label.startswith("SinBackward") for label in labels)


def test_leaf_root_and_quoting():
    t = nt.ones(2, requires_grad=True)
    dot = to_dot(t, params={'say "hi"\\': t})
    assert 'label="say \\"hi\\"\\\\\\n(2,)"' in dot


def test_deep_chain_needs_no_recursion():
    x = nt.ones(2, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    graph = build_graph(y)
    assert len(graph.nodes) == 3002 and len(graph.edges) == 3001
    svg = to_svg(y)
    assert svg.count('class="node op"') == 3000


def test_freed_graph_raises_a_clear_error():
    y, _, _ = _small_graph()
    y.backward()
    with pytest.raises(RuntimeError, match="freed by backward"):
        to_dot(y)


def test_svg_is_valid_xml_with_the_ops_laid_out_top_to_bottom():
    y, w, b = _small_graph()
    svg = to_svg(y, params={"weight": w, "bias": b})
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    groups = root.findall(f"{ns}g")
    assert len(groups) == 7
    assert len(root.findall(f"{ns}path")) == 6  # one per edge
    top = {}
    for group in groups:
        texts = [t.text for t in group.findall(f"{ns}text")]
        top[texts[0]] = float(group.find(f"{ns}rect").get("y"))
        for other in groups:  # no two boxes overlap
            if other is group:
                continue
            r1, r2 = group.find(f"{ns}rect"), other.find(f"{ns}rect")
            x1, y1, w1, h1 = (float(r1.get(k)) for k in ("x", "y", "width", "height"))
            x2, y2, w2, h2 = (float(r2.get(k)) for k in ("x", "y", "width", "height"))
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1
    order = ["weight", "MatMulBackward", "AddBackward", "ReluBackward", "SumBackward", "output"]
    assert [top[name] for name in order] == sorted(top[name] for name in order)
    assert top["weight"] < top["MatMulBackward"]
    assert top["bias"] < top["AddBackward"]
    width, height = float(root.get("width")), float(root.get("height"))
    for group in groups:
        rect = group.find(f"{ns}rect")
        assert float(rect.get("x")) >= 0 and float(rect.get("x")) + float(
            rect.get("width")) <= width
        assert float(rect.get("y")) + float(rect.get("height")) <= height


def test_svg_escapes_names_and_save_graph_picks_the_format(tmp_path):
    t = nt.ones(2, requires_grad=True)
    y = (t * 2).sum()
    svg = to_svg(y, params={"<a&b>": t})
    assert "&lt;a&amp;b&gt;" in svg
    ET.fromstring(svg)
    assert save_graph(y, tmp_path / "g.svg").startswith("<svg")
    assert save_graph(y, tmp_path / "g.dot").startswith("digraph")
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_rejects_non_tensors():
    with pytest.raises(TypeError, match="expected Tensors, received list"):
        build_graph([[1, 2]])
