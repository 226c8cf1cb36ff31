"""Weight initializers under Keras's names and defaults (`keras.initializers`).

Formulas (fan_in, fan_out from the shape: (in, out) for kernels; receptive field times
channels for convolution kernels):
    RandomNormal      N(mean, stddev), stddev=0.05     RandomUniform  U(minval, maxval), +-0.05
    TruncatedNormal   N(mean, stddev) redrawn outside 2 stddev
    VarianceScaling   n = fan_in | fan_out | (fan_in + fan_out) / 2 (mode)
                      truncated_normal: stddev = sqrt(scale / n) / .87962566103423978
                      untruncated_normal: stddev = sqrt(scale / n)
                      uniform: U(-limit, limit), limit = sqrt(3 scale / n)
    GlorotUniform/GlorotNormal  scale 1, fan_avg (Glorot & Bengio, 2010)
    HeNormal/HeUniform          scale 2, fan_in (He et al., 2015)
    LecunNormal/LecunUniform    scale 1, fan_in
    Orthogonal        Q of the QR decomposition of a normal matrix, times gain
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import random as _random
from ._registry import check_callable, lookup


def compute_fans(shape: tuple) -> tuple[float, float]:
    """(fan_in, fan_out) as Keras computes them."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if len(shape) == 2:
        return float(shape[0]), float(shape[1])
    receptive = float(np.prod(shape[:-2]))
    return shape[-2] * receptive, shape[-1] * receptive


class Initializer:
    """Base class: `initializer(shape, dtype)` returns a NumPy array."""

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        return cls(**config)


def _dtype(dtype: Any) -> np.dtype:
    from .backend import floatx

    return np.dtype(dtype or floatx())


class _Seeded(Initializer):
    def __init__(self, seed: int | None = None) -> None:
        if seed is not None and not isinstance(seed, int):
            raise ValueError(f"{type(self).__name__}: seed must be an integer or None, received "
                             f"seed={seed!r}")
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        return _random.rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self) -> dict:
        return {"seed": self.seed}


class Zeros(Initializer):
    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        return np.zeros(shape, _dtype(dtype))


class Ones(Initializer):
    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        return np.ones(shape, _dtype(dtype))


class Constant(Initializer):
    def __init__(self, value: float = 0.0) -> None:
        self.value = value

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        return np.full(shape, self.value, _dtype(dtype))

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomNormal(_Seeded):
    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> None:
        super().__init__(seed)
        self.mean, self.stddev = mean, stddev

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        return self._rng().normal(self.mean, self.stddev, shape).astype(_dtype(dtype))

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(_Seeded):
    def __init__(self, minval: float = -0.05, maxval: float = 0.05,
                 seed: int | None = None) -> None:
        super().__init__(seed)
        self.minval, self.maxval = minval, maxval

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        return self._rng().uniform(self.minval, self.maxval, shape).astype(_dtype(dtype))

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(rng: np.random.Generator, mean: float, stddev: float,
                      shape: tuple) -> np.ndarray:
    """N(0, 1) values redrawn until all lie within 2 standard deviations, then scaled."""
    values = rng.standard_normal(shape)
    bad = np.abs(values) > 2.0
    while bad.any():
        values[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(values) > 2.0
    return mean + stddev * values


class TruncatedNormal(RandomNormal):
    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        return _truncated_normal(self._rng(), self.mean, self.stddev, shape).astype(_dtype(dtype))


class VarianceScaling(_Seeded):
    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal", seed: int | None = None) -> None:
        super().__init__(seed)
        if scale <= 0.0:
            raise ValueError(f"VarianceScaling: scale must be positive, received scale={scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"VarianceScaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                             f"received mode={mode!r}")
        if distribution not in ("truncated_normal", "untruncated_normal", "uniform", "normal"):
            raise ValueError(f"VarianceScaling: distribution must be 'truncated_normal', "
                             f"'untruncated_normal' or 'uniform', received "
                             f"distribution={distribution!r}")
        self.scale, self.mode = scale, mode
        self.distribution = "truncated_normal" if distribution == "normal" else distribution

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        variance = self.scale / max(1.0, n)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = _truncated_normal(rng, 0.0, math.sqrt(variance) / 0.87962566103423978, shape)
        elif self.distribution == "untruncated_normal":
            values = rng.normal(0.0, math.sqrt(variance), shape)
        else:
            limit = math.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, shape)
        return values.astype(_dtype(dtype))

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


def _fixed(scale: float, mode: str, distribution: str) -> type:
    class _Fixed(VarianceScaling):
        def __init__(self, seed: int | None = None) -> None:
            super().__init__(scale, mode, distribution, seed)

        def get_config(self) -> dict:
            return {"seed": self.seed}

    return _Fixed


class GlorotUniform(_fixed(1.0, "fan_avg", "uniform")):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""


class GlorotNormal(_fixed(1.0, "fan_avg", "truncated_normal")):
    """Truncated N(0, stddev), stddev = sqrt(2 / (fan_in + fan_out))."""


class HeNormal(_fixed(2.0, "fan_in", "truncated_normal")):
    """Truncated N(0, stddev), stddev = sqrt(2 / fan_in)."""


class HeUniform(_fixed(2.0, "fan_in", "uniform")):
    """U(-limit, limit), limit = sqrt(6 / fan_in)."""


class LecunNormal(_fixed(1.0, "fan_in", "truncated_normal")):
    """Truncated N(0, stddev), stddev = sqrt(1 / fan_in)."""


class LecunUniform(_fixed(1.0, "fan_in", "uniform")):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""


class Orthogonal(_Seeded):
    def __init__(self, gain: float = 1.0, seed: int | None = None) -> None:
        super().__init__(seed)
        self.gain = gain

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: the shape must have at least 2 dimensions, received "
                             f"shape={tuple(shape)}")
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # make the decomposition unique
        if rows < cols:
            q = q.T
        return (self.gain * q[:rows, :cols]).reshape(shape).astype(_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: tuple, dtype: Any = None) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError(f"Identity: the shape must be 2-D, received shape={tuple(shape)}")
        return (self.gain * np.eye(*shape)).astype(_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


ALL_INITIALIZERS: dict[str, type] = {
    "zeros": Zeros, "ones": Ones, "constant": Constant, "random_normal": RandomNormal,
    "random_uniform": RandomUniform, "truncated_normal": TruncatedNormal,
    "variance_scaling": VarianceScaling, "glorot_uniform": GlorotUniform,
    "glorot_normal": GlorotNormal, "he_normal": HeNormal, "he_uniform": HeUniform,
    "lecun_normal": LecunNormal, "lecun_uniform": LecunUniform, "orthogonal": Orthogonal,
    "identity": Identity,
}
ALL_INITIALIZERS.update({cls.__name__: cls for cls in list(ALL_INITIALIZERS.values())})


def get(identifier: Any) -> Any:
    """An initializer from a name ('glorot_uniform' or 'GlorotUniform'), an instance, a
    class, a config dict or a callable `(shape, dtype) -> array`; None gives None."""
    if identifier is None or isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return lookup("initializer", identifier, ALL_INITIALIZERS)()
    if isinstance(identifier, dict):
        from .saving.serialization import deserialize_keras_object

        return deserialize_keras_object(identifier)
    if isinstance(identifier, type):
        return identifier()
    return check_callable("initializer", identifier)


def serialize(initializer: Any) -> Any:
    from .saving.serialization import serialize_keras_object

    return serialize_keras_object(initializer)
