"""Any typed event of any dialect, written back as the bytes of its framing."""

from __future__ import annotations

from typing import Any

from ._sse import encode_event
from .dialects._events import InvalidEvent, UnknownEvent
from .dialects._registry import dialect_of

__all__ = ("encode",)


def encode(event: Any) -> bytes:
    """The bytes that carry *event* on the wire (for SSE dialects, one SSE event).

    Decoding them with the event's dialect gives an event equal to *event*.
    An unknown or invalid event is written with its name and raw data.
    Raises :class:`TypeError` for an object that is no dialect's event.
    """
    dialect = dialect_of(event)
    if dialect is not None:
        return dialect.encode(event)
    if type(event) is UnknownEvent or type(event) is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    raise TypeError(f"not a typed event of any dialect: {type(event).__name__}")
