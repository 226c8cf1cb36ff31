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

from . import _symbolic, core, nn, numpy


def _symbolic_ops() -> None:
    """Every op (in its module and here) also takes symbolic KerasTensors: it then adds an
    OpLayer node to the functional model being built (see _symbolic.py); KerasTensors get
    their arithmetic operators. shape, dtype and the conversions answer directly."""
    direct = {"shape": lambda x: tuple(x.shape), "dtype": lambda x: x.dtype,
              "is_tensor": lambda x: True}
    for module in (core, nn, numpy):
        for name in module.__all__:
            fn = getattr(module, name)
            if name in direct:
                setattr(module, name, _symbolic_answer(fn, direct[name]))
            elif name not in ("convert_to_numpy", "cond"):
                setattr(module, name, _symbolic.symbolic_aware(name, fn))
    _symbolic.install_operators()


def _symbolic_answer(fn, answer):
    import functools

    @functools.wraps(fn)
    def wrapper(x, *args, **kwargs):
        if isinstance(x, _symbolic.KerasTensor):
            return answer(x)
        return fn(x, *args, **kwargs)

    return wrapper


_symbolic_ops()

from .core import *  # noqa: E402, F403
from .nn import *  # noqa: E402, F403
from .numpy import *  # noqa: E402, F403

__all__ = list(dict.fromkeys(["core", "nn", "numpy", *core.__all__, *nn.__all__,
                              *numpy.__all__]))
