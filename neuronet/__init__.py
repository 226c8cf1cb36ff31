"""neuronet: a deep-learning framework on NumPy.

A PyTorch-compatible core (`import neuronet as torch`) and a Keras-compatible API
(`from neuronet import keras`) on one autodiff engine, with every formula next to its code.
"""

from ._malloc import tune_malloc

tune_malloc()  # freed arrays stay in the process for the next step (see neuronet/_malloc.py)

from . import (  # noqa: E402  (torch.nn.Linear, torch.optim.Adam, ...)
    autograd,  # noqa: F401
    nn,
    optim,
    utils,
)
from . import random as _random_module
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from .device import accelerator, backends, cuda, device
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from .functions import *  # noqa: F403
from .functions import abs, all, any, max, min, pow, round, sum  # noqa: F401
from .random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save  # noqa: E402
from .tensor import Size, Tensor

__version__ = "0.1.0"

FloatTensor = DoubleTensor = LongTensor = Tensor
del _random_module
