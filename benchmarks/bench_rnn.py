"""LSTM training-epoch benchmark on Fashion-MNIST: each image read row by row (28 steps of 28
features), LSTM hidden 128, Linear 128 -> 10, batch 128, Adam, data loading included; one full
epoch for neuronet and for PyTorch (same thread count), interleaved, median of `repeat`.

Also reports the process CPU time per epoch (less sensitive to a busy machine than wall time)
and the 1-minute load average while it ran."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import numpy as np

BATCH = 128
HIDDEN = 128


def load_data(limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    from neuronet.datasets import load_fashion_mnist

    (x, y), _ = load_fashion_mnist()
    if limit:
        x, y = x[:limit], y[:limit]
    return (x.astype(np.float32) / 255.0).reshape(len(x), 28, 28), y.astype(np.int64)


def _epoch(lib: object, nn: object, data_mod: object, data: tuple) -> Callable[[], float]:
    """The same program for both libraries (neuronet is imported as torch)."""
    x, y = data
    lib.manual_seed(0)
    loader = data_mod.DataLoader(data_mod.TensorDataset(lib.from_numpy(x), lib.from_numpy(y)),
                                 batch_size=BATCH, shuffle=True)

    class RowLSTM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(28, HIDDEN, batch_first=True)
            self.fc = nn.Linear(HIDDEN, 10)

        def forward(self, xb):
            _, (h, _) = self.lstm(xb)
            return self.fc(h[-1])

    model = RowLSTM()
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()

    def run() -> float:
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        return loss.item()

    return run


def epoch_neuronet(data: tuple) -> Callable[[], float]:
    import neuronet
    from neuronet import nn
    from neuronet.utils import data as data_mod

    return _epoch(neuronet, nn, data_mod, data)


def epoch_torch(data: tuple) -> Callable[[], float]:
    import torch
    from torch import nn
    from torch.utils import data as data_mod

    return _epoch(torch, nn, data_mod, data)


def run_lstm_epoch(repeat: int = 1, limit: int | None = None) -> list[str]:
    """Time `repeat` interleaved epochs per library; lines with medians and ratios."""
    data = load_data(limit)
    steps = {"neuronet": epoch_neuronet(data), "torch": epoch_torch(data)}
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
    import torch

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
    import torch

    torch.set_num_threads(args.threads)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
    except ImportError:
        pass
    print("\n".join(run_lstm_epoch(repeat=args.repeat)))
