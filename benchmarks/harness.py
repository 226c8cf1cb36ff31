"""Timing harness: each case times its implementations in one run, interleaved, and reports
the median of several repeats and the ratios to PyTorch and to NumPy."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

IMPLS = ("neuronet", "torch", "numpy")
# OpenBLAS's worker threads keep spinning ~100 ms after a call and would steal a core from the
# implementation timed next; let them settle between implementations. After that pause the
# (virtual) cores wake up slowly: the first call runs up to 1.5x its steady time (neuronet's
# conv2d step 33 vs 22.5 ms, PyTorch's 13.1 vs 11.1: no page faults, and none of it with a
# busy-wait instead of the sleep), so one untimed call follows the pause and the timings
# are of a running loop, as in training.
SETTLE = 0.15


@dataclass
class Case:
    """One benchmark: a setup per implementation returning a zero-argument step to time."""

    name: str
    setups: dict[str, Callable[[], Callable[[], object]]]
    number: int = 10  # calls per timing
    repeat: int = 15  # timings; the median is reported
    unit_divisor: float = 1.0  # e.g. 100 to report per op for a chain of 100 ops
    unit: str = "ms"
    results: dict[str, float] = field(default_factory=dict)


def time_case(case: Case) -> dict[str, float]:
    steps = {}
    for impl, setup in case.setups.items():
        steps[impl] = setup()
        for _ in range(3):  # warm up caches and allocators
            steps[impl]()
    samples: dict[str, list[float]] = {impl: [] for impl in steps}
    for _ in range(case.repeat):
        for impl, step in steps.items():  # interleaved, so machine noise hits all alike
            time.sleep(SETTLE)
            step()  # the cores wake up (see SETTLE)
            t0 = time.perf_counter()
            for _ in range(case.number):
                step()
            samples[impl].append((time.perf_counter() - t0) / case.number)
    scale = 1e3 if case.unit == "ms" else 1e6
    case.results = {
        impl: statistics.median(v) * scale / case.unit_divisor for impl, v in samples.items()
    }
    return case.results


def set_threads(n: int) -> None:
    """The same number of threads for PyTorch and for NumPy's BLAS (which neuronet runs on)."""
    import torch

    torch.set_num_threads(n)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:
        pass


def blas_info() -> str:
    try:
        from threadpoolctl import threadpool_info

        parts = [
            f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
            f"threads={i.get('num_threads')} ({os.path.basename(i.get('filepath', ''))})"
            for i in threadpool_info() if i.get("user_api") == "blas"
        ]
        return "; ".join(parts) or "no BLAS found by threadpoolctl"
    except ImportError:
        return "threadpoolctl not installed"


def report(cases: list[Case]) -> str:
    lines = [f"{'case':44s} {'neuronet':>10s} {'torch':>10s} {'numpy':>10s} "
             f"{'nn/torch':>9s} {'nn/numpy':>9s}"]
    for c in cases:
        r = c.results
        cells = [f"{r[i]:9.3f}{c.unit[0] if c.unit == 'us' else ''}" if i in r else f"{'-':>10s}"
                 for i in IMPLS]
        rt = f"{r['neuronet'] / r['torch']:9.2f}" if "torch" in r else f"{'-':>9s}"
        rn = f"{r['neuronet'] / r['numpy']:9.2f}" if "numpy" in r else f"{'-':>9s}"
        lines.append(f"{c.name + ' (' + c.unit + ')':44s} " + " ".join(cells) + f" {rt} {rn}")
    return "\n".join(lines)


def time_epochs(makers: dict, data: object, repeat: int) -> dict[str, float]:
    """Median seconds of `repeat` interleaved runs per implementation. `makers` maps a name to
    a function of `data` returning a zero-argument epoch runner; a side that cannot be set up
    is reported and left out."""
    runs = {}
    for name, make in makers.items():
        try:
            runs[name] = make(data)
        except Exception as e:  # noqa: BLE001 - report which side could not run
            print(f"  {name}: cannot run ({type(e).__name__}: {e})")
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            time.sleep(SETTLE)
            t0 = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(v) for name, v in times.items()}
