"""httpx transports that replay recorded streams or record live ones (``streamkit[httpx]``).

:class:`ReplayTransport` answers requests from a recording, so any httpx-based
client (the official ``openai`` SDK included) can be tested against a real
stream with no network.  :class:`RecordingTransport` wraps a real transport and
records every ``text/event-stream`` response body it passes through.

Both are sync and async transports at once: hand them to ``httpx.Client`` or
``httpx.AsyncClient`` (any anyio backend).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol

try:
    import httpx
except ImportError as exc:
    raise ImportError(
        "streamkit.httpx needs httpx: install it with `pip install 'streamkit[httpx]'`"
    ) from exc

from .recording import Recorder, Replayer

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterable, Iterator

    from .recording import Clock, Rechunk

__all__ = ("RecordingTransport", "ReplayExhausted", "ReplayTransport", "SyncClock")

_SSE = "text/event-stream"
_RESOLUTION = 1e-6  # shorter waits are skipped, as in the Replayer


class ReplayExhausted(RuntimeError):
    """A :class:`ReplayTransport` got more requests than its recording has streams."""


class SyncClock(Protocol):
    """What the sync path of :class:`ReplayTransport` paces itself by (a fake in tests)."""

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


# -- replaying ------------------------------------------------------------------


class ReplayTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Serves a recording as the ``text/event-stream`` response to each request.

    *source* is a recording, a raw ``.sse`` body (a path) or a
    :class:`~streamkit.recording.Replayer`.  The response has the recorded
    status and headers (200 and ``content-type: text/event-stream`` when the
    recording has none) and its body comes chunk by chunk with the recorded
    boundaries, or re-split by *rechunk* (see :data:`~streamkit.recording.Rechunk`).

    With ``stream=None``, request *N* gets stream *N* of the recording's
    session (a run, then its tool-output continuation, ...); a request past
    the last stream raises :class:`ReplayExhausted`.  With ``stream=i`` every
    request gets stream *i*.

    Chunks come at their recorded times divided by *speed*; ``speed=0`` (the
    default) sends them at once.  The async path waits on *clock* (anyio's by
    default), the sync path on *sync_clock* (``time.monotonic`` and
    ``time.sleep`` by default).  The request itself is not looked at.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | Replayer,
        *,
        speed: float = 0.0,
        stream: int | None = None,
        rechunk: Rechunk | None = None,
        clock: Clock | None = None,
        sync_clock: SyncClock | None = None,
    ) -> None:
        if speed < 0:
            raise ValueError(f"speed must be >= 0, not {speed!r}")
        self.replayer = source if isinstance(source, Replayer) else Replayer.open(source)
        count = len(self.replayer.streams)
        if stream is not None and not 0 <= stream < count:
            raise ValueError(f"stream={stream}, but the recording holds {_streams(count)}")
        self.speed = speed
        self.stream = stream
        self.rechunk = rechunk
        self.clock = clock
        self.sync_clock = sync_clock or _TimeClock()
        self._served = 0
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer *request* with the next recorded stream."""
        index = self._next_index()
        return self._response(request, index, _SyncReplayStream(self._paced_chunks(index)))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer *request* with the next recorded stream, paced on anyio (or *clock*)."""
        index = self._next_index()
        chunks = self.replayer.aiter_chunks(
            self.speed, stream=index, rechunk=self.rechunk, clock=self.clock
        )
        return self._response(request, index, _AsyncReplayStream(chunks))

    def _next_index(self) -> int:
        if self.stream is not None:
            return self.stream
        with self._lock:
            index = self._served
            count = len(self.replayer.streams)
            if index >= count:
                where = f" {self.replayer.path}" if self.replayer.path else ""
                raise ReplayExhausted(
                    f"request #{index + 1}, but the recording{where} holds {_streams(count)}"
                )
            self._served += 1
            return index

    def _response(
        self,
        request: httpx.Request,
        index: int,
        body: httpx.SyncByteStream | httpx.AsyncByteStream,
    ) -> httpx.Response:
        recorded = self.replayer.streams[index].response or {}
        headers = httpx.Headers(recorded.get("headers") or {})
        headers.setdefault("content-type", _SSE)
        status = recorded.get("status", 200)
        return httpx.Response(status, headers=headers, stream=body, request=request)

    def _paced_chunks(self, index: int) -> Generator[bytes, None, None]:
        """The sync path: the chunks of stream *index*, each waited for until its time."""
        timeline = self.replayer.iter_timed(index, rechunk=self.rechunk)
        clock, speed = self.sync_clock, self.speed
        origin = clock.current_time()
        for t, chunk in timeline:
            if speed:
                delay = origin + t / speed - clock.current_time()
                if delay >= _RESOLUTION:
                    clock.sleep(delay)
            if chunk is not None:
                yield chunk


class _SyncReplayStream(httpx.SyncByteStream):
    def __init__(self, chunks: Generator[bytes, None, None]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._chunks.close()


class _AsyncReplayStream(httpx.AsyncByteStream):
    def __init__(self, chunks: AsyncGenerator[bytes, None]) -> None:
        self._chunks = chunks

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks

    async def aclose(self) -> None:
        await self._chunks.aclose()


# -- recording ------------------------------------------------------------------


class RecordingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Wraps a real transport and records each ``text/event-stream`` response body.

    Every response passes through untouched: the caller reads exactly the
    chunk objects *inner* delivers.  For each one whose content type is
    ``text/event-stream`` a :class:`~streamkit.recording.Recorder` writes a
    new file in *directory* (created if missing), named
    ``{name}-{counter:04d}-{UTC timestamp}.ndjson`` (*name* defaults to
    ``"stream"``), holding the request's method, URL and headers and the
    response's status and headers (secret headers redacted, plus those named
    in *redact*).  The recording ends when the response is closed: ``eof``
    when the body was read to the end, ``cancelled`` when it was closed
    before, or the error the inner stream raised.  ``paths`` lists the files
    written, in order.

    *inner* may be sync, async or both (like ``httpx.MockTransport``); this
    transport is whichever of those *inner* is.  Bodies are recorded as they
    come off the wire, so a compressed (``content-encoding``) body is
    recorded compressed.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | httpx.AsyncBaseTransport,
        directory: str | os.PathLike[str],
        *,
        dialect: str | None = "assistants",
        redact: Iterable[str] = (),
        name: str | None = None,
    ) -> None:
        self.inner = inner
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.dialect = dialect
        self.redact = (redact,) if isinstance(redact, str) else tuple(redact)
        self.name = name or "stream"
        self.paths: list[Path] = []
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send *request* through *inner*; an SSE response's body is recorded as it is read."""
        if not isinstance(self.inner, httpx.BaseTransport):
            _not_a(self.inner, "sync")
        response = self.inner.handle_request(request)
        if _is_sse(response):
            if not isinstance(response.stream, httpx.SyncByteStream):
                response.close()
                raise TypeError(f"{self.inner!r} returned a response without a sync stream")
            try:
                recorder = self._open(request, response)
            except BaseException:
                response.close()
                raise
            response.stream = _SyncRecordingStream(response.stream, recorder)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The async :meth:`handle_request`."""
        if not isinstance(self.inner, httpx.AsyncBaseTransport):
            _not_a(self.inner, "async")
        response = await self.inner.handle_async_request(request)
        if _is_sse(response):
            if not isinstance(response.stream, httpx.AsyncByteStream):
                await response.aclose()
                raise TypeError(f"{self.inner!r} returned a response without an async stream")
            try:
                recorder = self._open(request, response)
            except BaseException:
                await response.aclose()
                raise
            response.stream = _AsyncRecordingStream(response.stream, recorder)
        return response

    def close(self) -> None:
        """Close *inner*."""
        if isinstance(self.inner, httpx.BaseTransport):
            self.inner.close()

    async def aclose(self) -> None:
        """Close *inner*."""
        if isinstance(self.inner, httpx.AsyncBaseTransport):
            await self.inner.aclose()

    def _open(self, request: httpx.Request, response: httpx.Response) -> Recorder:
        """A recorder for *response* in a new file, its header written."""
        with self._lock:
            number = next(self._counter)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        path = self.directory / f"{self.name}-{number:04d}-{stamp}.ndjson"
        recorder = Recorder.open(
            path,
            dialect=self.dialect,
            request={
                "method": request.method,
                "url": str(request.url),
                "headers": request.headers.multi_items(),
            },
            response={
                "status": response.status_code,
                "headers": response.headers.multi_items(),
            },
            redact=self.redact,
        )
        with self._lock:
            self.paths.append(path)
        return recorder


def _streams(count: int) -> str:
    return f"{count} stream{'s' if count != 1 else ''}"


def _is_sse(response: httpx.Response) -> bool:
    media_type: str = response.headers.get("content-type", "").partition(";")[0]
    return media_type.strip().lower() == _SSE


def _not_a(inner: object, kind: str) -> NoReturn:
    raise TypeError(f"{inner!r} is not an httpx {kind} transport")


class _ClosedUnread(BaseException):
    """A response was closed before its body was read: its recording ends ``cancelled``."""


def _unread() -> Generator[bytes, None, None]:
    raise _ClosedUnread
    yield b""  # pragma: no cover - makes this a generator


async def _aunread() -> AsyncGenerator[bytes, None]:
    raise _ClosedUnread
    yield b""  # pragma: no cover - makes this a generator


class _SyncRecordingStream(httpx.SyncByteStream):
    """*inner*'s chunks through :meth:`Recorder.tap`; closing ends the recording."""

    def __init__(self, inner: httpx.SyncByteStream, recorder: Recorder) -> None:
        self._inner = inner
        self._recorder = recorder
        self._source: Iterator[bytes] | None = None
        self._tap: Generator[bytes, None, None] | None = None

    def __iter__(self) -> Iterator[bytes]:
        if self._tap is not None:
            raise httpx.StreamConsumed()
        self._source = iter(self._inner)
        self._tap = self._recorder.tap(self._source)
        return self._tap

    def close(self) -> None:
        try:
            if self._tap is None:
                with contextlib.suppress(_ClosedUnread):
                    next(self._recorder.tap(_unread()))
            else:
                self._tap.close()  # a no-op after the end; else the recording says cancelled
                close = getattr(self._source, "close", None)
                if close is not None:  # a generator left suspended: close it now, not in the GC
                    close()
        finally:
            try:
                self._inner.close()
            finally:
                self._recorder.close()


class _AsyncRecordingStream(httpx.AsyncByteStream):
    """*inner*'s chunks through :meth:`Recorder.atap`; closing ends the recording."""

    def __init__(self, inner: httpx.AsyncByteStream, recorder: Recorder) -> None:
        self._inner = inner
        self._recorder = recorder
        self._source: AsyncIterator[bytes] | None = None
        self._tap: AsyncGenerator[bytes, None] | None = None

    def __aiter__(self) -> AsyncIterator[bytes]:
        if self._tap is not None:
            raise httpx.StreamConsumed()
        self._source = aiter(self._inner)
        self._tap = self._recorder.atap(self._source)
        return self._tap

    async def aclose(self) -> None:
        try:
            if self._tap is None:
                with contextlib.suppress(_ClosedUnread):
                    await anext(self._recorder.atap(_aunread()))
            else:
                await self._tap.aclose()  # a no-op after the end; else the recording says cancelled
                aclose = getattr(self._source, "aclose", None)
                if aclose is not None:  # an async generator left suspended: trio warns in the GC
                    await aclose()
        finally:
            try:
                await self._inner.aclose()
            finally:
                self._recorder.close()
