"""The stream layer, asynchronous half: async chunks of bytes in, typed events out.

Written against anyio only, so it runs under asyncio and trio alike.  The
generator starts no task and enters no cancel scope around a ``yield`` (the
idle timeout wraps only the wait for the next chunk), so cancelling or
abandoning the consumer leaves nothing behind; the source is closed with the
generator.

The idle deadline is ``idle_timeout`` after the first wait for a chunk that
follows an event other than a keep-alive; keep-alives and empty chunks do not
move it.  So the timeout measures how long the source has been silent, not
how long the consumer took with an event, and the clock is read once per
wait, not once per event.

A cancel scope costs microseconds to enter, more than decoding a small
event, and a scope shared across waits would have to stay open across the
``yield``\\ s between them, which anyio and trio forbid.  So a wait is
bounded only where it really waits: :class:`_IdleWatch` starts the source's
``__anext__`` step itself, and a chunk that is ready costs no scope at all.
When the step suspends, :func:`_wait` goes on with it as ``await`` would,
forwarding what the event loop sends or throws, but with a cancel scope of
the deadline around each suspension: entered after the step suspended, exited
as soon as the task wakes, before the step runs again, so that the step's own
scopes (a source may well enter one before it waits) and ours never overlap.
When our deadline cancels the wait, the step is given the cancellation it
would have seen under an ordinary scope, and the wait ends as stalled.
"""

from __future__ import annotations

import math
import types
from typing import TYPE_CHECKING, Any

import anyio

from ._errors import DecodeError, StreamStalled
from ._pipeline import ErrorPolicy, Pipeline, check_chunks
from ._sse import DEFAULT_MAX_EVENT_SIZE

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterable, Awaitable, Generator

    from ._sse import Buffer
    from .dialects._registry import AIterEvents, Dialect

__all__ = ("aiter_events",)

_CLOSE_TIMEOUT = 5.0
"""Seconds a source may take to close when the iteration ends."""


def _aiter_events(
    chunks: AsyncIterable[Buffer],
    dialect: str | Dialect[Any] = "auto",
    *,
    on_error: ErrorPolicy = "raise",
    idle_timeout: float | None = None,
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
) -> AsyncGenerator[Any, None]:
    """Decode a stream delivered as async *chunks* of bytes into *dialect*'s typed events.

    The same as :func:`~streamkit.iter_events`, plus *idle_timeout*: when no
    event other than a keep-alive (an SSE comment, or an event the dialect
    calls one) has arrived for that many seconds, raise
    :class:`~streamkit.StreamStalled`.  The arguments are checked at once;
    the source is closed when the iteration ends, fails or is abandoned
    (``aclose``).
    """
    check_chunks(chunks, "aiter_events", want_async=True)
    if idle_timeout is not None and not idle_timeout > 0:
        raise ValueError(f"idle_timeout must be positive, got {idle_timeout!r}")
    pipeline = Pipeline(dialect, on_error, max_event_size)
    return _events(pipeline, chunks, idle_timeout)


_aiter_events.__name__ = _aiter_events.__qualname__ = "aiter_events"
# Typed by overloads on the dialect's name: aiter_events(chunks, "chat") yields chat events.
aiter_events: AIterEvents = _aiter_events


