"""`neuronet.utils`: helpers outside the autograd core (``neuronet.utils.data``)."""

from . import data  # noqa: F401
