"""The backward engine: reverse-mode automatic differentiation over the recorded graph.

One pass, no recursion:
1. Walk the graph from the roots with an explicit stack, counting for each node how many
   edges from reachable consumers lead to it.
2. Run nodes whose consumers have all delivered their gradient (Kahn's algorithm), so each
   node's backward runs once per call however many paths reach it; the gradients that reach
   a node from several paths are added first.
3. Each input gradient is summed back to its input's shape here (undoing broadcasting in one
   place), then routed to the producing node or accumulated into a leaf's `.grad`.

With `create_graph=False` backward rules run with grad recording off; with `create_graph=True`
they are recorded, so the gradients can be differentiated again.

`autograd.grad` (and `backward(inputs=...)`) run only the part of the graph that leads to the
requested inputs, as PyTorch does: a second iterative walk marks the nodes from which an input
(or a node whose output gradient is captured) can be reached; the other nodes' backward, hooks
and release are skipped, so a later backward through them still works. `backward()` without
`inputs` runs every reachable node.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .function import _FREED_MESSAGE, Function, call_backward, zeros_for
from .grad_mode import state

# Set by neuronet.tensor (engine and tensor depend on each other).
Tensor: Any = None
_wrap: Any = None
sum_to: Any = None


def _as_tuple(x: Any) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's `.grad` (PyTorch's autograd.backward)."""
    roots = _as_tuple(tensors)
    grads = _root_grads(roots, _as_tuple(grad_tensors) or (None,) * len(roots))
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward(roots, grads, retain_graph, create_graph, None, accumulate=True)
        return
    # Only the named inputs accumulate: compute their gradients, then add them in.
    targets = list(_as_tuple(inputs))
    found = run_backward(roots, grads, retain_graph, create_graph, targets, accumulate=False)
    for t, g in zip(targets, found):
        if g is not None:
            g = g if create_graph else g.detach()
            t.grad = g if t.grad is None else t.grad + g


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple:
    """Return d(outputs)/d(inputs) without touching any `.grad` (PyTorch's autograd.grad)."""
    roots = _as_tuple(outputs)
    targets = list(_as_tuple(inputs))
    for t in targets:
        if not t.requires_grad:
            raise RuntimeError("autograd.grad: one of the inputs does not require grad")
    grads = _root_grads(roots, _as_tuple(grad_outputs) or (None,) * len(roots))
    if retain_graph is None:
        retain_graph = create_graph
    found = run_backward(roots, grads, retain_graph, create_graph, targets, accumulate=False)
    result = []
    for t, g in zip(targets, found):
        if g is None:
            if materialize_grads:
                from ..tensor import Tensor

                g = Tensor._wrap(np.zeros_like(t._data))
            elif not allow_unused:
                raise RuntimeError(
                    "autograd.grad: one of the differentiated tensors appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the desired behavior."
                )
        result.append(g)
    return tuple(result)


def _root_grads(roots: tuple, grads: tuple) -> list:
    from ..tensor import Tensor

    if len(grads) != len(roots):
        raise RuntimeError(
            f"backward: got {len(roots)} tensors and {len(grads)} gradients; expected one "
            "gradient per tensor"
        )
    out = []
    for r, g in zip(roots, grads):
        if not isinstance(r, Tensor):
            raise TypeError(f"backward: expected Tensors, got {type(r).__name__}")
        if not r.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if r._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; the output has "
                    f"shape {tuple(r.shape)}: pass gradient= (a tensor of that shape) to backward"
                )
            g = Tensor._wrap(np.ones_like(r._data))
        else:
            g = g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g, dtype=r._data.dtype))
            if g.shape != r.shape:
                raise RuntimeError(
                    f"backward: gradient has shape {tuple(g.shape)} but the output has shape "
                    f"{tuple(r.shape)}; they must match"
                )
        out.append(g)
    return out


def _count_dependencies(roots: list) -> dict:
    """Edges from reachable consumers into each node (iterative DFS)."""
    deps: dict = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        node = stack.pop()
        if node._freed:
            raise RuntimeError(_FREED_MESSAGE.format(name=node.name()))
        for parent, _idx, _leaf in node._edges:
            if parent is None:
                continue
            deps[parent] = deps.get(parent, 0) + 1
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return deps


