"""Argument parsing shared by the commands: the parser class, value types, common options."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from streamkit._sse import DEFAULT_MAX_EVENT_SIZE
from streamkit.dialects import names

from ._output import PROG, say

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = (
    "FILE_HELP",
    "Parser",
    "VersionAction",
    "decoding_options",
    "dialect_list",
    "index",
    "non_negative",
    "positive",
    "size",
    "source_options",
)

FILE_HELP = "recording, raw body (.sse, .bin, .json, NDJSON), or - for stdin"


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line: ``streamkit: error: …`` (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see '{self.prog} --help')"
        say(message + hint)
        raise SystemExit(2)


# -- value types -------------------------------------------------------------------------


def non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, not {text!r}")
    return value


def positive(text: str) -> float:
    value = non_negative(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"must be > 0, not {text!r}")
    return value


def index(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, not {text!r}")
    return value


_UNITS = {"": 1, "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20}


def size(text: str) -> int:
    """A byte count: ``65536``, ``64k`` / ``64KiB``, ``16m`` / ``16MiB``."""
    lowered = text.strip().lower()
    digits = lowered.rstrip("kmib")
    unit = lowered[len(digits) :]
    if unit not in _UNITS or not digits.isdigit():
        raise argparse.ArgumentTypeError(f"not a size in bytes (like 65536, 64k, 16m): {text!r}")
    value = int(digits) * _UNITS[unit]
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1 byte, not {text!r}")
    return value


# -- common options ----------------------------------------------------------------------


def dialect_list() -> str:
    """``auto (the default), chat, responses, …``: every dialect of the registry."""
    return ", ".join(["auto (the default)", *names()])


def source_options() -> Parser:
    """``--dialect`` and ``--stream``, for the commands that read a FILE."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--dialect",
        metavar="NAME",
        default="auto",
        help="decode as this dialect; auto: the recording's, else the one that claims its "
        f"first event. Known: {dialect_list()}",
    )
    parent.add_argument(
        "--stream", metavar="N", type=index, help="only the N-th stream (from 0) of a session"
    )
    return parent


def decoding_options(on_error: str) -> Parser:
    """``--on-error`` (default *on_error*) and ``--max-event-size``, for commands that decode."""
    parent = Parser(add_help=False)
    parent.add_argument(
        "--on-error",
        choices=("raise", "skip", "yield"),
        default=on_error,
        help="an undecodable event: fail (raise), drop it (skip) or keep it as an "
        f"invalid event (yield); default: {on_error}",
    )
    parent.add_argument(
        "--max-event-size",
        type=size,
        default=DEFAULT_MAX_EVENT_SIZE,
        metavar="BYTES",
        help="the most bytes one event may hold, as a reader given max_event_size "
        f"(default: {DEFAULT_MAX_EVENT_SIZE:,}; 64k, 16m are understood)",
    )
    return parent


# -- --version ---------------------------------------------------------------------------


def _version() -> str:
    from importlib import metadata  # only here: it takes longer to import than the rest

    try:
        return metadata.version("streamkit")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


class VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        sys.stdout.write(f"{PROG} {_version()}\n")
        parser.exit()
