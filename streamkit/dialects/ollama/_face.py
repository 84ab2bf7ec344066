"""The Ollama events on the common face: their bytes again, their content, their lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta

from ._fold import arguments_json
from ._schema import ChatChunkEvent, ErrorEvent, GenerateChunkEvent

if TYPE_CHECKING:
    from streamkit.dialects._face import EventKind

    from ._schema import ToolCall

__all__ = ("deltas", "encode", "kind")

_encode_json = msgspec.json.Encoder().encode


def encode(event: Any) -> bytes:
    """The NDJSON line of *event*: its object as compact JSON, and a line feed."""
    kind = type(event)
    if kind is ChatChunkEvent or kind is GenerateChunkEvent or kind is ErrorEvent:
        return _encode_json(event.data) + b"\n"
    if kind is UnknownEvent or kind is InvalidEvent:
        return bytes(event.data) + b"\n"
    raise TypeError(f"not an event of the ollama dialect: {kind.__name__}")


def deltas(event: Any) -> list[Delta]:
    """The content a line carries: thinking (reasoning), text, whole tool calls.

    ``index`` is always 0 (an Ollama response has one message).  A tool
    call's delta is its arguments as JSON text, ``call`` its ``index`` where
    the server sent one, else its position in the line.
    """
    cls = type(event)
    if cls is ChatChunkEvent:
        message = event.data.message
        if not message:
            return []
        return _deltas(message.thinking, message.content, message.tool_calls)
    if cls is GenerateChunkEvent:
        chunk = event.data
        return _deltas(chunk.thinking, chunk.response, chunk.tool_calls)
    return []


def _deltas(thinking: Any, text: Any, calls: list[ToolCall] | Any) -> list[Delta]:
    out = []
    if thinking:
        out.append(Delta("reasoning", 0, thinking))
    if text:
        out.append(Delta("text", 0, text))
    if calls:
        for position, call in enumerate(calls):
            index = call.function.index
            number = index if type(index) is int else position
            out.append(Delta("tool_arguments", 0, arguments_json(call), number))
    return out


def kind(event: Any) -> EventKind:
    """The lane of *event*: tool, content, reasoning, lifecycle (the done line, no text), error."""
    cls = type(event)
    if cls is ChatChunkEvent:
        message = event.data.message
        if not message:
            return "lifecycle"
        return _lane(message.thinking, message.content, message.tool_calls)
    if cls is GenerateChunkEvent:
        chunk = event.data
        return _lane(chunk.thinking, chunk.response, chunk.tool_calls)
    if cls is ErrorEvent:
        return "error"
    return "other"


def _lane(thinking: Any, text: Any, calls: Any) -> EventKind:
    if calls:
        return "tool"
    if text:
        return "content"
    if thinking:
        return "reasoning"
    return "lifecycle"
