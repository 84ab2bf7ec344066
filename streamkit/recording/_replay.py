"""Replayer: the chunks of a recording back, byte- and boundary-exact, paced if wanted.

Both iterators run one pipeline, :meth:`Replayer._timeline`: pick the streams,
seek to ``start``, re-split (``rechunk``), then cut or fail at a byte offset
(:func:`_faults`).  It yields ``(t, item)`` pairs, ``t`` in seconds since the
start of the replayed selection, ``item`` a chunk, an exception to raise, or
``None`` for the end of a stream (which only pacing cares about).
:meth:`Replayer.aiter_chunks` adds waiting on top.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import random
from typing import TYPE_CHECKING, Any, Literal, Protocol

import anyio
import anyio.lowlevel

from .._async import aiter_events
from .._errors import RecordingError
from .._sync import iter_events
from ..dialects import _registry
from ._format import load

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Generator, Iterable, Iterator, Mapping, Sequence

    from .._pipeline import ErrorPolicy
    from ._format import Header, RecordedStream

__all__ = ("Clock", "Rechunk", "Replayer")

#: How to re-split chunks: ``"bytes"`` (one byte each, same as ``1``), a
#: piece size, or ``("random", seed)`` for sizes drawn from 1 to 64.
Rechunk = Literal["bytes"] | int | tuple[Literal["random"], int]
RANDOM_MAX = 64
YIELD_EVERY = 16
"""At speed 0, a replay lets other tasks run at every this-many-th chunk (the first included)."""
_RESOLUTION = 1e-6  # a recording's time resolution; shorter waits are skipped

_Item = bytes | BaseException | None


class Clock(Protocol):
    """What :meth:`Replayer.aiter_chunks` paces itself by: anyio's, or a fake in tests."""

    def current_time(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    async def sleep(self, seconds: float, /) -> None:
        """Wait *seconds*."""
        ...


class _AnyioClock:
    def current_time(self) -> float:
        return anyio.current_time()

    async def sleep(self, seconds: float, /) -> None:
        await anyio.sleep(seconds)


class _Pacer:
    """Waits until a recording time comes up, scaled by *speed*; shifted by stalls."""

    def __init__(self, clock: Clock, speed: float, start: float) -> None:
        self.clock = clock
        self.speed = speed
        self.start = start
        self.origin = clock.current_time()  # the clock's time for recording time `start`

    async def until(self, t: float) -> None:
        """Wait for recording time *t* (not at all at speed 0); always a checkpoint."""
        delay = 0.0
        if self.speed:
            delay = self.origin + (t - self.start) / self.speed - self.clock.current_time()
        if delay >= _RESOLUTION:
            await self.clock.sleep(delay)
        else:
            await anyio.lowlevel.checkpoint()

    async def stall(self, seconds: float) -> None:
        await self.clock.sleep(seconds)
        self.origin += seconds


class Replayer:
    """A recording (or raw ``.sse`` body) read back; make one with :meth:`open`.

    ``header`` is a :class:`Header`, ``streams`` a list of
    :class:`RecordedStream`.  In both iterators, ``stream`` picks one stream
    by index (``None``: all, in order); ``start`` skips chunks recorded less
    than that many seconds into the selection; ``rechunk`` re-splits each
    stream's bytes (see :data:`Rechunk`); ``cut_at=n`` stops after *n* bytes;
    ``raise_at=(n, exc)`` raises *exc* after *n* bytes (at the end when there
    are fewer).  Byte offsets count the bytes the iterator yields.
    """

    def __init__(
        self, header: Header, streams: Iterable[RecordedStream], *, path: str | None = None
    ) -> None:
        self.header = header
        self.streams = list(streams)
        self.path = path

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, dialect: str | None = None) -> Replayer:
        """Read *path*: a recording (``.gz`` too) or a raw ``.sse`` body.

        *dialect*, when given, overrides the header's.  Raises
        :class:`~streamkit.RecordingError` for a file that cannot be read.
        """
        header, streams = load(path, dialect=dialect)
        return cls(header, streams, path=os.fspath(path))

    def iter_chunks(
        self,
        stream: int | None = None,
        *,
        start: float = 0.0,
        rechunk: Rechunk | None = None,
        cut_at: int | None = None,
        raise_at: tuple[int, BaseException] | None = None,
    ) -> Generator[bytes, None, None]:
        """The recorded chunks, with their original boundaries, without waiting."""
        for _, item in self._timeline(stream, start, rechunk, cut_at, raise_at):
            if isinstance(item, BaseException):
                raise item
            if item is not None:
                yield item

    async def aiter_chunks(
        self,
        speed: float = 1.0,
        *,
        stream: int | None = None,
        start: float = 0.0,
        rechunk: Rechunk | None = None,
        cut_at: int | None = None,
        raise_at: tuple[int, BaseException] | None = None,
        stall: tuple[float, float] | None = None,
        clock: Clock | None = None,
    ) -> AsyncGenerator[bytes, None]:
        """The recorded chunks at their recorded times divided by *speed* (0: no waiting).

        ``stall=(at, seconds)`` freezes the stream for *seconds* (real time,
        also at speed 0) when the replay reaches recording time *at*.  Each
        chunk is a checkpoint for cancellation; at speed 0 every
        :data:`YIELD_EVERY`-th one also lets other tasks run (at other speeds
        every chunk waits).  *clock* defaults to anyio's.
        """
        if speed < 0:
            raise ValueError(f"speed must be >= 0, not {speed!r}")
        timeline = self._timeline(stream, start, rechunk, cut_at, raise_at)
        if not speed and stall is None and clock is None:
            # As fast as possible: nothing to wait for. Cancellation is checked at every
            # chunk; the event loop gets a turn at every YIELD_EVERY-th (a scheduling round
            # trip per chunk costed a load of replays more than decoding and folding them).
            checkpoint = anyio.lowlevel.checkpoint
            if_cancelled = anyio.lowlevel.checkpoint_if_cancelled
            for i, (_, item) in enumerate(timeline):
                await (if_cancelled() if i % YIELD_EVERY else checkpoint())
                if isinstance(item, BaseException):
                    raise item
                if item is not None:
                    yield item
            return
        pacer = _Pacer(clock or _AnyioClock(), speed, start)
        stall_at, stall_for = stall if stall is not None else (math.inf, 0.0)
        for t, item in timeline:
            if t >= stall_at:
                await pacer.until(stall_at)
                await pacer.stall(stall_for)
                stall_at = math.inf
            await pacer.until(t)
            if isinstance(item, BaseException):
                raise item
            if item is not None:
                yield item

    def iter_timed(
        self, stream: int | None = None, *, rechunk: Rechunk | None = None
    ) -> Iterator[tuple[float, bytes | None]]:
        """``(t, chunk)`` pairs, *t* in recorded seconds from the start of the selection.

        ``(t, None)`` marks the end of a stream.  This is what pacing is built
        from, for callers that wait in their own way.
        """
        for t, item in self._timeline(stream, 0.0, rechunk, None, None):
            assert not isinstance(item, BaseException)  # no faults were asked for
            yield t, item

    def iter_events(
        self,
        stream: int | None = None,
        *,
        dialect: str | None = None,
        on_error: ErrorPolicy = "raise",
        rechunk: Rechunk | None = None,
        start_event: int = 0,
        cut_event: int | None = None,
        drop: Iterable[int] = (),
        duplicate: Iterable[int] = (),
        delay: Mapping[int, int] | None = None,
        inject: Mapping[int, Any] | None = None,
    ) -> Iterator[Any]:
        """The recording's typed events, through *dialect*.

        By default each stream is read in the dialect it was recorded in (its
        own, else the header's); a stream recorded with none is read with
        ``"auto"``, its first event picking the dialect.  Each stream of a
        session is decoded on its own, as its own response would be.  Events
        are numbered from 0 across the selection; ``start_event`` skips the
        first ones.  Faults for a consumer's tests: ``cut_event=n`` ends the
        stream before event *n*, as a connection dropped there would (nothing
        held back comes out); ``drop`` and ``duplicate`` name events to leave
        out or send twice,
        ``delay={i: j}`` sends event *i* right after event *j* (``j > i``),
        and ``inject={i: event}`` sends *event* (say, the dialect's ``error``
        event) just before event *i*.
        """
        faults = _EventFaults(start_event, cut_event, drop, duplicate, delay, inject)
        for index in self._indexes(stream):
            name = self._dialect(dialect, index)
            for event in iter_events(
                self.iter_chunks(index, rechunk=rechunk), _registry.choose(name), on_error=on_error
            ):
                if faults.cut():
                    return
                yield from faults(event)
        yield from faults.finish()

    def aiter_events(
        self,
        speed: float = 1.0,
        *,
        stream: int | None = None,
        dialect: str | None = None,
        on_error: ErrorPolicy = "raise",
        rechunk: Rechunk | None = None,
        clock: Clock | None = None,
        idle_timeout: float | None = None,
        start_event: int = 0,
        cut_event: int | None = None,
        drop: Iterable[int] = (),
        duplicate: Iterable[int] = (),
        delay: Mapping[int, int] | None = None,
        inject: Mapping[int, Any] | None = None,
    ) -> AsyncGenerator[Any, None]:
        """:meth:`iter_events` at the recorded pace scaled by *speed* (0: no waiting)."""
        faults = _EventFaults(start_event, cut_event, drop, duplicate, delay, inject)
        indexes = self._indexes(stream)
        if len(indexes) == 1 and not faults:
            # One stream as it was: the stream glue's own generator, nothing around it.
            return self._aiter_stream(
                indexes[0], speed, dialect, on_error, rechunk, clock, idle_timeout
            )
        return self._aiter_faulty(
            indexes, faults, speed, dialect, on_error, rechunk, clock, idle_timeout
        )

    def _aiter_stream(
        self,
        index: int,
        speed: float,
        dialect: str | None,
        on_error: ErrorPolicy,
        rechunk: Rechunk | None,
        clock: Clock | None,
        idle_timeout: float | None,
    ) -> AsyncGenerator[Any, None]:
        chunks = self.aiter_chunks(speed, stream=index, rechunk=rechunk, clock=clock)
        name = _registry.choose(self._dialect(dialect, index))
        return aiter_events(chunks, name, on_error=on_error, idle_timeout=idle_timeout)

    async def _aiter_faulty(
        self,
        indexes: range,
        faults: _EventFaults,
        speed: float,
        dialect: str | None,
        on_error: ErrorPolicy,
        rechunk: Rechunk | None,
        clock: Clock | None,
        idle_timeout: float | None,
    ) -> AsyncGenerator[Any, None]:
        for index in indexes:
            events = self._aiter_stream(
                index, speed, dialect, on_error, rechunk, clock, idle_timeout
            )
            async with contextlib.aclosing(events):
                async for event in events:
                    if faults.cut():
                        return
                    for out in faults(event):
                        yield out
        for out in faults.finish():
            yield out

    def _dialect(self, dialect: str | None, index: int) -> str:
        """The dialect to read stream *index* in: the caller's, else the one it was recorded in."""
        if dialect:
            return dialect  # the caller's: an unknown name is their ValueError
        name = self.streams[index].dialect or "auto"
        if name != "auto" and name not in _registry.names():
            known = ", ".join(sorted(_registry.names()))
            raise RecordingError(
                f"recorded in dialect {name!r}, which is not known (known: {known});"
                " pass dialect= to read it as one of those",
                path=self.path,
            )
        return name

    def _indexes(self, stream: int | None) -> range:
        if stream is None:
            return range(len(self.streams))
        if not -len(self.streams) <= stream < len(self.streams):
            raise IndexError(f"no stream {stream} in a recording of {len(self.streams)}")
        return range(stream % len(self.streams), stream % len(self.streams) + 1)

    def _timeline(
        self,
        stream: int | None,
        start: float,
        rechunk: Rechunk | None,
        cut_at: int | None,
        raise_at: tuple[int, BaseException] | None,
    ) -> Iterator[tuple[float, _Item]]:
        selected = self.streams if stream is None else [self.streams[stream]]
        base = selected[0].t0 if stream is not None else 0.0
        items = _items(selected, base, start, _sizes(rechunk))
        return items if cut_at is None and raise_at is None else _faults(items, cut_at, raise_at)


