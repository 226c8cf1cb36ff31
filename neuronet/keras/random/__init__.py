"""`keras.random`: Keras 3's random ops on neuronet Tensors (see `distributions` for the
sampling rules and `seed_generator` for the meaning of `seed`)."""

from .distributions import (
    beta,
    binomial,
    categorical,
    dropout,
    gamma,
    normal,
    randint,
    shuffle,
    truncated_normal,
    uniform,
)
from .seed_generator import SeedGenerator

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]
