"""The `neuronet` command line:

    neuronet train [--model mlp] [--dataset fashion-mnist] [--epochs N] ...
    neuronet evaluate RUN_OR_MODEL [--dataset ...]
    neuronet predict MODEL FILES...
    neuronet summary MODEL

Bad input (a missing data set, an unreadable model, an image of the wrong size, an unknown
option) prints one line on stderr, saying what is wrong and what to do, and exits with 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .errors import EXIT_USAGE, CliError

__all__ = ["CliError", "build_parser", "main"]

_COMMANDS = ("train", "evaluate", "predict", "summary")


class _Parser(argparse.ArgumentParser):
    """argparse with errors raised as CliError (one line) instead of usage + exit."""

    def error(self, message: str) -> NoReturn:
        raise CliError(f"{message} (see `{self.prog} --help`)")


def _version() -> str:
    from .. import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    from . import train, use

    parser = _Parser(prog="neuronet", description="Train, evaluate and use neuronet models.")
    parser.add_argument("--version", action="version", version=f"neuronet {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text, add, handler in (
        ("train", "train a model and write a run folder with its report", train.add_arguments,
         train.run),
        ("evaluate", "evaluate a trained model on a test split", use.add_evaluate_arguments,
         use.evaluate),
        ("predict", "classify image files with a trained model", use.add_predict_arguments,
         use.predict),
        ("summary", "print a trained model's layers and parameter counts",
         use.add_summary_arguments, use.summary),
    ):
        sub = commands.add_parser(name, help=help_text, description=help_text)
        add(sub)
        sub.set_defaults(handler=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with `argv` (default sys.argv[1:]) and return the exit code."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and not argv[0].startswith("-") else None
    try:
        args = parser.parse_args(argv)
        if getattr(args, "handler", None) is None:
            raise CliError("choose a command: train, evaluate, predict or summary "
                           "(see `neuronet --help`)")
        return args.handler(args)
    except CliError as error:
        message = str(error)
        prefix = "neuronet"
        if command in _COMMANDS:
            prefix = f"neuronet {command}"
            message = message.replace("`neuronet --help`", f"`neuronet {command} --help`")
        print(f"{prefix}: error: {message}", file=sys.stderr)
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version exit through argparse
        return done.code if isinstance(done.code, int) else 0
    except KeyboardInterrupt:
        print("neuronet: interrupted", file=sys.stderr)
        return 130
