"""``streamkit convert IN OUT``: a raw body to a recording and back, or a recording copied.

The format written follows OUT's suffix (a raw body's, ``.sse``, ``.bin``
or ``.json``, gzipped or not: the raw body; anything else: a recording), or
``--to`` (``sse``: the raw body, whatever its framing); OUT ``-`` is
standard output (a recording unless ``--to sse``).  A recording copied to a recording keeps
its streams, their chunks, times, ends, requests, responses and meta, and
its ``started_at``.  ``--dialect`` sets the dialect the written header names,
after checking that the stream is one of that dialect's.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from streamkit.recording import Recorder
from streamkit.recording._format import is_raw_body

from ._args import FILE_HELP, dialect_list, index
from ._decoding import events
from ._output import UserError, say
from ._sources import read

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    from streamkit.recording import RecordedStream

    from ._sources import Source

__all__ = ("add_parser", "run")


class _Cancelled(BaseException):
    """Ends a re-recorded stream as ``cancelled`` (a BaseException, like a real cancellation)."""


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "convert",
        help="raw body <-> recording",
        description="Convert by OUT's suffix (or --to): .sse, .bin or .json (gzipped or not) "
        "writes the raw body; anything else writes a recording (a raw body becomes "
        "one chunk at t=0). "
        "OUT - writes to standard output.",
    )
    parser.add_argument("input", metavar="IN", help=FILE_HELP)
    parser.add_argument("output", metavar="OUT", help="file to write, or - for stdout")
    parser.add_argument(
        "--to",
        choices=("sse", "recording"),
        help="the format to write (default: by OUT's suffix; a recording for -)",
    )
    parser.add_argument(
        "--dialect",
        metavar="NAME",
        help="the dialect the written recording's header names, checked against the stream "
        "(default: the input's own, none for a raw body). Known: "
        + dialect_list().removeprefix("auto (the default), "),
    )
    parser.add_argument(
        "--stream", metavar="N", type=index, help="only the N-th stream (from 0) of a session"
    )
    parser.set_defaults(run=run)


def _recorded_error(name: str | None, message: str | None) -> Exception:
    """An exception whose type name is *name*, so the Recorder writes the same error end."""
    cls = type(name or "Exception", (Exception,), {})
    cls.__qualname__ = name or "Exception"
    return cast("Exception", cls(message or ""))


def _rerecord(recorder: Recorder, recorded: RecordedStream, now: list[float]) -> None:
    """Tap *recorded*'s chunks into *recorder* at their recorded times, ending as it ended."""
    failure = None
    if recorded.end == "error":
        failure = _recorded_error(recorded.error, recorded.error_message)

    def chunks() -> Iterator[bytes]:
        for t, chunk in recorded.chunks:
            now[0] = t
            yield chunk
        if recorded.end_t is not None:
            now[0] = recorded.end_t
        if failure is not None:
            raise failure
        if recorded.end != "eof":
            raise _Cancelled

    try:
        for _ in recorder.tap(chunks()):
            pass
    except _Cancelled:
        pass
    except Exception as exc:
        if exc is not failure:
            raise


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _write_body(source: Source, output: str) -> None:
    streams = source.selected
    if len(streams) != 1:
        raise UserError(
            f"{source.name} holds {len(streams)} streams and a raw body one:"
            " pick one with --stream N"
        )
    body = streams[0].body
    if output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    if output.endswith(".gz"):
        body = gzip.compress(body, mtime=0)
    try:
        Path(output).write_bytes(body)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None


def _write_recording(source: Source, output: str, dialect: str | None) -> None:
    streams = source.selected
    first = streams[0]  # a recording holds at least one stream
    now = [first.t0]  # the recorder's clock: set to each line's recorded time before it
    try:
        recorder = Recorder.open(
            output,
            dialect=dialect,
            meta=first.meta,
            request=first.request,
            response=first.response,
            clock=lambda: now[0] - first.t0,
            started_at=source.replayer.header.started_at,
        )
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
    with recorder:
        for i, recorded in enumerate(streams):
            if recorded.end is None:
                say(f"stream {i} was cut short (no end line): written as cancelled", "warning")
            if i:
                now[0] = recorded.t0
                recorder.new_stream(
                    request=recorded.request, response=recorded.response, meta=recorded.meta
                )
            _rerecord(recorder, recorded, now)


def run(args: argparse.Namespace) -> int:
    if args.output != "-" and args.input != "-" and _same_file(args.input, args.output):
        raise UserError(f"{args.output} is the input: convert writes a new file")
    label = None if args.dialect == "auto" else args.dialect  # auto: the input's own
    source = read(args.input, label or "auto", args.stream)
    if label is not None:  # a label is checked before it is written
        for _ in events(source, "skip", sys.maxsize):
            pass
    raw = is_raw_body(args.output) if args.to is None else args.to == "sse"
    if raw:
        _write_body(source, args.output)
        return 0
    dialect = label or source.replayer.header.dialect
    if args.output != "-":
        _write_recording(source, args.output, dialect)
        return 0
    with tempfile.TemporaryDirectory(prefix="streamkit-") as tmp:
        path = os.path.join(tmp, "out.ndjson")
        _write_recording(source, path, dialect)
        with open(path, "rb") as file:
            shutil.copyfileobj(file, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    return 0
