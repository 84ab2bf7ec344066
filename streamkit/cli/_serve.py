"""``serve`` and ``proxy``: the servers of ``streamkit._serve``, as commands.

``serve PATH...``
    A mock API: answers requests with the recorded exchanges found under
    PATH (recordings, sessions, raw bodies, folders of them), at
    the recorded pace, with faults on demand.
``proxy --upstream URL --record DIR``
    A pass-through proxy in front of a real API, recording every exchange
    into a session file in DIR.

Both print the address they listen on as the first line of standard output
and one line per request on standard error (``--quiet``: none), and stop on
Ctrl-C, SIGTERM, or by themselves with ``--max-requests`` / ``--max-seconds``.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ._args import non_negative, positive
from ._output import UserError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

__all__ = ("add_parser",)

DEFAULT_PORT = 8000


def _log(quiet: bool) -> Callable[[str], None] | None:
    if quiet:
        return None

    def log(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    return log


def _listen(args: argparse.Namespace) -> Any:
    from streamkit._serve import _run

    try:
        return _run.bind(args.host, args.port)
    except OSError as exc:
        raise UserError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    from streamkit._serve import FaultError, Library, ServeApp, _run, load, parse_faults

    try:
        faults = parse_faults(args.fault)
    except FaultError as exc:
        raise UserError(f"--fault: {exc}") from None
    match = tuple(f.strip() for f in args.match.split(",") if f.strip())
    entries, notes = load(args.paths, dialect=args.dialect)
    for note in notes:
        sys.stderr.write(f"streamkit: warning: {note}\n")
    if not entries:
        raise UserError("no recording to serve in " + ", ".join(args.paths))
    try:
        library = Library(entries, match=match, cycle=args.cycle)
    except ValueError as exc:
        raise UserError(f"--match: {exc}") from None
    app = ServeApp(library, speed=args.speed, faults=faults, log=_log(args.quiet))
    sock = _listen(args)
    files = len({e.file for e in entries})
    sys.stderr.write(
        f"streamkit serve: {len(entries)} exchange(s) from {files} file(s);"
        f" GET /_streamkit/recordings lists them\n"
    )
    _run.run(app, sock, max_requests=args.max_requests, max_seconds=args.max_seconds)
    return 0


def cmd_proxy(args: argparse.Namespace) -> int:
    from streamkit._serve import _run
    from streamkit._serve._proxy import ProxyApp

    os.makedirs(args.record, exist_ok=True)
    name = args.session or datetime.now(UTC).strftime("session-%Y%m%dT%H%M%S%fZ.ndjson")
    path = os.path.join(args.record, name)
    try:
        app = ProxyApp(
            args.upstream,
            path,
            redact=args.redact,
            read_timeout=args.timeout,
            connect_timeout=args.connect_timeout,
            log=_log(args.quiet),
        )
    except ValueError as exc:
        raise UserError(f"--upstream: {exc}") from None
    sock = _listen(args)
    sys.stderr.write(f"streamkit proxy: {args.upstream} -> recording into {path}\n")
    try:
        _run.run(app, sock, max_requests=args.max_requests, max_seconds=args.max_seconds)
    finally:
        app.cassette.close()
    return 0


def _server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"port to listen on; 0 picks a free one (default: {DEFAULT_PORT});"
        " the address is the first line of output",
    )
    parser.add_argument("--quiet", action="store_true", help="no line per request on stderr")
    parser.add_argument(
        "--max-requests", type=int, metavar="N", help="stop after answering N requests"
    )
    parser.add_argument("--max-seconds", type=positive, metavar="S", help="stop after S seconds")


def add_parser(commands: Any) -> None:
    """Add ``serve`` and ``proxy`` to the command line (*commands*: its subparsers)."""
    serve = commands.add_parser(
        "serve",
        help="a mock LLM API serving recordings over HTTP (needs streamkit[serve])",
        description="Answer HTTP requests with recorded exchanges: on the path each was "
        "recorded on and on the provider's usual endpoint (POST /v1/chat/completions, "
        "/v1/responses, /v1/messages, Gemini's :streamGenerateContent, Ollama's /api/chat), "
        "chosen by request matching as ReplayTransport does, at the recorded pace. Faults "
        "per request: X-Streamkit-Fault: cut=40%%, drop, stall=5s, error=overloaded, "
        "status=429;retry-after=2 (see docs/serve.md).",
    )
    serve.add_argument(
        "paths", nargs="+", metavar="PATH", help="recording, session, raw body or folder"
    )
    _server_options(serve)
    serve.add_argument(
        "--speed",
        type=non_negative,
        default=1.0,
        metavar="F",
        help="pace multiplier: 2 is twice as fast, 0 is no waiting (default: 1)",
    )
    serve.add_argument(
        "--cycle",
        action="store_true",
        help="ignore the request: serve the recordings on each path in turn",
    )
    serve.add_argument(
        "--match",
        default="method,path,query,body",
        metavar="FIELDS",
        help="request fields compared (default: method,path,query,body; also scheme, host, port)",
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="a fault for every request, as in X-Streamkit-Fault (repeatable)",
    )
    serve.add_argument("--dialect", metavar="NAME", help="dialect of raw bodies (default: auto)")
    serve.set_defaults(run=cmd_serve)

    proxy = commands.add_parser(
        "proxy",
        help="a recording pass-through proxy in front of a real API (needs streamkit[serve])",
        description="Forward every request to --upstream, stream the answer back chunk by "
        "chunk as it arrives, and record each exchange into a session file in --record DIR "
        "(secrets redacted, the dialect detected).",
    )
    proxy.add_argument("--upstream", required=True, metavar="URL", help="the real API's base URL")
    proxy.add_argument("--record", required=True, metavar="DIR", help="folder of the session file")
    proxy.add_argument("--session", metavar="NAME", help="session file name (default: by time)")
    _server_options(proxy)
    proxy.add_argument(
        "--redact",
        action="append",
        default=[],
        metavar="NAME",
        help="another header, query parameter or JSON field to keep out of the file",
    )
    proxy.add_argument(
        "--timeout",
        type=positive,
        default=600.0,
        metavar="S",
        help="how long the upstream may stay silent (default: 600)",
    )
    proxy.add_argument(
        "--connect-timeout",
        type=positive,
        default=30.0,
        metavar="S",
        help="how long connecting to the upstream may take (default: 30)",
    )
    proxy.set_defaults(run=cmd_proxy)
