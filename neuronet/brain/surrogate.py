"""Surrogate gradients for the spike's step function.

A spiking neuron fires when its membrane potential crosses the threshold:
    spike = H(u),  u = mem - threshold,  H(u) = 1 if u > 0 else 0.
H has derivative 0 almost everywhere, so backpropagation through it learns nothing. A surrogate
keeps H in the forward pass and uses the derivative of a smooth stand-in s(u) in the backward
pass (Neftci, Mostafa & Zenke 2019, "Surrogate gradient learning in spiking neural networks"):

    name            smooth s(u)                          backward dL/du = g * s'(u)
    fast_sigmoid    u / (1 + k |u|)                      g / (1 + k |u|)**2          (k=slope=25)
    atan            arctan(pi/2 * a u) / pi + 1/2        g * a/2 / (1 + (pi/2 a u)**2)  (a=slope=2)
    sigmoid         sigmoid(k u)                         g * k sigmoid(k u) (1 - sigmoid(k u))
    straight_through  u                                  g                           (no slope)

With smooth_forward=True the forward pass returns s(u) instead of H(u): the backward is
unchanged, so finite differences (gradcheck) can then check every gradient around the spike.

Every surrogate is a primitive `Function` (forward on arrays, backward in Tensor ops, so it
can be differentiated again) and is reached by name through `get(identifier, slope)`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..autograd.function import Function
from ..ops.elementwise import sigmoid
from ..tensor import Tensor

__all__ = ["ATanSpike", "FastSigmoidSpike", "SigmoidSpike", "StraightThroughSpike",
           "Surrogate", "get", "heaviside_array", "SURROGATES"]


def heaviside_array(u: np.ndarray) -> np.ndarray:
    """H(u) = 1 where u > 0 else 0, in u's dtype."""
    return np.greater(u, 0).astype(u.dtype)


def _smooth_fast_sigmoid(u: np.ndarray, k: float) -> np.ndarray:
    return u / (1.0 + k * np.abs(u))


def _smooth_atan(u: np.ndarray, a: float) -> np.ndarray:
    return np.arctan(math.pi / 2 * a * u) / math.pi + 0.5


def _smooth_sigmoid(u: np.ndarray, k: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-k * u))


def _smooth_identity(u: np.ndarray, k: float) -> np.ndarray:
    return u.copy()



class FastSigmoidSpike(Function):
    """spike = H(u);  dL/du = g / (1 + k |u|)**2  (Zenke & Ganguli 2018, SuperSpike)

    The smooth stand-in is s(u) = u / (1 + k |u|), whose derivative is the backward above."""

    op_name = "fast_sigmoid_spike"

    def forward(self, u, slope=25.0, smooth=False):
        self.slope = slope
        return _smooth_fast_sigmoid(u, slope) if smooth else heaviside_array(u)

    def backward(self, g):
        u = self.inputs[0]
        d = abs(u) * self.slope + 1.0
        return g / (d * d)


class ATanSpike(Function):
    """spike = H(u);  dL/du = g * (a / 2) / (1 + (pi/2 * a * u)**2)  (Fang et al. 2021)

    The smooth stand-in is s(u) = arctan(pi/2 * a * u) / pi + 1/2."""

    op_name = "atan_spike"

    def forward(self, u, slope=2.0, smooth=False):
        self.slope = slope
        return _smooth_atan(u, slope) if smooth else heaviside_array(u)

    def backward(self, g):
        u = self.inputs[0]
        z = u * (math.pi / 2 * self.slope)
        return g * (self.slope / 2) / (z * z + 1.0)


class SigmoidSpike(Function):
    """spike = H(u);  dL/du = g * k * sigmoid(k u) * (1 - sigmoid(k u))

    The smooth stand-in is s(u) = sigmoid(k u); k is the slope."""

    op_name = "sigmoid_spike"

    def forward(self, u, slope=25.0, smooth=False):
        self.slope = slope
        return _smooth_sigmoid(u, slope) if smooth else heaviside_array(u)

    def backward(self, g):
        s = sigmoid(self.inputs[0] * self.slope)
        return g * (s * (1.0 - s) * self.slope)


