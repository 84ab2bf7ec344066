"""The transports of ``streamkit.httpx`` and ``streamkit.httpx2``, written once.

httpx and httpx2 share their transport API: a transport's
``handle_request(request) -> response`` (and its async twin) returns a
response whose ``stream`` is the library's ``SyncByteStream`` (or
``AsyncByteStream``).  The classes here are generic over the request and
response types and reach the library only through a :class:`Library`, so each
adapter module binds them to its library's types in a few lines, and a client
of either library type-checks with them.

A :class:`Router` joins a library to a :class:`~streamkit.recording.Cassette`:
for each request it asks the cassette whether to replay a recorded stream
(paced, re-split, with faults) or to send the request on and record the
answer.  The transports are routers with a fixed cassette; the pytest plugin
puts one in front of the library's own HTTP transport.

Recorded bodies pass to the caller unchanged (the same chunk objects); a
streaming body (SSE, NDJSON, ...) is recorded chunk by chunk as it is read,
any other body as one chunk once it has been read whole.
"""

from __future__ import annotations

import math
import os
import time
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import anyio
import anyio.lowlevel
import msgspec

from .recording import Cassette, Fault, RecordedRequest, Replayer
from .recording._cassette import DEFAULT_MATCH, Broken, is_streaming, redact_json

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterable,
        AsyncIterator,
        Awaitable,
        Callable,
        Generator,
        Iterable,
        Iterator,
        Mapping,
        Sequence,
    )

    from .recording import Clock, Exchange, Matcher, Rechunk, RecordMode
    from .recording._cassette import Step

__all__ = (
    "RECORDING_DOC",
    "REPLAY_DOC",
    "Library",
    "RecordingBase",
    "ReplayBase",
    "Router",
    "SyncClock",
)

_SSE = "text/event-stream"
_RESOLUTION = 1e-6  # shorter waits are skipped, as in the Replayer
_CLOSE_TIMEOUT = 5.0  # seconds an async source may take to close (as in Recorder.atap)


