"""Symbolic tensors and nodes: what calling a layer on `keras.Input` records.

A `KerasTensor` has a shape (None for the batch and unknown dims) and a dtype, and remembers
the `Node` that made it: (layer, the node's input KerasTensors, its outputs). The functional
`Model` walks these nodes from its outputs back to its inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class KerasTensor:
    """A placeholder for a batch of values: shape, dtype, and the layer call that made it."""

    def __init__(self, shape: tuple, dtype: Any = "float32", name: str | None = None,
                 node: Node | None = None, index: int = 0) -> None:
        self.shape = tuple(shape)
        self.dtype = str(np.dtype(dtype))
        self.name = name
        self.node = node
        self.index = index

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor has no truth value; it is a placeholder for "
                        "data, only usable as input to Keras layers")


class Node:
    """One call of `layer` on symbolic inputs (`args` nested like the call's arguments)."""

    def __init__(self, layer: Any, args: Any, kwargs: dict, outputs: Any) -> None:
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in flatten(args) if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in flatten(outputs) if isinstance(t, KerasTensor)]


def flatten(structure: Any) -> list:
    """Leaves of nested lists/tuples/dicts, in order (dicts by insertion order)."""
    if isinstance(structure, list | tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in flatten(item)]
    return [structure]


def map_structure(fn: Any, structure: Any) -> Any:
    """Apply fn to every leaf, keeping the nesting."""
    if isinstance(structure, list):
        return [map_structure(fn, s) for s in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, s) for s in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def any_symbolic(structure: Any) -> bool:
    return any(isinstance(t, KerasTensor) for t in flatten(structure))