class StraightThroughSpike(Function):
    """spike = H(u);  dL/du = g  (the straight-through estimator: the step is treated as the
    identity in the backward pass; Bengio, Leonard & Courville 2013)."""

    op_name = "straight_through_spike"
    uses_input_values = False

    def forward(self, u, slope=1.0, smooth=False):
        return u.copy() if smooth else heaviside_array(u)

    def backward(self, g):
        return g * 1.0


# name -> (primitive, default slope, smooth stand-in s(u) as a NumPy function)
SURROGATES: dict[str, tuple[type[Function], float, Any]] = {
    "fast_sigmoid": (FastSigmoidSpike, 25.0, _smooth_fast_sigmoid),
    "atan": (ATanSpike, 2.0, _smooth_atan),
    "sigmoid": (SigmoidSpike, 25.0, _smooth_sigmoid),
    "straight_through": (StraightThroughSpike, 1.0, _smooth_identity),
}


class Surrogate:
    """A spike function with a surrogate gradient: `Surrogate('atan', slope=2.0)(u)`.

    Args:
        name: one of 'fast_sigmoid', 'atan', 'sigmoid', 'straight_through'.
        slope: the steepness k (a for atan); None takes the name's default (25, 2, 25, 1).
        smooth_forward: return s(u) instead of the spike (for gradient checks only).

    Example:
        >>> import neuronet as nt
        >>> Surrogate("fast_sigmoid")(nt.tensor([-0.5, 0.0, 0.2])).tolist()
        [0.0, 0.0, 1.0]
    """

    def __init__(self, name: str = "atan", slope: float | None = None,
                 smooth_forward: bool = False) -> None:
        if name not in SURROGATES:
            raise ValueError(f"Surrogate: unknown surrogate {name!r}; valid names are "
                             f"{sorted(SURROGATES)}")
        fn, default, smooth = SURROGATES[name]
        slope = default if slope is None else slope
        if isinstance(slope, bool) or not isinstance(slope, int | float) or not slope > 0:
            raise ValueError(f"Surrogate: slope must be a positive number, received "
                             f"slope={slope!r}")
        self.name, self.slope, self.function, self._smooth = name, float(slope), fn, smooth
        self.smooth_forward = bool(smooth_forward)

    def __call__(self, u: Tensor) -> Tensor:
        if not isinstance(u, Tensor):
            raise TypeError(f"{self.function.op_name}: expected a Tensor, received "
                            f"{type(u).__name__}")
        if not u.is_floating_point():
            raise TypeError(f"{self.function.op_name}: expected a floating-point tensor, "
                            f"received dtype {u.dtype}")
        return self.function.apply(u, slope=self.slope, smooth=self.smooth_forward)

    def smooth(self, u: np.ndarray) -> np.ndarray:
        """The smooth stand-in s(u) whose derivative the backward pass uses (for checks)."""
        return self._smooth(np.asarray(u), self.slope)

    def get_config(self) -> dict:
        return {"name": self.name, "slope": self.slope}

    def __repr__(self) -> str:
        return f"Surrogate({self.name!r}, slope={self.slope})"


def get(identifier: Any = None, slope: float | None = None) -> Surrogate:
    """A `Surrogate` from a name, an instance (returned as is) or None ('atan', as snnTorch)."""
    if identifier is None:
        return Surrogate("atan", slope)
    if isinstance(identifier, Surrogate):
        return identifier
    if isinstance(identifier, str):
        return Surrogate(identifier, slope)
    raise ValueError(f"surrogate: expected a name in {sorted(SURROGATES)}, a Surrogate or None, "
                     f"received {identifier!r}")
