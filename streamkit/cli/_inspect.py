"""``streamkit inspect FILE``: counts, sizes, timing, stalls and the outcome of a stream.

Text by default; ``--json`` prints the same report as one JSON object;
``--html OUT`` also writes a self-contained page with a timeline chart.
Undecodable events are kept and counted (``--on-error yield``), and so are
events larger than ``--max-event-size``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._analysis import analyse
from ._args import FILE_HELP, decoding_options, positive, source_options
from ._html import render_html
from ._output import UserError, write_json
from ._sources import load
from ._text_report import render_report

if TYPE_CHECKING:
    import argparse

__all__ = ("add_parser", "run")

DEFAULT_STALL = 5.0


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "inspect",
        parents=[source_options(), decoding_options("yield")],
        help="counts, sizes, timing and stalls of a stream",
        description="Report the dialect, model, events by name and lane, bytes, chunks, "
        "duration, time to first event, first content and first answer text, gaps and "
        "stalls, the outcome and its reason, usage, tool calls and warnings.",
    )
    parser.add_argument("file", metavar="FILE", help=FILE_HELP)
    parser.add_argument(
        "--stall",
        type=positive,
        default=DEFAULT_STALL,
        metavar="SECONDS",
        help=f"report silences longer than this (default: {DEFAULT_STALL:g})",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--html", metavar="OUT", help="also write a self-contained HTML page with a timeline"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    source = load(args.file, args.dialect, args.stream, max_event_size=args.max_event_size)
    report, timeline = analyse(source, args.on_error, args.stall, args.max_event_size)
    if args.html is not None:
        page = render_html(report, timeline)
        try:
            Path(args.html).write_text(page, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {args.html}: {exc.strerror or exc}") from None
    if args.json:
        write_json(report, pretty=True)
    else:
        sys.stdout.write(render_report(report))
        sys.stdout.flush()
    return 0
