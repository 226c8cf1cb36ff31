"""Elementwise maths: y = f(x), dL/dx = dL/dy * f'(x).

    exp     f' = y                 log      f' = 1 / x
    log1p   f' = 1 / (1 + x)       expm1    f' = y + 1
    sqrt    f' = 1 / (2 y)         rsqrt    f' = -y**3 / 2
    abs     f' = sign(x)           sin      f' = cos(x)
    cos     f' = -sin(x)           tanh     f' = 1 - y**2
    sigmoid f' = y (1 - y)         relu     f' = 1 if x > 0 else 0
    erf     f' = 2/sqrt(pi) exp(-x**2)  (erf itself: Cody's rational approximations, vectorised)
    reciprocal  f' = -y**2         clamp    f' = 1 where min <= x <= max, else 0
    clamp with tensor bounds: dL/dmin = g where x < min < max, dL/dmax = g where x > max
    sign, floor, ceil, round, trunc: f' = 0
    maximum(a, b): the gradient goes to the larger input; ties split it in half (as PyTorch).
    where(c, a, b): dL/da = g where c, dL/db = g where not c.
Backward rules are written with Tensor ops, so they can be differentiated again.

The primitives live in one module per concept and are all re-exported here:

    unary        exp, log, log1p, expm1, sqrt, rsqrt, reciprocal, abs, sin, cos,
                 sign, floor, ceil, round, trunc
    activations  tanh, sigmoid, relu (and MaskMul, the mask product of relu's backward)
    special      erf
    selection    clamp, maximum, minimum, where
"""

from __future__ import annotations

from .activations import (  # noqa: F401
    MaskMul,
    Relu,
    Sigmoid,
    Tanh,
    _in_batch_blocks,
    _memory_order,
    relu,
    sigmoid,
    sigmoid_array,
    tanh,
)
from .selection import (  # noqa: F401
    Clamp,
    ClampTensor,
    Maximum,
    Where,
    _clamp_tensor,
    clamp,
    maximum,
    minimum,
    where,
)
from .special import (  # noqa: F401
    _ERF_A,
    _ERF_B,
    _ERF_C,
    _ERF_D,
    _ERF_P,
    _ERF_Q,
    Erf,
    _erf_small,
    _erfc_large,
    erf,
    erf_array,
)
from .unary import (  # noqa: F401
    Abs,
    Cos,
    Exp,
    Expm1,
    Log,
    Log1p,
    Reciprocal,
    Rsqrt,
    Sin,
    Sqrt,
    ZeroGrad,
    abs,
    ceil,
    cos,
    exp,
    expm1,
    floor,
    log,
    log1p,
    reciprocal,
    round,
    rsqrt,
    sign,
    sin,
    sqrt,
    trunc,
)
