"""The recording proxy: an ASGI application in front of a real API, recording what passes.

:class:`ProxyApp` sends each request on to the upstream (the request's
path and query appended to the upstream URL) with httpx2, and passes the
response back as it comes: each chunk is sent to the client the moment
it is read off the upstream connection, before it is recorded.  Every
exchange goes into one session file (a :class:`~streamkit.recording.Cassette`
in record mode ``"all"``): the request (redacted as the transports redact:
secret headers, query parameters and JSON fields), the status and headers,
the body (a stream chunk by chunk with its timing, any other body as one
chunk), and how it ended.

What goes wrong is passed on and recorded as it happened:

- the upstream cannot be reached (or does not answer in time): the client
  gets a 502 (or 504) with a JSON error, and the exchange is recorded with
  that answer and the connection error as its end;
- the upstream connection breaks or stalls past ``read_timeout``
  mid-body: the client's connection is broken the same way, and the
  recording ends with the error;
- the client leaves: the upstream response is closed at once, and the
  recording ends as ``cancelled``.

``accept-encoding: identity`` is asked of the upstream, so bodies are
recorded (and passed on) as plain bytes; the bytes the client receives are
the bytes the upstream sent.
"""

from __future__ import annotations

import time
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

import anyio
import msgspec

from ..recording import Cassette, RecordedRequest
from ..recording._cassette import is_streaming, redact_json
from ._app import Dropped
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

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from ..recording import Exchange
    from ._asgi import Receive, Scope, Send

__all__ = ("ProxyApp",)

_NOT_FORWARDED: Final = HOP_BY_HOP | {"host", "content-length", "accept-encoding"}
_NOT_RETURNED: Final = HOP_BY_HOP


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind}}