def _items(
    selected: Sequence[RecordedStream], base: float, start: float, sizes: Iterator[int] | None
) -> Iterator[tuple[float, bytes | None]]:
    """The chunks of *selected* (times from *base*, none before *start*), each stream's end.

    Made one at a time, not copied per replay: ten thousand replays at once
    would otherwise hold as many copies of the recording's chunk list, which
    the garbage collector walks again and again.
    """
    for recorded in selected:
        # Without a start, keep every chunk: a file whose times go backwards
        # (hand-edited, damaged) must not lose chunks before its "s" line's time.
        chunks = _since(recorded.chunks, base, start)
        yield from chunks if sizes is None else _rechunk(chunks, sizes)
        if recorded.end_t is not None and (not start or recorded.end_t - base >= start):
            yield recorded.end_t - base, None


def _since(
    chunks: Iterable[tuple[float, bytes]], base: float, start: float
) -> Iterator[tuple[float, bytes]]:
    """*chunks* with their times from *base*, none before *start* (unless it is 0)."""
    for t, c in chunks:
        if not start or t - base >= start:
            yield t - base, c


def _sizes(rechunk: Rechunk | None) -> Iterator[int] | None:
    """The piece sizes *rechunk* asks for, endlessly; ``None`` to keep the boundaries."""
    if rechunk is None:
        return None
    if rechunk == "bytes":
        return itertools.repeat(1)
    if isinstance(rechunk, int) and not isinstance(rechunk, bool) and rechunk > 0:
        return itertools.repeat(rechunk)
    if isinstance(rechunk, tuple) and len(rechunk) == 2 and rechunk[0] == "random":
        rng = random.Random(rechunk[1])
        return (rng.randint(1, RANDOM_MAX) for _ in itertools.count())
    raise ValueError(f"rechunk must be 'bytes', a size > 0 or ('random', seed), not {rechunk!r}")


