"""The event-name → decoder table of the Responses dialect.

:func:`decode_event` is the hot loop: one dict lookup and one typed msgspec
decode straight from the caller's buffer (a ``memoryview`` is not copied).
The SSE event name equals the payload's ``type``, so the name picks the
event's own Struct and msgspec checks the tag while it decodes.

Only when that decode meets a ``type`` no union member claims (a new kind of
output item, content part, annotation or tool) does the slow path run: it
decodes the payload to builtins, walks that tree once along the schema
swapping every object of unknown ``type`` for ``{"type": "streamkit.unknown",
"data": <the object>}`` (an :class:`Unknown`), and converts the result.  One
walk, not one retry per unknown object, keeps the cost linear in the payload.

An event without an ``event:`` line (SSE name ``message``, as some proxies
send them) is decoded by its ``type``.
"""

from __future__ import annotations

from typing import Any, get_args

import msgspec

from streamkit._errors import DecodeError, excerpt
from streamkit.dialects import _unknowns as unknowns
from streamkit.dialects._msgspec_errors import read as read_problem

from ._schema import ResponseStreamEvent, UnknownEvent

__all__ = ("EVENT_NAMES", "decode_event")


_UNNAMED = "message"
"""The SSE event name of an event sent without an ``event:`` line."""


class _Type(msgspec.Struct):
    """Just the ``type`` of a payload, for events sent without a name."""

    type: str = ""


def _build() -> tuple[dict[str, msgspec.json.Decoder[Any]], dict[str, type]]:
    table: dict[str, msgspec.json.Decoder[Any]] = {}
    types: dict[str, type] = {}
    for cls in get_args(ResponseStreamEvent):
        name: str = cls.type
        table[name] = msgspec.json.Decoder(cls)
        types[name] = cls
    return table, types


_TABLE, _TYPES = _build()
_TYPE_DECODER = msgspec.json.Decoder(_Type)

EVENT_NAMES: frozenset[str] = frozenset(_TABLE)
"""Every event name (and payload ``type``) the dialect decodes into its own Struct."""


def decode_event(
    name: str, data: bytes | bytearray | memoryview
) -> ResponseStreamEvent | UnknownEvent:
    """Decode the payload of the SSE event *name* into its typed event.

    An unknown *name* gives an :class:`UnknownEvent` (raw bytes kept);
    unknown ``type`` values inside the payload become :class:`Unknown`
    objects.  Raises :class:`DecodeError` for malformed JSON or UTF-8, for
    missing or ill-typed fields, and for a payload whose ``type`` is not the
    event name.
    """
    decoder = _TABLE.get(name)
    if decoder is None:
        if name == _UNNAMED:
            return _decode_unnamed(data)
        return UnknownEvent(name, bytes(data))
    try:
        event: ResponseStreamEvent = decoder.decode(data)
    except msgspec.ValidationError as exc:
        return _decode_with_unknowns(name, data, exc)  # type: ignore[no-any-return]
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise unknowns.error(name, data, exc) from None
    return event


def _decode_unnamed(data: bytes | bytearray | memoryview) -> ResponseStreamEvent | UnknownEvent:
    try:
        kind = _TYPE_DECODER.decode(data).type
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise unknowns.error(_UNNAMED, data, exc) from None
    if kind not in _TABLE:
        return UnknownEvent(_UNNAMED, bytes(data))
    return decode_event(kind, data)


def _decode_with_unknowns(
    name: str, data: bytes | bytearray | memoryview, exc: msgspec.ValidationError
) -> Any:
    path = read_problem(exc).path
    if path == "$.type":
        message = "the payload's type is not the event name"
        raise DecodeError(message, path=path, event=name, excerpt=excerpt(data)) from None
    return unknowns.convert(name, data, exc, _TYPES[name])
