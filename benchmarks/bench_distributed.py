"""Distributed throughput: samples/s for the Fashion-MNIST MLP and CNN with 1 and 2 processes
(one BLAS thread each), all-reduce time per message size, and synchronous DDP against the
asynchronous parameter server (accuracy and wall-clock per epoch).

    python -m benchmarks.bench_distributed            # launches the MPI runs itself
    python -m benchmarks.bench_distributed --quick    # fewer steps (a smoke run)

The numbers feed docs/distributed.md. Each MPI run prints one JSON line from rank 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np

from .common import fashion_mnist


def _model(kind: str):
    import neuronet.nn as nn

    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 128),
                             nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def worker_throughput(kind: str, steps: int, batch: int) -> dict:
    """Per-process batch `batch`; returns samples/s over all processes (median of 3 timings)."""
    import neuronet
    import neuronet.distributed as dist
    import neuronet.nn.functional as F
    from neuronet.nn.parallel import DistributedDataParallel

    rank, size = dist.get_rank(), dist.get_world_size()
    x, y = fashion_mnist(batch * size * steps)
    x = x[:, None] if kind == "cnn" else x
    model = DistributedDataParallel(_model(kind))
    optimizer = neuronet.optim.Adam(model.parameters(), lr=1e-3)
    rates = []
    for _ in range(3):
        dist.barrier()
        start = time.perf_counter()
        for k in range(steps):
            lo = (k * size + rank) * batch
            optimizer.zero_grad()
            F.cross_entropy(model(neuronet.tensor(x[lo:lo + batch])),
                            neuronet.tensor(y[lo:lo + batch])).backward()
            optimizer.step()
        dist.barrier()
        rates.append(steps * batch * size / (time.perf_counter() - start))
    return {"kind": kind, "processes": size, "batch_per_process": batch,
            "samples_per_s": statistics.median(rates)}


def worker_allreduce(sizes: list[int], repeats: int) -> dict:
    """Median seconds of one all-reduce (AVG, float32) per message size in bytes."""
    import neuronet.distributed as dist

    times = {}
    for nbytes in sizes:
        buffer = np.ones(nbytes // 4, np.float32)
        samples = []
        for _ in range(repeats):
            dist.barrier()
            start = time.perf_counter()
            dist.all_reduce(buffer, op=dist.ReduceOp.AVG)
            samples.append(time.perf_counter() - start)
        times[str(nbytes)] = statistics.median(samples)
    return {"processes": dist.get_world_size(), "allreduce_s": times}


def _accuracy(model, x, y) -> float:
    import neuronet

    with neuronet.no_grad():
        model.eval()
        logits = model(neuronet.tensor(x))._data
        model.train()
    return float((logits.argmax(1) == y).mean())


def _batches(share: np.ndarray, epochs: int, batch: int):
    """The indices of each full batch of this rank's `share`, shuffled anew each epoch."""
    for epoch in range(epochs):
        order = share[np.random.default_rng(epoch).permutation(len(share))]
        for lo in range(0, len(order) - batch + 1, batch):
            yield order[lo:lo + batch]


