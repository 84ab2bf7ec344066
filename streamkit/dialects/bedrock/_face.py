"""The Bedrock events on the common face: their bytes again, their content, their lane.

:func:`encode` writes an event as the event stream message that carries it,
with the headers the service sends (``:event-type``, ``:content-type``,
``:message-type``, in that order, all strings; ``:exception-type`` for an
exception) and its payload as the service writes it (the Structs list their
fields in its order): for every real capture in ``tests/data/real/bedrock``
the bytes are the message's own, CRCs included.

The content of an Anthropic chunk is read from its Anthropic Messages event
by the API's own field names (``content_block_delta``, ``text_delta``...),
not through that dialect's code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec
from msgspec import UNSET, UnsetType

from streamkit._eventstream import encode_message
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta

from ._models import family_of, text_of
from ._schema import (
    UNKNOWN_MEMBER,
    AnthropicChunk,
    BedrockException,
    Chunk,
    ContentBlockDeltaEvent,
    ContentBlockStartEvent,
    ContentBlockStopEvent,
    MessageStartEvent,
    MessageStopEvent,
    MetadataEvent,
    TextChunk,
    Trace,
)

if TYPE_CHECKING:
    from streamkit.dialects._face import DeltaKind, EventKind

__all__ = ("deltas", "encode", "is_keepalive", "kind")

_encode_json = msgspec.json.Encoder().encode


class _Envelope(msgspec.Struct, frozen=True):
    body: bytes = msgspec.field(name="bytes")
    p: str | UnsetType = UNSET


_CONVERSE: Final = frozenset(
    {
        MessageStartEvent,
        ContentBlockStartEvent,
        ContentBlockDeltaEvent,
        ContentBlockStopEvent,
        MessageStopEvent,
        MetadataEvent,
    }
)
_CHUNKS: Final = frozenset({AnthropicChunk, Chunk, TextChunk})


def _headers(name: str, message_type: str = "event") -> dict[str, str]:
    naming = ":exception-type" if message_type == "exception" else ":event-type"
    return {naming: name, ":content-type": "application/json", ":message-type": message_type}


def encode(event: Any) -> bytes:
    """The event stream message of *event*: its headers and its JSON payload."""
    cls = type(event)
    if cls in _CONVERSE:
        return encode_message(_headers(event.event), _payload(event))
    if cls in _CHUNKS:
        return encode_message(_headers("chunk"), _encode_json(_Envelope(event.body, event.p)))
    if cls is Trace:
        return encode_message(_headers("trace"), _encode_json(event.data))
    if isinstance(event, BedrockException):
        return encode_message(_headers(event.event, "exception"), _encode_json(event))
    if cls is UnknownEvent or cls is InvalidEvent:
        return encode_message(_headers(event.event), event.data)
    raise TypeError(f"not an event of the bedrock dialect: {cls.__name__}")


def _payload(event: Any) -> bytes:
    """A ConverseStream event's JSON; a union member kept raw goes back where it was."""
    cls = type(event)
    union = None
    if cls is ContentBlockDeltaEvent:
        union = "delta"
    elif cls is ContentBlockStartEvent:
        union = "start"
    if union is None or getattr(event, union).unknown is UNSET:
        return _encode_json(event)
    tree = msgspec.to_builtins(event)
    member = tree[union]
    raw = member.pop(UNKNOWN_MEMBER)
    tree[union] = {**member, **raw}
    return _encode_json(tree)


# -- content -------------------------------------------------------------------------

_ANTHROPIC_DELTAS: Final[dict[str, tuple[DeltaKind, str]]] = {
    "text_delta": ("text", "text"),
    "thinking_delta": ("reasoning", "thinking"),
    "input_json_delta": ("tool_arguments", "partial_json"),
}