def _plan_pruned(roots: list, leaf_targets: dict, node_targets: dict) -> tuple:
    """For autograd.grad: the nodes whose backward must run, and the dependency counts.

    A node must run when one of its edges leads to a requested leaf, to a node whose output
    gradient is captured, or to a node that must run. Found with two iterative walks: one
    down from the roots recording each node's consumers, one up the consumers from the nodes
    next to the targets. Returns (run, visit, deps): `visit` adds to `run` the captured nodes
    (their hooks run and their gradient is captured, but not their backward); `deps` counts,
    for each node in `visit`, the edges into it from nodes in `run`. run and visit are None
    when every reachable node must run (nothing to prune)."""
    consumers: dict = {r: [] for r in roots}  # also the set of nodes seen
    seeds: list = []
    stack = list(consumers)
    while stack:
        node = stack.pop()
        for parent, _idx, leaf in node._edges:
            if parent is None:
                if leaf is not None and id(leaf) in leaf_targets:
                    seeds.append(node)
                continue
            c = consumers.get(parent)
            if c is None:
                consumers[parent] = [node]
                stack.append(parent)
            else:
                c.append(node)
    captured_nodes = {node for node, _idx in node_targets if node in consumers}
    for node in captured_nodes:
        seeds.extend(consumers[node])
    run: set = set()
    stack = seeds
    while stack:
        node = stack.pop()
        if node not in run:
            run.add(node)
            stack.extend(consumers[node])
    for node in run:  # a part freed by an earlier backward may be walked, not run
        if node._freed:
            raise RuntimeError(_FREED_MESSAGE.format(name=node.name()))
    if len(run) == len(consumers):  # every reachable node leads to an input
        return None, None, {node: len(c) for node, c in consumers.items()}
    visit = run | captured_nodes
    deps = {}
    for node in visit:
        n = 0
        for c in consumers[node]:
            if c in run:
                n += 1
        deps[node] = n
    return run, visit, deps


def run_backward(
    roots: Sequence,
    root_grads: Sequence,
    retain_graph: bool,
    create_graph: bool,
    capture: list | None,
    accumulate: bool,
) -> list | None:
    """The engine. `capture` lists tensors whose gradients are returned (autograd.grad); then
    only the nodes on a path to them run (see `_plan_pruned`), and only the nodes that ran are
    released."""
    captured: dict = {}
    leaf_targets: dict = {}
    node_targets: dict = {}
    if capture is not None:
        for i, t in enumerate(capture):
            if t.grad_fn is None:
                leaf_targets.setdefault(id(t), []).append(i)
            else:
                node_targets.setdefault((t.grad_fn, t._out_index), []).append(i)

    buffers: dict = {}
    root_nodes: list = []
    for r, g in zip(roots, root_grads):
        if r.grad_fn is None:  # a leaf as root: its gradient is the seed itself
            if capture is None or id(r) in leaf_targets:
                _deliver_leaf(r, g, accumulate, leaf_targets, captured, create_graph, False)
            continue
        buf = buffers.get(r.grad_fn)
        if buf is None:
            buf = buffers[r.grad_fn] = [None] * r.grad_fn._n_out
            root_nodes.append(r.grad_fn)
        i = r._out_index
        buf[i] = g if buf[i] is None else buf[i] + g

    # Ids of gradient tensors that reach more than one place (the user's seeds; an op that
    # returns one tensor for two inputs, as add does): a leaf must copy those before keeping
    # them as .grad, since optimizers edit .grad in place. Fresh arrays are kept as they are.
    shared = {id(g) for g in root_grads}
    if capture is None:
        run = visit = None
        deps = _count_dependencies(root_nodes)
        ready = [n for n in root_nodes if deps.get(n, 0) == 0]
    else:
        run, visit, deps = _plan_pruned(root_nodes, leaf_targets, node_targets)
        ready = [n for n in root_nodes
                 if (visit is None or n in visit) and deps.get(n, 0) == 0]
    targets_only = capture is not None  # only requested leaves get (or hook) a gradient
    prev_mode = state.enabled
    state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if node._hooks or node._retain or node_targets:
                _output_hooks(node, grads, node_targets, captured, create_graph)
            if run is not None and node not in run:
                continue  # only its output gradient was wanted: no backward, no release
            inputs = node.inputs
            edges = node._edges
            if targets_only and not node._ctx_style:
                # an input that leads to no requested one needs no gradient: the op skips it
                # (a PyTorch-style ctx Function keeps its forward-time flags, as in PyTorch)
                need = node.needs_input_grad
                narrow = tuple(
                    n and (id(leaf) in leaf_targets if parent is None
                           else visit is None or parent in visit)
                    for n, (parent, _idx, leaf) in zip(need, edges))
                if narrow != need:
                    node.needs_input_grad = narrow
                    try:
                        in_grads = _node_backward(node, grads)
                    finally:
                        node.needs_input_grad = need
                else:
                    in_grads = _node_backward(node, grads)
            else:
                in_grads = _node_backward(node, grads)
            if len(in_grads) == 2 and in_grads[0] is in_grads[1] and in_grads[0] is not None:
                shared.add(id(in_grads[0]))
            elif len(in_grads) > 2:
                ids = [id(g) for g in in_grads if g is not None]
                shared.update(i for i in ids if ids.count(i) > 1)
            if not retain_graph:
                node._release()
            for k in range(len(edges)):
                parent, idx, leaf = edges[k]
                if parent is None:
                    if leaf is None or (targets_only and id(leaf) not in leaf_targets):
                        continue  # this input needs no gradient (or is not asked for)
                elif visit is not None and parent not in visit:
                    continue  # leads to no requested input: never run
                g = in_grads[k]
                if g is not None:
                    if not isinstance(g, Tensor):
                        g = _wrap(np.asarray(g))
                    ref = inputs[k]._data
                    if g._data.shape != ref.shape:
                        g = sum_to(g, ref.shape)
                    if g._data.dtype != ref.dtype:
                        g = g.to(ref.dtype)
                if parent is None:
                    if g is not None:
                        owned = id(g) not in shared and g._data.flags.owndata
                        _deliver_leaf(leaf, g, accumulate, leaf_targets, captured, create_graph,
                                      owned)
                    continue
                buf = buffers.get(parent)
                if buf is None:
                    buf = buffers[parent] = [None] * parent._n_out
                if g is not None:
                    buf[idx] = g if buf[idx] is None else buf[idx] + g
                left = deps[parent] - 1
                deps[parent] = left
                if left == 0:
                    ready.append(parent)
    finally:
        state.enabled = prev_mode
    if capture is None:
        return None
    return [captured.get(i) for i in range(len(capture))]


