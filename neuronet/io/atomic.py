"""Atomic file writes: a reader sees the old file or the new one, never half of either.

The recipe: write to a temporary file in the destination's own directory (so the final
rename stays on one filesystem), flush, fsync, then ``os.replace`` it over the destination.
If anything fails before the rename, the temporary file is removed and the destination is
left exactly as it was.

Example:
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> folder = pathlib.Path(tmp.name)
    >>> _ = atomic_write(folder / "hello.txt", "hello\\n")
    >>> (folder / "hello.txt").read_text()
    'hello\\n'
    >>> with atomic_open(folder / "hello.txt", "w") as f:
    ...     _ = f.write("bye\\n")
    >>> (folder / "hello.txt").read_text()
    'bye\\n'
    >>> tmp.cleanup()
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_open", "atomic_write"]

_MODES = ("wb", "w", "wt")


def _refuse_existing(path: Path) -> FileExistsError:
    return FileExistsError(
        f"refusing to overwrite existing file '{path}' (overwrite=False); "
        "remove it, choose another path, or pass overwrite=True"
    )


def _check_destination(path: Path, overwrite: bool) -> None:
    if path.is_dir():
        raise IsADirectoryError(f"cannot write to '{path}': it is a directory")
    if not path.parent.is_dir():
        raise FileNotFoundError(
            f"cannot write to '{path}': the directory '{path.parent}' does not exist"
        )
    if not overwrite and os.path.lexists(path):
        raise _refuse_existing(path)


def _new_file_mode(path: Path) -> int:
    """Permissions for the result: the old file's, else what open() would give (0o666 - umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        pass
    return 0o666 & ~_current_umask()


def _current_umask() -> int:
    """The process umask, read from /proc on Linux (no side effect), else set and restored."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    umask = os.umask(0o022)  # reading the umask means setting it; put it straight back
    os.umask(umask)
    return umask


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX); silently skipped where unsupported."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _publish(tmp_path: str, path: Path, overwrite: bool) -> None:
    """Move the finished temporary file to ``path``."""
    if overwrite:
        os.replace(tmp_path, path)
        return
    # overwrite=False: a hard link fails atomically if ``path`` appeared in the meantime.
    try:
        os.link(tmp_path, path)
    except FileExistsError:
        raise _refuse_existing(path) from None
    except OSError:  # filesystem without hard links: check, then rename (small race window)
        if os.path.lexists(path):
            raise _refuse_existing(path) from None
        os.replace(tmp_path, path)
        return
    os.unlink(tmp_path)


@contextmanager
def atomic_open(
    path: str | os.PathLike[str],
    mode: str = "wb",
    overwrite: bool = True,
    encoding: str | None = "utf-8",
) -> Iterator[IO[Any]]:
    """Open a temporary file that replaces ``path`` only when the ``with`` block succeeds.

    Args:
        path: destination file; its directory must exist.
        mode: ``"wb"`` (bytes) or ``"w"``/``"wt"`` (text).
        overwrite: if False and ``path`` exists, raise ``FileExistsError`` and write nothing.
        encoding: text encoding for text modes (ignored for ``"wb"``).

    Raises:
        FileExistsError: ``overwrite=False`` and ``path`` exists.
        FileNotFoundError: the destination directory does not exist.
        ValueError: an unsupported mode.
    """
    if mode not in _MODES:
        raise ValueError(f"atomic_open: mode must be one of {_MODES}, received mode={mode!r}")
    path = Path(path)
    _check_destination(path, overwrite)
    file_mode = _new_file_mode(path)
    fd, tmp_path = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    text_kwargs = {} if "b" in mode else {"encoding": encoding}
    try:
        handle = os.fdopen(fd, mode, **text_kwargs)
    except BaseException:  # e.g. an unknown encoding
        try:
            os.close(fd)
        except OSError:  # fdopen may already have closed it
            pass
        os.unlink(tmp_path)
        raise
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_path, file_mode)
        _publish(tmp_path, path, overwrite)
    except BaseException:
        # Covers errors in the caller's block, in fsync and in the rename alike.
        try:
            os.unlink(tmp_path)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)


def atomic_write(path: str | os.PathLike[str], data: bytes | str, overwrite: bool = True) -> Path:
    """Write ``data`` to ``path`` atomically and return the path.

    ``str`` data is written as UTF-8 text, ``bytes``-like data as is.

    Raises:
        FileExistsError: ``overwrite=False`` and ``path`` exists.
        TypeError: ``data`` is neither text nor bytes.
    """
    if isinstance(data, str):
        mode = "w"
    elif isinstance(data, bytes | bytearray | memoryview):
        mode = "wb"
    else:
        raise TypeError(f"atomic_write: data must be bytes or str, received {type(data).__name__}")
    with atomic_open(path, mode, overwrite=overwrite) as handle:
        handle.write(data)
    return Path(path)