async def _events(
    pipeline: Pipeline, chunks: AsyncIterable[Buffer], idle_timeout: float | None
) -> AsyncGenerator[Any, None]:
    events = pipeline.events
    source = aiter(chunks)
    try:
        if idle_timeout is None:
            async for chunk in source:
                # Pipeline.events, inline (as in the sync glue).
                for frame in pipeline.feed(chunk):
                    try:
                        event = pipeline.decode(frame.event, frame.view)
                    except DecodeError as exc:
                        event = pipeline.failed(exc, frame)
                        if event is None:
                            continue
                    else:
                        pipeline.ordinal += 1
                    yield event
        else:
            watch = _IdleWatch(idle_timeout)
            is_keepalive = pipeline.is_keepalive
            anext_ = type(source).__anext__
            while True:
                try:
                    # _IdleWatch.next, its ready-chunk path inline: a chunk that is there
                    # costs one step of the source's awaitable, no coroutine of ours.
                    step = anext_(source)
                    send = getattr(step, "send", None)  # a coroutine's, an asend's
                    if send is None:
                        chunk = await watch.next(step)
                    else:
                        try:
                            trap = send(None)
                        except StopIteration as ready:
                            chunk = ready.value
                        else:
                            chunk = await _wait(step, trap, watch)
                except StopAsyncIteration:
                    break
                except _Stalled:
                    raise StreamStalled(
                        f"no event for {idle_timeout} s",
                        ordinal=pipeline.ordinal,
                        offset=pipeline.offset,
                    ) from None
                for frame in pipeline.feed(chunk):
                    try:
                        event = pipeline.decode(frame.event, frame.view)
                    except DecodeError as exc:
                        event = pipeline.failed(exc, frame)
                        if event is None:
                            continue
                    else:
                        pipeline.ordinal += 1
                    if not watch.fresh and not is_keepalive(event):
                        watch.fresh = True
                    yield event
        for event in events(pipeline.close()):
            yield event
        pipeline.finish()
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            # Shielded so that a cancelled consumer still lets the source clean up.
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                await aclose()


class _IdleWatch:
    """The idle deadline of one stream (see above)."""

    __slots__ = ("deadline", "fresh", "timeout")

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.deadline = math.inf
        #: An event other than a keep-alive came since the source last waited.
        self.fresh = True

    async def next(self, awaitable: Awaitable[Buffer]) -> Buffer:
        """What *awaitable* (a source's ``__anext__()``) gives; :class:`_Stalled` if it
        waits past the deadline.

        A ``TimeoutError`` that the source raises itself is passed on as it is.
        """
        step = awaitable.__await__()
        if not hasattr(step, "throw"):  # an awaitable without a coroutine's API
            with anyio.CancelScope(deadline=self._deadline()):
                return await _steps(step)
            raise _Stalled
        try:
            trap = step.send(None)
        except StopIteration as ready:  # the chunk was there: no wait, no scope
            return ready.value  # type: ignore[no-any-return]
        return await _wait(step, trap, self)

    def _deadline(self) -> float:
        if self.fresh:
            self.fresh = False
            self.deadline = anyio.current_time() + self.timeout
        return self.deadline


@types.coroutine
def _steps(step: Any) -> Generator[Any, Any, Buffer]:
    """Await an awaitable's iterator once more (its ``__await__`` was already called)."""
    return (yield from step)  # type: ignore[no-any-return]


@types.coroutine
def _wait(step: Any, trap: Any, watch: _IdleWatch) -> Generator[Any, Any, Buffer]:
    """Go on with a source's step that suspended at *trap*, each suspension bounded.

    See the module docstring: a scope with the idle deadline is entered
    around each suspension and exited when the task wakes, before the step
    runs again.
    """
    while True:
        scope = anyio.CancelScope(deadline=watch._deadline())
        scope.__enter__()
        try:
            sent = yield trap
        except BaseException as exc:  # cancellation and close too: they are the step's
            ours = scope.__exit__(type(exc), exc, exc.__traceback__)
            try:
                trap = step.throw(exc)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            except BaseException as out:
                if ours and out is exc:
                    raise _Stalled from None
                raise
        else:
            # trio wakes a cancelled task by sending it the cancellation as a value,
            # which the step raises: ours when our deadline passed meanwhile.
            ours = scope.cancel_called
            scope.__exit__(None, None, None)
            try:
                trap = step.send(sent)
            except StopIteration as done:
                return done.value  # type: ignore[no-any-return]
            except anyio.get_cancelled_exc_class():
                if ours:
                    raise _Stalled from None
                raise


class _Stalled(Exception):
    """The idle deadline passed while waiting for the next chunk."""
