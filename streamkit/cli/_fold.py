"""``streamkit fold FILE``: the fold of every event, as one JSON document.

The document is the common face, the same keys for every dialect:
``dialect``, ``result`` (the final object, shaped like the API's own
response), ``outcome`` (``kind``, ``reason``, ``error``), ``text``,
``refusal``, ``tool_calls``, ``usage``, ``warnings``, ``warnings_dropped``,
``drift``, ``errors``; and, under ``detail``, what the dialect's fold holds
beyond it (the Assistants dialect's thread, run, messages and run steps).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._args import FILE_HELP, decoding_options, source_options
from ._decoding import events
from ._face import fold_document
from ._output import write_json
from ._sources import load

if TYPE_CHECKING:
    import argparse

__all__ = ("add_parser", "run")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "fold",
        parents=[source_options(), decoding_options("raise")],
        help="the folded final state as JSON",
        description="Fold every event and print, as one JSON document, the same keys for "
        "every dialect: dialect, result (the final object), outcome (kind, reason, error), "
        "text, refusal, tool_calls, usage, warnings, warnings_dropped, drift, errors, and "
        "under detail what the dialect's fold holds beyond them.",
    )
    parser.add_argument("file", metavar="FILE", help=FILE_HELP)
    parser.add_argument("--pretty", action="store_true", help="indent the JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream, max_event_size=args.max_event_size)
    dialect = source.decoder
    acc = dialect.accumulator()
    for _, event in events(source, args.on_error, args.max_event_size):
        acc.feed(event)
    write_json(fold_document(dialect.name, acc), pretty=args.pretty)
    return 0
