"""The event-name → decoder table of the Anthropic Messages dialect.

:func:`decode_event` is the hot loop: one dict lookup and one typed msgspec
decode straight from the caller's buffer (the event's ``type`` is its own
tag, so the decoded Struct is the event; there is nothing to wrap).  Only when
that decode meets a ``type`` no union member claims (a content block, delta,
citation or search result of a newer API version) does the slow path run: it
decodes the payload to builtins, walks that tree once along the schema
swapping every object of unknown ``type`` for ``{"type": "streamkit.unknown",
"data": <the object>}`` (an :class:`Unknown`), and converts the result.  One
walk, not one retry per unknown object, keeps the cost linear in the payload
size.

The API names every event (``event: message_start``); a body whose events
carry no name (the SSE default ``message``, as some proxies forward it) is
decoded by the ``type`` inside the payload instead, at the cost of a second
small parse.
"""

from __future__ import annotations

from typing import Any, get_args

import msgspec

from streamkit.dialects import _unknowns as unknowns

from ._schema import MessageStreamEvent, UnknownEvent

__all__ = ("EVENT_NAMES", "decode_event", "looks_like_anthropic")


_UNNAMED = "message"
"""The SSE event name of an event that has no ``event:`` field."""


def _build() -> dict[str, tuple[msgspec.json.Decoder[Any], type]]:
    table: dict[str, tuple[msgspec.json.Decoder[Any], type]] = {}
    for cls in get_args(MessageStreamEvent):
        table[cls.event] = (msgspec.json.Decoder(cls), cls)
    return table


_TABLE = _build()

EVENT_NAMES: frozenset[str] = frozenset(_TABLE)
"""Every event name the dialect decodes (each equals the payload's ``type``)."""


class _Type(msgspec.Struct):
    type: str = ""


_TYPE_OF = msgspec.json.Decoder(_Type).decode


def decode_event(
    name: str, data: bytes | bytearray | memoryview
) -> MessageStreamEvent | UnknownEvent:
    """Decode the payload of the SSE event *name* into its typed event.

    *data* is decoded in place (a ``memoryview`` is not copied).  An unknown
    *name* gives an :class:`UnknownEvent`; unknown ``type`` values inside the
    payload become :class:`Unknown` parts.  Raises :class:`DecodeError` for
    malformed JSON or UTF-8 and for missing or ill-typed fields (with the
    JSON path of the offending value and an excerpt of the payload).
    """
    entry = _TABLE.get(name)
    if entry is None:
        if name == _UNNAMED:
            return _decode_unnamed(data)
        return UnknownEvent(name, bytes(data))
    decoder, cls = entry
    try:
        event: MessageStreamEvent = decoder.decode(data)
    except msgspec.ValidationError as exc:
        return unknowns.convert(name, data, exc, cls)  # type: ignore[no-any-return]
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise unknowns.error(name, data, exc) from None
    return event


def _decode_unnamed(data: bytes | bytearray | memoryview) -> MessageStreamEvent | UnknownEvent:
    """An event without an ``event:`` name: dispatched on the ``type`` in its payload."""
    try:
        kind = _TYPE_OF(data).type
    except msgspec.ValidationError:  # JSON, but not an object with a string type
        kind = ""
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise unknowns.error(_UNNAMED, data, exc) from None
    if kind not in _TABLE:
        return UnknownEvent(_UNNAMED, bytes(data))
    return decode_event(kind, data)


def looks_like_anthropic(name: str, data: bytes | bytearray | memoryview) -> bool:
    """Whether the first event of a stream is one of this dialect's (for ``dialect="auto"``).

    ``error`` alone is not enough (other APIs send it too), and an unnamed
    event counts only when its payload's ``type`` is one of the names.
    """
    if name == _UNNAMED:
        try:
            name = _TYPE_OF(data).type
        except (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError):
            return False
    return name in EVENT_NAMES and name != "error"
