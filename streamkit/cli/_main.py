"""The program: the parser made of every command's, and ``main``.

A command is a module with ``add_parser(subparsers)`` (which adds its
subparser and sets ``run`` as its default; ``_serve`` adds two, ``serve``
and ``proxy``) and the function it sets;
:data:`COMMANDS` lists them, in the order ``--help`` shows them.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

from streamkit._errors import DialectMismatch, StreamError

from . import _convert, _events, _fold, _inspect, _record, _replay, _serve
from ._args import Parser, VersionAction, dialect_list
from ._output import PROG, UserError, quiet_broken_pipe, say

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from types import ModuleType

__all__ = ("COMMANDS", "build_parser", "main")

COMMANDS: tuple[ModuleType, ...] = (
    _replay,
    _events,
    _fold,
    _inspect,
    _convert,
    _record,
    _serve,
)
"""Every command, in the order of the help."""


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Decode, fold, inspect, convert, record and replay LLM streams.",
        epilog="FILE is a recording (.ndjson[.gz]), a raw body (.sse, .bin or .json, gzipped "
        "or not, or NDJSON objects) or - for stdin "
        "(read as a recording when its first non-blank byte is '{', else as a raw body; "
        f"gzip is detected). Dialects: {dialect_list()}.",
    )
    parser.add_argument("--version", action=VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A warning as one line, ``streamkit: warning: …``."""
    say(str(message), "warning")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    run: Callable[[argparse.Namespace], int] = args.run
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        # The census says it better: a stream of no event of its dialect is an error.
        warnings.simplefilter("ignore", DialectMismatch)
        try:
            return run(args)
        except (UserError, StreamError) as exc:
            say(str(exc))
        except BrokenPipeError:
            quiet_broken_pipe()
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename is not None else ""
            say(f"{where}{exc.strerror or exc}")
        except KeyboardInterrupt:
            sys.stderr.write("\n")
            return 130
    return 1
