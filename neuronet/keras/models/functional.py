"""The functional graph: from a model's symbolic outputs back to its inputs, in run order.

`build_graph` collects the nodes (layer calls) reachable from the outputs, checks that every
path ends at one of the model's inputs, and orders them so each node runs after the nodes
that feed it. `run_graph` feeds real tensors through that order.
"""

from __future__ import annotations

from typing import Any

from ..layers.input_layer import InputLayer
from ..layers.symbolic import KerasTensor, Node, flatten, map_structure
from ._conv_pool import pool_before_relu, run_conv_pool


def build_graph(inputs: Any, outputs: Any) -> tuple[list[Node], list]:
    """(nodes in run order, layers in first-use order including the InputLayers)."""
    input_ids = {id(t) for t in flatten(inputs)}
    for t in flatten(inputs):
        if not isinstance(t, KerasTensor) or not isinstance(t.node.layer, InputLayer):
            raise ValueError(f"Model: inputs must be tensors returned by keras.Input(), "
                             f"received {t!r}")
    for t in flatten(outputs):
        if not isinstance(t, KerasTensor):
            raise ValueError(f"Model: outputs must be symbolic tensors made by calling layers "
                             f"on keras.Input(), received {t!r}")
    order: list[Node] = []
    state: dict[int, int] = {}  # node id -> 1 visiting, 2 done
    stack = [(t.node, False) for t in reversed(flatten(outputs))]
    while stack:
        node, expanded = stack.pop()
        if state.get(id(node)) == 2:
            continue
        if expanded:
            state[id(node)] = 2
            order.append(node)
            continue
        state[id(node)] = 1
        stack.append((node, True))
        if isinstance(node.layer, InputLayer):
            if id(node.output_tensors[0]) not in input_ids:
                raise ValueError(f"Graph disconnected: the output depends on input "
                                 f"'{node.layer.name}' {node.output_tensors[0].shape}, which "
                                 f"is not among the model's inputs")
            continue
        for t in reversed(node.input_tensors):
            if state.get(id(t.node)) != 2:
                stack.append((t.node, False))
    for t in flatten(inputs):  # an input no output depends on still belongs to the model
        if state.get(id(t.node)) != 2:
            order.insert(0, t.node)
    layers: list = []
    for node in order:
        if not any(node.layer is seen for seen in layers):
            layers.append(node.layer)
    return order, layers


def run_graph(nodes: list[Node], inputs: Any, values: Any, outputs: Any, **call_kwargs: Any
              ) -> Any:
    """Evaluate the graph on real values (structured like `inputs`)."""
    flat_inputs, flat_values = flatten(inputs), _match(inputs, values)
    memo: dict[int, Any] = {id(t): v for t, v in zip(flat_inputs, flat_values)}
    pairs = _conv_pool_pairs(nodes, outputs)
    done: set[int] = set()  # pool nodes run with their conv
    for node in nodes:
        if isinstance(node.layer, InputLayer) or id(node) in done:
            continue
        args = map_structure(lambda a: memo[id(a)] if isinstance(a, KerasTensor) else a,
                             node.args)
        kwargs = {**node.kwargs, **call_kwargs}
        kwargs = {k: memo[id(v)] if isinstance(v, KerasTensor) else v for k, v in kwargs.items()}
        pool = pairs.get(id(node))
        if pool is not None and not isinstance(args[0], KerasTensor):
            node, result = pool, run_conv_pool(node.layer, pool.layer, *args, **kwargs)
            done.add(id(pool))
        else:
            result = node.layer(*args, **kwargs)
        for t, v in zip(node.output_tensors, flatten(result)):
            memo[id(t)] = v
    return map_structure(lambda t: memo[id(t)], outputs)


def _conv_pool_pairs(nodes: list[Node], outputs: Any) -> dict:
    """{id(conv node): its MaxPooling2D node} for each Conv2D(relu) -> MaxPooling2D whose conv
    output feeds that pool alone (not a model output, no other layer): the two run together
    (models._conv_pool). The pool node comes right after its conv in run order."""
    uses: dict[int, int] = {}
    for node in nodes:
        for t in flatten([node.args, list(node.kwargs.values())]):
            if isinstance(t, KerasTensor):
                uses[id(t)] = uses.get(id(t), 0) + 1
    for t in flatten(outputs):
        uses[id(t)] = uses.get(id(t), 0) + 1
    pairs = {}
    for conv, pool in zip(nodes, nodes[1:]):
        if len(conv.output_tensors) == 1 and len(pool.args) == 1 and not pool.kwargs and \
                pool.args[0] is conv.output_tensors[0] and \
                uses.get(id(conv.output_tensors[0])) == 1 and \
                pool_before_relu(conv.layer, pool.layer):
            pairs[id(conv)] = pool
    return pairs


def _match(inputs: Any, values: Any) -> list:
    """The values in the order of flatten(inputs) (dicts matched by key or input name)."""
    flat_inputs = flatten(inputs)
    if isinstance(values, dict):
        if isinstance(inputs, dict):
            missing = [k for k in inputs if k not in values]
            if missing:
                raise ValueError(f"Model: missing data for input(s) {missing}; received keys "
                                 f"{sorted(values)}")
            return flatten({k: values[k] for k in inputs})
        names = [t.name for t in flat_inputs]
        missing = [n for n in names if n not in values]
        if missing:
            raise ValueError(f"Model: missing data for input(s) {missing}; received keys "
                             f"{sorted(values)}, expected {names}")
        return [values[n] for n in names]
    flat_values = values if isinstance(values, list | tuple) else [values]
    flat_values = flatten(list(flat_values)) if len(flat_inputs) > 1 else [values] if not (
        isinstance(values, list | tuple) and len(values) == 1) else list(values)
    if len(flat_values) != len(flat_inputs):
        raise ValueError(f"Model: expected {len(flat_inputs)} input(s) "
                         f"{[t.name for t in flat_inputs]}, received {len(flat_values)}")
    return flat_values
