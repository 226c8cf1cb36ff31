"""Optimizers with PyTorch's names, defaults, update formulas and state layout.

`Optimizer` is the base class; each family lives in its own file. Learning-rate schedules are
in `neuronet.optim.lr_scheduler`.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer, required
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer", "required", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW",
    "Adamax", "NAdam", "RAdam", "lr_scheduler",
]
