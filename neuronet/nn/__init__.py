"""`neuronet.nn`: layers, losses, initialisation and the functional API."""

from . import functional, init, utils  # noqa: F401
from .modules import *  # noqa: F403
from .modules import Module  # noqa: F401
from .parameter import Buffer, Parameter  # noqa: F401

# isort: split
from . import graph  # noqa: E402, F401  (after modules: graph layers build on them)

# isort: split
from . import parallel  # noqa: E402, F401  (DistributedDataParallel, SyncBatchNorm)
from .parallel import SyncBatchNorm  # noqa: E402, F401
