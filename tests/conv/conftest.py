"""Fixtures shared by the conv tests."""

from __future__ import annotations

import pytest

from neuronet.ops import conv as conv_ops


@pytest.fixture(params=["auto", "window", "offset"])
def columns(request, monkeypatch):
    """The two im2col builders: as chosen by channel count, every conv through the one copy of
    the window view, every conv through the per-offset copies (with the bias row of ones)."""
    few = {"auto": conv_ops.FEW_CHANNELS, "window": 0, "offset": 1 << 30}[request.param]
    monkeypatch.setattr(conv_ops, "FEW_CHANNELS", few)
    return request.param
