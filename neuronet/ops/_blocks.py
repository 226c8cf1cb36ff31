"""Batch blocks for the array kernels of conv, pooling, ReLU and attention: the batch is cut
into blocks of about WORKSPACE_BYTES of workspace, so that each block's copies and GEMM run in
cache, and the blocks are spread over as many threads as BLAS may use, BLAS itself running one
thread each.

OpenBLAS's worker threads spin for about 0.1 s after each multi-threaded call (its
thread_timeout) before they sleep. Inside a training step some BLAS call (a Linear layer's
GEMM) always ran within that window, so a spinning worker held one of the cores that the block
threads needed: measured on 2 cores, a CNN step took 74 ms that way, 56 ms with the blocks run
in turn on one thread, and 46 ms with the idle workers stopped first (`_stop_idle_workers`;
OpenBLAS starts them again on its next multi-threaded call, as it does after a fork).
NOTE: stopping them assumes no other Python thread is inside a multi-threaded BLAS call at
that moment (the usual single training loop).

The block threads are kept between calls (starting a thread per call cost ~0.1 ms, and a CNN
step makes 16 calls), and where OpenBLAS has a per-thread thread count
(openblas_set_num_threads_local, 0.3.27+) BLAS is held to one thread in the block threads
only, not process-wide: setting the global count back up restarted OpenBLAS's workers on
every call (run_blocks' fixed cost measured 181 us per call with a thread per call and the
global count, ~30 us with kept threads and the per-thread count).
"""

from __future__ import annotations

import ctypes
import itertools
import os
import queue
import threading
from collections.abc import Callable
from typing import Any

WORKSPACE_BYTES = 2 << 20  # per block: a column block this size stays in cache from copy to GEMM
SMALL_BYTES = 512 << 10  # less work than this runs as one block on the calling thread
_blas_libraries: list | None = None  # threadpoolctl controllers of the BLAS, found on first use
_threads_in_use = threading.Lock()  # held while run_blocks has BLAS down to one thread
_workers: list[queue.SimpleQueue] = []  # the job queues of the kept block threads
_setters: Any = "unknown"  # _local_setters' answer, found on first use


def _blas() -> list:
    global _blas_libraries
    if _blas_libraries is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas_libraries = ThreadpoolController().select(user_api="blas").lib_controllers
        except Exception:  # not installed (it is optional) or unusable: no thread control
            _blas_libraries = []
    return _blas_libraries


def _stop_idle_workers(lib: Any) -> None:
    """Stop OpenBLAS's (pthreads) worker threads, which would otherwise spin on a core for
    about 0.1 s after the last multi-threaded call; OpenBLAS starts them again when next needed
    (its fork handler does the same). Other BLAS libraries are left alone."""
    if getattr(lib, "internal_api", "") != "openblas" or \
            getattr(lib, "threading_layer", "") != "pthreads":
        return
    shutdown = getattr(lib.dynlib, "blas_thread_shutdown_", None)
    if shutdown is not None:
        shutdown()


def _local_setters() -> list | None:
    """OpenBLAS's per-thread thread count setters (openblas_set_num_threads_local), one per
    BLAS library, or None when some library has none (then the global count is used)."""
    global _setters
    if _setters == "unknown":
        found: list | None = []
        for lib in _blas():
            f = getattr(lib.dynlib, "openblas_set_num_threads_local", None) \
                if getattr(lib, "internal_api", "") == "openblas" else None
            if f is None:
                found = None
                break
            f.argtypes, f.restype = (ctypes.c_int,), ctypes.c_int
            found.append(f)
        _setters = found
    return _setters


def _serve(jobs: queue.SimpleQueue) -> None:
    """A kept block thread: BLAS runs one thread here for good; runs each job it is given."""
    for set_local in _local_setters() or ():
        set_local(1)
    while True:
        job, done = jobs.get()
        try:
            job()
        finally:
            done.put(None)


def _block_workers(count: int) -> list[queue.SimpleQueue]:
    """The job queues of `count` kept block threads, started on first need."""
    while len(_workers) < count:
        jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=_serve, args=(jobs,), daemon=True,
                         name=f"neuronet-blocks-{len(_workers)}").start()
        _workers.append(jobs)
    return _workers[:count]


if hasattr(os, "register_at_fork"):  # a forked child has none of the parent's threads
    os.register_at_fork(after_in_child=_workers.clear)


def block_threads() -> int:
    """Threads to spread batch blocks over: the BLAS thread limit (OPENBLAS_NUM_THREADS,
    threadpool_limits), or 0 when threadpoolctl cannot read and set it."""
    libs = _blas()
    return max(lib.num_threads for lib in libs) if libs else 0


def run_blocks(work: Callable[[int, int], Any], n: int, item_bytes: int,
               workspace: int | None = None) -> list:
    """[work(start, stop) for each block of the batch range(n)], blocks of about `workspace`
    bytes (default WORKSPACE_BYTES; item_bytes per item) so each block's copies and GEMM run
    in cache. With T > 1 BLAS threads, T threads take blocks while BLAS runs one thread each: the
    copies run in parallel too, and there are no BLAS thread barriers inside each small GEMM
    (those stall badly on a busy machine). Without thread control, one block."""
    threads = block_threads()
    if n * item_bytes < SMALL_BYTES:  # small work: threads would cost more than they win
        threads = min(threads, 1)
    budget = WORKSPACE_BYTES if workspace is None else workspace
    size = max(1, n if threads == 0 else min(n, budget // max(item_bytes, 1)))
    if threads > 1 and n >= threads:
        # a multiple of `threads` blocks of near-equal size: 49 + 49 + 30 on two threads
        # left one thread 79 items against 49 (a CNN step's conv blocks; now 4 x 32)
        count = -(-n // size)
        count = min(n, -(-count // threads) * threads)
        size = -(-n // count)
    bounds = [(s, min(s + size, n)) for s in range(0, n, size)]
    # NOTE: one caller at a time lowers the BLAS thread limit; a concurrent one (another user
    # thread) runs its blocks in turn, so the limit it would restore is never a lowered one
    if threads <= 1 or len(bounds) == 1 or not _threads_in_use.acquire(blocking=False):
        return [work(s, e) for s, e in bounds]
    results: list = [None] * len(bounds)
    errors: list = []  # the first one is re-raised here; any one stops the other threads
    counter = itertools.count()  # next() on it is atomic: each block is handed out once

    def loop() -> None:
        try:
            while not errors:
                i = next(counter)
                if i >= len(bounds):
                    return
                results[i] = work(*bounds[i])
        except BaseException as e:  # KeyboardInterrupt included: stop, then raise it below
            errors.append(e)

    libs = _blas()
    setters = _local_setters()
    limits = [lib.num_threads for lib in libs] if setters is None else []
    done: queue.SimpleQueue = queue.SimpleQueue()
    helpers = 0
    try:
        for i, lib in enumerate(libs):
            if setters is None:
                lib.set_num_threads(1)
            else:
                setters[i](1)
            _stop_idle_workers(lib)
        for jobs in _block_workers(threads - 1):
            jobs.put((loop, done))
            helpers += 1
        loop()
    finally:
        for _ in range(helpers):
            done.get()
        if setters is None:
            for lib, k in zip(libs, limits):
                lib.set_num_threads(k)
        else:
            for set_local in setters:
                set_local(0)  # back to the process-wide count
        _threads_in_use.release()
    if errors:
        raise errors[0]
    return results
