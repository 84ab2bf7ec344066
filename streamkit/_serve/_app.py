"""The mock server: an ASGI application that answers requests with recorded exchanges.

:class:`ServeApp` answers each request with the exchange its
:class:`~._library.Library` chooses, as it was recorded: the status, the
headers (less those of the recorded connection), and the body chunk by
chunk, each chunk at its recorded time divided by ``speed`` (``0``: at
once).  Faults (:mod:`._faults`) from the command line and from the
request's ``X-Streamkit-Fault`` header bend the body.  It is written
against anyio, so any ASGI server runs it, on asyncio or trio.

One request costs one task beside the response (it waits for the client to
leave, so that a replay stops when nobody reads it) and a sleep per paced
chunk; nothing is copied: a chunk is sent as the bytes the recording holds.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Final

import anyio
import anyio.lowlevel
import msgspec

from ..dialects import _registry
from ..dialects._unknowns import to_wire
from ..recording import RecordedRequest, RecordedStream
from ..recording._cassette import Broken, Step, timeline
from . import _faults
from ._asgi import (
    HOP_BY_HOP,
    BodyTooLarge,
    Disconnected,
    header_items,
    json_response,
    raw_headers,
    read_body,
    until_gone,
)
from ._library import Mismatch

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._asgi import Receive, Scope, Send
    from ._faults import FaultSpec
    from ._library import Entry, Library

__all__ = ("CONTROL", "Dropped", "ServeApp")

CONTROL: Final = "/_streamkit/"
_RESOLUTION: Final = 1e-6
_NOT_SENT: Final = HOP_BY_HOP | {"content-length", "content-encoding"}
_SSE: Final = "text/event-stream"


class Dropped(Exception):
    """Raised after a response started to make the server break the connection (``drop``)."""


def _error(message: str, kind: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, **extra}}


class ServeApp:
    """Serves the exchanges of *library* (see the module docstring).

    *faults* apply to every request (a request's own ``X-Streamkit-Fault``
    header adds to them and wins where both name the same fault); *log*
    gets one line per request.
    """

    def __init__(
        self,
        library: Library,
        *,
        speed: float = 1.0,
        faults: FaultSpec | None = None,
        log: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must be >= 0, not {speed!r}")
        self.library = library
        self.speed = speed
        self.faults = faults or _faults.FaultSpec()
        self.log = log
        self._clock = clock
        self._json: dict[int, bytes] = {}  # id(entry) -> its fold, as JSON
        self._steps_of: dict[int, list[Step]] = {}  # id(entry) -> its body's timeline
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # websockets: not served; the server closes the connection
        self.requests += 1
        started = self._clock()
        method, path = scope["method"], scope.get("path", "/")
        try:
            await self._answer(scope, receive, send, started)
        except Disconnected:
            self._say(started, f"{method} {path} - client left before sending its request")
        except Dropped as exc:
            self._say(started, f"{method} {path} {exc}")
            raise

    def _say(self, started: float, line: str) -> None:
        if self.log is not None:
            self.log(f"{line} {self._clock() - started:.3f}s")

    async def _answer(self, scope: Scope, receive: Receive, send: Send, started: float) -> None:
        method, path = scope["method"], scope.get("path", "/")
        if path.startswith(CONTROL):
            status = await self._control(method, path, send)
            self._say(started, f"{method} {path} {status}")
            return
        try:
            body = await read_body(receive)
        except BodyTooLarge:
            await json_response(send, 413, _error("request body too large", "streamkit_error"))
            self._say(started, f"{method} {path} 413 request body too large")
            return
        headers = header_items(scope)
        query = scope.get("query_string", b"").decode("latin-1")
        url = f"http://{_host(headers)}{scope.get('root_path', '')}{path}"
        url += f"?{query}" if query else ""
        info = RecordedRequest.build(method, url, headers, body)
        try:
            spec = self._spec(headers)
        except _faults.FaultError as exc:
            await json_response(send, 400, _error(f"X-Streamkit-Fault: {exc}", "streamkit_error"))
            self._say(started, f"{method} {path} 400 bad X-Streamkit-Fault: {exc}")
            return
        try:
            choice = self.library.choose(info, body)
        except Mismatch as exc:
            extra = {"closest": exc.closest.name if exc.closest else None}
            await json_response(send, 404, _error(str(exc), "streamkit_no_recording", **extra))
            self._say(started, f"{method} {path} 404 {exc}")
            return
        entry = choice.entry
        note = f" [{spec.text}]" if spec else ""
        if spec.status is not None:
            status, params = spec.status
            size = await json_response(
                send,
                status,
                _faults.error_body(status, entry.dialect),
                [*params, ("x-streamkit-recording", entry.name)],
            )
            self._say(started, f"{method} {path} {status} {entry.name} {size:,} B{note}")
            return
        if choice.as_json:
            # A non-streaming request: the stream's fold, when the stream would have ended.
            recorded = entry.stream
            end = recorded.end_t if recorded.end_t is not None else recorded.t0
            body = self._fold(entry)
            stream = RecordedStream(((end, body),), "eof", t0=recorded.t0, end_t=end)
            headers = [("content-type", "application/json"), *self._headers(entry, json=True)]
            sent, _, how = await self._stream(stream, headers, entry, spec, receive, send)
            self._say(
                started, f"{method} {path} {entry.status} {entry.name} (fold) {sent:,} B{how}{note}"
            )
            return
        sent, chunks, how = await self._stream(
            entry.stream, self._headers(entry), entry, spec, receive, send
        )
        self._say(
            started,
            f"{method} {path} {entry.status} {entry.name} {sent:,} B {chunks} chunks{how}{note}",
        )

    def _spec(self, headers: list[tuple[str, str]]) -> FaultSpec:
        asked = [v for k, v in headers if k == _faults.FAULT_HEADER]
        return self.faults.merge(_faults.parse(asked)) if asked else self.faults

    def _headers(self, entry: Entry, *, json: bool = False) -> list[tuple[str, str]]:
        out = [
            (k, v)
            for k, v in entry.headers
            if k.lower() not in _NOT_SENT
            and v != "[redacted]"
            and not (json and k.lower() == "content-type")
        ]
        if not json and not any(k.lower() == "content-type" for k, _ in out):
            out.append(("content-type", _SSE))
        out.append(("x-streamkit-recording", entry.name))
        return out

    def _fold(self, entry: Entry) -> bytes:
        cached = self._json.get(id(entry))
        if cached is None:
            from .._sync import iter_events

            assert entry.dialect is not None
            accumulator = _registry.get(entry.dialect).accumulator()
            chunks = (chunk for _, chunk in entry.stream.chunks)
            for event in iter_events(chunks, _registry.get(entry.dialect), on_error="skip"):
                accumulator.feed(event)
            cached = self._json[id(entry)] = msgspec.json.encode(to_wire(accumulator.result))
        return cached

    async def _stream(
        self,
        stream: RecordedStream,
        headers: list[tuple[str, str]],
        entry: Entry,
        spec: FaultSpec,
        receive: Receive,
        send: Send,
    ) -> tuple[int, int, str]:
        """Send *stream* (*entry*'s body, or its fold) at the recorded pace.

        Returns ``(bytes, chunks, how it ended)``.
        """
        plan = _faults.plan(spec, stream.body, entry.dialect) if spec else None
        if plan is not None:
            steps = timeline(stream, plan.fault, None)
        elif stream is entry.stream:
            cached = self._steps_of.get(id(entry))
            if cached is None:
                cached = self._steps_of[id(entry)] = timeline(stream, None, None)
            steps = cached
        else:
            steps = timeline(stream, None, None)
        stall = plan.stall if plan else None
        await send(
            {
                "type": "http.response.start",
                "status": entry.status,
                "headers": raw_headers(headers),
            }
        )
        state = _Progress()
        async with anyio.create_task_group() as group:
            group.start_soon(until_gone, receive, state.gone(group.cancel_scope))
            try:
                await self._steps(steps, stall, send, state)
            finally:
                group.cancel_scope.cancel()
        if state.left:
            return state.bytes, state.chunks, f" - client left after {state.bytes:,} B"
        if state.dropped:
            raise Dropped(
                f"{entry.status} {entry.name} {state.bytes:,} B {state.chunks} chunks"
                " - connection dropped (fault)"
            )
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return state.bytes, state.chunks, state.how

    async def _steps(
        self,
        steps: list[Step],
        stall: tuple[int, float] | None,
        send: Send,
        state: _Progress,
    ) -> None:
        speed = self.speed
        origin = anyio.current_time()
        sleep, now, checkpoint = anyio.sleep, anyio.current_time, anyio.lowlevel.checkpoint
        stall_at = stall[0] if stall is not None else -1
        for t, item in steps:
            if speed:
                delay = origin + t / speed - now()
                if delay >= _RESOLUTION:
                    await sleep(delay)
                else:
                    await checkpoint()
            else:
                await checkpoint()
            if isinstance(item, Broken):
                state.dropped = item.message
                return
            if item is None:
                continue
            if 0 <= stall_at <= state.bytes + len(item) and stall is not None:
                head, item = item[: stall_at - state.bytes], item[stall_at - state.bytes :]
                if head:
                    await send({"type": "http.response.body", "body": head, "more_body": True})
                    state.bytes += len(head)
                await sleep(stall[1])
                origin += stall[1]
                stall_at = -1
                state.how = f" - stalled {stall[1]:g}s at byte {state.bytes:,}"
                if not item:
                    continue
            await send({"type": "http.response.body", "body": item, "more_body": True})
            state.bytes += len(item)
            state.chunks += 1

    async def _control(self, method: str, path: str, send: Send) -> int:
        if method == "GET" and path.rstrip("/") == CONTROL + "recordings":
            listing = {
                "recordings": [entry.describe() for entry in self.library.entries],
                "match": list(self.library.match),
                "cycle": self.library.cycle,
                "speed": self.speed,
                "faults": self.faults.text or None,
                "requests": self.requests,
            }
            await json_response(send, 200, listing)
            return 200
        await json_response(
            send, 404, _error(f"no such streamkit endpoint: {method} {path}", "streamkit_error")
        )
        return 404


class _Progress:
    """What one response has sent so far."""

    __slots__ = ("bytes", "chunks", "dropped", "how", "left")

    def __init__(self) -> None:
        self.bytes = 0
        self.chunks = 0
        self.left = False
        self.dropped: str | None = None
        self.how = ""

    def gone(self, scope: anyio.CancelScope) -> Callable[[], None]:
        def gone() -> None:
            self.left = True
            scope.cancel()

        return gone


def _host(headers: list[tuple[str, str]]) -> str:
    return next((v for k, v in headers if k == "host"), "localhost")


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
