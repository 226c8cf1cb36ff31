"""Learning-rate schedulers with PyTorch's names, defaults, stepping protocol and values.

Use: `scheduler = StepLR(optimizer, step_size=30)`; call `scheduler.step()` after
`optimizer.step()` each epoch (per batch for OneCycleLR and CyclicLR), and
`ReduceLROnPlateau.step(val_loss)` with the monitored metric.
"""

from .base import LRScheduler, _LRScheduler
from .composite import ChainedScheduler, SequentialLR
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts, OneCycleLR
from .cyclic import CyclicLR
from .multiplicative import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .plateau import ReduceLROnPlateau

__all__ = [
    "LRScheduler", "_LRScheduler", "LambdaLR", "MultiplicativeLR", "StepLR", "MultiStepLR",
    "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "OneCycleLR", "CyclicLR", "SequentialLR", "ChainedScheduler",
    "ReduceLROnPlateau",
]
