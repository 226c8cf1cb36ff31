"""`keras.layers.Layer`: weights (`add_weight`), lazy `build(input_shape)`, `call(inputs,
training=None)`, sublayer tracking, regularization losses and configs.

Calling a layer on arrays/Tensors runs `call` (building first); calling it on symbolic
`KerasTensor`s (from `keras.Input`) records a `Node` for the functional API instead.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from typing import Any

import numpy as np

from ...tensor import Tensor
from .. import backend, constraints, initializers, regularizers
from ..variables import KerasVariable
from .symbolic import KerasTensor, Node, any_symbolic, flatten, map_structure

_STATE = threading.local()


def current_training() -> Any:
    """The `training` flag of the enclosing layer call (None outside one)."""
    return getattr(_STATE, "training", None)


class Layer:
    """Base class of every layer (and of `Model`).

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name; default `snake_case(ClassName)` numbered: 'dense', 'dense_1', ...
        dtype: the dtype of weights (default 'float32').
        input_shape / batch_input_shape / input_dim: the input's shape without (with) the batch
            dimension, as older Keras programs give it to a Sequential model's first layer.
        activity_regularizer: penalty on the layer's outputs, added to `losses`.

    Example:
        >>> from neuronet import keras
        >>> class Scale(keras.layers.Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        ...     def call(self, x):
        ...         return x * self.w
        >>> tuple(Scale()(np.ones((2, 3), "float32")).shape)
        (2, 3)
    """

    # Keras masking: a layer that supports masking gets its input's mask (`_keras_mask`) as
    # call(mask=...) when call takes one, and its outputs carry compute_mask(inputs, mask).
    # None: True exactly when the class defines compute_mask (Keras's default).
    supports_masking: bool | None = None

    def __init__(self, trainable: bool = True, name: str | None = None, dtype: Any = None,
                 activity_regularizer: Any = None, **kwargs: Any) -> None:
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_own_variables", [])
        self.name = name if name is not None else backend.unique_name(
            backend.snake_case(type(self).__name__))
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"{type(self).__name__}: name must be a non-empty string, "
                             f"received name={name!r}")
        self._trainable = bool(trainable)
        self.dtype = str(np.dtype(dtype or backend.floatx()))
        self.built = False
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._call_losses: list[Tensor] = []
        self._inbound_nodes: list[Node] = []
        self._emit_logits = False  # set by fit to fuse a final softmax into the loss
        self._build_input_shape: Any = None  # the first input shape seen (saved for reloading)
        self._batch_input_shape = _input_shape_from_kwargs(type(self).__name__, kwargs)
        kwargs.pop("input_shape", None), kwargs.pop("batch_input_shape", None)
        kwargs.pop("input_dim", None), kwargs.pop("batch_size", None)
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) "
                            f"{sorted(kwargs)}")

    # --- attribute tracking ----------------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        if "_layers" in self.__dict__ and not key.startswith("_"):
            for item in value if isinstance(value, list | tuple) else (value,):
                if isinstance(item, Layer) and item is not self and not any(
                        item is seen for seen in self._layers):
                    self._layers.append(item)
                elif isinstance(item, KerasVariable) and not any(
                        item is seen for seen in self._own_variables):
                    self._own_variables.append(item)
        object.__setattr__(self, key, value)

    # --- weights --------------------------------------------------------------------------
    def add_weight(self, shape: Any = None, initializer: Any = None, dtype: Any = None,
                   trainable: bool = True, regularizer: Any = None, constraint: Any = None,
                   name: str | None = None, **kwargs: Any) -> KerasVariable:
        """Create, track and return a weight.

        Args:
            shape: the weight's shape (default ()).
            initializer: name, Initializer or callable (default 'glorot_uniform' for floats,
                'zeros' otherwise).
            trainable: whether training updates it.
            regularizer: a penalty on it added to `losses`.
            constraint: a callable applied to the weight after each optimizer step.
            name: the weight's name ('kernel', ...).
        """
        shape = backend.standardize_shape(() if shape is None else shape,
                                          f"{self.name}.add_weight")
        dtype = np.dtype(dtype or self.dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.kind == "f" else "zeros"
        init = initializers.get(initializer)
        value = init(shape, dtype) if not callable(init) or isinstance(
            init, initializers.Initializer) else init(shape, dtype)
        name = name or f"variable_{len(self._own_variables)}"
        variable = KerasVariable(np.asarray(value, dtype), trainable=trainable, name=name,
                                  dtype=dtype)
        variable.path = f"{self.name}/{name}"
        variable.regularizer = regularizers.get(regularizer)
        variable.constraint = constraints.get(constraint)
        self._own_variables.append(variable)
        return variable

    @property
    def trainable(self) -> bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self._trainable = bool(value)
        for layer in self._layers:
            layer.trainable = value

    @property
    def weights(self) -> list[KerasVariable]:
        """Own variables (creation order), then the sublayers' (deduplicated)."""
        seen: set[int] = set()
        out = []
        for w in self._own_variables + [w for layer in self._layers for w in layer.weights]:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        return out

    variables = weights

    @property
    def trainable_weights(self) -> list[KerasVariable]:
        if not self.trainable:
            return []
        own = [w for w in self._own_variables if w.trainable]
        subs = [w for layer in self._layers for w in layer.trainable_weights]
        return _dedupe(own + subs)

    trainable_variables = trainable_weights

    @property
    def non_trainable_weights(self) -> list[KerasVariable]:
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    non_trainable_variables = non_trainable_weights

    def parameters(self) -> list[KerasVariable]:
        """The trainable weights, for `neuronet.optim` optimizers (PyTorch's spelling)."""
        return self.trainable_weights

    def get_weights(self) -> list[np.ndarray]:
        return [w._data.copy() for w in self.weights]

    def set_weights(self, weights: list) -> None:
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"{self.name}.set_weights: expected {len(mine)} arrays, received "
                             f"{len(weights)}")
        for variable, value in zip(mine, weights):
            variable.assign(value)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(f"You tried to call count_params on layer '{self.name}', but the "
                             f"layer isn't built. Build it first (call it on data or build()).")
        return int(sum(w._data.size for w in self.weights))

    @property
    def losses(self) -> list[Tensor]:
        """Weight penalties (recomputed now) and activity penalties of the last call."""
        out = [w.regularizer(w) for w in self._own_variables
               if getattr(w, "regularizer", None) is not None]
        out += self._call_losses
        for layer in self._layers:
            out += layer.losses
        return out

    def add_loss(self, loss: Any) -> None:
        self._call_losses.append(loss if isinstance(loss, Tensor) else backend.to_tensor(loss))

    def _clear_call_losses(self) -> None:
        self._call_losses = []
        for layer in self._layers:
            layer._clear_call_losses()

    # --- building and calling -------------------------------------------------------------
    def build(self, input_shape: Any = None) -> None:
        self.built = True

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"Layer {type(self).__name__} does not define call()")

    def _maybe_build(self, shapes: Any) -> None:
        if not self.built:
            self.build(shapes)
            self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not args:
            raise ValueError(f"{self.name}: a layer must be called on at least one input")
        if any_symbolic(args) or any_symbolic(kwargs):
            return self._symbolic_call(args, kwargs)
        inputs = map_structure(_as_tensor, args[0])
        if not self.built:
            shapes = map_structure(lambda t: (None,) + tuple(t.shape)[1:], inputs)
            self._build_input_shape = shapes
            self._maybe_build(map_structure(lambda t: tuple(t.shape), inputs))
        training = kwargs.pop("training", None)
        if training is None:
            training = current_training()
        if _accepts(type(self), "training"):
            kwargs["training"] = training
        mask = _mask_of(inputs)
        if mask is not None and kwargs.get("mask") is None and _takes_mask(type(self)):
            kwargs["mask"] = mask
        if kwargs.get("mask") is not None:
            mask = kwargs["mask"]
        previous = current_training()
        _STATE.training = training
        depth = getattr(_STATE, "depth", 0)
        if depth == 0:  # Keras: the outermost call starts its layers' losses afresh
            self._clear_call_losses()
        _STATE.depth = depth + 1
        try:
            outputs = self.call(inputs, *args[1:], **kwargs)
        finally:
            _STATE.training = previous
            _STATE.depth = depth
        if mask is None and self._masks() and type(self).compute_mask is not Layer.compute_mask:
            # Keras asks a masking layer for its output mask even without an input mask (an
            # Embedding(mask_zero=True), a Lambda(mask=...) start one there)
            _set_masks(outputs, self.compute_mask(inputs, None))
        elif mask is not None:
            if self._masks():
                _set_masks(outputs, self.compute_mask(inputs, mask))
            else:
                warnings.warn(
                    f"Layer '{self.name}' (of type {type(self).__name__}) was passed an input "
                    f"with a mask attached to it. However, this layer does not support "
                    f"masking and will therefore destroy the mask information. Downstream "
                    f"layers will not see the mask.", stacklevel=2)
        if self.activity_regularizer is not None:  # Keras 3: the penalty / the batch size
            for out in flatten(outputs):
                penalty = self.activity_regularizer(out)
                if out.ndim > 0:
                    batch = out.shape[0]
                    penalty = penalty / batch if batch else penalty * 0.0
                self._call_losses.append(penalty)
        return outputs

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """The outputs' mask: by default the input's (for a layer that supports masking)."""
        return previous_mask

    def _masks(self) -> bool:
        if self.supports_masking is not None:
            return bool(self.supports_masking)
        return type(self).compute_mask is not Layer.compute_mask

    def _symbolic_call(self, args: tuple, kwargs: dict) -> Any:
        shapes = map_structure(lambda t: t.shape if isinstance(t, KerasTensor) else t, args[0])
        self._maybe_build(shapes)
        out_shapes = self.compute_output_shape(shapes)
        dtype = self.compute_output_dtype()
        node = Node(self, args, kwargs, None)
        counter = iter(range(1 << 30))

        def make(shape: Any) -> KerasTensor:
            return KerasTensor(shape, dtype, name=self.name, node=node, index=next(counter))

        outputs = make(out_shapes) if _is_shape(out_shapes) else map_structure_shapes(
            make, out_shapes)
        node.outputs = outputs
        node.output_tensors = flatten(outputs)
        self._inbound_nodes.append(node)
        return outputs

    def compute_output_dtype(self) -> str:
        return self.dtype

    def compute_output_shape(self, input_shape: Any) -> Any:
        """Default: run `call` on zeros (unknown dims set to 1) and read the shapes back."""
        def dummy(shape: Any) -> Tensor:
            return Tensor._wrap(np.zeros([1 if d is None else d for d in shape], self.dtype))

        inputs = dummy(input_shape) if _is_shape(input_shape) else map_structure_shapes(
            dummy, input_shape)
        from ...autograd import no_grad

        with no_grad():
            outputs = self.call(inputs)
        self._call_losses = []
        return map_structure(lambda t: (None,) + tuple(t.shape)[1:], outputs)

    # --- symbolic properties (first call) --------------------------------------------------
    @property
    def input(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called on a symbolic input")
        return self._inbound_nodes[0].args[0]

    @property
    def output(self) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} has never been called on a symbolic input")
        return self._inbound_nodes[0].outputs

    @property
    def input_shape(self) -> Any:
        return map_structure(lambda t: t.shape, self.input)

    @property
    def output_shape(self) -> Any:
        return map_structure(lambda t: t.shape, self.output)

    # --- config ---------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _dedupe(items: list) -> list:
    seen: set[int] = set()
    return [w for w in items if not (id(w) in seen or seen.add(id(w)))]


