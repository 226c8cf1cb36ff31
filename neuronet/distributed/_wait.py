"""Waiting on a non-blocking MPI request with a deadline, and naming the ranks that are late.

Every collective in `neuronet.distributed` is started non-blocking (Iallreduce, Ibcast, ...)
and then polled here. While polling, a rank answers "where are you?" pings from the others on
a second communicator. When the deadline passes, the rank pings every other rank and reports:
ranks that answer from the same collective are fine; ranks that answer from another collective
are out of step; ranks that do not answer are dead, hung, or busy outside any collective.
"""

from __future__ import annotations

import time
from typing import Any

from ._state import STATE

TAG_PING, TAG_PONG = 7101, 7102
_PING_WINDOW_S = 3.0  # how long a timed-out rank waits for answers to its pings
_SERVE_EVERY_S = 0.05


class DistributedTimeoutError(RuntimeError):
    """A collective did not complete within the process group's timeout."""


def serve_pings() -> None:
    """Answer pending pings with (collective number, collective name)."""
    control = STATE.control
    if control is None:
        return
    MPI = _mpi()
    status = MPI.Status()
    while control.Iprobe(source=MPI.ANY_SOURCE, tag=TAG_PING, status=status):
        source = status.Get_source()
        control.recv(source=source, tag=TAG_PING)
        control.send((STATE.sequence, STATE.current_op), dest=source, tag=TAG_PONG)


def _mpi() -> Any:
    from ._state import import_mpi

    return import_mpi()


def wait(request: Any, op: str, timeout_s: float | None = None, status: Any = None) -> None:
    """Poll `request` until it completes; raise DistributedTimeoutError after the timeout.
    `status` (an MPI.Status) receives the source and tag of a completed receive."""
    if request.Test(status):
        return
    limit = STATE.timeout_s if timeout_s is None else timeout_s
    start = time.monotonic()
    next_serve = start + _SERVE_EVERY_S
    spins = 0
    while not request.Test(status):
        spins += 1
        # A short spin for fast collectives, then sleep so oversubscribed cores stay usable.
        time.sleep(0 if spins < 200 else 0.0005)
        now = time.monotonic()
        if now >= next_serve:
            serve_pings()
            next_serve = now + _SERVE_EVERY_S
        if now - start > limit:
            raise DistributedTimeoutError(_diagnose(op, limit))


def _diagnose(op: str, limit: float) -> str:
    """Ping the other ranks and say which of them did not reach this collective."""
    control, rank, size, seq = STATE.control, STATE.rank, STATE.world_size, STATE.sequence
    MPI = _mpi()
    others = [r for r in range(size) if r != rank]
    sends = [control.isend(seq, dest=r, tag=TAG_PING) for r in others]
    answers: dict[int, tuple] = {}
    status = MPI.Status()
    deadline = time.monotonic() + _PING_WINDOW_S
    while time.monotonic() < deadline and len(answers) < len(others):
        serve_pings()
        if control.Iprobe(source=MPI.ANY_SOURCE, tag=TAG_PONG, status=status):
            source = status.Get_source()
            answers[source] = control.recv(source=source, tag=TAG_PONG)
        else:
            time.sleep(0.001)
    del sends  # unanswered pings stay queued; the job is being stopped anyway
    silent = [r for r in others if r not in answers]
    elsewhere = {r: a for r, a in answers.items() if a[0] != seq}
    parts = [f"neuronet.distributed: {op} (collective #{seq}) timed out on rank {rank} after "
             f"{limit:g} s waiting for the other ranks."]
    if silent:
        parts.append(f"Rank(s) {silent} did not answer: dead, hung, or busy outside any "
                     "collective.")
    for r, (their_seq, their_op) in sorted(elsewhere.items()):
        parts.append(f"Rank {r} is waiting in {their_op} (collective #{their_seq}): the ranks "
                     "called collectives in different orders.")
    if not silent and not elsewhere:
        parts.append("Every rank answered from this collective; the network may be stalled.")
    parts.append("Raise the limit with init_process_group(timeout=...) or "
                 "$NEURONET_DIST_TIMEOUT if a rank is only slow.")
    return " ".join(parts)
