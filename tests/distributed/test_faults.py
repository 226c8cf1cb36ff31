"""Failure behaviour: a dead, failing or hung rank stops every rank with a message naming it
(no hang), and training resumes from the last checkpoint with another number of processes."""

from __future__ import annotations

import time

from distributed_helpers import mpi_or_skip, mpirun


def test_killed_worker_stops_the_run_and_restart_resumes_with_other_size(tmp_path) -> None:
    mpi_or_skip()
    start = time.monotonic()
    killed = mpirun(2, "fault.py", str(tmp_path), "kill", env={"FAULT_TIMEOUT": "20"},
                    timeout=60)
    assert time.monotonic() - start < 40  # stopped by the launcher, well within the timeout
    assert killed.returncode != 0
    assert "rank 1" in killed.stderr and "signal 9" in killed.stderr, killed.stderr
    assert "finished" not in killed.stdout
    assert (tmp_path / "ckpt.safetensors").exists()  # epoch 0 finished and was saved

    resumed = mpirun(3, "fault.py", str(tmp_path), "ok", timeout=90)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resumed at epoch 1 with 3 processes" in resumed.stdout, resumed.stdout
    assert "epoch 0 loss" not in resumed.stdout  # epoch 0 was not trained again
    assert "finished 3 epochs with 3 processes" in resumed.stdout


def test_raising_worker_aborts_every_rank_naming_it(tmp_path) -> None:
    mpi_or_skip()
    done = mpirun(2, "fault.py", str(tmp_path), "raise", env={"FAULT_TIMEOUT": "20"},
                  timeout=60)
    assert done.returncode != 0
    assert "rank 1 of 2 stopped with an uncaught exception" in done.stderr, done.stderr
    assert "injected failure in the data pipeline" in done.stderr


def test_hung_worker_makes_the_others_time_out_naming_it(tmp_path) -> None:
    mpi_or_skip()
    start = time.monotonic()
    done = mpirun(2, "fault.py", str(tmp_path), "hang", env={"FAULT_TIMEOUT": "3"},
                  timeout=60)
    assert time.monotonic() - start < 45  # the sleeping rank would take 120 s
    assert done.returncode != 0
    assert "timed out on rank 0 after 3 s" in done.stderr, done.stderr
    assert "Rank(s) [1] did not answer" in done.stderr
