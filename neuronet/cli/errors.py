"""The one exception the CLI turns into a one-line message and exit code 2."""

from __future__ import annotations

EXIT_USAGE = 2


class CliError(Exception):
    """Bad input from the user: the message says what is wrong and what to do, on one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))  # always one line
