"""Attention benchmark: nn.MultiheadAttention forward + backward (input and every parameter
gradient) at batch 32, length 128, embed_dim 256, 8 heads, batch_first, self-attention, for
neuronet and PyTorch (same threads), with need_weights=True (PyTorch's default: the explicit
softmax path that returns the head-averaged weights) and need_weights=False (PyTorch's fused
scaled_dot_product_attention kernel). Also the bare scaled_dot_product_attention on
(32, 8, 128, 32) and a hand-written NumPy version of it (forward + backward).

Run: `python -m benchmarks.bench_attention [--threads N]` (prints the load average too).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from functools import partial

import numpy as np
import torch

import neuronet

from .harness import Case, report, set_threads, time_case

B, L, E, H = 32, 128, 256, 8
D = E // H


def _arrays(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, L, E), dtype=np.float32)
    g = rng.standard_normal((B, L, E), dtype=np.float32)
    return x, g


def _state(seed: int = 1) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    bound = float(np.sqrt(6.0 / (4 * E)))
    return {"in_proj_weight": rng.uniform(-bound, bound, (3 * E, E)).astype(np.float32),
            "in_proj_bias": np.zeros(3 * E, np.float32),
            "out_proj.weight": rng.uniform(-E ** -0.5, E ** -0.5, (E, E)).astype(np.float32),
            "out_proj.bias": np.zeros(E, np.float32)}


def _mha(torch, need_weights: bool) -> Callable[[], object]:
    """The same program for both libraries: `torch` is neuronet or PyTorch."""
    mha = torch.nn.MultiheadAttention(E, H, batch_first=True)
    mha.load_state_dict({k: torch.from_numpy(v) for k, v in _state().items()})
    x_np, g_np = _arrays()
    x, g = torch.from_numpy(x_np).requires_grad_(), torch.from_numpy(g_np)

    def step() -> object:
        x.grad = None
        mha.zero_grad()
        out, _ = mha(x, x, x, need_weights=need_weights)
        out.backward(g)
        return x.grad

    return step


def _qkv(seed: int = 2) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    return tuple(rng.standard_normal((B, H, L, D), dtype=np.float32) for _ in range(4))


def _sdpa(torch) -> Callable[[], object]:
    """The same program for both libraries: `torch` is neuronet or PyTorch."""
    q, k, v, g = (torch.from_numpy(a) for a in _qkv())
    for t in (q, k, v):
        t.requires_grad_()

    def step() -> object:
        q.grad = k.grad = v.grad = None
        torch.nn.functional.scaled_dot_product_attention(q, k, v).backward(g)
        return q.grad

    return step


def sdpa_numpy() -> Callable[[], object]:
    """The textbook version: s = q k^T / sqrt(d), p = exp(s - max) / sum, o = p v, and the
    backward dv = p^T g, dp = g v^T, ds = p (dp - sum(dp p)), dq = ds k, dk = ds^T q."""
    q, k, v, g = _qkv()
    scale = 1.0 / np.sqrt(D)

    def step() -> object:
        s = q @ k.swapaxes(-1, -2) * scale
        p = np.exp(s - s.max(-1, keepdims=True))
        p /= p.sum(-1, keepdims=True)
        o = p @ v
        dv = p.swapaxes(-1, -2) @ g
        dp = g @ v.swapaxes(-1, -2)
        ds = p * (dp - (dp * p).sum(-1, keepdims=True))
        return o, dv, ds @ k * scale, ds.swapaxes(-1, -2) @ q * scale

    return step


def cases() -> list[Case]:
    return [
        Case("MHA fwd+bwd B32 L128 E256 H8 weights",
             {"neuronet": partial(_mha, neuronet, True), "torch": partial(_mha, torch, True)},
             number=2, repeat=11),
        Case("MHA fwd+bwd B32 L128 E256 H8 no weights",
             {"neuronet": partial(_mha, neuronet, False), "torch": partial(_mha, torch, False)},
             number=2, repeat=11),
        Case("SDPA fwd+bwd (32, 8, 128, 32)",
             {"neuronet": partial(_sdpa, neuronet), "torch": partial(_sdpa, torch),
              "numpy": sdpa_numpy},
             number=2, repeat=11),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_attention")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    set_threads(args.threads)
    before = os.getloadavg()
    all_cases = cases()
    for case in all_cases:
        time_case(case)
    after = os.getloadavg()
    print(f"threads {args.threads}; load average before {before[0]:.2f}, after {after[0]:.2f} "
          f"(1-minute, {os.cpu_count()} CPUs)")
    print(report(all_cases))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
