"""Run folders: `runs/<name>/` holding model.keras, history.csv, run.json, report.html and
the PNGs. A folder is never reused: a taken name gets a numbered suffix."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import CliError

__all__ = ["find_model", "make_run_dir", "read_run_info", "write_history_csv", "write_run_info"]

RUN_INFO = "run.json"
MODEL_FILE = "model.keras"


def make_run_dir(parent: str | os.PathLike[str], name: str) -> Path:
    """Create and return `parent/name`, or `parent/name-2`, `-3`, ... if it exists."""
    parent = Path(parent)
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CliError(f"--out {parent}: cannot create the folder: {error.strerror}") from None
    for attempt in range(1, 10_000):
        candidate = parent / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            candidate.mkdir()  # atomic: fails if another run took the name first
            return candidate
        except FileExistsError:
            continue
        except OSError as error:
            raise CliError(f"cannot create the run folder {candidate}: {error.strerror}") \
                from None
    raise CliError(f"{parent}: too many runs named {name!r}; pass --name")


def write_history_csv(path: Path, history: Mapping[str, Sequence[float]]) -> None:
    """history.csv as Keras's CSVLogger writes it: an 'epoch' column, then the sorted keys."""
    keys = sorted(history)
    epochs = len(next(iter(history.values()), []))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", *keys])
        for epoch in range(epochs):
            writer.writerow([epoch, *(repr(float(history[key][epoch])) for key in keys)])


def write_run_info(folder: Path, info: Mapping[str, Any]) -> None:
    (folder / RUN_INFO).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def read_run_info(folder: Path) -> dict[str, Any]:
    """The run's run.json, or {} when the folder has none."""
    path = folder / RUN_INFO
    if not path.is_file():
        return {}
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CliError(f"{path}: unreadable run record ({error}); delete it or pass "
                       "the options it would give (--dataset)") from None
    return info if isinstance(info, dict) else {}


def find_model(target: str) -> tuple[Path, dict[str, Any]]:
    """(the .keras file, the run record) for a run folder or a .keras file."""
    path = Path(target).expanduser()
    if path.is_dir():
        model = path / MODEL_FILE
        if not model.is_file():
            raise CliError(f"{target}: this folder has no {MODEL_FILE}; give a run folder "
                           "written by `neuronet train` or a .keras file")
        return model, read_run_info(path)
    if not path.exists():
        raise CliError(f"{target}: no such file or folder; give a run folder written by "
                       "`neuronet train` or a .keras file")
    return path, read_run_info(path.parent)
