"""The stream layer, asynchronous half: async chunks of bytes in, typed events out.

Written against anyio only, so it runs under asyncio and trio alike.  The
generator starts no task and enters no cancel scope around a ``yield`` (the
idle timeout wraps only the wait for the next chunk), so cancelling or
abandoning the consumer leaves nothing behind; the source is closed with the
generator.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import anyio

from ._errors import StreamStalled
from ._pipeline import ErrorPolicy, Pipeline, check_chunks
from ._sse import DEFAULT_MAX_EVENT_SIZE

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator

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
    is_keepalive = pipeline.is_keepalive
    source = aiter(chunks)
    deadline = math.inf if idle_timeout is None else anyio.current_time() + idle_timeout
    try:
        while True:
            try:
                if idle_timeout is None:
                    chunk = await anext(source)
                else:
                    chunk = await _next_within(source, deadline)
            except StopAsyncIteration:
                break
            except _Stalled:
                raise StreamStalled(
                    f"no event for {idle_timeout} s",
                    ordinal=pipeline.ordinal,
                    offset=pipeline.offset,
                ) from None
            for event in events(pipeline.feed(chunk)):
                if idle_timeout is not None and not is_keepalive(event):
                    deadline = anyio.current_time() + idle_timeout
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


class _Stalled(Exception):
    """The idle deadline passed while waiting for the next chunk."""


async def _next_within(source: AsyncIterator[Buffer], deadline: float) -> Buffer:
    """The next chunk of *source*, unless *deadline* passes first (then :class:`_Stalled`).

    A ``TimeoutError`` that the source raises itself is passed on as it is.
    """
    with anyio.move_on_after(deadline - anyio.current_time()) as scope:
        return await anext(source)
    assert scope.cancelled_caught
    raise _Stalled