def _as_tensor(value: Any) -> Any:
    if isinstance(value, Tensor) or value is None:
        return value
    return backend.to_tensor(value)


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(d is None or isinstance(d, int | np.integer)
                                                   for d in value)


def map_structure_shapes(fn: Any, structure: Any) -> Any:
    """map_structure where the leaves are shape tuples."""
    if _is_shape(structure):
        return fn(tuple(structure))
    if isinstance(structure, dict):
        return {k: map_structure_shapes(fn, v) for k, v in structure.items()}
    return type(structure)(map_structure_shapes(fn, s) for s in structure) if isinstance(
        structure, tuple) else [map_structure_shapes(fn, s) for s in structure]


_ACCEPTS: dict[tuple, bool] = {}


def _takes_mask(cls: type) -> bool:
    """Whether cls.call names a `mask` argument (Keras passes the input's mask only then)."""
    key = (cls, "mask!")
    if key not in _ACCEPTS:
        _ACCEPTS[key] = "mask" in inspect.signature(cls.call).parameters
    return _ACCEPTS[key]


def _mask_of(inputs: Any) -> Any:
    """The Keras mask riding on the inputs: one tensor's, a list for a list of tensors (None
    where a tensor has none), or None when there is none at all."""
    if isinstance(inputs, Tensor):
        return getattr(inputs, "_keras_mask", None)
    if isinstance(inputs, list | tuple):
        masks = [getattr(t, "_keras_mask", None) for t in inputs]
        return masks if any(m is not None for m in masks) else None
    return None


