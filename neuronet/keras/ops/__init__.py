"""`keras.ops`: Keras 3's backend-agnostic ops on neuronet Tensors.

Custom layers, losses and metrics written with `keras.ops.*` run on neuronet's autograd
engine: every op accepts Tensors (layer weights included), NumPy arrays and Python scalars,
returns a neuronet Tensor, and is differentiable where Keras's is. Names, arguments, defaults
and output dtypes follow Keras 3 with its torch backend (float32 by default; ints stay ints
where Keras keeps them).

    keras.ops.numpy   NumPy-like maths, reductions, shapes, creation (also top level)
    keras.ops.nn      activations, losses, normalization, conv/pool, attention (also top level)
    keras.ops.core    conversion, cast, shape/dtype, cond, slice/scatter updates (top level)

Example:
    >>> from neuronet import keras
    >>> x = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
    >>> keras.ops.mean(keras.ops.softmax(x), axis=0).shape
    neuronet.Size([2])
"""

from . import core, nn, numpy
from .core import *  # noqa: F403
from .nn import *  # noqa: F403
from .numpy import *  # noqa: F403

__all__ = list(dict.fromkeys(["core", "nn", "numpy", *core.__all__, *nn.__all__,
                              *numpy.__all__]))
