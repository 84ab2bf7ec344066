"""The Responses events on the common face: their bytes again, their content, their lane.

Both tables below are read once per event, by its type: an event's lane and
the kind of content it carries follow from what it is, never from its
payload.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import msgspec

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta
from streamkit.dialects._unknowns import to_wire

from ._schema import (
    ErrorEvent,
    ResponseCodeInterpreterCallCodeDelta,
    ResponseCodeInterpreterCallCodeDone,
    ResponseCodeInterpreterCallCompleted,
    ResponseCodeInterpreterCallInProgress,
    ResponseCodeInterpreterCallInterpreting,
    ResponseCompleted,
    ResponseContentPartAdded,
    ResponseContentPartDone,
    ResponseCreated,
    ResponseCustomToolCallInputDelta,
    ResponseCustomToolCallInputDone,
    ResponseFailed,
    ResponseFileSearchCallCompleted,
    ResponseFileSearchCallInProgress,
    ResponseFileSearchCallSearching,
    ResponseFunctionCallArgumentsDelta,
    ResponseFunctionCallArgumentsDone,
    ResponseImageGenerationCallCompleted,
    ResponseImageGenerationCallGenerating,
    ResponseImageGenerationCallInProgress,
    ResponseImageGenerationCallPartialImage,
    ResponseIncomplete,
    ResponseInProgress,
    ResponseMcpCallArgumentsDelta,
    ResponseMcpCallArgumentsDone,
    ResponseMcpCallCompleted,
    ResponseMcpCallFailed,
    ResponseMcpCallInProgress,
    ResponseMcpListToolsCompleted,
    ResponseMcpListToolsFailed,
    ResponseMcpListToolsInProgress,
    ResponseOutputItemAdded,
    ResponseOutputItemDone,
    ResponseOutputTextAnnotationAdded,
    ResponseOutputTextDelta,
    ResponseOutputTextDone,
    ResponseQueued,
    ResponseReasoningSummaryPartAdded,
    ResponseReasoningSummaryPartDone,
    ResponseReasoningSummaryTextDelta,
    ResponseReasoningSummaryTextDone,
    ResponseReasoningTextDelta,
    ResponseReasoningTextDone,
    ResponseRefusalDelta,
    ResponseRefusalDone,
    ResponseWebSearchCallCompleted,
    ResponseWebSearchCallInProgress,
    ResponseWebSearchCallSearching,
)

if TYPE_CHECKING:
    from streamkit.dialects._face import DeltaKind, EventKind

__all__ = ("DELTAS", "LANES", "deltas", "encode", "kind")

_encode_json = msgspec.json.Encoder().encode

DELTAS: Final[dict[type, DeltaKind]] = {
    ResponseOutputTextDelta: "text",
    ResponseRefusalDelta: "refusal",
    ResponseReasoningSummaryTextDelta: "reasoning",
    ResponseReasoningTextDelta: "reasoning",
    ResponseFunctionCallArgumentsDelta: "tool_arguments",
    ResponseCustomToolCallInputDelta: "tool_arguments",
    ResponseMcpCallArgumentsDelta: "tool_arguments",
    ResponseCodeInterpreterCallCodeDelta: "tool_arguments",
}
"""The events that carry content, and its kind: each holds it in ``delta``.

Every streamed tool input is ``"tool_arguments"``: a function's arguments,
a custom tool's input, an MCP call's arguments, the code interpreter's code.
"""

LANES: Final[dict[type, EventKind]] = {
    **dict.fromkeys(
        (
            ResponseCreated,
            ResponseQueued,
            ResponseInProgress,
            ResponseCompleted,
            ResponseIncomplete,
            ResponseFailed,
            ResponseOutputItemAdded,
            ResponseOutputItemDone,
            ResponseContentPartAdded,
            ResponseContentPartDone,
        ),
        "lifecycle",
    ),
    **dict.fromkeys(
        (
            ResponseOutputTextDelta,
            ResponseOutputTextDone,
            ResponseOutputTextAnnotationAdded,
            ResponseRefusalDelta,
            ResponseRefusalDone,
        ),
        "content",
    ),
    **dict.fromkeys(
        (
            ResponseFunctionCallArgumentsDelta,
            ResponseFunctionCallArgumentsDone,
            ResponseCustomToolCallInputDelta,
            ResponseCustomToolCallInputDone,
            ResponseMcpCallArgumentsDelta,
            ResponseMcpCallArgumentsDone,
            ResponseCodeInterpreterCallCodeDelta,
            ResponseCodeInterpreterCallCodeDone,
            ResponseFileSearchCallInProgress,
            ResponseFileSearchCallSearching,
            ResponseFileSearchCallCompleted,
            ResponseWebSearchCallInProgress,
            ResponseWebSearchCallSearching,
            ResponseWebSearchCallCompleted,
            ResponseCodeInterpreterCallInProgress,
            ResponseCodeInterpreterCallInterpreting,
            ResponseCodeInterpreterCallCompleted,
            ResponseMcpCallInProgress,
            ResponseMcpCallCompleted,
            ResponseMcpCallFailed,
            ResponseMcpListToolsInProgress,
            ResponseMcpListToolsCompleted,
            ResponseMcpListToolsFailed,
            ResponseImageGenerationCallInProgress,
            ResponseImageGenerationCallGenerating,
            ResponseImageGenerationCallCompleted,
            ResponseImageGenerationCallPartialImage,
        ),
        "tool",
    ),
    **dict.fromkeys(
        (
            ResponseReasoningSummaryPartAdded,
            ResponseReasoningSummaryPartDone,
            ResponseReasoningSummaryTextDelta,
            ResponseReasoningSummaryTextDone,
            ResponseReasoningTextDelta,
            ResponseReasoningTextDone,
        ),
        "reasoning",
    ),
    ErrorEvent: "error",
}
"""The lane of every event type.

``"lifecycle"``: the response's lifecycle, and output items and content
parts beginning and ending; ``"content"``: answer text and refusal (their
deltas, full values and annotations); ``"tool"``: tool input as it streams
and its full value, and the progress of every hosted tool call (``*_call.*``,
``mcp_list_tools.*``); ``"reasoning"``: reasoning summary parts and text,
reasoning text; ``"error"``: the ``error`` event.
"""


def encode(event: Any) -> bytes:
    """The SSE bytes of *event*: its ``type`` as the event name, its JSON as the data."""
    if type(event) is UnknownEvent or type(event) is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    return encode_event(event=event.type, data=_encode_json(to_wire(event)))


def deltas(event: Any) -> list[Delta]:
    """The content *event* carries (text, refusal, reasoning, tool input), at its output index."""
    kind = DELTAS.get(type(event))
    if kind is None:
        return []
    piece: str = event.delta
    return [Delta(kind, event.output_index, piece)] if piece else []


def kind(event: Any) -> EventKind:
    """The lane of *event* (see :data:`LANES`); ``"other"`` for unknown and invalid events."""
    return LANES.get(type(event), "other")
