"""Helpers for the CLI tests: running ``python -m streamkit``, a local SSE server, recordings."""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import streamkit
from streamkit import dialects
from streamkit.recording import Recorder

from .recording.helpers import ScriptedClock

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

REAL = Path(__file__).resolve().parent / "data" / "real"
ASSISTANTS = REAL / "assistants"
RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"

#: The keys of every ``fold`` document, in order (``detail`` follows when the fold has more).
FOLD_KEYS = (
    "dialect",
    "result",
    "outcome",
    "text",
    "refusal",
    "tool_calls",
    "usage",
    "warnings",
    "warnings_dropped",
    "drift",
    "errors",
)
#: Keys every ``inspect --json`` report has.
INSPECT_KEYS = frozenset(
    {
        "dialect",
        "model",
        "events",
        "outcome",
        "reason",
        "usage",
        "first_content_s",
        "duration_s",
        "longest_gap_s",
        "tool_calls",
        "warnings",
    }
)


def on_the_face(dialect: str) -> bool:
    """Whether *dialect*'s fold implements the common face (:class:`streamkit.Fold`)."""
    return isinstance(dialects.get(dialect).accumulator(), streamkit.Fold)


def needs_face(dialect: str) -> pytest.MarkDecorator:
    """Expect a test to fail while *dialect* is not on the common face, and to pass once it is.

    The command line reads every dialect through the face alone: where a
    dialect's fold lacks it, what the test checks (text, timing of the first
    content, lanes) is not there to be read.
    """
    return pytest.mark.xfail(
        not on_the_face(dialect),
        reason=f"the {dialect} dialect is not on the common face yet",
        strict=True,
    )


