"""`python -m benchmarks [name ...]`: run the benchmark suites and print ratios.

`make bench` runs this with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset, as on a user's machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys

from . import bench_attention, bench_cnn, bench_conv, bench_engine, bench_rnn, bench_training
from .harness import blas_info, report, set_threads, time_case

SUITES = {"engine": bench_engine.cases, "conv": bench_conv.cases,
          "attention": bench_attention.cases}
EPOCH_SUITES = {"mlp-epoch": bench_training.run_epochs, "keras": bench_training.run_keras,
                "lstm-epoch": bench_rnn.run_lstm_epoch, "cnn-epoch": bench_cnn.run_cnn_epoch}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    names = list(SUITES) + list(EPOCH_SUITES)
    parser.add_argument("suites", nargs="*", default=names, help=", ".join(names))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for PyTorch and NumPy's BLAS (the same for both)")
    args = parser.parse_args(argv)
    import numpy as np
    import torch

    set_threads(args.threads)
    print(f"python {platform.python_version()}  numpy {np.__version__}  torch {torch.__version__}"
          f"  threads {args.threads}")
    print(f"BLAS: {blas_info()}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}  "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}")
    all_cases = []
    epoch_lines: list[str] = []
    for name in args.suites:
        if name in EPOCH_SUITES:
            lines = EPOCH_SUITES[name]()
            print("\n".join(lines), flush=True)
            epoch_lines += lines
            continue
        if name not in SUITES:
            parser.error(f"unknown suite {name!r}; choose from {', '.join(names)}")
        for case in SUITES[name]():
            time_case(case)
            all_cases.append(case)
            print(report([case]).splitlines()[-1], flush=True)
    print()
    print("median of repeats; ratios are neuronet's time over the other's (lower is better)")
    print(report(all_cases))
    if epoch_lines:
        print("\n".join(epoch_lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
