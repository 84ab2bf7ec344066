"""Recorder: tee raw chunks into a recording file, append-only and crash-safe.

Each line is built whole and handed to the file in one ``write`` call on an
unbuffered file, so whatever a killed process leaves behind is a run of
complete lines plus at most one torn last line, which readers skip.  Gzip
files get a sync flush after every line for the same reason.  Writes are
synchronous, also from :meth:`Recorder.atap`: a flushed append to a local
file is short, and doing it inline keeps a chunk on disk before the consumer
sees it.
"""

from __future__ import annotations

import contextlib
import os
import time
import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import anyio

from .._errors import StreamError
from .._pipeline import Pipeline
from .._sse import DEFAULT_MAX_EVENT_SIZE
from ._format import DEFAULT_REDACT, INHERIT, chunk_line, end_line, header_line, stream_line

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterable,
        Callable,
        Generator,
        Iterable,
        Mapping,
    )
    from types import TracebackType

    from ._format import _Inherit

__all__ = ("DialectProbe", "Recorder")

_CLOSE_TIMEOUT = 5.0
"""Seconds an async source may take to close when its tap ends (as in ``aiter_events``)."""

_Chunk = TypeVar("_Chunk", bound=bytes | bytearray | memoryview)


class _Sink:
    """An unbuffered file written one complete line per ``write`` call."""

    def __init__(self, path: str, *, fsync: bool, append: bool = False) -> None:
        mode = "ab" if append else "wb"
        self._file = open(path, mode, buffering=0)  # noqa: SIM115  (closed by close())
        self._gzip = zlib.compressobj(wbits=31) if path.endswith(".gz") else None
        self._fsync = fsync
        self.broken = False  # a write failed: write nothing more

    def write(self, line: bytes) -> None:
        if self._gzip is not None:
            line = self._gzip.compress(line) + self._gzip.flush(zlib.Z_SYNC_FLUSH)
        self._put(line)

    def close(self) -> None:
        try:
            if self._gzip is not None and not self.broken:
                self._put(self._gzip.flush())  # the gzip trailer
        finally:
            self._file.close()

    def _put(self, data: bytes) -> None:
        try:
            view = memoryview(data)
            while view:  # more than one call only after a short write (disk full)
                view = view[self._file.write(view) :]
            if self._fsync:
                os.fsync(self._file.fileno())
        except OSError:
            self.broken = True
            raise


PROBE_LIMIT = 64 * 1024
"""Bytes a stream may take to bring its first event before its dialect is given up on."""


class DialectProbe:
    """Names the dialect of a stream from its first event, through the stream glue's detection.

    It decides at the first event, or gives up (``dialect`` ``None``) after
    :data:`PROBE_LIMIT` bytes without one, so that what waits on it is bounded.
    """

    def __init__(self) -> None:
        self._pipeline: Pipeline | None = Pipeline("auto", "skip", DEFAULT_MAX_EVENT_SIZE)
        self.dialect: str | None = None

    @property
    def decided(self) -> bool:
        return self._pipeline is None

    def feed(self, chunk: bytes) -> None:
        pipeline = self._pipeline
        if pipeline is None:
            return
        try:
            events = pipeline.feed(chunk)
        except StreamError:  # an event too large to be a first event: no dialect
            self._pipeline = None
            return
        if events:
            for _ in pipeline.events(events[:1]):
                pass
            self.dialect = pipeline.dialect.name if pipeline.dialect is not None else None
            self._pipeline = None
        elif pipeline.offset > PROBE_LIMIT:
            self._pipeline = None

    def close(self) -> None:
        self._pipeline = None