def worker_sync_vs_async(epochs: int, n: int, batch: int, staleness: int) -> dict:
    """The MLP on n training images: DDP on all ranks, then a parameter server on rank 0
    with the other ranks as workers; test accuracy and seconds per epoch for both."""
    import neuronet
    import neuronet.distributed as dist
    import neuronet.nn.functional as F
    from neuronet.nn.parallel import DistributedDataParallel

    rank, size = dist.get_rank(), dist.get_world_size()
    x, y = fashion_mnist(n)
    tx, ty = fashion_mnist(5000, test=True)
    out: dict = {"processes": size, "epochs": epochs, "batch_per_worker": batch}
    # synchronous: every rank a worker
    neuronet.manual_seed(0)
    model = DistributedDataParallel(_model("mlp"))
    opt = neuronet.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    share = np.arange(rank, n, size)
    start = time.perf_counter()
    for idx in _batches(share, epochs, batch):
        opt.zero_grad()
        F.cross_entropy(model(neuronet.tensor(x[idx])), neuronet.tensor(y[idx])).backward()
        opt.step()
    dist.barrier()
    out["sync_s_per_epoch"] = (time.perf_counter() - start) / epochs
    out["sync_accuracy"] = _accuracy(model.module, tx, ty)
    # asynchronous: rank 0 serves, ranks 1.. work
    neuronet.manual_seed(0)
    net = _model("mlp")
    dist.barrier()
    start = time.perf_counter()
    if rank == 0:
        server = dist.ParameterServer(net, neuronet.optim.SGD(net.parameters(), lr=0.05,
                                                              momentum=0.9), staleness)
        server.serve()
        out.update(async_accepted=server.accepted, async_dropped=server.dropped,
                   async_staleness=server.staleness_counts)
    else:
        worker = dist.AsyncWorker(net)
        worker.pull()
        for idx in _batches(np.arange(rank - 1, n, size - 1), epochs, batch):
            net.zero_grad()
            F.cross_entropy(net(neuronet.tensor(x[idx])), neuronet.tensor(y[idx])).backward()
            worker.push()
        worker.done()
    dist.barrier()
    out["async_s_per_epoch"] = (time.perf_counter() - start) / epochs
    if rank == 0:
        out["async_accuracy"] = _accuracy(net, tx, ty)
    return out


def _worker(argv: list[str]) -> None:
    import neuronet.distributed as dist

    dist.set_single_thread_blas()
    dist.init_process_group("mpi")
    what, args = argv[0], json.loads(argv[1])
    result = {"throughput": worker_throughput, "allreduce": worker_allreduce,
              "sync_vs_async": worker_sync_vs_async}[what](**args)
    if dist.get_rank() == 0:
        print("RESULT " + json.dumps(result), flush=True)
    dist.destroy_process_group()


def _run(nprocs: int, what: str, **args) -> dict:
    from neuronet.distributed.launch import launch

    done = launch(nprocs, [sys.executable, "-m", "benchmarks.bench_distributed", "--worker",
                           what, json.dumps(args)], capture_output=True, timeout=1800)
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
    if done.returncode or not lines:
        raise RuntimeError(f"{what} with {nprocs} processes failed:\n{done.stdout}{done.stderr}")
    return json.loads(lines[-1][len("RESULT "):])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_distributed")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--parts", default="throughput,allreduce,async")
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker)
        return 0
    steps = 10 if args.quick else 40
    parts = args.parts.split(",")
    if "throughput" in parts:
        print("model  procs  batch/proc  samples/s  efficiency")
        for kind, batch in (("mlp", 128), ("cnn", 64)):
            base = None
            for nprocs in (1, 2):
                r = _run(nprocs, "throughput", kind=kind, steps=steps // (4 if kind == "cnn"
                                                                           else 1), batch=batch)
                base = base or r["samples_per_s"]
                eff = r["samples_per_s"] / (base * nprocs)
                print(f"{kind:5s}  {nprocs:5d}  {batch:10d}  {r['samples_per_s']:9.0f}  "
                      f"{eff:10.2f}", flush=True)
    if "allreduce" in parts:
        sizes = [2**k for k in range(10, 27, 2)]
        r = _run(2, "allreduce", sizes=sizes, repeats=5 if args.quick else 15)
        print("bytes       all-reduce (2 procs)  bus GB/s (= bytes/t for P=2)")
        for nbytes, t in r["allreduce_s"].items():
            print(f"{int(nbytes):10d}  {t * 1e6:12.1f} us  {int(nbytes) / t / 1e9:8.2f}")
    if "async" in parts:
        r = _run(3, "sync_vs_async", epochs=1 if args.quick else 3,
                 n=6000 if args.quick else 30000, batch=64, staleness=4)
        print(json.dumps(r, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
