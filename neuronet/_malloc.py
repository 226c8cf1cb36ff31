"""Keep freed memory in the process for the next training step (glibc only).

A training step allocates and frees the same large arrays every time (activations, their
gradients, im2col blocks). glibc's malloc serves blocks above its mmap threshold with a fresh
mmap and returns them with munmap, and trims the top of the heap once more than twice that
threshold lies free there; the threshold starts at 128 KB and only rises (up to 32 MB) when
the process frees a block that large. Until then, each step the kernel zero-fills every page
of those arrays again at first touch (a page fault per 4 KB) and unmaps them at the end,
interrupting the other cores' threads. Measured on 2 cores (CNN step conv32-pool-conv64-pool-
fc128-fc10, batch 128, in a process that had not freed a large block yet): 47-53 ms with
glibc's start values, 36-38 ms with these settings (a process that loaded Fashion-MNIST first
had already moved glibc to about the same values: 37-38 ms either way).

At import, neuronet therefore sets glibc's mmap threshold to MMAP_THRESHOLD and its trim
threshold to TRIM_THRESHOLD (mallopt(3)): the values glibc itself moves to after freeing a
32 MB block. Blocks up to 32 MB then come from the heap, and up to 64 MB of free heap top
stays in the process (the memory a process holds on to beyond what it uses); the memory of a
larger freed block still goes back to the system.

Not done when NEURONET_MALLOC_TUNING=0, when the user set any of glibc's own MALLOC_*
variables for these settings (theirs win), or off glibc (macOS, Windows, musl).
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed mmap threshold on 64-bit systems
TRIM_THRESHOLD = 64 << 20
_USER_VARIABLES = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")

tuned = False  # whether tune_malloc changed the settings in this process


def tune_malloc() -> bool:
    """Apply the settings above once; True when glibc accepted them."""
    global tuned
    if tuned:
        return True
    if os.environ.get("NEURONET_MALLOC_TUNING", "1").strip().lower() in ("0", "false", "no"):
        return False
    if not sys.platform.startswith("linux") or any(v in os.environ for v in _USER_VARIABLES):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018  (glibc only: musl has mallopt as a no-op)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    tuned = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return tuned
