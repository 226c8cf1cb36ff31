"""The weight arguments Keras layers share. A layer with a weight `kernel` takes
`kernel_initializer`, `kernel_regularizer` and `kernel_constraint` (likewise bias, gamma,
recurrent_kernel, ...); each is resolved by its registry when the layer is made
(`initializers.get`, `regularizers.get`, `constraints.get`), used when the weight is built,
and serialized back by the same registry in `get_config`.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from .. import constraints, initializers, regularizers

KERNEL_BIAS_OPTIONS = ("kernel_initializer", "bias_initializer", "kernel_regularizer",
                       "bias_regularizer", "kernel_constraint", "bias_constraint")
_REGISTRIES = {"initializer": initializers, "regularizer": regularizers,
               "constraint": constraints}


def _registry(name: str) -> ModuleType:
    """The registry of an option named `<weight>_initializer|_regularizer|_constraint`."""
    return _REGISTRIES[name.rsplit("_", 1)[-1]]


def resolve_weight_options(**options: Any) -> dict[str, Any]:
    """{name: the option resolved by its registry}, e.g. kernel_initializer='he_normal' ->
    an HeNormal instance; an unknown name raises the registry's error."""
    return {name: _registry(name).get(value) for name, value in options.items()}


def set_weight_options(layer: Any, **options: Any) -> None:
    """layer.<name> = the option resolved by its registry, for each option given."""
    for name, value in resolve_weight_options(**options).items():
        setattr(layer, name, value)


def serialize_weight_options(options: dict[str, Any]) -> dict[str, Any]:
    """{name: the option serialized by its registry} (what get_config reports)."""
    return {name: _registry(name).serialize(value) for name, value in options.items()}


def weight_options_config(layer: Any, *names: str, **renamed: str) -> dict[str, Any]:
    """The serialized options layer.<name> for each name, and under `key` the option
    layer.<attribute> for each key=attribute (a config key that differs from the attribute,
    as DepthwiseConv2D's depthwise_initializer, kept in kernel_initializer)."""
    attributes = {name: name for name in names} | renamed
    return serialize_weight_options({key: getattr(layer, attribute)
                                     for key, attribute in attributes.items()})


def add_weight_with_options(layer: Any, name: str, shape: tuple,
                            options: str | None = None, **kwargs: Any) -> Any:
    """layer.add_weight(shape, name=name) with the layer's `<options>_initializer`,
    `<options>_regularizer` and `<options>_constraint` (options defaults to the weight's
    name; an option the layer does not have is left to add_weight's default)."""
    prefix = name if options is None else options
    for kind in _REGISTRIES:
        if hasattr(layer, f"{prefix}_{kind}"):
            kwargs.setdefault(kind, getattr(layer, f"{prefix}_{kind}"))
    return layer.add_weight(shape=shape, name=name, **kwargs)