def _rechunk(
    chunks: Iterable[tuple[float, bytes]], sizes: Iterator[int]
) -> Iterator[tuple[float, bytes]]:
    """Re-split the bytes of *chunks*; a piece comes at the time of its last byte."""
    pending, size, t = b"", next(sizes), 0.0
    for t, chunk in chunks:
        data, pos = pending + chunk, 0
        while len(data) - pos >= size:
            yield t, data[pos : pos + size]
            pos += size
            size = next(sizes)
        pending = data[pos:]
    if pending:
        yield t, pending


def _faults(
    items: Iterator[tuple[float, bytes | None]],
    cut_at: int | None,
    raise_at: tuple[int, BaseException] | None,
) -> Iterator[tuple[float, _Item]]:
    """*items* up to byte *cut_at*, or up to the *raise_at* offset and then its exception."""
    limit, exc = cut_at, None
    if raise_at is not None and (cut_at is None or raise_at[0] <= cut_at):
        limit, exc = raise_at
    if limit is None:
        yield from items
        return
    if limit < 0:
        raise ValueError(f"a byte offset must be >= 0, not {limit}")
    offset, t = 0, 0.0
    for t, item in items:
        room = limit - offset
        if isinstance(item, bytes) and len(item) >= room:
            if room:
                yield t, item[:room]
            break
        yield t, item
        offset += len(item) if item is not None else 0
    if exc is not None:
        yield t, exc