def deltas(event: Any) -> list[Delta]:
    """The content an event carries: text, reasoning, tool arguments (by block index)."""
    cls = type(event)
    if cls is ContentBlockDeltaEvent:
        delta = event.delta
        index = event.content_block_index
        text = delta.text
        if type(text) is str:
            return [Delta("text", index, text)] if text else []
        reasoning = delta.reasoning_content
        if reasoning is not UNSET and type(reasoning.text) is str and reasoning.text:
            return [Delta("reasoning", index, reasoning.text)]
        tool = delta.tool_use
        if tool is not UNSET and tool.input:
            return [Delta("tool_arguments", index, tool.input)]
        return []
    if cls is AnthropicChunk:
        payload = event.payload
        if payload.event != "content_block_delta":
            return []
        rule = _ANTHROPIC_DELTAS.get(payload.delta.type)
        if rule is None:
            return []
        piece = getattr(payload.delta, rule[1], None)
        return [Delta(rule[0], payload.index, piece)] if type(piece) is str and piece else []
    if cls is Chunk:
        payload = event.payload
        family = family_of(payload)
        if family == "nova":
            return _nova_deltas(payload.get("contentBlockDelta"))
        text = text_of(family, payload)
        return [Delta("text", 0, text)] if text else []
    if cls is TextChunk:
        text = event.text
        return [Delta("text", 0, text)] if text else []
    return []


def _nova_deltas(event: Any) -> list[Delta]:
    if type(event) is not dict:
        return []
    delta = event.get("delta")
    index = event.get("contentBlockIndex")
    if type(delta) is not dict or type(index) is not int:
        return []
    text = delta.get("text")
    if type(text) is str:
        return [Delta("text", index, text)] if text else []
    reasoning = delta.get("reasoningContent")
    if type(reasoning) is dict and type(reasoning.get("text")) is str and reasoning["text"]:
        return [Delta("reasoning", index, reasoning["text"])]
    tool = delta.get("toolUse")
    if type(tool) is dict and type(tool.get("input")) is str and tool["input"]:
        return [Delta("tool_arguments", index, tool["input"])]
    return []


# -- lanes ---------------------------------------------------------------------------


def kind(event: Any) -> EventKind:
    """The lane of *event*: content, reasoning, tool, lifecycle, keepalive or error."""
    cls = type(event)
    if cls is ContentBlockDeltaEvent:
        return _delta_lane(event.delta)
    if cls is ContentBlockStartEvent:
        start = event.start
        if start.tool_use is not UNSET or start.tool_result is not UNSET:
            return "tool"
        return "lifecycle"
    if cls in _CONVERSE or cls is Trace:
        return "lifecycle"
    if isinstance(event, BedrockException):
        return "error"
    if cls is AnthropicChunk:
        return _anthropic_lane(event.payload)
    if cls is Chunk:
        for piece in deltas(event):
            return _LANES[piece.kind]
        return "lifecycle"
    if cls is TextChunk:
        return "content"
    return "other"


_LANES: Final[dict[str, EventKind]] = {
    "text": "content",
    "refusal": "content",
    "reasoning": "reasoning",
    "tool_arguments": "tool",
}


def _delta_lane(delta: Any) -> EventKind:
    if delta.text is not UNSET or delta.citation is not UNSET or delta.image is not UNSET:
        return "content"
    if delta.reasoning_content is not UNSET:
        return "reasoning"
    if delta.tool_use is not UNSET or delta.tool_result is not UNSET:
        return "tool"
    return "content"


_TOOL_BLOCKS: Final = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


def _anthropic_lane(payload: Any) -> EventKind:
    name = payload.event
    if name == "content_block_delta":
        kind = payload.delta.type
        if kind in ("thinking_delta", "signature_delta"):
            return "reasoning"
        if kind == "input_json_delta":
            return "tool"
        return "content"
    if name == "ping":
        return "keepalive"
    if name == "error":
        return "error"
    if name == "content_block_start" and payload.content_block.type in _TOOL_BLOCKS:
        return "tool"
    return "lifecycle"


def is_keepalive(event: Any) -> bool:
    """Whether *event* only shows the connection is alive (an Anthropic ``ping`` chunk)."""
    return type(event) is AnthropicChunk and event.payload.event == "ping"
