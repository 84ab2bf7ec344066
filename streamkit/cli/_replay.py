"""``streamkit replay FILE``: play a stream back at its recorded pace.

``--text`` (the default) prints what the chat's user saw: the dialect's
transcript (``Dialect.transcript``), written as each event arrives;
``--events`` one JSON line per typed event; ``--raw`` the exact bytes.
``--speed`` scales the recorded pace (``0``: no waiting).
"""

from __future__ import annotations

import io
import sys
from typing import TYPE_CHECKING, Any

import anyio

from streamkit._async import aiter_events
from streamkit._errors import StreamError

from ._args import FILE_HELP, decoding_options, non_negative, source_options
from ._decoding import Census
from ._output import event_json
from ._sources import load, read

if TYPE_CHECKING:
    import argparse
    from collections.abc import AsyncGenerator, AsyncIterator

    from streamkit.dialects import Transcript

    from ._sources import Source

__all__ = ("add_parser", "run")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "replay",
        parents=[source_options(), decoding_options("raise")],
        help="play a stream back at its recorded pace",
        description="Play a stream back: the chat transcript (--text, the default: the "
        "dialect's transcript of text, reasoning, tool calls and how the stream ended), its "
        "typed events (--events) or its raw bytes (--raw), at the recorded pace scaled by "
        "--speed.",
    )
    parser.add_argument("file", metavar="FILE", help=FILE_HELP)
    parser.add_argument(
        "--speed",
        type=non_negative,
        default=1.0,
        metavar="F",
        help="pace multiplier: 2 is twice as fast, 0 is no waiting (default: 1)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--raw", dest="mode", action="store_const", const="raw", help="raw bytes")
    mode.add_argument(
        "--events", dest="mode", action="store_const", const="events", help="JSON event lines"
    )
    mode.add_argument(
        "--text", dest="mode", action="store_const", const="text", help="chat transcript (default)"
    )
    parser.set_defaults(mode="text", run=run)


async def _take(source: AsyncIterator[bytes], count: int) -> AsyncGenerator[bytes, None]:
    """The next *count* chunks of *source* (fewer when it ends)."""
    for _ in range(count):
        try:
            chunk = await anext(source)
        except StopAsyncIteration:
            return
        yield chunk


def _show(events: list[Any], transcript: Transcript | None) -> None:
    """Write *events*: as the transcript shows them, or one JSON line each."""
    if transcript is not None:
        sys.stdout.write("".join(transcript.feed(event) for event in events))
        sys.stdout.flush()
    else:
        sys.stdout.buffer.write(b"".join(event_json(event) + b"\n" for event in events))
        sys.stdout.buffer.flush()


async def _replay(source: Source, args: argparse.Namespace) -> None:
    """Replay at the requested speed; each stream goes through its own decoder."""
    chunks = source.replayer.aiter_chunks(args.speed, stream=source.stream)
    try:
        if args.mode == "raw":
            raw = sys.stdout.buffer
            async for chunk in chunks:
                raw.write(chunk)
                raw.flush()
            return
        dialect = source.decoder
        census = Census(source)
        transcript = dialect.transcript() if args.mode == "text" else None
        held: list[Any] = []
        try:
            for recorded in source.selected:
                part = _take(chunks, len(recorded.chunks))
                async for event in aiter_events(
                    part, dialect, on_error=args.on_error, max_event_size=args.max_event_size
                ):
                    census.count(event)
                    held.append(event)
                    if census.known:  # shown once the stream is known to be the dialect's
                        _show(held, transcript)
                        held.clear()
        except StreamError as exc:
            raise census.explain(exc) from None
        async for _ in chunks:  # wait out the recorded end
            pass
        census.check()
        if transcript is not None:
            sys.stdout.write(transcript.close())
            sys.stdout.flush()
    finally:
        await chunks.aclose()


def run(args: argparse.Namespace) -> int:
    if args.mode == "raw":
        source = read(args.file, args.dialect, args.stream)
    else:
        source = load(args.file, args.dialect, args.stream, max_event_size=args.max_event_size)
    if args.mode == "text" and isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="replace")
    anyio.run(_replay, source, args)
    return 0