def _set_masks(outputs: Any, masks: Any) -> None:
    """Attach masks to the outputs that have none (Keras zips the flat outputs and masks)."""
    if masks is None:
        return
    outs = [o for o in flatten(outputs) if isinstance(o, Tensor)]
    if all(getattr(o, "_keras_mask", None) is not None for o in outs):
        return
    masks = list(masks) if isinstance(masks, list | tuple) else [masks]
    for out, m in zip(outs, masks):
        if m is not None and getattr(out, "_keras_mask", None) is None:
            out._keras_mask = m if isinstance(m, Tensor) else Tensor._wrap(np.asarray(m, bool))


def _accepts(cls: type, argument: str) -> bool:
    key = (cls, argument)
    if key not in _ACCEPTS:
        params = inspect.signature(cls.call).parameters
        _ACCEPTS[key] = argument in params or any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    return _ACCEPTS[key]


def _input_shape_from_kwargs(owner: str, kwargs: dict) -> tuple | None:
    """batch_input_shape from input_shape=/batch_input_shape=/input_dim= (or None)."""
    if kwargs.get("batch_input_shape") is not None:
        return backend.standardize_shape(kwargs["batch_input_shape"], owner)
    if kwargs.get("input_shape") is not None:
        shape = backend.standardize_shape(kwargs["input_shape"], owner)
        return (kwargs.get("batch_size"),) + shape
    if kwargs.get("input_dim") is not None:
        return (kwargs.get("batch_size"), int(kwargs["input_dim"]))
    return None
