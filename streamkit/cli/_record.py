"""``streamkit record --url URL -o FILE``: record a live endpoint's streamed response.

Sends one request and records the response body as it comes off the wire
(needs httpx: ``pip install 'streamkit[httpx]'``).  ``Accept:
text/event-stream`` and ``Accept-Encoding: identity`` are sent unless given
with ``-H``, so the body is plain; a body the server compresses anyway is
recorded compressed.  The header holds the request as sent (httpx's own
headers too) and the response's status and headers; ``Authorization``,
``api-key`` and cookie headers are redacted.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from streamkit.dialects._msgspec_errors import read as read_problem
from streamkit.recording import Recorder

from ._args import dialect_list, positive
from ._output import UserError
from ._sources import check_dialect

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

__all__ = ("add_parser", "run")

_PROGRESS_EVERY = 0.1  # seconds between progress updates on a terminal


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "record",
        help="record a live SSE endpoint (needs httpx)",
        description="Send one request and record the streamed response. Authorization, "
        "api-key and cookie headers are redacted in the file.",
    )
    parser.add_argument("--url", required=True, help="the endpoint")
    parser.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a request header (repeatable)",
    )
    parser.add_argument("--data", metavar="JSON", help="JSON request body (or @FILE); POSTs")
    parser.add_argument("--method", metavar="M", help="HTTP method (default: POST with --data)")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="recording to write")
    parser.add_argument(
        "--dialect",
        metavar="NAME",
        default="auto",
        help="the dialect the recording's header names; auto (the default) names none, and "
        "readers tell it from the first event. Known: " + dialect_list(),
    )
    parser.add_argument(
        "--redact", action="append", default=[], metavar="NAME", help="another header to redact"
    )
    parser.add_argument(
        "--timeout",
        type=positive,
        default=600.0,
        metavar="SECONDS",
        help="give up when no byte arrives for this long (default: 600)",
    )
    parser.set_defaults(run=run)


def _parse_headers(values: Sequence[str]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for value in values:
        name, sep, rest = value.partition(":")
        if not sep or not name.strip():
            raise UserError(f"bad header {value!r}: expected 'Name: value'")
        name = name.strip()
        headers[name] = f"{headers[name]}, {rest.strip()}" if name in headers else rest.strip()
    return headers


def _request_body(data: str) -> bytes:
    if data.startswith("@"):
        try:
            data = Path(data[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise UserError(f"cannot read --data file {data[1:]}: {reason}") from None
    raw = data.encode()
    try:
        msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise UserError(f"--data is not valid JSON: {read_problem(exc, raw).message}") from None
    return raw


class _Progress:
    """Bytes and chunks received so far, on standard error when it is a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.bytes = 0
        self.chunks = 0

    def add(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        self.chunks += 1
        now = time.monotonic()
        if self.enabled and now - self.last >= _PROGRESS_EVERY:
            self.last = now
            self.show(now)

    def show(self, now: float) -> None:
        sys.stderr.write(
            f"\rrecording: {self.bytes:,} bytes in {self.chunks:,} chunks,"
            f" {now - self.start:.1f} s "
        )
        sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            self.show(time.monotonic())
            sys.stderr.write("\n")


def _request_clock(sent: float) -> Callable[[], float]:
    """A Recorder clock whose first reading (the recording's t = 0) is *sent*."""
    first = [True]

    def clock() -> float:
        if first[0]:
            first[0] = False
            return sent
        return time.monotonic()

    return clock


def run(args: argparse.Namespace) -> int:
    """Send the request and record the response body as it comes off the wire."""
    dialect = None if args.dialect == "auto" else check_dialect(args.dialect).name
    headers = _parse_headers(args.header)
    lowered = {name.lower() for name in headers}
    body = None
    if args.data is not None:
        body = _request_body(args.data)
        if "content-type" not in lowered:
            headers["Content-Type"] = "application/json"
    if "accept" not in lowered:
        headers["Accept"] = "text/event-stream"
    if "accept-encoding" not in lowered:
        headers["Accept-Encoding"] = "identity"
    method = (args.method or ("POST" if body is not None else "GET")).upper()
    try:
        import httpx
    except ImportError:
        raise UserError("record needs httpx: pip install 'streamkit[httpx]'") from None
    timeout = httpx.Timeout(args.timeout, connect=min(args.timeout, 30.0))
    progress = _Progress()
    status, reason, recording = 0, "", False
    try:
        with httpx.Client(timeout=timeout) as client:
            sent = time.monotonic()
            with client.stream(method, args.url, headers=headers, content=body) as response:
                status, reason = response.status_code, response.reason_phrase
                request = {
                    "method": method,
                    "url": str(response.request.url),
                    "headers": response.request.headers.multi_items(),
                }
                answer = {"status": status, "headers": response.headers.multi_items()}
                try:
                    recorder = Recorder.open(
                        args.output,
                        dialect=dialect,
                        request=request,
                        response=answer,
                        redact=args.redact,
                        clock=_request_clock(sent),
                    )
                except OSError as exc:
                    raise UserError(f"cannot write {args.output}: {exc.strerror or exc}") from None
                recording = True
                with recorder:
                    for chunk in recorder.tap(response.iter_raw()):
                        progress.add(chunk)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        kept = f" (what arrived is recorded in {args.output})" if recording else ""
        raise UserError(f"{method} {args.url} failed: {type(exc).__name__}: {exc}{kept}") from None
    finally:
        progress.done()
    if not 200 <= status < 300:
        raise UserError(f"the server answered {status} {reason} (recorded to {args.output})")
    return 0
