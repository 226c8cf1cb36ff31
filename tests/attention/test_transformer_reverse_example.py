"""examples/transformer_reverse.py: a smoke run (fast) and the full training run (slow), which
must reach >= 95% greedy token accuracy on held-out digit strings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "transformer_reverse.py"


def _load():
    spec = importlib.util.spec_from_file_location("example_transformer_reverse", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_batches_reverse_and_avoid_held_out_strings():
    ex = _load()
    rng = np.random.default_rng(0)
    held = {np.array([1, 2, 3], dtype=np.int64).tobytes()}
    src, tgt_in, tgt = ex.batch(rng, 200, 3, held)
    np.testing.assert_array_equal(tgt, src[:, ::-1])
    assert np.all(tgt_in[:, 0] == ex.BOS)
    np.testing.assert_array_equal(tgt_in[:, 1:], tgt[:, :-1])
    assert not any(row.tobytes() in held for row in src)


def test_smoke_run_trains_and_decodes():
    accuracy = _load().main(steps=3, length=4, batch_size=8, verbose=False)
    assert 0.0 <= accuracy <= 1.0


@pytest.mark.slow
def test_learns_to_reverse_held_out_strings():
    accuracy = _load().main(verbose=False)
    assert accuracy >= 0.95, accuracy
