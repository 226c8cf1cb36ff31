"""`neuronet.nn`: layers, losses, initialisation and the functional API."""

from . import functional  # noqa: F401