class _EventFaults:
    """Reshapes a sequence of events: skip a prefix, drop, duplicate, delay, inject."""

    def __init__(
        self,
        start: int,
        stop: int | None,
        drop: Iterable[int],
        duplicate: Iterable[int],
        delay: Mapping[int, int] | None,
        inject: Mapping[int, Any] | None,
    ) -> None:
        self.start = start
        self.stop = stop
        self.drop = frozenset(drop)
        self.duplicate = frozenset(duplicate)
        self.delay = dict(delay or {})
        self.inject = dict(inject or {})
        for i, j in self.delay.items():
            if j <= i:
                raise ValueError(f"delay={{{i}: {j}}}: an event can only be sent later")
        self.held: dict[int, list[Any]] = {}
        self.ordinal = -1

    def __call__(self, event: Any) -> list[Any]:
        self.ordinal = i = self.ordinal + 1
        out = []
        if i in self.inject:
            out.append(self.inject[i])
        if i < self.start:
            return out
        if i in self.delay:
            self.held.setdefault(self.delay[i], []).append(event)
        elif i not in self.drop:
            out.append(event)
            if i in self.duplicate:
                out.append(event)
        out.extend(self.held.pop(i, ()))
        return out

    def __bool__(self) -> bool:
        """Whether there is any fault to apply (else events pass as they are)."""
        return bool(
            self.start
            or self.stop is not None
            or self.drop
            or self.duplicate
            or self.delay
            or self.inject
        )

    def cut(self) -> bool:
        """Whether the stream ends before the next event."""
        return self.stop is not None and self.ordinal + 1 >= self.stop

    def finish(self) -> list[Any]:
        """Events still held for a later event that never came, in order."""
        return [event for j in sorted(self.held) for event in self.held[j]]
