"""The responses events on the common face: their bytes again, their content, their lane.

Provisional: kind and deltas are being written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import to_wire

if TYPE_CHECKING:
    from streamkit.dialects._face import Delta, EventKind

__all__ = ("deltas", "encode", "kind")

_encode_json = msgspec.json.Encoder().encode


def encode(event: Any) -> bytes:
    """The SSE bytes of *event*."""
    if type(event) is UnknownEvent or type(event) is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    return encode_event(event=event.type, data=_encode_json(to_wire(event)))


def deltas(event: Any) -> list[Delta]:
    return []


def kind(event: Any) -> EventKind:
    return "other"
