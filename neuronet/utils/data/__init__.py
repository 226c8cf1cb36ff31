"""`neuronet.utils.data`: datasets, samplers and the ``DataLoader`` (PyTorch's API).

Example:
    >>> import neuronet
    >>> from neuronet.utils.data import DataLoader, TensorDataset
    >>> x, y = neuronet.randn(100, 3), neuronet.randint(0, 2, (100,))
    >>> loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    >>> [tuple(xb.shape) for xb, yb in loader][-1]
    (4, 3)
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader
from .dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = [
    "BatchSampler",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "DistributedSampler",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "default_collate",
    "default_convert",
    "random_split",
]
