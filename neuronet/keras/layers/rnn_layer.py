"""Keras 3's generic `RNN(cell)` layer (any cell run over a sequence) and StackedRNNCells.

A cell is a Layer (or any object) with `state_size` (an int, a list of ints, or for
StackedRNNCells a list of those) and `call(inputs, states, training=None)` returning
`(output, new_states)`. Masking follows Keras's backend loop: at a masked step every state is
carried over and the output repeats the previous step's (0 before the first step), or is 0
with zero_output_for_mask=True.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...ops.elementwise import where
from ...ops.shape import stack
from ...tensor import Tensor
from .layer import Layer
from .rnn import _mask_array
from .rnn_cells import GRUCell, LSTMCell, SimpleRNNCell, _is_nested, _output_size, initial_states


def _flatten(structure: Any) -> list:
    if _is_nested(structure):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack(structure: Any, flat: list) -> Any:
    """`flat` (consumed from the front) in the nesting of `structure`."""
    if _is_nested(structure):
        return [_pack(item, flat) for item in structure]
    return flat.pop(0)


def _call_cell(cell: Any, inputs: Tensor, states: list, training: Any) -> tuple:
    if isinstance(cell, Layer):
        return cell(inputs, states, training=training)
    return cell.call(inputs, states)


class StackedRNNCells(Layer):
    """Cells run one after another within each step, as one cell for `RNN`.

    Formula:
        y_0 = x_t;  (y_k, s_k') = cell_k(y_{k-1}, s_k) for k = 1..K;  output y_K,
        states [s_1', ..., s_K']

    Args:
        cells: a list of cells (objects with `state_size` and `call(inputs, states)`).

    Shape:
        x_t (batch, features) -> (batch, the last cell's output_size).

    Example:
        >>> from neuronet.keras.layers.rnn_cells import GRUCell, LSTMCell
        >>> from neuronet.keras.layers.rnn_layer import StackedRNNCells
        >>> cells = StackedRNNCells([GRUCell(3), LSTMCell(2)])
        >>> cells.state_size, cells.output_size
        ([3, [2, 2]], 2)
    """

    def __init__(self, cells: list, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(cells, list | tuple) or not cells:
            raise ValueError(f"StackedRNNCells: cells must be a non-empty list of cells, "
                             f"received cells={cells!r}")
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(f"StackedRNNCells: every cell needs a call() method and a "
                                 f"state_size attribute, received {cell!r}")
        self.cells = list(cells)

    @property
    def state_size(self) -> list:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        return _output_size(self.cells[-1])

    def get_initial_state(self, batch_size: int | None = None) -> list:
        return [initial_states(cell, batch_size, self.dtype) for cell in self.cells]

    def build(self, input_shape: tuple) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                cell.build(input_shape)
                cell.built = True
            input_shape = (input_shape[0], _output_size(cell))
        self.built = True

    def call(self, inputs: Tensor, states: Any, training: Any = None) -> tuple[Tensor, Any]:
        new_states = []
        for cell, state in zip(self.cells, states):
            was_list = _is_nested(state)
            state = list(state) if was_list else [state]
            inputs, state = cell(inputs, state, training=training) if isinstance(
                cell, Layer) else cell.call(inputs, state)
            state = list(state) if _is_nested(state) else [state]
            new_states.append(state[0] if len(state) == 1 and not was_list else state)
        return inputs, (new_states[0] if len(new_states) == 1 else new_states)

    def reset_dropout_mask(self) -> None:
        for cell in self.cells:
            for name in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
                getattr(cell, name, lambda: None)()

    reset_recurrent_dropout_mask = reset_dropout_mask

    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object

        return {**super().get_config(),
                "cells": [serialize_keras_object(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> StackedRNNCells:
        from ..saving.serialization import deserialize_keras_object

        config = dict(config)
        objects = {**CELL_CLASSES, **(custom_objects or {})}
        cells = [deserialize_keras_object(c, objects) for c in config.pop("cells")]
        return cls(cells, **config)


class RNN(Layer):
    """Run a recurrent cell over the time axis.

    Formula:
        s_0 = initial_state (zeros);  (y_t, s_t) = cell(x_t, s_{t-1})  for t = 1..T
        (t = T..1 with go_backwards); masked step t: s_t = s_{t-1}, y_t = y_{t-1}
        (0 with zero_output_for_mask);  output y_T, or [y_1..y_T] with return_sequences

    Args:
        cell: a cell, or a list of cells (wrapped in StackedRNNCells).
        return_sequences: output every step (batch, T, output_size), in the order processed.
        return_state: also return the final states (nested as the cell's state_size).
        go_backwards: read the input reversed. stateful: carry the final states into the next
            call. unroll: accepted for Keras compatibility (the loop is always unrolled).
        zero_output_for_mask: 0 output at masked steps.

    Shape:
        (batch, T, features) -> (batch, output_size) or (batch, T, output_size).

    Example:
        >>> from neuronet.keras.layers.rnn_cells import LSTMCell
        >>> from neuronet.keras.layers.rnn_layer import RNN
        >>> layer = RNN(LSTMCell(4), return_sequences=True)
        >>> tuple(layer(np.zeros((2, 5, 3), "float32")).shape)
        (2, 5, 4)
    """

    def __init__(self, cell: Any, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs: Any) -> None:
        kwargs.pop("time_major", None)
        super().__init__(**kwargs)
        if isinstance(cell, list | tuple):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: the cell must have a call() method and a state_size "
                             f"attribute, received cell={cell!r}")
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), bool(stateful)
        self.unroll, self.zero_output_for_mask = bool(unroll), bool(zero_output_for_mask)
        self.states: list[np.ndarray] | None = None  # the carried flat states when stateful

    @property
    def state_size(self) -> Any:
        return self.cell.state_size

    def build(self, sequences_shape: tuple, initial_state_shape: Any = None) -> None:
        if len(sequences_shape) < 3:
            raise ValueError(f"RNN {self.name}: expected input of shape (batch, timesteps, "
                             f"...), received input_shape={sequences_shape}")
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build((sequences_shape[0],) + tuple(sequences_shape[2:]))
            self.cell.built = True
        self.built = True

    def get_initial_state(self, batch_size: int) -> list:
        return initial_states(self.cell, batch_size, self.dtype)

    def call(self, sequences: Tensor, initial_state: Any = None, mask: Any = None,
             training: Any = None) -> Any:
        batch, steps = sequences.shape[0], sequences.shape[1]
        structure = self.get_initial_state(batch)
        flat_zero = _flatten(structure)
        if initial_state is not None:
            given = _flatten(list(initial_state) if _is_nested(initial_state)
                             else [initial_state])
            if len(given) != len(flat_zero):
                raise ValueError(f"RNN {self.name}: expected {len(flat_zero)} initial state(s) "
                                 f"for state_size={self.state_size}, received {len(given)}")
            flat = [s if isinstance(s, Tensor) else Tensor._wrap(np.asarray(s, self.dtype))
                    for s in given]
        elif self.stateful and self.states is not None and self.states[0].shape[0] == batch:
            flat = [Tensor._wrap(s) for s in self.states]
        else:
            flat = flat_zero
        states = _pack(structure, list(flat))
        if mask is None:
            mask = getattr(sequences, "_keras_mask", None)
        mask = _mask_array(mask)
        (outputs, final), output = self._loop(sequences, states, mask, training)
        if self.stateful:
            self.states = [s._data.copy() for s in _flatten(final)]
        if self.return_sequences:
            output = stack(outputs, 1) if steps else output
            if mask is not None:
                output._keras_mask = Tensor._wrap(mask[:, ::-1].copy() if self.go_backwards
                                                  else mask)
        return (output, *final) if self.return_state else output

    def _loop(self, sequences: Tensor, states: Any, mask: np.ndarray | None,
              training: Any) -> tuple:
        """((the outputs in processing order, the final states), the last output)."""
        cell, steps = self.cell, sequences.shape[1]
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs: list[Tensor] = []
        previous = None
        for t in order:
            output, new_states = _call_cell(cell, sequences[:, t], states, training)
            new_states = list(new_states) if _is_nested(new_states) else [new_states]
            if mask is not None:  # a masked step carries states and output over
                keep = Tensor._wrap(mask[:, t:t + 1])
                if previous is None:
                    previous = output * 0.0
                flat = [where(keep, n, o) for n, o in zip(_flatten(new_states),
                                                           _flatten(states))]
                new_states = _pack(new_states, flat)
                kept = where(keep, output, previous)
                output = kept * keep.to(kept.dtype) if self.zero_output_for_mask else kept
                previous = kept
            outputs.append(output)
            states = new_states
        for name in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            getattr(cell, name, lambda: None)()
        if not outputs:
            from ... import creation

            last = creation.zeros(sequences.shape[0], 0, _output_size(cell),
                                  dtype=sequences.dtype)
            return ([], states), last
        return (outputs, states), outputs[-1]

    def reset_states(self, states: Any = None) -> None:
        """Forget the carried states of a stateful layer (or set them, flat)."""
        self.states = None if states is None else [np.asarray(s, self.dtype)
                                                   for s in _flatten(list(states))]

    reset_state = reset_states

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            count = len(self.state_size) if _is_nested(self.state_size) else 1
            return [output_mask] + [None] * count
        return output_mask

    def compute_output_shape(self, sequences_shape: tuple, initial_state_shape: Any = None
                             ) -> Any:
        batch, steps = sequences_shape[0], sequences_shape[1]
        size = _output_size(self.cell)
        out = (batch, steps, size) if self.return_sequences else (batch, size)
        if not self.return_state:
            return out
        sizes = self.state_size if _is_nested(self.state_size) else [self.state_size]

        def shapes(s: Any) -> Any:
            return [shapes(i) for i in s] if _is_nested(s) else (batch, s)

        return (out, *[shapes(s) for s in sizes])

    def get_config(self) -> dict:
        from ..saving.serialization import serialize_keras_object

        return {**super().get_config(), "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll,
                "zero_output_for_mask": self.zero_output_for_mask,
                "cell": serialize_keras_object(self.cell)}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> RNN:
        from ..saving.serialization import deserialize_keras_object

        config = dict(config)
        objects = {**CELL_CLASSES, **(custom_objects or {})}
        cell = deserialize_keras_object(config.pop("cell"), objects)
        return cls(cell, **config)


CELL_CLASSES = {"SimpleRNNCell": SimpleRNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell,
                "StackedRNNCells": StackedRNNCells}

__all__ = ["RNN", "StackedRNNCells"]
