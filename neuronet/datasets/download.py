"""Fetch a file from a list of mirrors and verify its checksum before it touches the disk.

Only ``neuronet.datasets`` loaders called with ``download=True`` use this; nothing here runs
on import. The network is reached through ``urllib.request.urlopen`` (looked up at call
time, so tests can replace it).
"""

from __future__ import annotations

import hashlib
import http.client
import sys
import urllib.request
from collections.abc import Sequence

__all__ = ["DownloadError", "fetch_verified"]

USER_AGENT = "neuronet-datasets"


class DownloadError(Exception):
    """Every mirror failed. ``failures`` holds one line per attempt; ``checksum_mismatch``
    tells whether any mirror answered with bytes whose checksum was wrong."""

    def __init__(self, filename: str, failures: list[str], checksum_mismatch: bool) -> None:
        self.filename = filename
        self.failures = failures
        self.checksum_mismatch = checksum_mismatch
        super().__init__(f"could not download {filename}: " + "; ".join(failures))


def _get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def fetch_verified(
    filename: str,
    mirrors: Sequence[str],
    md5: str,
    timeout: float = 60.0,
    verbose: bool = True,
) -> bytes:
    """Download ``filename`` from the first mirror that serves bytes with the given MD5.

    Args:
        filename: the file's name; each mirror is a base URL ending in "/".
        mirrors: base URLs tried in order.
        md5: expected hex MD5 of the downloaded bytes.
        timeout: seconds to wait for each connection.
        verbose: print one line per attempt to stderr.

    Raises:
        DownloadError: no mirror gave the file with the right checksum.
    """
    failures: list[str] = []
    checksum_mismatch = False
    for mirror in mirrors:
        url = mirror + filename
        if verbose:
            print(f"neuronet: downloading {url}", file=sys.stderr)
        try:
            data = _get(url, timeout)
        except (OSError, ValueError, http.client.HTTPException) as error:  # URLError is OSError
            failures.append(f"{url}: {error}")
            continue
        digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
        if digest == md5:
            return data
        checksum_mismatch = True
        failures.append(
            f"{url}: checksum mismatch: expected MD5 {md5}, got {digest} ({len(data)} bytes)"
        )
    raise DownloadError(filename, failures, checksum_mismatch)
