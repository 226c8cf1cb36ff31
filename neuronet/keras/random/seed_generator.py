"""`keras.random.SeedGenerator` and how a `seed` argument picks its random stream.

Keras's random ops are stateless: `seed=42` gives the same values at every call. A
`SeedGenerator` is the stateful alternative: each call that takes it as its seed advances its
state, so successive calls differ, yet two generators made with the same seed give the same
sequence. `seed=None` draws from neuronet's global generator (`neuronet.manual_seed`).

    seed                 stream
    None                 neuronet's global NumPy Generator
    int s                a fresh Generator seeded with the state (s, 0)
    SeedGenerator(s)     a fresh Generator seeded with its state (s, n), n = 0, 1, 2, ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import random as _global_random
from .. import backend
from ..variables import KerasVariable

_MASK = 0xFFFFFFFFFFFFFFFF


class SeedGenerator:
    """A reproducible, advancing source of seeds for the `keras.random` ops.

    Args:
        seed: an int for a reproducible sequence; None draws one from neuronet's global
            generator (so `neuronet.manual_seed` makes it reproducible too).
        name: the generator's name (default 'seed_generator', numbered).

    Example:
        >>> from neuronet import keras
        >>> gen = keras.random.SeedGenerator(42)
        >>> a = keras.random.normal((2,), seed=gen)
        >>> b = keras.random.normal((2,), seed=gen)
        >>> bool((a != b).any())
        True
    """

    def __init__(self, seed: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        kwargs.pop("backend", None)
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments {sorted(kwargs)}")
        self.name = name or backend.unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = int(_global_random.rng().integers(1, 10**9))
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise ValueError(f"SeedGenerator: seed must be an integer, received seed={seed!r}")
        self.state = KerasVariable(np.array([int(seed), 0], np.int64), trainable=False,
                                   name="seed_generator_state")

    def next(self, ordered: bool = True) -> np.ndarray:
        """The current state (seed, counter); the state then advances."""
        current = self.state.value.copy()
        if ordered:
            self.state.assign(current + np.array([0, 1], np.int64))
        else:
            self.state.assign((current + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name}, state={self.state.value.tolist()}>"


def draw_seed(seed: Any) -> np.ndarray | None:
    """The (seed, counter) pair a `seed` argument stands for; None for the global stream."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool):
        return np.array([int(seed), 0], np.int64)
    if seed is None:
        return None
    raise ValueError(f"seed must be an integer, a keras.random.SeedGenerator or None; received "
                     f"seed={seed!r} of type {type(seed).__name__}")


def generator(seed: Any) -> np.random.Generator:
    """The NumPy Generator to draw from for a `seed` argument (module docstring)."""
    state = draw_seed(seed)
    if state is None:
        return _global_random.rng()
    return np.random.default_rng([int(s) & _MASK for s in state])
