"""``streamkit events FILE``: one JSON line per typed event, without waiting."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ._args import FILE_HELP, decoding_options, source_options
from ._decoding import events
from ._output import event_json
from ._sources import load

if TYPE_CHECKING:
    import argparse

__all__ = ("add_parser", "run")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "events",
        parents=[source_options(), decoding_options("raise")],
        help="one JSON line per typed event",
        description="Print one JSON line per typed event, without waiting.",
    )
    parser.add_argument("file", metavar="FILE", help=FILE_HELP)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream, max_event_size=args.max_event_size)
    out = sys.stdout.buffer
    for _, event in events(source, args.on_error, args.max_event_size):
        out.write(event_json(event) + b"\n")
    out.flush()
    return 0
