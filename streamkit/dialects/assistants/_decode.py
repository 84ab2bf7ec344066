"""The event-name → decoder table of the Assistants dialect.

:func:`decode_event` is the hot loop: one dict lookup, one typed msgspec
decode straight from the caller's buffer, one wrap.  Only when that decode
meets a ``type`` no union member claims does the slow path run: it decodes the
payload to builtins, walks that tree once along the schema swapping every
object of unknown ``type`` for ``{"type": "streamkit.unknown", "data": <the
object>}`` (an :class:`Unknown`), and converts the result.  One walk, not one
retry per unknown object, keeps the cost linear in the payload size.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, get_args

import msgspec

from streamkit.dialects import _unknowns as unknowns

from ._schema import AssistantStreamEvent, Done, UnknownEvent

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ("EVENT_NAMES", "decode_event")


class _PayloadDecoder(Protocol):
    def decode(self, buf: bytes | bytearray | memoryview, /) -> Any: ...


class _TextDecoder:
    """Decodes the ``done`` payload, which is text (``[DONE]``), not JSON."""

    def decode(self, buf: bytes | bytearray | memoryview, /) -> str:
        return str(buf, "utf-8")


def _build() -> tuple[
    dict[str, tuple[_PayloadDecoder, Callable[..., AssistantStreamEvent]]], dict[str, Any]
]:
    table: dict[str, tuple[_PayloadDecoder, Callable[..., AssistantStreamEvent]]] = {}
    types: dict[str, Any] = {}
    for cls in get_args(AssistantStreamEvent):
        name: str = cls.event
        payload_type = msgspec.structs.fields(cls)[0].type
        types[name] = payload_type
        decoder: _PayloadDecoder
        if cls is Done:
            decoder = _TextDecoder()
        else:
            decoder = msgspec.json.Decoder(payload_type)
        table[name] = (decoder, cls)
    return table, types


_TABLE, _PAYLOAD_TYPES = _build()

EVENT_NAMES: frozenset[str] = frozenset(_TABLE)
"""Every event name the dialect decodes: the 24 API events and ``done``."""


def decode_event(
    name: str, data: bytes | bytearray | memoryview
) -> AssistantStreamEvent | UnknownEvent:
    """Decode the payload of the SSE event *name* into its typed event.

    *data* is decoded in place (a ``memoryview`` is not copied).  An unknown
    *name* gives an :class:`UnknownEvent`; unknown ``type`` values inside the
    payload become :class:`Unknown` parts.  Raises :class:`DecodeError` for
    malformed JSON or UTF-8 and for missing or ill-typed fields.
    """
    entry = _TABLE.get(name)
    if entry is None:
        return UnknownEvent(name, bytes(data))
    decoder, event_cls = entry
    try:
        return event_cls(data=decoder.decode(data))
    except msgspec.ValidationError as exc:
        return event_cls(data=unknowns.convert(name, data, exc, _PAYLOAD_TYPES[name]))
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise unknowns.error(name, data, exc) from None