class Recorder:
    """Records the chunks of one or more streams into a file; make one with :meth:`open`.

    Use it as a context manager; :meth:`tap` (or :meth:`atap`) passes a
    stream's chunks through while recording them, :meth:`new_stream` starts
    the next stream of a session.
    """

    def __init__(
        self,
        sink: _Sink,
        *,
        path: str,
        clock: Callable[[], float],
        redact: frozenset[str],
        auto: bool = False,
    ) -> None:
        self.path = path
        self._sink = sink
        self._clock = clock
        self._start = clock()
        self._last = 0.0
        self._redact = redact
        self._state = "idle"  # "idle" -> "tapping" -> "ended" -> (new_stream) "idle"
        self._closed = False
        #: Under ``dialect="auto"``: each stream's opening line waits, with the lines
        #: after it, until the stream's first event names its dialect.
        self._auto = auto
        self._opening: Callable[[str | None], bytes] | None = None
        self._held: list[bytes] = []
        self._probe: DialectProbe | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        dialect: str | None = "auto",
        meta: Mapping[str, Any] | None = None,
        request: Mapping[str, Any] | None = None,
        response: Mapping[str, Any] | None = None,
        redact: Iterable[str] = (),
        fsync: bool = False,
        clock: Callable[[], float] = time.monotonic,
        started_at: datetime | None = None,
    ) -> Recorder:
        """Create (or truncate) *path* and write the header; ``.gz`` paths are gzipped.

        *dialect* is the header's label: ``"auto"`` (the default) names the
        dialect detected from the stream's first event; the header (and each
        stream's opening line) is then written once that event is in, or at
        the stream's end when none came, so a process killed before a
        stream's first event leaves that stream out.  *request* is
        ``{"method", "url", "headers"}``, *response* ``{"status", "headers"}``,
        both optional; header values named in
        :data:`DEFAULT_REDACT` or *redact* (any case) are written as
        ``"[redacted]"``.  *fsync* syncs every line to disk.  *clock* gives
        monotonic seconds (for tests).  *started_at* is the wall-clock start
        written in the header (default: now), for reproducible files.
        """
        if isinstance(redact, str):
            redact = (redact,)
        names = DEFAULT_REDACT | {name.lower() for name in redact}
        if started_at is None:
            started_at = datetime.now(UTC)

        def opening(label: str | None) -> bytes:
            return header_line(
                dialect=label,
                started_at=started_at,
                request=request,
                response=response,
                meta=meta,
                redact=names,
            )

        auto = dialect == "auto"
        first = None if auto else opening(dialect)  # checked before the file is made
        name = os.fspath(path)
        sink = _Sink(name, fsync=fsync)
        try:
            recorder = cls(sink, path=name, clock=clock, redact=names, auto=auto)
            if first is None:
                recorder._opening = opening
            else:
                sink.write(first)
            return recorder
        except BaseException:
            sink.close()
            raise

    def __enter__(self) -> Recorder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; a stream still being tapped gets a ``cancelled`` end line."""
        if self._closed:
            return
        try:
            self._end("cancelled")
        finally:
            self._closed = True
            self._sink.close()

    def tap(self, chunks: Iterable[_Chunk]) -> Generator[_Chunk, None, None]:
        """Yield the chunks of *chunks* unchanged, each recorded before it is yielded.

        The stream's end line records how it ended: ``eof``, the source's
        exception (re-raised), or ``cancelled`` when iteration stops early.
        """
        self._begin()
        try:
            for chunk in chunks:
                self._record(chunk)
                yield chunk
        except BaseException as exc:
            self._abort(exc)
            raise
        self._end("eof")

    async def atap(self, chunks: AsyncIterable[_Chunk]) -> AsyncGenerator[_Chunk, None]:
        """:meth:`tap` for an async iterable (any anyio backend).

        The source is closed when the tap ends, fails or is closed early, even
        from a cancelled scope (its ``aclose`` is shielded), so that its own
        cleanup, such as releasing a connection, runs then and not at garbage
        collection.
        """
        self._begin()
        source = aiter(chunks)
        try:
            try:
                async for chunk in source:
                    self._record(chunk)
                    yield chunk
            except BaseException as exc:
                self._abort(exc)
                raise
            self._end("eof")
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                    await aclose()

    def new_stream(
        self,
        *,
        request: Mapping[str, Any] | None = None,
        response: Mapping[str, Any] | None = None,
        meta: Mapping[str, Any] | None = None,
        dialect: str | _Inherit | None = INHERIT,
    ) -> None:
        """Start the next stream of the session (the first starts with the file).

        *dialect* names the dialect of this stream when it differs from the
        header's (``None``: not a stream of any known dialect).
        """
        if self._state == "tapping":
            raise RuntimeError("the current stream is still being tapped")
        if self._closed:
            raise RuntimeError("the recorder is closed")
        t = self._now()

        def opening(label: str | _Inherit | None) -> bytes:
            return stream_line(
                t, request=request, response=response, meta=meta, redact=self._redact, dialect=label
            )

        if self._auto and dialect is INHERIT:
            self._opening = opening
        else:
            self._write(opening(dialect))
        self._state = "idle"

    def _now(self) -> float:
        self._last = max(self._last, round(self._clock() - self._start, 6))
        return self._last

    def _write(self, line: bytes) -> None:
        if self._closed:
            raise RuntimeError("the recorder is closed")
        if self._opening is not None:
            self._held.append(line)  # the stream's opening line is not written yet
        else:
            self._sink.write(line)

    def _record(self, chunk: bytes | bytearray | memoryview) -> None:
        """Write one chunk's line; under auto, first let the stream's first event decide."""
        probe = self._probe
        if probe is not None:
            probe.feed(bytes(chunk))
            if probe.decided:
                self._release(probe.dialect)
        self._write(chunk_line(self._now(), chunk))

    def _release(self, dialect: str | None) -> None:
        """Write the held opening line, naming *dialect*, and the lines held after it."""
        opening, self._opening, self._probe = self._opening, None, None
        if opening is not None:
            held, self._held = self._held, []
            self._sink.write(opening(dialect))
            for line in held:
                self._sink.write(line)

    def _begin(self) -> None:
        if self._closed:
            raise RuntimeError("the recorder is closed")
        if self._state != "idle":
            raise RuntimeError("this stream was already tapped; call new_stream() first")
        self._state = "tapping"
        if self._opening is not None:
            self._probe = DialectProbe()

    def _end(self, end: str | dict[str, str]) -> None:
        """Write the end line of the stream being tapped, once, if the file can take it."""
        if self._state != "tapping":
            if self._state == "idle" and self._opening is not None and not self._closed:
                self._release(None)  # a stream opened and never tapped: its line all the same
            return
        self._state = "ended"
        if not self._closed and not self._sink.broken:
            probe = self._probe
            if probe is not None:
                probe.close()
            self._release(probe.dialect if probe is not None else None)
            self._write(end_line(self._now(), end))

    def _abort(self, exc: BaseException) -> None:
        """End the stream stopped by *exc*: an error, or else a cancellation.

        Failing to write that is not reported: *exc* is what the caller must see.
        """
        if isinstance(exc, Exception):
            end: str | dict[str, str] = {"error": type(exc).__qualname__, "message": str(exc)}
        else:  # anyio's cancellation, GeneratorExit, KeyboardInterrupt, ...
            end = "cancelled"
        with contextlib.suppress(OSError):
            self._end(end)
