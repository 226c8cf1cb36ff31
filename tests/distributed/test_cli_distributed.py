"""`neuronet train --distributed` under mpiexec: data-parallel fit, one run folder (rank 0)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
from distributed_helpers import REPO, mpi_or_skip


def test_train_distributed_writes_one_run(tmp_path):
    mpi_or_skip()
    from neuronet.distributed.launch import mpiexec_command

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300).astype(np.uint8)
    x = rng.integers(0, 30, (300, 28, 28)).astype(np.uint8)
    x[np.arange(300), 4 * y + 4, :] = 255  # learnable: the bright row encodes the class
    np.savez(tmp_path / "tiny.npz", x_train=x[:240], y_train=y[:240], x_test=x[240:],
             y_test=y[240:])
    env = dict(os.environ, PYTHONPATH=str(REPO), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               OMPI_MCA_btl="self,vader,tcp", OMPI_MCA_btl_tcp_if_include="lo",
               OMPI_MCA_oob_tcp_if_include="lo")
    command = mpiexec_command(2, [sys.executable, "-m", "neuronet", "train", "--distributed",
                                  "--dataset", str(tmp_path / "tiny.npz"), "--epochs", "2",
                                  "--seed", "1", "--out", str(tmp_path / "runs"), "--quiet"],
                              oversubscribe=True)
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, env=env,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / "model.keras").exists()
    assert done.stdout.count("Test accuracy") == 1
