"""Small file helpers private to ``neuronet.datasets``."""

from __future__ import annotations


def is_gzip(data: bytes) -> bool:
    """True when ``data`` starts with the gzip magic bytes 1f 8b."""
    return data[:2] == b"\x1f\x8b"
