"""The stream layer, synchronous half: chunks of bytes in, typed events out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import DecodeError
from ._pipeline import ErrorPolicy, Pipeline, check_chunks
from ._sse import DEFAULT_MAX_EVENT_SIZE

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable

    from ._sse import Buffer
    from .dialects._registry import Dialect, IterEvents

__all__ = ("iter_events",)


def _iter_events(
    chunks: Iterable[Buffer],
    dialect: str | Dialect[Any] = "auto",
    *,
    on_error: ErrorPolicy = "raise",
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
) -> Generator[Any, None, None]:
    """Decode a stream delivered as *chunks* of bytes into *dialect*'s typed events.

    *dialect* is ``"auto"`` (the default: the stream's first event picks the
    dialect that claims it), a registered name (``"chat"``, ``"responses"``,
    ``"anthropic"``, ``"assistants"``...) or a
    :class:`~streamkit.dialects.Dialect`.  Reading a stream as a dialect that
    recognises none of its events warns :class:`~streamkit.DialectMismatch`,
    naming the dialect that would have claimed it.

    *on_error* says what to do with a payload that cannot be decoded:
    ``"raise"`` a :class:`~streamkit.DecodeError` naming the event's ordinal,
    byte offset, name and JSON path; ``"skip"`` it; or ``"yield"`` it as the
    dialect's ``InvalidEvent``.  An event name the dialect does not know is
    never an error: it comes out as the dialect's ``UnknownEvent``.

    The arguments are checked at once (a ``bytes`` body instead of an
    iterable of chunks is a :class:`TypeError`).  The source is closed (its
    ``close()`` called, when it has one) when the events end, fail, or the
    generator is closed or dropped early.
    """
    check_chunks(chunks, "iter_events", want_async=False)
    return _events(Pipeline(dialect, on_error, max_event_size), chunks)


_iter_events.__name__ = _iter_events.__qualname__ = "iter_events"
# Typed by overloads on the dialect's name: iter_events(chunks, "chat") yields chat events.
iter_events: IterEvents = _iter_events


def _events(pipeline: Pipeline, chunks: Iterable[Buffer]) -> Generator[Any, None, None]:
    # Pipeline.events, inline: a live stream brings one event per chunk, and a
    # generator per chunk would cost a fifth of what decoding the event does.
    source = iter(chunks)
    try:
        for chunk in source:
            # The frames (and their data) are dropped before the typed events are used.
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
        yield from pipeline.events(pipeline.close())
        pipeline.finish()
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
