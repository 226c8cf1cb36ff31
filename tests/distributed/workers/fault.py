"""A small DDP training run that checkpoints every epoch and can be made to fail.

    mpiexec -n P python fault.py CKPT_DIR MODE [EPOCHS]
MODE: "ok" (train, resuming from CKPT_DIR/ckpt.safetensors when it exists), "kill" (rank 1
kills itself with SIGKILL in the middle of epoch 1), "raise" (rank 1 raises in epoch 1),
"hang" (rank 1 sleeps in epoch 1 while the others wait in a collective).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import numpy as np

import neuronet
import neuronet.distributed as dist
import neuronet.nn as nn
import neuronet.nn.functional as F
from neuronet.nn.parallel import DistributedDataParallel
from neuronet.utils.data import DataLoader, DistributedSampler, TensorDataset


def main() -> None:
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    dist.init_process_group("mpi", timeout=float(os.environ.get("FAULT_TIMEOUT", "60")))
    rank, size = dist.get_rank(), dist.get_world_size()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((240, 6)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    dataset = TensorDataset(neuronet.tensor(x), neuronet.tensor(y))
    neuronet.manual_seed(rank)
    model = DistributedDataParallel(nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2)))
    optimizer = neuronet.optim.SGD(model.parameters(), lr=0.1)
    checkpoint = folder / "ckpt.safetensors"
    start = 0
    if checkpoint.exists():
        start = dist.load_checkpoint(checkpoint, model, optimizer)["epoch"]
        if rank == 0:
            print(f"resumed at epoch {start} with {size} processes", flush=True)
    sampler = DistributedSampler(dataset, shuffle=True, seed=1)
    loader = DataLoader(dataset, batch_size=8, sampler=sampler)
    for epoch in range(start, epochs):
        sampler.set_epoch(epoch)
        for step, (xb, yb) in enumerate(loader):
            if epoch == 1 and step == 3 and rank == 1 and mode != "ok":
                if mode == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                if mode == "raise":
                    raise ValueError("injected failure in the data pipeline")
                if mode == "hang":
                    time.sleep(120)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        dist.save_checkpoint(checkpoint, model, optimizer, epoch=epoch + 1)
        if rank == 0:
            print(f"epoch {epoch} loss {float(loss):.4f}", flush=True)
    weights = model.module[0].weight.detach()
    gathered = [neuronet.zeros_like(weights) for _ in range(size)]
    dist.all_gather(gathered, weights)
    assert all(np.array_equal(g._data, gathered[0]._data) for g in gathered)
    if rank == 0:
        print(f"finished {epochs} epochs with {size} processes", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
