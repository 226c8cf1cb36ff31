"""Activation modules; each calls the function of the same name in `nn.functional`, where the
formulas live (y = max(x, 0) for ReLU, y = x * sigmoid(x) for SiLU, ...)."""

from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from .. import functional as F
from .module import Module


class _Inplace(Module):
    """An activation with only an `inplace` flag."""

    _fn: Any = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """y = max(x, 0)"""

    _fn = staticmethod(F.relu)


class ReLU6(_Inplace):
    """y = min(max(x, 0), 6)"""

    _fn = staticmethod(F.relu6)


class SELU(_Inplace):
    """y = scale * (x if x > 0 else alpha * (exp(x) - 1))"""

    _fn = staticmethod(F.selu)


class SiLU(_Inplace):
    """y = x * sigmoid(x)"""

    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    """y = x * tanh(softplus(x))"""

    _fn = staticmethod(F.mish)


class Hardsigmoid(_Inplace):
    """y = clamp(x / 6 + 1 / 2, 0, 1)"""

    _fn = staticmethod(F.hardsigmoid)


class Hardswish(_Inplace):
    """y = x * hardsigmoid(x)"""

    _fn = staticmethod(F.hardswish)


class _NoArgs(Module):
    _fn: Any = None

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input)


class Sigmoid(_NoArgs):
    """y = 1 / (1 + exp(-x))"""

    _fn = staticmethod(F.sigmoid)


class Tanh(_NoArgs):
    """y = tanh(x)"""

    _fn = staticmethod(F.tanh)


class LogSigmoid(_NoArgs):
    """y = log(sigmoid(x)) = -softplus(-x)"""

    _fn = staticmethod(F.logsigmoid)


class Softsign(_NoArgs):
    """y = x / (1 + |x|)"""

    _fn = staticmethod(F.softsign)


class Tanhshrink(_NoArgs):
    """y = x - tanh(x)"""

    _fn = staticmethod(F.tanhshrink)


class LeakyReLU(Module):
    """y = x if x > 0 else negative_slope * x"""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """y = x if x > 0 else alpha * (exp(x) - 1)"""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class CELU(ELU):
    """y = x if x > 0 else alpha * (exp(x / alpha) - 1)"""

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.celu(input, self.alpha, self.inplace)


class GELU(Module):
    """y = x * Phi(x) (approximate='tanh': 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x**3))))"""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """y = log(1 + exp(beta x)) / beta, and y = x where beta x > threshold"""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """y = clamp(x, min_val, max_val)"""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0,
                 inplace: bool = False) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val ({min_val}) cannot be greater than max_val "
                             f"({max_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (
            ", inplace=True" if self.inplace else "")


class _DimSoftmax(Module):
    _fn: Any = None

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return type(self)._fn(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_DimSoftmax):
    """y_i = exp(x_i) / sum_j exp(x_j) along dim"""

    _fn = staticmethod(F.softmax)


class LogSoftmax(_DimSoftmax):
    """y_i = x_i - log(sum_j exp(x_j)) along dim"""

    _fn = staticmethod(F.log_softmax)


class Softmin(_DimSoftmax):
    """y = softmax(-x) along dim"""

    _fn = staticmethod(F.softmin)
