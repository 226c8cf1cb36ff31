"""LSTM training-epoch benchmark on Fashion-MNIST: each image read row by row (28 steps of 28
features), LSTM hidden 128, Linear 128 -> 10, batch 128, Adam, data loading included; one full
epoch for neuronet and for PyTorch (same thread count), interleaved, median of `repeat`.

Also reports the process CPU time per epoch (less sensitive to a busy machine than wall time)
and the 1-minute load average while it ran."""

from __future__ import annotations

import os
import time

import numpy as np
import torch

import neuronet

from .common import BATCH, fashion_mnist, train_epoch
from .harness import set_threads

HIDDEN = 128


def _row_lstm(nn):
    class RowLSTM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(28, HIDDEN, batch_first=True)
            self.fc = nn.Linear(HIDDEN, 10)

        def forward(self, xb):
            _, (h, _) = self.lstm(xb)
            return self.fc(h[-1])

    return RowLSTM()


def run_lstm_epoch(repeat: int = 1, limit: int | None = None) -> list[str]:
    """Time `repeat` interleaved epochs per library; lines with medians and ratios."""
    data = fashion_mnist(limit)
    steps = {"neuronet": train_epoch(neuronet, _row_lstm, data),
             "torch": train_epoch(torch, _row_lstm, data)}
    wall: dict[str, list[float]] = {k: [] for k in steps}
    cpu: dict[str, list[float]] = {k: [] for k in steps}
    loads = []
    for _ in range(repeat):
        for name, run in steps.items():
            w0, c0 = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
            loads.append(os.getloadavg()[0])
    med = {k: float(np.median(v)) for k, v in wall.items()}
    med_cpu = {k: float(np.median(v)) for k, v in cpu.items()}
    out = [f"LSTM epoch (rows of Fashion-MNIST, h{HIDDEN}), batch {BATCH}, Adam, "
           f"torch threads {torch.get_num_threads()} (s): "
           + "  ".join(f"{k} {v:.2f}" for k, v in med.items()),
           "  CPU time (s): " + "  ".join(f"{k} {v:.2f}" for k, v in med_cpu.items()),
           f"  neuronet/torch {med['neuronet'] / med['torch']:.2f} (wall), "
           f"{med_cpu['neuronet'] / med_cpu['torch']:.2f} (CPU); load average "
           f"{min(loads):.1f}-{max(loads):.1f}; OPENBLAS_CORETYPE="
           f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}"]
    return out


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="threads for PyTorch and NumPy's BLAS (the same for both)")
    args = parser.parse_args()
    set_threads(args.threads)
    print("\n".join(run_lstm_epoch(repeat=args.repeat)))
