"""Run under mpiexec: every rank runs the named groups of checks; rank 0 writes a JSON file
{check name: "ok" | "rank R: error"} gathered from all ranks.

    mpiexec -n 2 python checks.py OUT.json collectives ddp sampler
"""

from __future__ import annotations

import json
import sys
import traceback

import numpy as np

import neuronet
import neuronet.distributed as dist
import neuronet.nn as nn
import neuronet.nn.functional as F
from neuronet.nn.parallel import DistributedDataParallel as DDP
from neuronet.nn.parallel import SyncBatchNorm
from neuronet.utils.data import DistributedSampler

CHECKS: dict[str, dict] = {"collectives": {}, "ddp": {}, "sampler": {}, "keras": {}, "async": {}}


def check(group: str):
    def register(fn):
        CHECKS[group][fn.__name__] = fn
        return fn
    return register


def close(a, b, tol=1e-12, what=""):
    a = a._data if hasattr(a, "_data") else np.asarray(a)
    b = b._data if hasattr(b, "_data") else np.asarray(b)
    if a.shape != b.shape or not np.allclose(a, b, rtol=tol, atol=tol):
        raise AssertionError(f"{what}: {a!r} != {b!r} (max diff "
                             f"{np.max(np.abs(a - b)) if a.shape == b.shape else 'shape'})")


def raises(kind, fn, *, match):
    try:
        fn()
    except kind as error:
        if match not in str(error):
            raise AssertionError(f"wrong message: {error}") from error
        return
    raise AssertionError(f"{fn} did not raise {kind.__name__}")


R, P = 0, 1  # filled in main


# --- collectives ------------------------------------------------------------------------------
@check("collectives")
def all_reduce_ops():
    values = [np.array([1.0, -2.0, 3.0]) * (r + 1) for r in range(P)]
    for op, expect in (("SUM", sum(values)), ("AVG", sum(values) / P),
                       ("MAX", np.max(values, 0)), ("MIN", np.min(values, 0)),
                       ("PRODUCT", np.prod(values, 0))):
        for dtype in (neuronet.float32, neuronet.float64):
            t = neuronet.tensor(values[R], dtype=dtype)
            data, version = t._data, t._version
            assert dist.all_reduce(t, op=getattr(dist.ReduceOp, op)) is None
            assert t._data is data and t.dtype == dtype and t._version > version  # in place
            close(t, expect.astype(data.dtype), 1e-6, f"all_reduce {op} {dtype}")
    t = neuronet.tensor([R + 1, 10 * R], dtype=neuronet.int64)
    dist.all_reduce(t, op="max")
    close(t, [P, 10 * (P - 1)], 0, "int64 max")
    assert t.dtype == neuronet.int64


@check("collectives")
def all_reduce_non_contiguous_and_async():
    base = neuronet.arange(6, dtype=neuronet.float32).reshape(2, 3) * (R + 1)
    view = base.t()  # a transposed view: reduced through a copy, written back in place
    dist.all_reduce(view)
    close(base, np.arange(6, dtype=np.float32).reshape(2, 3) * P * (P + 1) / 2, 1e-6, "view")
    t = neuronet.ones(4) * R
    work = dist.all_reduce(t, op=dist.ReduceOp.SUM, async_op=True)
    assert work.wait() and work.is_completed()
    close(t, np.full(4, P * (P - 1) / 2, np.float32), 1e-6, "async")


@check("collectives")
def reduce_broadcast_gather_barrier():
    dst = P - 1
    t = neuronet.tensor([float(R + 1)])
    dist.reduce(t, dst=dst, op=dist.ReduceOp.SUM)
    close(t, [P * (P + 1) / 2 if R == dst else R + 1.0], 1e-6, "reduce")
    t = neuronet.full((2, 2), float(R))
    dist.broadcast(t, src=dst)
    close(t, np.full((2, 2), dst, np.float32), 0, "broadcast")
    outs = [neuronet.zeros(3, dtype=neuronet.float64) for _ in range(P)]
    dist.all_gather(outs, neuronet.full((3,), float(R), dtype=neuronet.float64))
    for r, o in enumerate(outs):
        close(o, np.full(3, r, np.float64), 0, "all_gather")
    out = neuronet.zeros(2 * P, 2)
    dist.all_gather_into_tensor(out, neuronet.full((2, 2), float(R)))
    close(out, np.repeat(np.arange(P, dtype=np.float32), 2)[:, None].repeat(2, 1), 0, "into")
    dist.barrier()
    objects = [None] * P
    dist.all_gather_object(objects, {"rank": R, "name": "x" * R})
    assert objects == [{"rank": r, "name": "x" * r} for r in range(P)], objects
    box = [R, "from"]
    dist.broadcast_object_list(box, src=dst)
    assert box == [dst, "from"], box
    assert dist.get_rank() == R and dist.get_world_size() == P and dist.is_initialized()


