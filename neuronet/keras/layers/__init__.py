"""`keras.layers`: the layer classes under Keras's names."""

from .core import Activation, Dense, Dropout, Embedding, Lambda, Rescaling
from .graph import GCNConv, GraphSageConv
from .input_layer import Input, InputLayer
from .layer import Layer
from .merging import Add, Concatenate, Multiply, add, concatenate, multiply
from .normalization import BatchNormalization, LayerNormalization
from .reshaping import Flatten, Permute, RepeatVector, Reshape

__all__ = [
    "Activation", "Add", "BatchNormalization", "Concatenate", "Dense", "Dropout", "Embedding",
    "Flatten", "Input", "InputLayer", "Lambda", "Layer", "LayerNormalization", "Multiply",
    "Permute", "Rescaling", "RepeatVector", "Reshape", "add", "concatenate", "multiply",
    "GCNConv", "GraphSageConv",
]