def _node_backward(node: Function, grads: list) -> tuple:
    if len(grads) == 1:
        if grads[0] is None:
            return (None,) * len(node._edges)
    else:
        if all(g is None for g in grads):
            return (None,) * len(node._edges)
        if node._materialize:
            grads = [zeros_for(m) if g is None else g for g, m in zip(grads, node._out_meta)]
    if node.uses_input_values:
        for t, v in zip(node.inputs, node._versions):
            if t._version != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: an input of {node.name()} is at version "
                    f"{t._version}; expected version {v} instead."
                )
    if node._ctx_style:
        in_grads = call_backward(node, tuple(grads))
    else:
        in_grads = node.backward(*grads)
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
    if len(in_grads) != len(node._edges):
        raise RuntimeError(
            f"{node.name()} returned {len(in_grads)} gradients, expected {len(node._edges)} "
            "(one per input)"
        )
    if state.anomaly or node._trace is not None:
        _check_finite(node, in_grads)
    return in_grads


def _check_finite(node: Function, in_grads: tuple) -> None:
    for i, g in enumerate(in_grads):
        if g is None:
            continue
        arr = g._data if isinstance(g, Tensor) else np.asarray(g)
        if arr.dtype.kind == "f" and not np.isfinite(arr).all():
            where = "".join(node._trace or ["(enable anomaly mode before the forward pass)\n"])
            bad = "nan" if np.isnan(arr).any() else "inf"
            raise RuntimeError(
                f"Function '{node.name()}' returned {bad} values in its {i}th output.\n"
                f"The op that made it was created at:\n{where}"
            )


def _output_hooks(node: Function, grads: list, node_targets: dict, captured: dict,
                  create_graph: bool) -> None:
    hooks = node._hooks
    if hooks:
        for idx, fns in hooks.items():
            for fn in fns:
                if grads[idx] is None:
                    continue
                new = fn(grads[idx])
                if new is not None:
                    grads[idx] = new
    if node._retain:
        for idx, ref in node._retain.items():
            t = ref()
            if t is not None and grads[idx] is not None:
                g = grads[idx] if create_graph else _wrap(grads[idx]._data.copy())
                t.grad = g if t.grad is None else t.grad + g
    if node_targets:
        for idx in range(len(grads)):
            for i in node_targets.get((node, idx), ()):
                captured[i] = grads[idx]


def _deliver_leaf(leaf: Any, g: Any, accumulate: bool, leaf_targets: dict, captured: dict,
                  create_graph: bool, owned: bool) -> None:
    """Add g into leaf.grad (or capture it for autograd.grad). `owned`: nothing else refers to
    g's array, so it can become .grad without a copy."""
    for hook in leaf._hooks or ():
        new = hook(g)
        if new is not None:
            g, owned = new, False
    if leaf_targets:
        for i in leaf_targets.get(id(leaf), ()):
            captured[i] = g if i not in captured else captured[i] + g
    if not accumulate:
        return
    if create_graph:
        leaf.grad = g if leaf.grad is None else leaf.grad + g
    elif leaf.grad is None:
        # NOTE: copy unless owned: the same gradient array may reach several leaves (z = x + y)
        # and optimizers and clip_grad_norm_ modify .grad in place.
        leaf.grad = _wrap(g._data if owned else np.array(g._data, copy=True))
    else:
        np.add(leaf.grad._data, g._data, out=leaf.grad._data)
        leaf.grad._version += 1
    for hook in leaf._post_hooks or ():
        hook(leaf)
