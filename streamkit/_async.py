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
bounded only where it really waits: :func:`_drive` steps the source's
``__anext__`` awaitables itself, and a chunk that is ready costs no scope at
all.  When the source suspends, :func:`_wait` goes on with it as ``await``
would, forwarding what the event loop sends or throws, but with a cancel
scope of the deadline around each suspension: entered after the source
suspended, exited as soon as the task wakes, before the source runs again, so
that the source's own scopes (it may well enter one before it waits) and ours
never overlap.  When our deadline cancels the wait, the source is given the
cancellation it would have seen under an ordinary scope, and the wait ends as
stalled.
"""

from __future__ import annotations

import math
import types
from typing import TYPE_CHECKING, Any, Final

import anyio

from ._errors import DecodeError, StreamStalled
from ._pipeline import ErrorPolicy, Pipeline, check_chunks
from ._sse import DEFAULT_MAX_EVENT_SIZE

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterable, Generator

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
            is_keepalive = pipeline.is_keepalive
            deadline = math.inf
            fresh = True  # an event other than a keep-alive came since the source last waited
            box: list[Any] = [None]
            driver = _drive(source, box)
            step = driver.send
            while True:
                try:
                    # A chunk that is there costs one step of the driver: no scope, no
                    # coroutine of ours, no exception.
                    trap = step(None)
                    if trap is not _READY:  # the source suspended: wait, bounded
                        if fresh:
                            fresh = False
                            deadline = anyio.current_time() + idle_timeout
                        await _wait(driver, trap, deadline)
                    chunk = box[0]
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
                    if not fresh and not is_keepalive(event):
                        fresh = True
                    yield event
        for event in pipeline.events(pipeline.close()):
            yield event
        pipeline.finish()
    finally:
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            # Shielded so that a cancelled consumer still lets the source clean up.
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                await aclose()


_READY: Final = object()
"""What :func:`_drive` yields when the source's next chunk is in the box."""


def _asend_type() -> type:
    async def agen() -> AsyncGenerator[None, None]:
        yield None

    step: Any = agen().__anext__()
    step.close()
    return type(step)


_ASEND: Final = _asend_type()
"""The awaitable of an async generator's ``__anext__``: iterable itself, no ``__await__`` call."""


@types.coroutine
def _drive(source: AsyncIterable[Buffer], box: list[Any]) -> Generator[Any, Any, None]:
    """Step *source*'s ``__anext__`` awaitables, one after another, as ``await`` would.

    Each ``send(None)`` from the glue either gives :data:`_READY`, the chunk
    being in ``box[0]`` (a ready chunk passes through ``yield from``, which
    raises no ``StopIteration``), or a trap of the event loop's, which
    :func:`_wait` forwards.  What the source raises (``StopAsyncIteration``
    included) comes out of the ``send``.
    """
    anext_ = type(source).__anext__  # type: ignore[attr-defined]
    if type(source) is types.AsyncGeneratorType:  # the usual source: its steps are asends
        while True:
            box[0] = yield from anext_(source)
            yield _READY
    while True:
        step: Any = anext_(source)
        steps: Any = step if type(step) is _ASEND else step.__await__()
        box[0] = yield from steps
        yield _READY


@types.coroutine
def _wait(
    driver: Generator[Any, Any, None], trap: Any, deadline: float
) -> Generator[Any, Any, None]:
    """Go on with the driver, suspended at the source's *trap*, each suspension bounded.

    See the module docstring: a scope with the idle deadline is entered
    around each suspension and exited when the task wakes, before the source
    runs again.  Returns when the chunk is in the driver's box.
    """
    while True:
        scope = anyio.CancelScope(deadline=deadline)
        scope.__enter__()
        try:
            sent = yield trap
        except BaseException as exc:  # cancellation and close too: they are the source's
            ours = scope.__exit__(type(exc), exc, exc.__traceback__)
            try:
                trap = driver.throw(exc)
            except BaseException as out:
                if ours and out is exc:
                    raise _Stalled from None
                raise
        else:
            # trio wakes a cancelled task by sending it the cancellation as a value,
            # which the source raises: ours when our deadline passed meanwhile.
            ours = scope.cancel_called
            scope.__exit__(None, None, None)
            try:
                trap = driver.send(sent)
            except anyio.get_cancelled_exc_class():
                if ours:
                    raise _Stalled from None
                raise
        if trap is _READY:
            return


class _Stalled(Exception):
    """The idle deadline passed while waiting for the next chunk."""
