"""The random number source: one NumPy Generator, seeded by `manual_seed`."""

from __future__ import annotations

from typing import Any

import numpy as np

_seed = 0
_global = np.random.default_rng(_seed)


class Generator:
    """A separate random stream, like `torch.Generator` (`manual_seed`, `seed`)."""

    def __init__(self, device: Any = "cpu") -> None:
        self.rng = np.random.default_rng()
        self._initial = None

    def manual_seed(self, seed: int) -> Generator:
        self._initial = int(seed)
        self.rng = np.random.default_rng(int(seed))
        return self

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy % (2**63))
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int | None:
        return self._initial

    def get_state(self) -> dict:
        return self.rng.bit_generator.state

    def set_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state


def manual_seed(seed: int) -> Generator:
    """Seed the global random source (weights init, dropout, shuffling, rand/randn)."""
    global _global, _seed
    _seed = int(seed)
    _global = np.random.default_rng(_seed)
    gen = Generator()
    gen.rng = _global
    gen._initial = _seed
    return gen


def seed() -> int:
    s = int(np.random.SeedSequence().entropy % (2**63))
    manual_seed(s)
    return s


def initial_seed() -> int:
    return _seed


def rng(generator: Any = None) -> np.random.Generator:
    """The NumPy Generator to draw from: the given one's, or the global one."""
    if generator is None:
        return _global
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(f"expected a neuronet.Generator, got {type(generator).__name__}")


def get_rng_state() -> dict:
    return _global.bit_generator.state


def set_rng_state(state: dict) -> None:
    _global.bit_generator.state = state
