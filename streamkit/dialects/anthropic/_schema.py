"""msgspec types of the Anthropic Messages stream: the message, its content blocks, deltas, events.

Shapes follow the API objects field by field (``POST /v1/messages`` with
``"stream": true``).  Enum-like values (``stop_reason``, ``role``,
``service_tier``, a server tool's ``name``) are plain ``str`` so new values
decode; every tagged union also accepts :class:`Unknown`, which
:func:`~streamkit.dialects.anthropic.decode_event` fills in for a ``type`` the
dialect does not know (a content block, a delta, a citation, a web search
result of a newer API version).

A field the API may leave out of an object (some models or API versions do
not send it, or only some requests produce it) defaults to ``msgspec.UNSET``,
so an absent field stays absent and is distinguishable from ``null``: for a
full object, ``msgspec.to_builtins(obj)`` gives back exactly the JSON the
server sent (less any field this schema does not know).  A field the API
always sends is required.

The payloads of the server tools' result blocks other than web search
(``web_fetch_tool_result``, the code execution results, ``tool_search``,
``mcp_tool_result``) are kept as the JSON the API sent (``Any``): no delta
ever changes them, and their shapes are versioned per tool.

Events are tagged by ``type``, which on this API always equals the SSE event
name; each event class also has the name as ``event`` (a class variable), the
way the other dialects' events do.
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import Object as _Object, Tagged as _Tagged, Unknown

__all__ = (
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
)


# -- citations ------------------------------------------------------------------------


class CitationCharLocation(_Tagged, frozen=True, kw_only=True, tag="char_location"):
    """A span of characters in a plain text document."""

    type: ClassVar[str] = "char_location"
    cited_text: str
    document_index: int
    document_title: str | UnsetType | None = UNSET
    start_char_index: int
    end_char_index: int
    file_id: str | UnsetType | None = UNSET


class CitationPageLocation(_Tagged, frozen=True, kw_only=True, tag="page_location"):
    """A range of pages in a PDF document."""

    type: ClassVar[str] = "page_location"
    cited_text: str
    document_index: int
    document_title: str | UnsetType | None = UNSET
    start_page_number: int
    end_page_number: int
    file_id: str | UnsetType | None = UNSET


class CitationContentBlockLocation(
    _Tagged, frozen=True, kw_only=True, tag="content_block_location"
):
    """A range of blocks in a custom-content document."""

    type: ClassVar[str] = "content_block_location"
    cited_text: str
    document_index: int
    document_title: str | UnsetType | None = UNSET
    start_block_index: int
    end_block_index: int
    file_id: str | UnsetType | None = UNSET


class CitationWebSearchResultLocation(
    _Tagged, frozen=True, kw_only=True, tag="web_search_result_location"
):
    """A passage of a web search result."""

    type: ClassVar[str] = "web_search_result_location"
    cited_text: str
    url: str
    title: str | UnsetType | None = UNSET
    encrypted_index: str


class CitationSearchResultLocation(
    _Tagged, frozen=True, kw_only=True, tag="search_result_location"
):
    """A range of blocks in a ``search_result`` the request supplied."""

    type: ClassVar[str] = "search_result_location"
    cited_text: str
    source: str
    title: str | UnsetType | None = UNSET
    search_result_index: int
    start_block_index: int
    end_block_index: int


Citation: TypeAlias = (
    CitationCharLocation
    | CitationPageLocation
    | CitationContentBlockLocation
    | CitationWebSearchResultLocation
    | CitationSearchResultLocation
    | Unknown
)


# -- content blocks -------------------------------------------------------------------


class Caller(_Object, frozen=True, kw_only=True):
    """Who called a tool: ``direct`` (the model), or a server tool (``tool_id`` names it)."""

    type: str
    tool_id: str | UnsetType = UNSET


class TextBlock(_Tagged, frozen=True, kw_only=True, tag="text"):
    """Text; ``citations`` only when the answer cites documents or search results."""

    type: ClassVar[str] = "text"
    text: str
    citations: list[Citation] | UnsetType | None = UNSET


class ThinkingBlock(_Tagged, frozen=True, kw_only=True, tag="thinking"):
    """Extended thinking, and the ``signature`` that lets it be sent back."""

    type: ClassVar[str] = "thinking"
    thinking: str
    signature: str


class RedactedThinkingBlock(_Tagged, frozen=True, kw_only=True, tag="redacted_thinking"):
    """Thinking the safety systems encrypted (sent whole, never in deltas)."""

    type: ClassVar[str] = "redacted_thinking"
    data: str


class ToolUseBlock(_Tagged, frozen=True, kw_only=True, tag="tool_use"):
    """A call of a client tool; ``input`` arrives as ``input_json_delta`` fragments."""

    type: ClassVar[str] = "tool_use"
    id: str
    name: str
    input: dict[str, Any]
    caller: Caller | UnsetType | None = UNSET
    toolset_name: str | UnsetType | None = UNSET


class ServerToolUseBlock(_Tagged, frozen=True, kw_only=True, tag="server_tool_use"):
    """A call of a server tool (``web_search``, ``web_fetch``, code execution, ...)."""

    type: ClassVar[str] = "server_tool_use"
    id: str
    name: str
    input: dict[str, Any]
    caller: Caller | UnsetType | None = UNSET


class WebSearchResult(_Tagged, frozen=True, kw_only=True, tag="web_search_result"):
    """One page a web search found."""

    type: ClassVar[str] = "web_search_result"
    title: str
    url: str
    encrypted_content: str
    page_age: str | UnsetType | None = UNSET


class WebSearchToolResultError(
    _Tagged, frozen=True, kw_only=True, tag="web_search_tool_result_error"
):
    """Why a web search failed."""

    type: ClassVar[str] = "web_search_tool_result_error"
    error_code: str


class WebSearchToolResultBlock(_Tagged, frozen=True, kw_only=True, tag="web_search_tool_result"):
    """The results of a ``web_search`` server tool call, or its error."""

    type: ClassVar[str] = "web_search_tool_result"
    tool_use_id: str
    content: list[WebSearchResult | Unknown] | WebSearchToolResultError | Unknown
    caller: Caller | UnsetType | None = UNSET


class WebFetchToolResultBlock(_Tagged, frozen=True, kw_only=True, tag="web_fetch_tool_result"):
    """The result of a ``web_fetch`` server tool call (``content`` kept as sent)."""

    type: ClassVar[str] = "web_fetch_tool_result"
    tool_use_id: str
    content: Any
    caller: Caller | UnsetType | None = UNSET


class CodeExecutionToolResultBlock(
    _Tagged, frozen=True, kw_only=True, tag="code_execution_tool_result"
):
    """The result of a ``code_execution`` server tool call (``content`` kept as sent)."""

    type: ClassVar[str] = "code_execution_tool_result"
    tool_use_id: str
    content: Any


class BashCodeExecutionToolResultBlock(
    _Tagged, frozen=True, kw_only=True, tag="bash_code_execution_tool_result"
):
    """The result of a ``bash_code_execution`` server tool call (``content`` kept as sent)."""

    type: ClassVar[str] = "bash_code_execution_tool_result"
    tool_use_id: str
    content: Any


class TextEditorCodeExecutionToolResultBlock(
    _Tagged, frozen=True, kw_only=True, tag="text_editor_code_execution_tool_result"
):
    """The result of a ``text_editor_code_execution`` call (``content`` kept as sent)."""

    type: ClassVar[str] = "text_editor_code_execution_tool_result"
    tool_use_id: str
    content: Any


class ToolSearchToolResultBlock(_Tagged, frozen=True, kw_only=True, tag="tool_search_tool_result"):
    """The result of a tool search server tool call (``content`` kept as sent)."""

    type: ClassVar[str] = "tool_search_tool_result"
    tool_use_id: str
    content: Any


class ContainerUploadBlock(_Tagged, frozen=True, kw_only=True, tag="container_upload"):
    """A file uploaded into the code execution container."""

    type: ClassVar[str] = "container_upload"
    file_id: str


class MCPToolUseBlock(_Tagged, frozen=True, kw_only=True, tag="mcp_tool_use"):
    """A call of a tool on a remote MCP server (MCP connector); ``input`` as for ``tool_use``."""

    type: ClassVar[str] = "mcp_tool_use"
    id: str
    name: str
    server_name: str
    input: dict[str, Any]


class MCPToolResultBlock(_Tagged, frozen=True, kw_only=True, tag="mcp_tool_result"):
    """What a remote MCP tool returned (``content`` kept as sent: a string or blocks)."""

    type: ClassVar[str] = "mcp_tool_result"
    tool_use_id: str
    is_error: bool | UnsetType = UNSET
    content: Any


class CompactionBlock(_Tagged, frozen=True, kw_only=True, tag="compaction"):
    """A summary of earlier context made by automatic compaction (``null`` when it failed)."""

    type: ClassVar[str] = "compaction"
    content: str | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET
    signature: str | UnsetType | None = UNSET


ContentBlock: TypeAlias = (
    TextBlock
    | ThinkingBlock
    | RedactedThinkingBlock
    | ToolUseBlock
    | ServerToolUseBlock
    | WebSearchToolResultBlock
    | WebFetchToolResultBlock
    | CodeExecutionToolResultBlock
    | BashCodeExecutionToolResultBlock
    | TextEditorCodeExecutionToolResultBlock
    | ToolSearchToolResultBlock
    | ContainerUploadBlock
    | MCPToolUseBlock
    | MCPToolResultBlock
    | CompactionBlock
    | Unknown
)


# -- deltas ---------------------------------------------------------------------------


class TextDelta(_Tagged, frozen=True, kw_only=True, tag="text_delta"):
    """More text for a ``text`` block."""

    type: ClassVar[str] = "text_delta"
    text: str


class InputJSONDelta(_Tagged, frozen=True, kw_only=True, tag="input_json_delta"):
    """A fragment of the JSON of a tool call's ``input`` (not JSON on its own)."""

    type: ClassVar[str] = "input_json_delta"
    partial_json: str