def child_env() -> dict[str, str]:
    """The environment for CLI subprocesses.

    Compiled bytecode is cached under the temp dir (never in the source tree),
    even where ``PYTHONDONTWRITEBYTECODE`` is set: recompiling the package in
    each of the ~100 subprocesses would double the suite's run time.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", os.path.join(tempfile.gettempdir(), "streamkit-pycache"))
    return env


def run_python(
    *args: str | Path, stdin: bytes | None = None, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``python ARGS`` in a subprocess, output captured as bytes."""
    return subprocess.run(
        [sys.executable, *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        check=False,
        env=child_env(),
        cwd=cwd,
    )


def run_cli(
    *args: str | Path, stdin: bytes | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """``python -m streamkit ARGS`` in a subprocess, output captured as bytes."""
    return run_python("-m", "streamkit", *args, stdin=stdin, timeout=timeout)


BATCH = Path(__file__).resolve().parent / "cli_batch.py"


class _Child:
    """One ``tests/cli_batch.py`` process, kept for the test session: calls run in it in turn."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(BATCH)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=child_env(),
        )
        atexit.register(self.close)

    def call(self, args: Sequence[str], stdin: bytes | None, timeout: float) -> dict[str, Any]:
        process = self.process
        assert process.stdin is not None
        assert process.stdout is not None
        line = {"argv": list(args), "stdin": None if stdin is None else b64encode(stdin)}
        process.stdin.write(json.dumps(line).encode() + b"\n")
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        if not ready:
            self.close()
            raise TimeoutError(f"streamkit {' '.join(args)} took more than {timeout} s")
        answer = process.stdout.readline()
        if not answer:
            self.close()
            raise RuntimeError(f"the CLI test process died running streamkit {' '.join(args)}")
        result: dict[str, Any] = json.loads(answer)
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


_CHILD: list[_Child] = []


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode()


def run_batch(
    calls: Sequence[tuple[Sequence[str | Path], bytes | None]], *, timeout: float = 300
) -> list[subprocess.CompletedProcess[bytes]]:
    """Command lines (arguments, stdin) run one after the other in one long-lived process.

    Each is ``streamkit.cli.main`` as the console script runs it (see
    ``tests/cli_batch.py``); the results are in order, as ``run_cli`` gives.
    """
    results = []
    for args, stdin in calls:
        argv = [str(arg) for arg in args]
        if not _CHILD or _CHILD[0].process.poll() is not None:
            _CHILD[:] = [_Child()]
        answer = _CHILD[0].call(argv, stdin, timeout)
        results.append(
            subprocess.CompletedProcess(
                argv,
                answer["code"],
                base64.b64decode(answer["stdout"]),
                base64.b64decode(answer["stderr"]),
            )
        )
    return results


def run_all(
    *calls: Sequence[str | Path], stdin: bytes | None = None
) -> list[subprocess.CompletedProcess[bytes]]:
    """Several command lines at once (each a sequence of arguments), results in order."""
    return run_batch([(args, stdin) for args in calls])


def assert_user_error(
    result: subprocess.CompletedProcess[bytes], *fragments: str, code: int = 1
) -> str:
    """*result* failed with *code* and one ``streamkit: error:`` line holding *fragments*."""
    stderr = result.stderr.decode()
    assert result.returncode == code, (result.returncode, stderr)
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("streamkit: error: "), stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, stderr)
    return lines[0]


def sse_events(body: bytes) -> list[bytes]:
    """*body* split after each blank line (``\\n\\n``), so each piece is one whole event."""
    pieces, start = [], 0
    while (end := body.find(b"\n\n", start)) >= 0:
        pieces.append(body[start : end + 2])
        start = end + 2
    if start < len(body):
        pieces.append(body[start:])
    return pieces


@dataclass
class Stream:
    """One stream of a session to record: chunks, their times, the end time, HTTP info.

    ``start`` is when a stream after the first starts (its ``"s"`` line).
    """

    chunks: Sequence[bytes]
    times: Sequence[float]
    end: float
    start: float = 0.0
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None


def record_session(
    path: Path, streams: Sequence[Stream], *, dialect: str | None = "assistants"
) -> Path:
    """Write a recording of *streams* at their scripted times."""
    times = [0.0]
    for i, stream in enumerate(streams):
        if i:
            times.append(stream.start)
        times += [*stream.times, stream.end]
    first = streams[0]
    with Recorder.open(
        path,
        dialect=dialect,
        request=first.request,
        response=first.response,
        clock=ScriptedClock(times),
    ) as recorder:
        for i, stream in enumerate(streams):
            if i:
                recorder.new_stream(request=stream.request, response=stream.response)
            for _ in recorder.tap(stream.chunks):
                pass
    return path


def paced(body: bytes, *, start: float, step: float, first: float | None = None) -> Stream:
    """*body* as one chunk per SSE event, the first at *first* (default *start*), then every
    *step* seconds; the stream itself starts at *start*."""
    chunks = sse_events(body)
    origin = start if first is None else first
    times = [origin + i * step for i in range(len(chunks))]
    return Stream(chunks, times, times[-1] + step, start=start)


# -- a local SSE server ---------------------------------------------------------------------


@dataclass
class Served:
    """What the local server sends, and what it received."""

    chunks: Sequence[bytes]
    status: int = 200
    delay: float = 0.01
    cut: bool = False  # drop the connection instead of ending the body
    requests: list[dict[str, Any]] = field(default_factory=list)


def _handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            served.requests.append(
                {
                    "method": self.command,
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": body,
                }
            )
            self.send_response(served.status)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Set-Cookie", "session=secret")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in served.chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
                time.sleep(served.delay)
            if served.cut:
                self.close_connection = True
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def sse_server(served: Served) -> Iterator[str]:
    """Serve *served* on 127.0.0.1 from a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- the inspect page --------------------------------------------------------------------

_VOID = frozenset({"meta", "br", "img", "hr", "input", "link", "source", "wbr", "col"})
_SVG_EMPTY = frozenset({"line", "rect", "polyline", "polygon", "path", "circle"})


class _Checker(HTMLParser):
    """Checks that every element is closed in order, and collects tags and attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in _VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in _SVG_EMPTY and tag not in _VOID:
            self.problems.append(f"<{tag}/> is not an empty element")

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def check_html(page: str, report: dict[str, Any]) -> list[tuple[str, dict[str, str | None]]]:
    """*page* is a well-formed, self-contained ``inspect`` page of *report*: its tags.

    Every element closes in order; nothing is fetched (no script, no link,
    no ``src``, no ``url()``); one lane strip per lane the report counts,
    each in its own colour; each table appears once.
    """
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.problems == [], checker.problems
    assert checker.open == [], checker.open
    lowered = page.lower()
    for banned in ("<script", "<link", "src=", "href=", "@import", "url("):
        assert banned not in lowered, banned
    strips = [a for tag, a in checker.tags if tag == "svg" and a.get("class") == "strip"]
    assert sorted(str(a["data-lane"]) for a in strips) == sorted(report["lanes"])
    colours = [a["data-colour"] for a in strips]
    assert len(set(colours)) == len(colours)
    assert page.count("<table>") == len(set(re.findall(r"<h2>([^<]+)</h2>", page)))
    assert "<pre" not in page
    return checker.tags
