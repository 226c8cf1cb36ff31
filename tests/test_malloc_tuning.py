"""neuronet's glibc malloc settings (neuronet/_malloc.py): applied at import, observable as
large arrays served from the heap instead of fresh mmaps, and left alone on request."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys

import pytest

CHECK = """
import ctypes, numpy as np
import neuronet
from neuronet import _malloc

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
before = libc.mallinfo2().hblkhd
a = np.ones(4 << 20, np.uint8)  # 4 MB: above glibc's default mmap threshold
mapped = libc.mallinfo2().hblkhd - before
print(_malloc.tuned, mapped >= 4 << 20)
"""


def _glibc_with_mallinfo2() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None)
        return hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallinfo2")
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _glibc_with_mallinfo2(),
                                reason="glibc >= 2.33 (mallopt, mallinfo2) only")


def _run(**env: str) -> tuple[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("MALLOC_") and k != "NEURONET_MALLOC_TUNING"}
    out = subprocess.run([sys.executable, "-c", CHECK], env={**clean, **env},
                         capture_output=True, text=True, check=True).stdout.split()
    return out[0], out[1]


def test_large_arrays_come_from_the_heap_after_import() -> None:
    assert _run() == ("True", "False")


def test_opt_out_keeps_glibc_defaults() -> None:
    assert _run(NEURONET_MALLOC_TUNING="0") == ("False", "True")


def test_users_own_malloc_settings_win() -> None:
    tuned, _ = _run(MALLOC_TRIM_THRESHOLD_=str(1 << 20))
    assert tuned == "False"
