"""Anthropic Messages events on the common face: their bytes again, their content, their lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta
from streamkit.dialects._unknowns import to_wire

from ._schema import (
    BashCodeExecutionToolResultBlock,
    CitationsDelta,
    CodeExecutionToolResultBlock,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ErrorEvent,
    InputJSONDelta,
    MCPToolResultBlock,
    MCPToolUseBlock,
    MessageDelta,
    MessageStart,
    MessageStop,
    Ping,
    ServerToolUseBlock,
    SignatureDelta,
    TextDelta,
    TextEditorCodeExecutionToolResultBlock,
    ThinkingDelta,
    ToolSearchToolResultBlock,
    ToolUseBlock,
    Unknown,
    WebFetchToolResultBlock,
    WebSearchToolResultBlock,
)

if TYPE_CHECKING:
    from streamkit.dialects._face import DeltaKind, EventKind

__all__ = ("deltas", "encode", "kind")

_encode_json = msgspec.json.Encoder().encode


def encode(event: Any) -> bytes:
    """The SSE bytes of *event*: ``event: <type>`` and its payload (unknown parts as received)."""
    cls = type(event)
    if cls is UnknownEvent or cls is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    if cls not in _LANES:
        raise TypeError(f"not an event of the anthropic dialect: {cls.__name__}")
    return encode_event(event=event.event, data=_encode_json(to_wire(event)))


# The delta types that carry content, the kind of that content, and the field holding it.
_CONTENT: Final[dict[type, tuple[DeltaKind, str]]] = {
    TextDelta: ("text", "text"),
    ThinkingDelta: ("reasoning", "thinking"),
    InputJSONDelta: ("tool_arguments", "partial_json"),
}


def deltas(event: Any) -> list[Delta]:
    """The content a ``content_block_delta`` carries: text, reasoning (thinking), tool arguments.

    ``index`` is the block index.  The ``partial_json`` of every block that
    streams input (``tool_use``, ``server_tool_use``, ``mcp_tool_use``) is
    ``"tool_arguments"``; ``citations_delta``, ``signature_delta`` and
    ``compaction_delta`` carry none, nor does an empty piece.
    """
    if type(event) is not ContentBlockDelta:
        return []
    delta = event.delta
    content = _CONTENT.get(type(delta))
    if content is None:
        return []
    kind, field = content
    text = getattr(delta, field)
    return [Delta(kind, event.index, text)] if text else []


# The blocks whose start belongs in the tool lane: the calls and the server tools' results.
_TOOL_BLOCKS: Final = frozenset(
    {
        ToolUseBlock,
        ServerToolUseBlock,
        MCPToolUseBlock,
        WebSearchToolResultBlock,
        WebFetchToolResultBlock,
        CodeExecutionToolResultBlock,
        BashCodeExecutionToolResultBlock,
        TextEditorCodeExecutionToolResultBlock,
        ToolSearchToolResultBlock,
        MCPToolResultBlock,
    }
)

_DELTA_LANES: Final[dict[type, EventKind]] = {
    TextDelta: "content",
    CitationsDelta: "content",
    InputJSONDelta: "tool",
    ThinkingDelta: "reasoning",
    SignatureDelta: "reasoning",
}
"""The lane of a ``content_block_delta`` by its delta type (any other: ``"content"``)."""

_LANES: Final[dict[type, EventKind]] = {
    MessageStart: "lifecycle",
    ContentBlockStart: "lifecycle",
    ContentBlockDelta: "content",
    ContentBlockStop: "lifecycle",
    MessageDelta: "lifecycle",
    MessageStop: "lifecycle",
    Ping: "keepalive",
    ErrorEvent: "error",
}


def kind(event: Any) -> EventKind:
    """The lane of *event*.

    ``message_*`` events and block starts and stops are ``"lifecycle"``, but
    the start of a tool call or a server tool's result (also of a block of
    an unknown type named ``*tool_use`` or ``*tool_result``) is ``"tool"``.
    A delta's lane follows its type: text and citations ``"content"``,
    ``input_json_delta`` ``"tool"``, thinking and signature ``"reasoning"``,
    any other (``compaction_delta``, a type of a newer API) ``"content"``.
    ``ping`` is ``"keepalive"``, ``error`` ``"error"``.
    """
    cls = type(event)
    if cls is ContentBlockDelta:
        return _DELTA_LANES.get(type(event.delta), "content")
    if cls is ContentBlockStart:
        block = event.content_block
        if type(block) in _TOOL_BLOCKS:
            return "tool"
        if type(block) is Unknown and block.kind.endswith(("tool_use", "tool_result")):
            return "tool"
        return "lifecycle"
    return _LANES.get(cls, "other")