class ProxyApp:
    """Passes requests on to *upstream* and records every exchange into *path*.

    *redact* names more headers, query parameters and JSON fields to keep
    out of the file (beside :data:`~streamkit.recording.DEFAULT_REDACT`);
    *read_timeout* is how long the upstream may stay silent, *connect_timeout*
    how long connecting may take; *log* gets one line per request.
    *transport* replaces httpx2's own (for tests).
    """

    def __init__(
        self,
        upstream: str,
        path: str,
        *,
        redact: Iterable[str] = (),
        read_timeout: float = 600.0,
        connect_timeout: float = 30.0,
        log: Callable[[str], None] | None = None,
        transport: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        try:
            import httpx2
        except ImportError:
            raise ImportError(
                "streamkit proxy needs httpx2: pip install 'streamkit[serve]'"
            ) from None
        parts = urllib.parse.urlsplit(upstream)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"the upstream must be an http(s) URL, not {upstream!r}")
        self.upstream = upstream.rstrip("/")
        self.path = path
        self.log = log
        self._clock = clock
        self._httpx2 = httpx2
        self.cassette = Cassette(path, record_mode="all", redact=redact, dialect="auto")
        self._client = httpx2.AsyncClient(
            timeout=httpx2.Timeout(read_timeout, connect=connect_timeout, pool=None),
            limits=httpx2.Limits(max_connections=None, max_keepalive_connections=64),
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        )
        self.requests = 0

    async def aclose(self) -> None:
        """Close the upstream client and finish the session file."""
        try:
            await self._client.aclose()
        finally:
            self.cassette.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self.requests += 1
        started = self._clock()
        method, path = scope["method"], scope.get("path", "/")
        try:
            line = await self._forward(scope, receive, send)
        except Disconnected:
            line = "- client left before sending its request"
        except Dropped as exc:
            self._say(started, f"{method} {path} {exc}")
            raise
        self._say(started, f"{method} {path} {line}")

    def _say(self, started: float, line: str) -> None:
        if self.log is not None:
            self.log(f"{line} {self._clock() - started:.3f}s")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> str:
        httpx2 = self._httpx2
        method = scope["method"]
        try:
            body = await read_body(receive)
        except BodyTooLarge:
            await json_response(send, 413, _error("request body too large", "streamkit_error"))
            return "413 request body too large"
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.upstream + scope.get("path", "/") + (f"?{query}" if query else "")
        headers = [(k, v) for k, v in header_items(scope) if k not in _NOT_FORWARDED]
        headers.append(("accept-encoding", "identity"))
        info = RecordedRequest.build(method, url, headers, body, redact=self.cassette.redact)
        request = self._client.build_request(method, url, headers=headers, content=body)
        try:
            response = await self._client.send(request, stream=True)
        except httpx2.TransportError as exc:
            status = 504 if isinstance(exc, httpx2.TimeoutException) else 502
            kind = type(exc).__name__
            message = f"streamkit proxy: the upstream {self.upstream} failed: {kind}"
            detail = str(exc)
            answer = msgspec.json.encode(
                _error(f"{message}: {detail}" if detail else message, "streamkit_upstream_error")
            )
            exchange = self.cassette.record(info, status, [("content-type", "application/json")])
            exchange.chunk(answer)
            exchange.fail(exc)
            await json_response(send, status, answer)
            return f"{status} upstream {kind}"
        try:
            return await self._relay(response, info, receive, send)
        finally:
            await response.aclose()

    async def _relay(
        self, response: Any, info: RecordedRequest, receive: Receive, send: Send
    ) -> str:
        httpx2 = self._httpx2
        returned = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in _NOT_RETURNED
        ]
        exchange = self.cassette.record(info, response.status_code, response.headers.multi_items())
        streaming = is_streaming(exchange.content_type)
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": raw_headers(returned),
            }
        )
        state = _Relay(exchange, streaming)
        failure: BaseException | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(until_gone, receive, state.gone(group.cancel_scope))
            try:
                async for chunk in response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    state.add(chunk)
            except httpx2.TransportError as exc:
                failure = exc
            finally:
                group.cancel_scope.cancel()
        status = response.status_code
        if state.left:
            state.finish(self._redact)
            exchange.end("cancelled")
            return f"{status} - client left after {state.bytes:,} B"
        if failure is not None:
            state.finish(self._redact)
            exchange.fail(failure)
            raise Dropped(
                f"{status} - upstream broke after {state.bytes:,} B: {type(failure).__name__}"
            )
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        state.finish(self._redact)
        exchange.end("eof")
        return f"{status} {state.bytes:,} B {state.chunks} chunks -> {self.path}#{exchange.index}"

    def _redact(self, body: bytes, content_type: str | None) -> bytes:
        """A JSON body as written: the fields named in ``redact`` hidden."""
        media = (content_type or "").partition(";")[0].strip().lower()
        if not (media == "application/json" or media.endswith("+json")):
            return body
        try:
            value = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            return body
        value, hit = redact_json(value, self.cassette.redact)
        return msgspec.json.encode(value) if hit else body


class _Relay:
    """One response being passed on: what was sent, and its recording."""

    __slots__ = ("bytes", "chunks", "exchange", "held", "left", "streaming")

    def __init__(self, exchange: Exchange, streaming: bool) -> None:
        self.exchange = exchange
        self.streaming = streaming
        self.held: list[bytes] = []  # a body that is not a stream: recorded whole, at the end
        self.bytes = 0
        self.chunks = 0
        self.left = False

    def add(self, chunk: bytes) -> None:
        self.bytes += len(chunk)
        self.chunks += 1
        if self.streaming:
            self.exchange.chunk(chunk)
        else:
            self.held.append(chunk)

    def finish(self, redact: Callable[[bytes, str | None], bytes]) -> None:
        if self.held:
            body = b"".join(self.held)
            self.held = []
            self.exchange.chunk(redact(body, self.exchange.content_type))

    def gone(self, scope: anyio.CancelScope) -> Callable[[], None]:
        def gone() -> None:
            self.left = True
            scope.cancel()

        return gone
