"""A small encoder-decoder Transformer learns to reverse strings of digits.

    source   3 1 4 1 5 9 2 6
    target   6 2 9 5 1 4 1 3

The model is `nn.Transformer` (2 encoder + 2 decoder layers, d_model 64, 4 heads) over token
embeddings scaled by sqrt(d_model) plus the sinusoidal positional encoding
PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d)).
Training uses teacher forcing: the decoder reads [BOS, y_1, ..., y_{n-1}] under the causal mask
and predicts y_1..y_n with cross-entropy. Evaluation decodes greedily, one token at a time, on
held-out strings that never appear in training, and reports the token accuracy.

Run: `python examples/transformer_reverse.py [--steps 1000] [--length 8]`
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

import neuronet as nt
from neuronet import nn

BOS, N_DIGITS = 10, 10


class Reverser(nn.Module):
    """Embedding + positional encoding -> nn.Transformer -> a linear head over the digits."""

    def __init__(self, d_model: int = 64, nhead: int = 4, num_layers: int = 2,
                 dim_feedforward: int = 128, max_len: int = 64) -> None:
        super().__init__()
        self.d_model = d_model
        self.embed = nn.Embedding(N_DIGITS + 1, d_model)  # digits and BOS
        self.pos = nn.PositionalEncoding(d_model, dropout=0.0, max_len=max_len,
                                         batch_first=True)
        self.transformer = nn.Transformer(d_model, nhead, num_layers, num_layers,
                                          dim_feedforward, dropout=0.0, batch_first=True)
        self.head = nn.Linear(d_model, N_DIGITS)

    def encode(self, src: nt.Tensor) -> nt.Tensor:
        return self.transformer.encoder(self.pos(self.embed(src) * math.sqrt(self.d_model)))

    def decode(self, tgt_in: nt.Tensor, memory: nt.Tensor) -> nt.Tensor:
        mask = nn.Transformer.generate_square_subsequent_mask(tgt_in.shape[1])
        t = self.pos(self.embed(tgt_in) * math.sqrt(self.d_model))
        return self.head(self.transformer.decoder(t, memory, tgt_mask=mask, tgt_is_causal=True))

    def forward(self, src: nt.Tensor, tgt_in: nt.Tensor) -> nt.Tensor:
        return self.decode(tgt_in, self.encode(src))  # (B, T, 10) logits


def batch(rng: np.random.Generator, n: int, length: int, exclude: set) -> tuple:
    """(src, decoder input, target) int64 arrays; strings in `exclude` are redrawn."""
    src = rng.integers(0, N_DIGITS, (n, length))
    for i in range(n):
        while src[i].tobytes() in exclude:
            src[i] = rng.integers(0, N_DIGITS, length)
    tgt = src[:, ::-1].copy()
    tgt_in = np.concatenate([np.full((n, 1), BOS), tgt[:, :-1]], axis=1)
    return src, tgt_in, tgt


def greedy_accuracy(model: Reverser, src: np.ndarray) -> float:
    """Token accuracy of greedy decoding (each step feeds back the model's own predictions)."""
    model.eval()
    with nt.no_grad():
        memory = model.encode(nt.tensor(src))
        out = np.full((len(src), 1), BOS)
        for _ in range(src.shape[1]):
            logits = model.decode(nt.tensor(out), memory)
            nxt = logits[:, -1].argmax(-1).numpy()
            out = np.concatenate([out, nxt[:, None]], axis=1)
    model.train()
    return float((out[:, 1:] == src[:, ::-1]).mean())


def main(steps: int = 1000, length: int = 8, batch_size: int = 64, seed: int = 0,
         verbose: bool = True) -> float:
    """Train, then return the greedy token accuracy on 500 held-out strings."""
    nt.manual_seed(seed)
    rng = np.random.default_rng(seed)
    test_src = rng.integers(0, N_DIGITS, (500, length))
    held_out = {row.tobytes() for row in test_src}
    model = Reverser()
    optimizer = nt.optim.Adam(model.parameters(), lr=2e-3)
    # linear warm-up over 100 steps, then a cosine decay
    schedule = nt.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / 100) * (
        0.5 * (1 + math.cos(math.pi * min(s, steps) / steps))) + 0.02)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for step in range(1, steps + 1):
        src, tgt_in, tgt = batch(rng, batch_size, length, held_out)
        logits = model(nt.tensor(src), nt.tensor(tgt_in))
        loss = loss_fn(logits.reshape(-1, N_DIGITS), nt.tensor(tgt.reshape(-1)))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if verbose and (step % 100 == 0 or step == steps):
            print(f"step {step:4d}  loss {loss.item():.4f}  "
                  f"{time.perf_counter() - start:5.1f} s", flush=True)
    accuracy = greedy_accuracy(model, test_src)
    if verbose:
        print(f"held-out greedy token accuracy: {accuracy:.4f} "
              f"({time.perf_counter() - start:.1f} s in all)")
    return accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--length", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(args.steps, args.length, args.batch_size, args.seed)