class ThinkingDelta(_Tagged, frozen=True, kw_only=True, tag="thinking_delta"):
    """More thinking for a ``thinking`` block."""

    type: ClassVar[str] = "thinking_delta"
    thinking: str


class SignatureDelta(_Tagged, frozen=True, kw_only=True, tag="signature_delta"):
    """The signature of a ``thinking`` block, sent whole just before the block stops."""

    type: ClassVar[str] = "signature_delta"
    signature: str


class CitationsDelta(_Tagged, frozen=True, kw_only=True, tag="citations_delta"):
    """One more citation for a ``text`` block."""

    type: ClassVar[str] = "citations_delta"
    citation: Citation


class CompactionDelta(_Tagged, frozen=True, kw_only=True, tag="compaction_delta"):
    """The summary of a ``compaction`` block (sent whole)."""

    type: ClassVar[str] = "compaction_delta"
    content: str | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET


ContentDelta: TypeAlias = (
    TextDelta
    | InputJSONDelta
    | ThinkingDelta
    | SignatureDelta
    | CitationsDelta
    | CompactionDelta
    | Unknown
)


# -- the message ----------------------------------------------------------------------


class CacheCreation(_Object, frozen=True, kw_only=True):
    """Input tokens written to the prompt cache, by cache lifetime."""

    ephemeral_5m_input_tokens: int | UnsetType = UNSET
    ephemeral_1h_input_tokens: int | UnsetType = UNSET


