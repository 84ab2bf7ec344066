"""The Anthropic Messages stream: typed message, content blocks, deltas and events; decoder; fold.

``decode_event(name, data)`` turns one SSE event into a :data:`MessageStreamEvent`
(or an :class:`UnknownEvent` for a name it does not know), and
:class:`Accumulator` folds the events into the final :class:`Message`::

    from streamkit.dialects import anthropic

    acc = anthropic.Accumulator()
    for event in streamkit.iter_events(chunks, dialect="anthropic"):
        acc.feed(event)
    message = acc.result            # shaped like the non-streaming API's Message
    acc.outcome, acc.text, acc.tool_calls, acc.usage   # the common face (streamkit.Fold)
"""

from typing import Any, get_args

from streamkit.dialects._registry import Dialect

from . import _face, _transcript
from ._decode import EVENT_NAMES, decode_event, looks_like_anthropic
from ._fold import MAX_INDEX, MERGE, OUTCOMES, Accumulator
from ._schema import (
    BashCodeExecutionToolResultBlock,
    CacheCreation,
    Caller,
    Citation,
    CitationCharLocation,
    CitationContentBlockLocation,
    CitationPageLocation,
    CitationsDelta,
    CitationSearchResultLocation,
    CitationWebSearchResultLocation,
    CodeExecutionToolResultBlock,
    CompactionBlock,
    CompactionDelta,
    Container,
    ContainerUploadBlock,
    ContentBlock,
    ContentBlockDelta,
    ContentBlockStart,
    ContentBlockStop,
    ContentDelta,
    ErrorEvent,
    ErrorObject,
    InputJSONDelta,
    InvalidEvent,
    MCPToolResultBlock,
    MCPToolUseBlock,
    Message,
    MessageDelta,
    MessageDeltaBody,
    MessageDeltaUsage,
    MessageStart,
    MessageStop,
    MessageStreamEvent,
    OutputTokensDetails,
    Ping,
    RedactedThinkingBlock,
    ServerToolUsage,
    ServerToolUseBlock,
    SignatureDelta,
    StopDetails,
    TextBlock,
    TextDelta,
    TextEditorCodeExecutionToolResultBlock,
    ThinkingBlock,
    ThinkingDelta,
    ToolSearchToolResultBlock,
    ToolUseBlock,
    Unknown,
    UnknownEvent,
    Usage,
    WebFetchToolResultBlock,
    WebSearchResult,
    WebSearchToolResultBlock,
    WebSearchToolResultError,
)


def is_keepalive(event: Any) -> bool:
    """Whether *event* only shows the connection is alive (``ping``)."""
    return type(event) is Ping


DIALECT: Dialect[MessageStreamEvent] = Dialect(
    name="anthropic",
    decode=decode_event,
    events=get_args(MessageStreamEvent),
    accumulator=Accumulator,
    encode=_face.encode,
    kind=_face.kind,
    deltas=_face.deltas,
    is_keepalive=is_keepalive,
    detect=looks_like_anthropic,
    transcript=_transcript.AnthropicTranscript,
)
"""The Anthropic Messages dialect, as the stream layer and the registry know it."""

__all__ = (
    "DIALECT",
    "EVENT_NAMES",
    "MAX_INDEX",
    "MERGE",
    "OUTCOMES",
    "Accumulator",
    "BashCodeExecutionToolResultBlock",
    "CacheCreation",
    "Caller",
    "Citation",
    "CitationCharLocation",
    "CitationContentBlockLocation",
    "CitationPageLocation",
    "CitationSearchResultLocation",
    "CitationWebSearchResultLocation",
    "CitationsDelta",
    "CodeExecutionToolResultBlock",
    "CompactionBlock",
    "CompactionDelta",
    "Container",
    "ContainerUploadBlock",
    "ContentBlock",
    "ContentBlockDelta",
    "ContentBlockStart",
    "ContentBlockStop",
    "ContentDelta",
    "ErrorEvent",
    "ErrorObject",
    "InputJSONDelta",
    "InvalidEvent",
    "MCPToolResultBlock",
    "MCPToolUseBlock",
    "Message",
    "MessageDelta",
    "MessageDeltaBody",
    "MessageDeltaUsage",
    "MessageStart",
    "MessageStop",
    "MessageStreamEvent",
    "OutputTokensDetails",
    "Ping",
    "RedactedThinkingBlock",
    "ServerToolUsage",
    "ServerToolUseBlock",
    "SignatureDelta",
    "StopDetails",
    "TextBlock",
    "TextDelta",
    "TextEditorCodeExecutionToolResultBlock",
    "ThinkingBlock",
    "ThinkingDelta",
    "ToolSearchToolResultBlock",
    "ToolUseBlock",
    "Unknown",
    "UnknownEvent",
    "Usage",
    "WebFetchToolResultBlock",
    "WebSearchResult",
    "WebSearchToolResultBlock",
    "WebSearchToolResultError",
    "decode_event",
    "is_keepalive",
    "looks_like_anthropic",
)