class SyncClock(Protocol):
    """What the sync replay paces itself by (a fake in tests)."""

    def current_time(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def sleep(self, seconds: float, /) -> None:
        """Wait *seconds*."""
        ...


class _TimeClock:
    def current_time(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float, /) -> None:
        time.sleep(seconds)


class _AnyioClock:
    def current_time(self) -> float:
        return anyio.current_time()

    async def sleep(self, seconds: float, /) -> None:
        await anyio.sleep(seconds)


# -- what the code needs of a library -----------------------------------------------


class _Headers(Protocol):
    def multi_items(self) -> list[tuple[str, str]]: ...


class _Request(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def url(self) -> object: ...
    @property
    def headers(self) -> _Headers: ...
    def read(self) -> bytes: ...
    async def aread(self) -> bytes: ...


class _Response(Protocol):
    stream: Any

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> _Headers: ...
    @property
    def is_stream_consumed(self) -> bool: ...
    @property
    def content(self) -> bytes: ...
    def close(self) -> None: ...
    async def aclose(self) -> None: ...


Rq = TypeVar("Rq", bound=_Request)
Rs = TypeVar("Rs", bound=_Response)
Tr = TypeVar("Tr")  # what may be wrapped: the library's sync or async transport


class _SyncBody:
    """A response body from a generator; closing closes it, then runs *closer*."""

    def __init__(
        self,
        consumed: type[Exception],
        chunks: Generator[bytes, None, None],
        closer: Callable[[], None] | None = None,
    ) -> None:
        self._consumed = consumed
        self._chunks = chunks
        self._closer = closer
        self._started = False

    def __iter__(self) -> Iterator[bytes]:
        if self._started:
            raise self._consumed()
        self._started = True
        return self._chunks

    def close(self) -> None:
        try:
            self._chunks.close()
        finally:
            if self._closer is not None:
                closer, self._closer = self._closer, None
                closer()


class _AsyncBody:
    """The async :class:`_SyncBody`."""

    def __init__(
        self,
        consumed: type[Exception],
        chunks: AsyncGenerator[bytes, None],
        closer: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._consumed = consumed
        self._chunks = chunks
        self._closer = closer
        self._started = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._started:
            raise self._consumed()
        self._started = True
        return self._chunks

    async def aclose(self) -> None:
        try:
            await self._chunks.aclose()
        finally:
            if self._closer is not None:
                closer, self._closer = self._closer, None
                await closer()


class Library(Generic[Rq, Rs]):
    """The classes of one HTTP library (httpx or httpx2) that the transports use."""

    def __init__(self, module: Any) -> None:
        self.name: str = module.__name__
        self.module = module
        self.response: Callable[..., Rs] = module.Response
        self.sync_stream: type[Any] = module.SyncByteStream
        self.async_stream: type[Any] = module.AsyncByteStream
        self.sync_transport: type[Any] = module.BaseTransport
        self.async_transport: type[Any] = module.AsyncBaseTransport
        self.consumed: type[Exception] = module.StreamConsumed
        # The bodies must be the library's own stream types: its clients check.
        namespace = {"__module__": __name__}
        self.sync_body: type[_SyncBody] = type(
            "SyncBody", (_SyncBody, module.SyncByteStream), namespace
        )
        self.async_body: type[_AsyncBody] = type(
            "AsyncBody", (_AsyncBody, module.AsyncByteStream), namespace
        )

    def broken(self, broken: Broken, request: object) -> Exception:
        """The library's transport error for a replayed body that breaks at *broken*."""
        cls = getattr(self.module, broken.error or "", None)
        transport_error = self.module.TransportError
        if not (isinstance(cls, type) and issubclass(cls, transport_error)):
            cls = self.module.RemoteProtocolError
        error: Exception = cls(broken.message, request=request)
        return error

    def __repr__(self) -> str:
        return f"<Library {self.name}>"


# -- the router ----------------------------------------------------------------------


class Router(Generic[Rq, Rs]):
    """Answers requests of one library from a cassette, or sends them on and records them."""

    def __init__(
        self,
        library: Library[Rq, Rs],
        cassette: Cassette,
        *,
        speed: float = 0.0,
        stream: int | None = None,
        clock: Clock | None = None,
        sync_clock: SyncClock | None = None,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must be >= 0, not {speed!r}")
        count = len(cassette.streams)
        if stream is not None and not 0 <= stream < count:
            raise ValueError(f"stream={stream}, but the recording holds {_streams(count)}")
        self.library = library
        self.cassette = cassette
        self.speed = speed
        self.stream = stream
        self.clock = clock
        self.sync_clock = sync_clock or _TimeClock()

    def _describe(self, request: Rq, content: bytes) -> RecordedRequest:
        headers = request.headers.multi_items()
        return RecordedRequest.build(
            request.method, str(request.url), headers, content, redact=self.cassette.redact
        )

    def _route(self, info: RecordedRequest) -> int | None:
        if self.stream is not None:
            return self.stream
        return self.cassette.route(info)

    def handle(self, request: Rq, send: Callable[[Rq], Rs] | None) -> Rs:
        """Answer *request* from the cassette, or with ``send(request)``, recorded."""
        info = self._describe(request, request.read())
        index = self._route(info)
        if index is not None:
            return self._replay(request, index, sync=True)
        if send is None:
            raise RuntimeError("this transport has nothing to send a request with")
        response = send(request)
        try:
            exchange = self._open(info, response, self.library.sync_stream, "sync")
        except BaseException:
            response.close()
            raise
        source = response.stream
        if response.is_stream_consumed:  # its body was read when it was made
            _record_whole(exchange, response.content, self._redact)
            return response

        def closer() -> None:
            try:
                source.close()
            finally:
                exchange.end("cancelled")  # a no-op once the body has ended

        chunks = (
            _tap(source, exchange)
            if _streams_body(response)
            else _whole(source, exchange, self._redact)
        )
        response.stream = self.library.sync_body(self.library.consumed, chunks, closer)
        return response

    async def ahandle(self, request: Rq, send: Callable[[Rq], Awaitable[Rs]] | None) -> Rs:
        """The async :meth:`handle`."""
        info = self._describe(request, await request.aread())
        index = self._route(info)
        if index is not None:
            return self._replay(request, index, sync=False)
        if send is None:
            raise RuntimeError("this transport has nothing to send a request with")
        response = await send(request)
        try:
            exchange = self._open(info, response, self.library.async_stream, "async")
        except BaseException:
            await response.aclose()
            raise
        source = response.stream
        if response.is_stream_consumed:
            _record_whole(exchange, response.content, self._redact)
            return response

        async def closer() -> None:
            try:
                with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                    await source.aclose()
            finally:
                exchange.end("cancelled")

        chunks = (
            _atap(source, exchange)
            if _streams_body(response)
            else _awhole(source, exchange, self._redact)
        )
        response.stream = self.library.async_body(self.library.consumed, chunks, closer)
        return response

    def _redact(self, body: bytes, content_type: str | None) -> bytes:
        """*body* as written: a JSON body with the fields named in ``redact`` hidden."""
        media = (content_type or "").partition(";")[0].strip().lower()
        if not (media == "application/json" or media.endswith("+json")):
            return body
        try:
            value = msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            return body
        value, hit = redact_json(value, self.cassette.redact)
        return msgspec.json.encode(value) if hit else body

    def _open(
        self, info: RecordedRequest, response: Rs, stream_type: type[Any], kind: str
    ) -> Exchange:
        if not isinstance(response.stream, stream_type):
            raise TypeError(f"the transport returned a response without a {kind} stream")
        return self.cassette.record(info, response.status_code, response.headers.multi_items())

    # -- replaying

    def _replay(self, request: Rq, index: int, *, sync: bool) -> Rs:
        recorded = self.cassette.streams[index]
        fault = self.cassette.fault(index)
        response = recorded.response or {}
        headers = [(k, v) for k, v in (response.get("headers") or {}).items()]
        if fault is not None:  # the body is not what content-length says any more
            headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        if not any(k.lower() == "content-type" for k, _ in headers):
            headers.append(("content-type", _SSE))
        steps = self.cassette.timeline(index)
        stall = fault.stall if fault is not None else None
        body: _SyncBody | _AsyncBody
        if sync:
            body = self.library.sync_body(self.library.consumed, self._paced(steps, stall, request))
        else:
            body = self.library.async_body(
                self.library.consumed, self._apaced(steps, stall, request)
            )
        status = response.get("status", 200)
        return self.library.response(status, headers=headers, stream=body, request=request)

    def _paced(
        self, steps: Sequence[Step], stall: tuple[float, float] | None, request: Rq
    ) -> Generator[bytes, None, None]:
        """The sync replay: each chunk waited for until its time, scaled by ``speed``."""
        clock = self.sync_clock
        origin = clock.current_time()
        stall_at, stall_for = stall if stall is not None else (math.inf, 0.0)
        for t, item in steps:
            if t >= stall_at:
                self._wait(origin, stall_at)
                clock.sleep(stall_for)
                origin += stall_for
                stall_at = math.inf
            self._wait(origin, t)
            if isinstance(item, Broken):
                raise self.library.broken(item, request)
            if item is not None:
                yield item

    def _wait(self, origin: float, t: float) -> None:
        if self.speed:
            delay = origin + t / self.speed - self.sync_clock.current_time()
            if delay >= _RESOLUTION:
                self.sync_clock.sleep(delay)

    async def _apaced(
        self, steps: Sequence[Step], stall: tuple[float, float] | None, request: Rq
    ) -> AsyncGenerator[bytes, None]:
        """The async replay, on anyio's clock (or ``clock``); every chunk is a checkpoint."""
        clock: Clock = self.clock or _AnyioClock()
        speed = self.speed
        origin = clock.current_time()
        stall_at, stall_for = stall if stall is not None else (math.inf, 0.0)

        async def until(t: float) -> None:
            delay = origin + t / speed - clock.current_time() if speed else 0.0
            if delay >= _RESOLUTION:
                await clock.sleep(delay)
            else:
                await anyio.lowlevel.checkpoint()

        for t, item in steps:
            if t >= stall_at:
                await until(stall_at)
                await clock.sleep(stall_for)
                origin += stall_for
                stall_at = math.inf
            await until(t)
            if isinstance(item, Broken):
                raise self.library.broken(item, request)
            if item is not None:
                yield item


def _streams(count: int) -> str:
    return f"{count} stream{'s' if count != 1 else ''}"


def _content_type(response: _Response) -> str | None:
    for name, value in response.headers.multi_items():
        if name.lower() == "content-type":
            return value
    return None


def _streams_body(response: _Response) -> bool:
    return is_streaming(_content_type(response))


def _record_whole(
    exchange: Exchange, body: bytes, redact: Callable[[bytes, str | None], bytes]
) -> None:
    if body:
        exchange.chunk(redact(body, exchange.content_type))
    exchange.end("eof")


def _tap(source: Iterable[bytes], exchange: Exchange) -> Generator[bytes, None, None]:
    """*source*'s chunks, each recorded before it is passed on; the end recorded as it came."""
    iterator = iter(source)
    try:
        for chunk in iterator:
            exchange.chunk(chunk)
            yield chunk
    except BaseException as exc:  # GeneratorExit too: closed early, recorded as cancelled
        exchange.fail(exc)
        raise
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:  # a generator left suspended: closed now, not in the GC
            close()
    exchange.end("eof")


async def _atap(source: AsyncIterable[bytes], exchange: Exchange) -> AsyncGenerator[bytes, None]:
    """The async :func:`_tap`."""
    iterator = aiter(source)
    try:
        async for chunk in iterator:
            exchange.chunk(chunk)
            yield chunk
    except BaseException as exc:
        exchange.fail(exc)
        raise
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                await aclose()
    exchange.end("eof")


def _whole(
    source: Iterable[bytes], exchange: Exchange, redact: Callable[[bytes, str | None], bytes]
) -> Generator[bytes, None, None]:
    """*source* read whole, recorded as one chunk, then passed on as one."""
    parts: list[bytes] = []
    try:
        parts.extend(source)
    except BaseException as exc:
        if parts:
            exchange.chunk(b"".join(parts))
        exchange.fail(exc)
        raise
    body = b"".join(parts)
    if body:
        exchange.chunk(redact(body, exchange.content_type))
    exchange.end("eof")
    if body:
        yield body


async def _awhole(
    source: AsyncIterable[bytes], exchange: Exchange, redact: Callable[[bytes, str | None], bytes]
) -> AsyncGenerator[bytes, None]:
    """The async :func:`_whole`."""
    parts: list[bytes] = []
    try:
        parts.extend([part async for part in source])
    except BaseException as exc:
        if parts:
            exchange.chunk(b"".join(parts))
        exchange.fail(exc)
        raise
    body = b"".join(parts)
    if body:
        exchange.chunk(redact(body, exchange.content_type))
    exchange.end("eof")
    if body:
        yield body


# -- the transports ------------------------------------------------------------------


def _cassette_source(source: str | os.PathLike[str] | Replayer | Cassette) -> Cassette:
    if isinstance(source, Cassette):
        return source
    if isinstance(source, Replayer):
        return Cassette(replayer=source)
    return Cassette(source)


REPLAY_DOC = """Answers each request with the recorded stream that matches it, as {library} would.

    *source* is a recording (a cassette), a raw ``.sse`` body (a path) or a
    :class:`~streamkit.recording.Replayer`.  The response has the recorded
    status and headers (200 and ``content-type: text/event-stream`` when the
    recording has none) and its body comes chunk by chunk with the recorded
    boundaries, or re-split by *rechunk* (see :data:`~streamkit.recording.Rechunk`),
    with *faults* applied (a :class:`~streamkit.recording.Fault` for every
    stream, or ``{{index: Fault}}``).  A body recorded as failed fails again,
    with {library}'s transport error.

    A request gets the first recorded exchange not replayed yet whose request
    matches it on *match* (``("method", "path", "query", "body")`` by default,
    or your ``match(live, recorded) -> bool``, or ``None`` to serve the
    streams in order); one that none matches raises
    :class:`~streamkit.ReplayMismatch` naming the closest, one whose matches
    were all replayed :class:`~streamkit.ReplayExhausted`.  A recorded stream
    without a request (an older recording, a raw body) matches any request.
    With ``stream=i`` every request gets stream *i*.

    Chunks come at their recorded times divided by *speed*; ``speed=0`` (the
    default) sends them at once.  The async path waits on *clock* (anyio's by
    default), the sync path on *sync_clock* (``time.monotonic`` and
    ``time.sleep`` by default).  One transport serves ``{library}.Client`` and
    ``{library}.AsyncClient`` (any anyio backend).
    """

RECORDING_DOC = """Wraps a real {library} transport and records every exchange into one cassette.

    Each response passes through untouched (the caller reads exactly the
    chunk objects *inner* delivers) while the exchange is written to the
    session file *path*: one stream per exchange, in the order they started,
    each with its request (method, URL, redacted headers, the body in
    canonical form), its response status and headers and its dialect,
    detected from the first event with ``dialect="auto"``.  Streaming bodies
    (SSE, NDJSON, AWS event stream) are recorded chunk by chunk as they are
    read, with their timing and how they ended (``eof``, ``cancelled``, or the
    transport error); other bodies (JSON, errors, files) as one chunk.

    Header, query-parameter and JSON-field values named in
    :data:`~streamkit.recording.DEFAULT_REDACT` or *redact* are written as
    ``"[redacted]"``.  *record_mode* is ``"all"`` (the default: record every
    exchange, replacing the file), ``"new_episodes"`` (replay what the file
    answers, record and append the rest) or ``"once"`` (replay an existing
    file, record a missing one); replays take *match*, *speed*, *rechunk*
    and *faults* as :class:`ReplayTransport` does.  The file is complete when
    the client (so this transport) is closed.

    *inner* may be sync, async or both; this transport is whichever of those
    *inner* is.  Bodies are recorded as they come off the wire, so a
    compressed (``content-encoding``) body is recorded compressed.
    """


class ReplayBase(Generic[Rq, Rs]):
    """``ReplayTransport``, for the library its adapter binds (see ``REPLAY_DOC``)."""

    _library: Library[Rq, Rs]

    def __init__(
        self,
        source: str | os.PathLike[str] | Replayer,
        *,
        speed: float = 0.0,
        stream: int | None = None,
        rechunk: Rechunk | None = None,
        faults: Fault | Mapping[int, Fault] | None = None,
        match: Sequence[str] | Matcher | None = DEFAULT_MATCH,
        clock: Clock | None = None,
        sync_clock: SyncClock | None = None,
    ) -> None:
        replayer = source if isinstance(source, Replayer) else Replayer.open(source)
        cassette = Cassette(replayer=replayer, match=match, rechunk=rechunk, faults=faults)
        self.router = Router(
            self._library, cassette, speed=speed, stream=stream, clock=clock, sync_clock=sync_clock
        )
        self.replayer = replayer
        self.cassette = cassette

    @property
    def speed(self) -> float:
        return self.router.speed

    @property
    def stream(self) -> int | None:
        return self.router.stream

    def handle_request(self, request: Rq) -> Rs:
        """Answer *request* with the recorded stream that matches it."""
        return self.router.handle(request, None)

    async def handle_async_request(self, request: Rq) -> Rs:
        """Answer *request* with the recorded stream that matches it, paced on anyio."""
        return await self.router.ahandle(request, None)


class RecordingBase(Generic[Rq, Rs, Tr]):
    """``RecordingTransport``, for the library its adapter binds (see ``RECORDING_DOC``)."""

    _library: Library[Rq, Rs]

    def __init__(
        self,
        inner: Tr,
        path: str | os.PathLike[str],
        *,
        record_mode: RecordMode = "all",
        dialect: str | None = "auto",
        redact: Iterable[str] = (),
        match: Sequence[str] | Matcher | None = DEFAULT_MATCH,
        speed: float = 0.0,
        rechunk: Rechunk | None = None,
        faults: Fault | Mapping[int, Fault] | None = None,
    ) -> None:
        if os.path.isdir(path):
            raise ValueError(
                f"{os.fspath(path)!r} is a directory: a RecordingTransport writes one session file"
            )
        if not isinstance(inner, self._library.sync_transport | self._library.async_transport):
            raise TypeError(f"{inner!r} is not a {self._library.name} transport")
        self.inner: Any = inner
        self.path = path
        self.cassette = Cassette(
            path,
            record_mode=record_mode,
            match=match,
            redact=redact,
            dialect=dialect,
            rechunk=rechunk,
            faults=faults,
        )
        self.router = Router(self._library, self.cassette, speed=speed)

    def handle_request(self, request: Rq) -> Rs:
        """Send *request* through *inner* (or replay it, by ``record_mode``) and record it."""
        inner = self.inner
        if not isinstance(inner, self._library.sync_transport):
            raise TypeError(f"{inner!r} is not a {self._library.name} sync transport")
        send: Callable[[Rq], Rs] = inner.handle_request
        return self.router.handle(request, send)

    async def handle_async_request(self, request: Rq) -> Rs:
        """The async :meth:`handle_request`."""
        inner = self.inner
        if not isinstance(inner, self._library.async_transport):
            raise TypeError(f"{inner!r} is not a {self._library.name} async transport")
        send: Callable[[Rq], Awaitable[Rs]] = inner.handle_async_request
        return await self.router.ahandle(request, send)

    def close(self) -> None:
        """Close *inner* and finish the cassette file."""
        try:
            if isinstance(self.inner, self._library.sync_transport):
                self.inner.close()
        finally:
            self.cassette.close()

    async def aclose(self) -> None:
        """Close *inner* and finish the cassette file."""
        try:
            if isinstance(self.inner, self._library.async_transport):
                await self.inner.aclose()
        finally:
            self.cassette.close()
