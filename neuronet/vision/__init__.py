"""`neuronet.vision`: torchvision's datasets and transforms for neuronet.

``import neuronet.vision as torchvision`` lets torchvision-style code run unchanged:
``torchvision.datasets.FashionMNIST(...)``, ``torchvision.transforms.ToTensor()``.
"""

from . import datasets, transforms

__all__ = ["datasets", "transforms"]