@check("collectives")
def collective_errors():
    raises(ValueError, lambda: dist.all_reduce(neuronet.ones(2), op="mean"), match="unknown op")
    raises(TypeError, lambda: dist.all_reduce(neuronet.ones(2, dtype=neuronet.int64),
                                              op=dist.ReduceOp.AVG), match="floating-point")
    raises(ValueError, lambda: dist.broadcast(neuronet.ones(2), src=P), match="src must be")
    raises(ValueError, lambda: dist.all_gather([neuronet.ones(2)] * (P + 1), neuronet.ones(2)),
           match="world_size")
    raises(TypeError, lambda: dist.all_reduce([1.0, 2.0]), match="expected a Tensor")
    raises(RuntimeError, lambda: dist.init_process_group("mpi"), match="already")


# --- DDP --------------------------------------------------------------------------------------
B, STEPS = 4, 3


def data(dtype=np.float64, seed=1, features=5, classes=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((STEPS, P * B, features)).astype(dtype)
    y = rng.integers(0, classes, (STEPS, P * B))
    return x, y


def mlp(norm=None, dtype="double"):
    layers = [nn.Linear(5, 8)] + ([norm(8)] if norm else []) + [nn.Tanh(), nn.Linear(8, 3)]
    neuronet.manual_seed(100 + R)  # different on every rank: DDP must broadcast rank 0's
    model = nn.Sequential(*layers)
    return model.double() if dtype == "double" else model


def twin(model, norm=None, dtype="double"):
    reference = mlp(norm, dtype)
    reference.load_state_dict(model.state_dict())
    return reference


def compare_with_big_batch(make_opt, norm=None, sync=False, dtype="double", tol=1e-10,
                           **ddp_args):
    model = mlp(norm, dtype)
    if sync:
        model = SyncBatchNorm.convert_sync_batchnorm(model)
    ddp = DDP(model, **ddp_args)
    reference = twin(model, norm, dtype)
    opt, ref_opt = make_opt(ddp.parameters()), make_opt(reference.parameters())
    x, y = data(np.float64 if dtype == "double" else np.float32)
    for k in range(STEPS):
        mine = slice(R * B, (R + 1) * B)
        opt.zero_grad()
        F.cross_entropy(ddp(neuronet.tensor(x[k][mine])), neuronet.tensor(y[k][mine])).backward()
        opt.step()
        ref_opt.zero_grad()
        if norm is None or sync:  # one process, batch P*B
            loss = F.cross_entropy(reference(neuronet.tensor(x[k])), neuronet.tensor(y[k]))
        else:  # per-process statistics: the mean of the P per-chunk losses
            loss = sum(F.cross_entropy(reference(neuronet.tensor(x[k][r * B:(r + 1) * B])),
                                       neuronet.tensor(y[k][r * B:(r + 1) * B]))
                       for r in range(P)) / P
        loss.backward()
        ref_opt.step()
    for (name, p), q in zip(model.named_parameters(), reference.parameters()):
        close(p, q, tol, f"parameter {name}")
    if sync:
        for (name, b), c in zip(model.named_buffers(), reference.buffers()):
            close(b, c, tol, f"buffer {name}")
    return ddp


def sgd(params):
    return neuronet.optim.SGD(params, lr=0.3, momentum=0.9)


def adam(params):
    return neuronet.optim.Adam(params, lr=0.05)


@check("ddp")
def initial_parameters_broadcast():
    model = mlp()
    DDP(model)
    for name, p in model.named_parameters():
        gathered = [neuronet.zeros_like(p) for _ in range(P)]
        dist.all_gather(gathered, p.detach())
        for g in gathered:
            close(g, gathered[0], 0, f"{name} after broadcast")


@check("ddp")
def equals_one_process_sgd():
    ddp = compare_with_big_batch(sgd)
    assert len(ddp.bucket_sizes) == 1  # 4 small parameters, one 25 MB bucket


@check("ddp")
def equals_one_process_adam():
    compare_with_big_batch(adam)


@check("ddp")
def equals_one_process_float32():
    compare_with_big_batch(adam, dtype="float", tol=1e-5)


@check("ddp")
def small_buckets_and_no_overlap():
    ddp = compare_with_big_batch(sgd, bucket_cap_mb=100 / 2**20)  # 100 bytes: many buckets
    assert len(ddp.bucket_sizes) >= 3, ddp.bucket_sizes
    # reverse registration order: the last layer's bias is reduced first
    assert ddp.bucket_sizes[0] == 3, ddp.bucket_sizes
    compare_with_big_batch(adam, overlap_communication=False, bucket_cap_mb=100 / 2**20)


@check("ddp")
def batchnorm_per_process_statistics():
    compare_with_big_batch(sgd, norm=nn.BatchNorm1d)


@check("ddp")
def sync_batchnorm_equals_big_batch():
    # SGD: the bias before a BatchNorm has a zero gradient, which Adam would turn into
    # steps of size lr driven by rounding noise.
    compare_with_big_batch(sgd, norm=nn.BatchNorm1d, sync=True)


@check("ddp")
def no_sync_accumulates():
    model = mlp()
    ddp = DDP(model)
    reference = twin(model)
    x, y = data()
    with ddp.no_sync():  # micro-batch 0: local only
        F.cross_entropy(ddp(neuronet.tensor(x[0][R * B:(R + 1) * B])),
                        neuronet.tensor(y[0][R * B:(R + 1) * B])).backward()
    local = [p.grad._data.copy() for p in model.parameters()]
    gathered = [neuronet.zeros_like(neuronet.tensor(local[0])) for _ in range(P)]
    dist.all_gather(gathered, neuronet.tensor(local[0]))
    if P > 1:
        assert not np.allclose(gathered[0]._data, gathered[1]._data), "no_sync communicated"
    F.cross_entropy(ddp(neuronet.tensor(x[1][R * B:(R + 1) * B])),
                    neuronet.tensor(y[1][R * B:(R + 1) * B])).backward()
    for k in (0, 1):
        F.cross_entropy(reference(neuronet.tensor(x[k])), neuronet.tensor(y[k])).backward()
    for p, q in zip(model.parameters(), reference.parameters()):
        close(p.grad, q.grad, 1e-10, "accumulated gradient")


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(5, 5)
        self.unused = nn.Linear(5, 5)

    def forward(self, x):
        return self.a(self.a(x).tanh())  # the same weights twice: two contributions each


@check("ddp")
def shared_and_unused_parameters():
    neuronet.manual_seed(7 + R)
    model = Tied().double()
    ddp = DDP(model)
    reference = Tied().double()
    reference.load_state_dict(model.state_dict())
    x, _ = data()
    ddp(neuronet.tensor(x[0][R * B:(R + 1) * B])).pow(2).mean().backward()
    reference(neuronet.tensor(x[0])).pow(2).mean().backward()
    close(model.a.weight.grad, reference.a.weight.grad, 1e-10, "tied weight")
    assert model.unused.weight.grad is None
    ddp(neuronet.tensor(x[1][:B]))  # forward without backward ...
    raises(RuntimeError, lambda: ddp(neuronet.tensor(x[1][:B])), match="did not finish")
    with neuronet.no_grad():
        ddp(neuronet.tensor(x[1][:B]))  # ... fine without grad


# --- sampler ----------------------------------------------------------------------------------
@check("sampler")
def sampler_partitions_and_epochs():
    for n, drop_last in ((23, False), (23, True), (P * 5, False), (1, False)):
        sampler = DistributedSampler(range(n), shuffle=True, seed=3, drop_last=drop_last)
        for epoch in (0, 1):
            sampler.set_epoch(epoch)
            mine = list(sampler)
            everyone = [None] * P
            dist.all_gather_object(everyone, mine)
            assert len({len(e) for e in everyone}) == 1, everyone  # equal counts
            flat = [i for e in everyone for i in e]
            if drop_last:
                assert len(set(flat)) == len(flat) == (n // P) * P, flat
            else:
                assert set(flat) == set(range(n)) and len(flat) == -(-n // P) * P, flat
            if epoch == 0:
                first = flat
        if n > 3:
            assert flat != first, "set_epoch did not change the order"
    loader = neuronet.utils.data.DataLoader(
        neuronet.utils.data.TensorDataset(neuronet.arange(10)), batch_size=2,
        sampler=DistributedSampler(range(10), shuffle=False))
    counts = [None] * P
    dist.all_gather_object(counts, len(list(loader)))
    assert len(set(counts)) == 1, counts


# --- Keras face -------------------------------------------------------------------------------
@check("keras")
def keras_fit_data_parallel_equals_one_process():
    import os
    import tempfile

    from neuronet import keras

    def build():
        model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="tanh"),
                                  keras.layers.Dense(3)])
        model.compile(optimizer=keras.optimizers.SGD(0.2),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        return model

    rng = np.random.default_rng(4)
    x = rng.standard_normal((8 * P * 3, 5)).astype(np.float32)
    y = rng.integers(0, 3, len(x))
    neuronet.manual_seed(R)  # different initial weights: fit must start from rank 0's
    model = build()
    initial = [w.numpy().copy() for w in model.trainable_weights]
    gathered = [None] * P
    dist.all_gather_object(gathered, initial)
    folder = tempfile.mkdtemp() if R == 0 else None
    box = [folder]
    dist.broadcast_object_list(box)
    folder = box[0]
    keras.distribution.set_distribution(keras.distribution.DataParallel())
    try:
        history = model.fit(x, y, batch_size=8 * P, epochs=2, shuffle=False, verbose=0,
                            callbacks=[keras.callbacks.CSVLogger(f"{folder}/log{R}.csv")])
    finally:
        keras.distribution.set_distribution(None)
    reference = build()
    for w, value in zip(reference.trainable_weights, gathered[0]):
        w.assign(value)
    expected = reference.fit(x, y, batch_size=8 * P, epochs=2, shuffle=False, verbose=0)
    for w, v in zip(model.trainable_weights, reference.trainable_weights):
        close(w, v, 1e-5, "keras weight")
    close(history.history["loss"][-1], expected.history["loss"][-1], 1e-5, "epoch loss")
    dist.barrier()
    written = sorted(os.listdir(folder))
    assert written == ["log0.csv"], written  # only rank 0 writes


# --- asynchronous parameter server ------------------------------------------------------------
@check("async")
def parameter_server_bounded_staleness():
    neuronet.manual_seed(0)
    model = mlp()
    x, y = data(seed=9)
    steps = STEPS * 4
    if R == 0:
        reference = twin(model)
        server = dist.ParameterServer(model, sgd(model.parameters()), max_staleness=1)
        server.serve()
        pushes = [None] * P
        dist.all_gather_object(pushes, 0)
        assert server.accepted + server.dropped == steps * (P - 1)
        assert server.version == server.accepted
        assert all(s >= 0 for s in server.staleness_counts)
        if P == 2:  # one worker: never stale, exactly plain SGD on its batches
            assert server.staleness_counts == {0: steps} and server.dropped == 0
            ref_opt = sgd(reference.parameters())
            for k in range(steps):
                ref_opt.zero_grad()
                F.cross_entropy(reference(neuronet.tensor(x[k % STEPS][:B])),
                                neuronet.tensor(y[k % STEPS][:B])).backward()
                ref_opt.step()
            for p, q in zip(model.parameters(), reference.parameters()):
                close(p, q, 1e-12, "server parameters")
        else:
            assert max(server.staleness_counts) >= 1, server.staleness_counts
    else:
        worker = dist.AsyncWorker(model)
        try:
            assert worker.pull() >= 0  # 0 unless another worker pushed first
            mine = slice((R - 1) * B, R * B)
            for k in range(steps):
                model.zero_grad()
                F.cross_entropy(model(neuronet.tensor(x[k % STEPS][mine])),
                                neuronet.tensor(y[k % STEPS][mine])).backward()
                assert worker.push() >= 1
        finally:
            worker.done()  # always: the server waits for every worker's done()
        dist.all_gather_object([None] * P, worker.pushes)
    for p in model.parameters():  # end: everyone takes the server's parameters
        dist.broadcast(p, src=0)


def main() -> None:
    global R, P
    out, groups = sys.argv[1], sys.argv[2:]
    dist.init_process_group(backend="mpi", timeout=60)
    R, P = dist.get_rank(), dist.get_world_size()
    results = {}
    for group in groups:
        for name, fn in CHECKS[group].items():
            try:
                fn()
                results[name] = "ok"
            except Exception:
                results[name] = f"rank {R}: " + traceback.format_exc()
    everyone = [None] * P
    dist.all_gather_object(everyone, results)
    if R == 0:
        merged = {name: next((e[name] for e in everyone if e[name] != "ok"), "ok")
                  for name in results}
        with open(out, "w") as f:
            json.dump(merged, f)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