class ServerToolUsage(_Object, frozen=True, kw_only=True):
    """How many server tool requests the message made (older responses lack web fetch)."""

    web_search_requests: int | UnsetType = UNSET
    web_fetch_requests: int | UnsetType = UNSET


class OutputTokensDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of output tokens."""

    thinking_tokens: int | UnsetType = UNSET


class Usage(_Object, frozen=True, kw_only=True):
    """Token usage of a message.

    The cache fields came with prompt caching (``null`` or absent before),
    ``cache_creation`` with the one-hour cache, ``server_tool_use`` with
    server tools; ``iterations`` (one entry per model call, with automatic
    compaction) is kept as sent.
    """

    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int | UnsetType | None = UNSET
    cache_read_input_tokens: int | UnsetType | None = UNSET
    cache_creation: CacheCreation | UnsetType | None = UNSET
    server_tool_use: ServerToolUsage | UnsetType | None = UNSET
    output_tokens_details: OutputTokensDetails | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    inference_geo: str | UnsetType | None = UNSET
    speed: str | UnsetType | None = UNSET
    iterations: list[dict[str, Any]] | UnsetType | None = UNSET


class StopDetails(_Object, frozen=True, kw_only=True):
    """Why the output stopped, when the ``stop_reason`` has more to say (``refusal``)."""

    type: str
    category: str | UnsetType | None = UNSET
    explanation: str | UnsetType | None = UNSET


class Container(_Object, frozen=True, kw_only=True):
    """The code execution container the request used (``expires_at`` an ISO 8601 string)."""

    id: str
    expires_at: str
    skills: list[dict[str, Any]] | UnsetType | None = UNSET


class Message(_Object, frozen=True, kw_only=True):
    """A message: in ``message_start`` (no content yet), or folded from the stream.

    ``stop_reason`` is ``null`` in ``message_start`` and set by
    ``message_delta``; ``stop_details``, ``container``, ``context_management``
    and ``diagnostics`` are sent by newer API versions or for some requests
    only.
    """

    id: str
    type: str = "message"
    role: str = "assistant"
    model: str
    content: list[ContentBlock] = msgspec.field(default_factory=list)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    stop_details: StopDetails | UnsetType | None = UNSET
    usage: Usage
    container: Container | UnsetType | None = UNSET
    context_management: dict[str, Any] | UnsetType | None = UNSET
    diagnostics: dict[str, Any] | UnsetType | None = UNSET


class MessageDeltaBody(_Object, frozen=True, kw_only=True):
    """The top-level fields of the message that changed (the ``delta`` of ``message_delta``)."""

    stop_reason: str | UnsetType | None = UNSET
    stop_sequence: str | UnsetType | None = UNSET
    stop_details: StopDetails | UnsetType | None = UNSET
    container: Container | UnsetType | None = UNSET


class MessageDeltaUsage(_Object, frozen=True, kw_only=True):
    """The ``usage`` of ``message_delta``: cumulative totals so far, not increments.

    Every field is optional here: the server sends the counts that apply
    (``output_tokens`` always; the input and cache counts since mid 2025).
    """

    input_tokens: int | UnsetType | None = UNSET
    output_tokens: int | UnsetType | None = UNSET
    cache_creation_input_tokens: int | UnsetType | None = UNSET
    cache_read_input_tokens: int | UnsetType | None = UNSET
    cache_creation: CacheCreation | UnsetType | None = UNSET
    server_tool_use: ServerToolUsage | UnsetType | None = UNSET
    output_tokens_details: OutputTokensDetails | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    inference_geo: str | UnsetType | None = UNSET
    speed: str | UnsetType | None = UNSET
    iterations: list[dict[str, Any]] | UnsetType | None = UNSET


class ErrorObject(_Object, frozen=True, kw_only=True):
    """What an ``error`` event reports (``type``: ``overloaded_error``, ``api_error``, ...)."""

    type: str
    message: str
    details: Any = UNSET


# -- events ---------------------------------------------------------------------------


# gc=False, as for every object of a dialect (see streamkit.dialects._unknowns.Object).
class _Event(msgspec.Struct, kw_only=True, frozen=True, tag_field="type", gc=False):
    """Base of the stream events: tagged by ``type``, which equals the SSE event name."""


class MessageStart(_Event, frozen=True, kw_only=True, tag="message_start"):
    """``message_start``: the message, with empty ``content`` and ``stop_reason`` null."""

    type: ClassVar[str] = "message_start"
    event: ClassVar[str] = "message_start"
    message: Message


class ContentBlockStart(_Event, frozen=True, kw_only=True, tag="content_block_start"):
    """``content_block_start``: block ``index`` begins, as ``content_block`` (text empty)."""

    type: ClassVar[str] = "content_block_start"
    event: ClassVar[str] = "content_block_start"
    index: int
    content_block: ContentBlock


class ContentBlockDelta(_Event, frozen=True, kw_only=True, tag="content_block_delta"):
    """``content_block_delta``: more of block ``index``."""

    type: ClassVar[str] = "content_block_delta"
    event: ClassVar[str] = "content_block_delta"
    index: int
    delta: ContentDelta


class ContentBlockStop(_Event, frozen=True, kw_only=True, tag="content_block_stop"):
    """``content_block_stop``: block ``index`` is complete."""

    type: ClassVar[str] = "content_block_stop"
    event: ClassVar[str] = "content_block_stop"
    index: int


class MessageDelta(_Event, frozen=True, kw_only=True, tag="message_delta"):
    """``message_delta``: ``stop_reason`` and friends, and the usage totals so far."""

    type: ClassVar[str] = "message_delta"
    event: ClassVar[str] = "message_delta"
    delta: MessageDeltaBody = msgspec.field(default_factory=MessageDeltaBody)
    usage: MessageDeltaUsage | UnsetType = UNSET
    context_management: dict[str, Any] | UnsetType | None = UNSET


class MessageStop(_Event, frozen=True, kw_only=True, tag="message_stop"):
    """``message_stop``: the message is complete; the stream ends."""

    type: ClassVar[str] = "message_stop"
    event: ClassVar[str] = "message_stop"


class Ping(_Event, frozen=True, kw_only=True, tag="ping"):
    """``ping``: a keep-alive; carries nothing."""

    type: ClassVar[str] = "ping"
    event: ClassVar[str] = "ping"


class ErrorEvent(_Event, frozen=True, kw_only=True, tag="error"):
    """``error``: the server reports an error in the stream (``overloaded_error``, ...)."""

    type: ClassVar[str] = "error"
    event: ClassVar[str] = "error"
    error: ErrorObject
    request_id: str | UnsetType | None = UNSET


MessageStreamEvent: TypeAlias = (
    MessageStart
    | ContentBlockStart
    | ContentBlockDelta
    | ContentBlockStop
    | MessageDelta
    | MessageStop
    | Ping
    | ErrorEvent
)
