"""msgspec types of the OpenAI Responses API stream: the response, its output items, its events.

Shapes follow the API objects field by field.  Enum-like values are plain
``str`` so new values decode; every tagged union (output items, content parts,
annotations, tools, text formats, web search actions, code interpreter
outputs) also accepts :class:`Unknown`, which
:func:`~streamkit.dialects.responses.decode_event` fills in for a ``type`` the
dialect does not know, keeping the object as received.

A field the API may leave out of an object (older API versions do not send
it, or only some requests make it appear) defaults to ``msgspec.UNSET``, so an
absent field stays absent and is distinguishable from ``null``: for a full
object, ``msgspec.to_builtins(obj)`` gives back exactly the JSON the server
sent (less any field this schema does not know, and with an object of unknown
``type`` wrapped as ``{"type": "streamkit.unknown", "data": ...}``).  Settings
the fold never looks into (tool filters, MCP approval policies, moderation
results, prompt templates...) are kept as raw JSON (``Any``), so none of their
fields is lost.

Events are tagged on ``type``, which is also their SSE event name; every event
carries ``sequence_number`` (absent in streams from before mid 2025).
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType, field

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import Object as _Object, Tagged as _Tagged, Unknown

__all__ = (
    "Annotation",
    "CodeInterpreterCall",
    "CodeInterpreterOutput",
    "CodeInterpreterOutputImage",
    "CodeInterpreterOutputLogs",
    "CodeInterpreterTool",
    "ContainerFileCitation",
    "CustomTool",
    "CustomToolCall",
    "ErrorDetails",
    "ErrorEvent",
    "FileCitation",
    "FilePath",
    "FileSearchCall",
    "FileSearchResult",
    "FileSearchTool",
    "FoldedResponse",
    "FunctionCall",
    "FunctionTool",
    "ImageGenerationCall",
    "IncompleteDetails",
    "InputTokensDetails",
    "InvalidEvent",
    "Logprob",
    "McpApprovalRequest",
    "McpCall",
    "McpListTools",
    "McpListedTool",
    "McpTool",
    "OutputContent",
    "OutputItem",
    "OutputMessage",
    "OutputRefusal",
    "OutputText",
    "OutputTokensDetails",
    "Reasoning",
    "ReasoningConfig",
    "ReasoningText",
    "Response",
    "ResponseCodeInterpreterCallCodeDelta",
    "ResponseCodeInterpreterCallCodeDone",
    "ResponseCodeInterpreterCallCompleted",
    "ResponseCodeInterpreterCallInProgress",
    "ResponseCodeInterpreterCallInterpreting",
    "ResponseCompleted",
    "ResponseContentPartAdded",
    "ResponseContentPartDone",
    "ResponseCreated",
    "ResponseCustomToolCallInputDelta",
    "ResponseCustomToolCallInputDone",
    "ResponseError",
    "ResponseFailed",
    "ResponseFileSearchCallCompleted",
    "ResponseFileSearchCallInProgress",
    "ResponseFileSearchCallSearching",
    "ResponseFunctionCallArgumentsDelta",
    "ResponseFunctionCallArgumentsDone",
    "ResponseImageGenerationCallCompleted",
    "ResponseImageGenerationCallGenerating",
    "ResponseImageGenerationCallInProgress",
    "ResponseImageGenerationCallPartialImage",
    "ResponseInProgress",
    "ResponseIncomplete",
    "ResponseMcpCallArgumentsDelta",
    "ResponseMcpCallArgumentsDone",
    "ResponseMcpCallCompleted",
    "ResponseMcpCallFailed",
    "ResponseMcpCallInProgress",
    "ResponseMcpListToolsCompleted",
    "ResponseMcpListToolsFailed",
    "ResponseMcpListToolsInProgress",
    "ResponseOutputItemAdded",
    "ResponseOutputItemDone",
    "ResponseOutputTextAnnotationAdded",
    "ResponseOutputTextDelta",
    "ResponseOutputTextDone",
    "ResponseQueued",
    "ResponseReasoningSummaryPartAdded",
    "ResponseReasoningSummaryPartDone",
    "ResponseReasoningSummaryTextDelta",
    "ResponseReasoningSummaryTextDone",
    "ResponseReasoningTextDelta",
    "ResponseReasoningTextDone",
    "ResponseRefusalDelta",
    "ResponseRefusalDone",
    "ResponseStreamEvent",
    "ResponseWebSearchCallCompleted",
    "ResponseWebSearchCallInProgress",
    "ResponseWebSearchCallSearching",
    "SummaryPart",
    "SummaryText",
    "TextConfig",
    "TextFormat",
    "TextFormatJSONObject",
    "TextFormatJSONSchema",
    "TextFormatText",
    "Tool",
    "ToolChoice",
    "TopLogprob",
    "URLCitation",
    "Unknown",
    "UnknownEvent",
    "Usage",
    "WebSearchAction",
    "WebSearchActionFind",
    "WebSearchActionOpenPage",
    "WebSearchActionSearch",
    "WebSearchCall",
    "WebSearchPreviewTool",
    "WebSearchTool",
)


# -- message content ------------------------------------------------------------------


class FileCitation(_Tagged, frozen=True, kw_only=True, tag="file_citation"):
    """A citation of a file found by file search (``index``: where in the text)."""

    type: ClassVar[str] = "file_citation"
    file_id: str
    filename: str | UnsetType = UNSET
    index: int


class URLCitation(_Tagged, frozen=True, kw_only=True, tag="url_citation"):
    """A citation of a web page found by web search."""

    type: ClassVar[str] = "url_citation"
    url: str
    title: str | UnsetType = UNSET
    start_index: int
    end_index: int


class ContainerFileCitation(_Tagged, frozen=True, kw_only=True, tag="container_file_citation"):
    """A citation of a file in a code interpreter container."""

    type: ClassVar[str] = "container_file_citation"
    container_id: str
    file_id: str
    filename: str | UnsetType = UNSET
    start_index: int
    end_index: int


class FilePath(_Tagged, frozen=True, kw_only=True, tag="file_path"):
    """A path to a file."""

    type: ClassVar[str] = "file_path"
    file_id: str
    index: int


Annotation: TypeAlias = FileCitation | URLCitation | ContainerFileCitation | FilePath | Unknown


class TopLogprob(_Object, frozen=True, kw_only=True):
    """One of the most likely tokens at a position (``bytes`` only in output objects)."""

    token: str | UnsetType | None = UNSET
    bytes: list[int] | UnsetType | None = UNSET
    logprob: float | UnsetType | None = UNSET


class Logprob(_Object, frozen=True, kw_only=True):
    """The log probability of one output token (``bytes`` only in output objects)."""

    token: str
    bytes: list[int] | UnsetType | None = UNSET
    logprob: float
    top_logprobs: list[TopLogprob] | UnsetType | None = UNSET


class OutputText(_Tagged, frozen=True, kw_only=True, tag="output_text"):
    """Text output by the model, with its annotations (``logprobs`` since mid 2025)."""

    type: ClassVar[str] = "output_text"
    text: str
    annotations: list[Annotation] | UnsetType = UNSET
    logprobs: list[Logprob] | UnsetType | None = UNSET


class OutputRefusal(_Tagged, frozen=True, kw_only=True, tag="refusal"):
    """A refusal by the model."""

    type: ClassVar[str] = "refusal"
    refusal: str


class ReasoningText(_Tagged, frozen=True, kw_only=True, tag="reasoning_text"):
    """Reasoning text of a reasoning item (models that expose their reasoning)."""

    type: ClassVar[str] = "reasoning_text"
    text: str


OutputContent: TypeAlias = OutputText | OutputRefusal | ReasoningText | Unknown
"""A content part, of a message (text, refusal) or of a reasoning item (reasoning text)."""


class SummaryText(_Tagged, frozen=True, kw_only=True, tag="summary_text"):
    """One part of the summary of a reasoning item."""

    type: ClassVar[str] = "summary_text"
    text: str


SummaryPart: TypeAlias = SummaryText | Unknown


# -- output items -----------------------------------------------------------------------


class OutputMessage(_Tagged, frozen=True, kw_only=True, tag="message"):
    """A message from the model (``phase`` on models since 2026)."""

    type: ClassVar[str] = "message"
    id: str
    role: str = "assistant"
    status: str | UnsetType = UNSET
    content: list[OutputContent] = field(default_factory=list)
    phase: str | UnsetType | None = UNSET


class FunctionCall(_Tagged, frozen=True, kw_only=True, tag="function_call"):
    """A call of a function tool; ``arguments`` is a JSON string."""

    type: ClassVar[str] = "function_call"
    id: str | UnsetType = UNSET
    call_id: str
    name: str
    arguments: str
    status: str | UnsetType = UNSET
    namespace: str | UnsetType | None = UNSET
    caller: Any | UnsetType = UNSET
    async_: bool | UnsetType | None = field(default=UNSET, name="async")


class Reasoning(_Tagged, frozen=True, kw_only=True, tag="reasoning"):
    """A reasoning item: its summary, and its text when the model exposes it."""

    type: ClassVar[str] = "reasoning"
    id: str
    summary: list[SummaryPart] = field(default_factory=list)
    content: list[OutputContent] | UnsetType | None = UNSET
    encrypted_content: str | UnsetType | None = UNSET
    status: str | UnsetType = UNSET


class FileSearchResult(_Object, frozen=True, kw_only=True):
    """A result of a file search (sent when the request includes them)."""

    attributes: dict[str, Any] | UnsetType | None = UNSET
    file_id: str | UnsetType | None = UNSET
    filename: str | UnsetType | None = UNSET
    score: float | UnsetType | None = UNSET
    text: str | UnsetType | None = UNSET


class FileSearchCall(_Tagged, frozen=True, kw_only=True, tag="file_search_call"):
    """A file search call."""

    type: ClassVar[str] = "file_search_call"
    id: str
    status: str | UnsetType = UNSET
    queries: list[str] | UnsetType | None = UNSET
    results: list[FileSearchResult] | UnsetType | None = UNSET


class WebSearchActionSearch(_Tagged, frozen=True, kw_only=True, tag="search"):
    """A web search action: the query (``queries`` since 2026) and the sources read."""

    type: ClassVar[str] = "search"
    query: str | UnsetType | None = UNSET
    queries: list[str] | UnsetType | None = UNSET
    sources: list[Any] | UnsetType | None = UNSET


class WebSearchActionOpenPage(_Tagged, frozen=True, kw_only=True, tag="open_page"):
    """A web search action that opened a page."""

    type: ClassVar[str] = "open_page"
    url: str | UnsetType | None = UNSET


class WebSearchActionFind(_Tagged, frozen=True, kw_only=True, tag="find_in_page"):
    """A web search action that searched a page for a pattern."""

    type: ClassVar[str] = "find_in_page"
    pattern: str | UnsetType = UNSET
    url: str | UnsetType = UNSET


WebSearchAction: TypeAlias = (
    WebSearchActionSearch | WebSearchActionOpenPage | WebSearchActionFind | Unknown
)


class WebSearchCall(_Tagged, frozen=True, kw_only=True, tag="web_search_call"):
    """A web search call."""

    type: ClassVar[str] = "web_search_call"
    id: str
    status: str | UnsetType = UNSET
    action: WebSearchAction | UnsetType | None = UNSET


class CodeInterpreterOutputLogs(_Tagged, frozen=True, kw_only=True, tag="logs"):
    """Text output of the code interpreter."""

    type: ClassVar[str] = "logs"
    logs: str


class CodeInterpreterOutputImage(_Tagged, frozen=True, kw_only=True, tag="image"):
    """Image output of the code interpreter."""

    type: ClassVar[str] = "image"
    url: str


CodeInterpreterOutput: TypeAlias = CodeInterpreterOutputLogs | CodeInterpreterOutputImage | Unknown


class CodeInterpreterCall(_Tagged, frozen=True, kw_only=True, tag="code_interpreter_call"):
    """A code interpreter call: the code run, and its outputs when the request includes them."""

    type: ClassVar[str] = "code_interpreter_call"
    id: str
    status: str | UnsetType = UNSET
    code: str | UnsetType | None = UNSET
    container_id: str | UnsetType = UNSET
    outputs: list[CodeInterpreterOutput] | UnsetType | None = UNSET


class CustomToolCall(_Tagged, frozen=True, kw_only=True, tag="custom_tool_call"):
    """A call of a custom (freeform input) tool."""

    type: ClassVar[str] = "custom_tool_call"
    id: str | UnsetType = UNSET
    status: str | UnsetType = UNSET
    call_id: str
    name: str
    input: str
    namespace: str | UnsetType | None = UNSET
    caller: Any | UnsetType = UNSET
    async_: bool | UnsetType | None = field(default=UNSET, name="async")


class McpCall(_Tagged, frozen=True, kw_only=True, tag="mcp_call"):
    """A call of a tool on a remote MCP server (``status`` since late 2025)."""

    type: ClassVar[str] = "mcp_call"
    id: str
    server_label: str
    name: str
    arguments: str
    status: str | UnsetType = UNSET
    output: str | UnsetType | None = UNSET
    error: Any | UnsetType = UNSET
    approval_request_id: str | UnsetType | None = UNSET


class McpListedTool(_Object, frozen=True, kw_only=True):
    """A tool an MCP server offers."""

    name: str
    input_schema: Any
    description: str | UnsetType | None = UNSET
    annotations: Any | UnsetType = UNSET


class McpListTools(_Tagged, frozen=True, kw_only=True, tag="mcp_list_tools"):
    """The tools listed by a remote MCP server."""

    type: ClassVar[str] = "mcp_list_tools"
    id: str
    server_label: str
    tools: list[McpListedTool] = field(default_factory=list)
    error: str | UnsetType | None = UNSET


class McpApprovalRequest(_Tagged, frozen=True, kw_only=True, tag="mcp_approval_request"):
    """A request for approval to call an MCP tool."""

    type: ClassVar[str] = "mcp_approval_request"
    id: str
    server_label: str
    name: str
    arguments: str


class ImageGenerationCall(_Tagged, frozen=True, kw_only=True, tag="image_generation_call"):
    """An image generation call; ``result`` is the image, base64-encoded."""

    type: ClassVar[str] = "image_generation_call"
    id: str
    status: str | UnsetType = UNSET
    result: str | UnsetType | None = UNSET
    action: str | UnsetType | None = UNSET
    background: str | UnsetType | None = UNSET
    output_format: str | UnsetType | None = UNSET
    quality: str | UnsetType | None = UNSET
    size: str | UnsetType | None = UNSET
    revised_prompt: str | UnsetType | None = UNSET
    error: Any | UnsetType = UNSET


OutputItem: TypeAlias = (
    OutputMessage
    | FunctionCall
    | Reasoning
    | FileSearchCall
    | WebSearchCall
    | CodeInterpreterCall
    | CustomToolCall
    | McpCall
    | McpListTools
    | McpApprovalRequest
    | ImageGenerationCall
    | Unknown
)
"""An item of a response's ``output``; other kinds (computer, shell, ...) are :class:`Unknown`."""


# -- the response's settings ------------------------------------------------------------


class FunctionTool(_Tagged, frozen=True, kw_only=True, tag="function"):
    """A function the model may call."""

    type: ClassVar[str] = "function"
    name: str
    description: str | UnsetType | None = UNSET
    parameters: dict[str, Any] | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET
    output_schema: dict[str, Any] | UnsetType | None = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET
    async_: bool | UnsetType | None = field(default=UNSET, name="async")


class FileSearchTool(_Tagged, frozen=True, kw_only=True, tag="file_search"):
    """The file search tool."""

    type: ClassVar[str] = "file_search"
    vector_store_ids: list[str] | UnsetType = UNSET
    filters: Any | UnsetType = UNSET
    max_num_results: int | UnsetType | None = UNSET
    ranking_options: Any | UnsetType = UNSET


class WebSearchTool(_Tagged, frozen=True, kw_only=True, tag="web_search"):
    """The web search tool."""

    type: ClassVar[str] = "web_search"
    search_context_size: str | UnsetType | None = UNSET
    user_location: Any | UnsetType = UNSET
    filters: Any | UnsetType = UNSET
    external_web_access: bool | UnsetType | None = UNSET


class WebSearchPreviewTool(_Tagged, frozen=True, kw_only=True, tag="web_search_preview"):
    """The web search tool, preview version."""

    type: ClassVar[str] = "web_search_preview"
    search_context_size: str | UnsetType | None = UNSET
    user_location: Any | UnsetType = UNSET


class CodeInterpreterTool(_Tagged, frozen=True, kw_only=True, tag="code_interpreter"):
    """The code interpreter tool; ``container`` is an id or ``{"type": "auto", ...}``."""

    type: ClassVar[str] = "code_interpreter"
    container: Any | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET


class McpTool(_Tagged, frozen=True, kw_only=True, tag="mcp"):
    """A remote MCP server the model may call tools of."""

    type: ClassVar[str] = "mcp"
    server_label: str
    server_url: str | UnsetType | None = UNSET
    connector_id: str | UnsetType | None = UNSET
    server_description: str | UnsetType | None = UNSET
    allowed_tools: Any | UnsetType = UNSET
    require_approval: Any | UnsetType = UNSET
    headers: dict[str, str] | UnsetType | None = UNSET
    authorization: str | UnsetType | None = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET


class CustomTool(_Tagged, frozen=True, kw_only=True, tag="custom"):
    """A custom tool: freeform text input, optionally constrained by a grammar (``format``)."""

    type: ClassVar[str] = "custom"
    name: str
    description: str | UnsetType | None = UNSET
    format: Any | UnsetType = UNSET
    allowed_callers: list[str] | UnsetType | None = UNSET
    defer_loading: bool | UnsetType | None = UNSET
    async_: bool | UnsetType | None = field(default=UNSET, name="async")


Tool: TypeAlias = (
    FunctionTool
    | FileSearchTool
    | WebSearchTool
    | WebSearchPreviewTool
    | CodeInterpreterTool
    | McpTool
    | CustomTool
    | Unknown
)
"""A tool the model may use; other kinds (computer use, image generation, shell...) are Unknown."""


class ToolChoice(_Object, frozen=True, kw_only=True):
    """A tool the model must use (when ``tool_choice`` is not ``"auto"``/``"none"``/``"required"``).

    The fields besides ``type`` depend on it: ``name`` for a function or custom
    tool, ``server_label`` (and ``name``) for MCP, ``mode`` and ``tools`` for
    ``allowed_tools``.
    """

    type: str
    name: str | UnsetType | None = UNSET
    server_label: str | UnsetType | None = UNSET
    mode: str | UnsetType | None = UNSET
    tools: list[Any] | UnsetType | None = UNSET


class TextFormatText(_Tagged, frozen=True, kw_only=True, tag="text"):
    """Plain text output."""

    type: ClassVar[str] = "text"


class TextFormatJSONObject(_Tagged, frozen=True, kw_only=True, tag="json_object"):
    """JSON mode output."""

    type: ClassVar[str] = "json_object"


class TextFormatJSONSchema(_Tagged, frozen=True, kw_only=True, tag="json_schema"):
    """Structured output following a JSON schema."""

    type: ClassVar[str] = "json_schema"
    name: str
    schema: dict[str, Any] | UnsetType | None = UNSET
    description: str | UnsetType | None = UNSET
    strict: bool | UnsetType | None = UNSET


TextFormat: TypeAlias = TextFormatText | TextFormatJSONObject | TextFormatJSONSchema | Unknown


class TextConfig(_Object, frozen=True, kw_only=True):
    """How the text output is shaped (``verbosity`` since mid 2025)."""

    format: TextFormat | UnsetType | None = UNSET
    verbosity: str | UnsetType | None = UNSET


class ReasoningConfig(_Object, frozen=True, kw_only=True):
    """Reasoning settings (``context`` and ``mode`` since 2026)."""

    effort: str | UnsetType | None = UNSET
    summary: str | UnsetType | None = UNSET
    generate_summary: str | UnsetType | None = UNSET
    context: str | UnsetType | None = UNSET
    mode: str | UnsetType | None = UNSET


class ResponseError(_Object, frozen=True, kw_only=True):
    """Why a response failed."""

    code: str | None = None
    message: str
    param: str | UnsetType | None = UNSET
    type: str | UnsetType | None = UNSET
    misalignment: Any | UnsetType = UNSET


class IncompleteDetails(_Object, frozen=True, kw_only=True):
    """Why a response ended incomplete (``max_output_tokens``, ``content_filter``, ...)."""

    reason: str | None = None


class InputTokensDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of input tokens (``cache_write_tokens`` since 2026)."""

    cached_tokens: int = 0
    cache_write_tokens: int | UnsetType = UNSET
    cache_write_tokens_details: Any | UnsetType = UNSET


class OutputTokensDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of output tokens."""

    reasoning_tokens: int = 0


class Usage(_Object, frozen=True, kw_only=True):
    """Token usage of a response."""

    input_tokens: int
    input_tokens_details: InputTokensDetails | UnsetType | None = UNSET
    output_tokens: int
    output_tokens_details: OutputTokensDetails | UnsetType | None = UNSET
    total_tokens: int


# -- the response -----------------------------------------------------------------------


class Response(_Object, frozen=True, kw_only=True):
    """A model response: its settings, its ``output`` items, its status and usage.

    Every field but ``id``, ``object``, ``created_at`` and ``model`` defaults
    to ``UNSET``: the API added most of them over time (``background``,
    ``completed_at``, ``max_tool_calls``, ``prompt_cache_key``,
    ``safety_identifier``, ``top_logprobs``, ``moderation``, ``tool_usage``...).
    """

    id: str
    object: str
    created_at: int | float
    status: str | UnsetType = UNSET
    background: bool | UnsetType | None = UNSET
    completed_at: int | float | UnsetType | None = UNSET
    error: ResponseError | UnsetType | None = UNSET
    incomplete_details: IncompleteDetails | UnsetType | None = UNSET
    instructions: str | list[Any] | UnsetType | None = UNSET
    max_output_tokens: int | UnsetType | None = UNSET
    max_tool_calls: int | UnsetType | None = UNSET
    model: str
    output: list[OutputItem] | UnsetType = UNSET
    parallel_tool_calls: bool | UnsetType | None = UNSET
    previous_response_id: str | UnsetType | None = UNSET
    conversation: Any | UnsetType = UNSET
    prompt: Any | UnsetType = UNSET
    prompt_cache_key: str | UnsetType | None = UNSET
    prompt_cache_retention: str | UnsetType | None = UNSET
    reasoning: ReasoningConfig | UnsetType | None = UNSET
    safety_identifier: str | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    store: bool | UnsetType | None = UNSET
    temperature: float | UnsetType | None = UNSET
    frequency_penalty: float | UnsetType | None = UNSET
    presence_penalty: float | UnsetType | None = UNSET
    text: TextConfig | UnsetType | None = UNSET
    tool_choice: str | ToolChoice | UnsetType | None = UNSET
    tools: list[Tool] | UnsetType = UNSET
    top_logprobs: int | UnsetType | None = UNSET
    top_p: float | UnsetType | None = UNSET
    truncation: str | UnsetType | None = UNSET
    usage: Usage | UnsetType | None = UNSET
    user: str | UnsetType | None = UNSET
    metadata: dict[str, Any] | UnsetType | None = UNSET
    moderation: Any | UnsetType = UNSET
    tool_usage: Any | UnsetType = UNSET
    access_programs: Any | UnsetType = UNSET
    image: Any | UnsetType = UNSET
    input_transformations: Any | UnsetType = UNSET
    prompt_cache_diagnostics: Any | UnsetType = UNSET
    prompt_cache_options: Any | UnsetType = UNSET

    @property
    def output_text(self) -> str:
        """The text of every ``output_text`` part of every message of ``output``, joined."""
        texts = []
        for item in self.output or ():
            if type(item) is OutputMessage:
                texts += [part.text for part in item.content if type(part) is OutputText]
        return "".join(texts)


class FoldedResponse(Response, frozen=True, kw_only=True):
    """A :class:`Response` as the fold gives it: ``status`` and ``output`` are always there.

    The API sends both on every response, but this dialect decodes a response
    that lacks them (``UNSET``) rather than reject the stream.  The fold fills
    them in: ``output`` is the folded items where the server left it out, and
    ``status`` the state the lifecycle event names (``"in_progress"`` for
    ``response.created``).  So code reading
    :attr:`~streamkit.dialects.responses.Accumulator.result` needs no ``UNSET``
    check on either.  Being a different type, it never compares equal to a
    :class:`Response` even with the same fields: compare
    ``msgspec.to_builtins`` of both.
    """

    status: str
    output: list[OutputItem]


# -- events -------------------------------------------------------------------------------


# gc=False, as for every object of a dialect (see streamkit.dialects._unknowns.Object).
class _Event(msgspec.Struct, kw_only=True, frozen=True, tag_field="type", gc=False):
    """Base of the stream events: ``type`` is the SSE event name too (and :attr:`event`).

    ``sequence_number`` counts the events of a response from 0 (absent in
    streams from before mid 2025).
    """

    type: ClassVar[str]
    sequence_number: int | UnsetType = UNSET

    @property
    def event(self) -> str:
        """The event's SSE name, as every dialect's events name themselves: its ``type``."""
        return self.type


class _ResponseEvent(_Event, frozen=True, kw_only=True):
    """A lifecycle event, carrying the whole response."""

    response: Response


class ResponseCreated(_ResponseEvent, frozen=True, kw_only=True, tag="response.created"):
    """``response.created``: the first event of a response."""

    type: ClassVar[str] = "response.created"


class ResponseQueued(_ResponseEvent, frozen=True, kw_only=True, tag="response.queued"):
    """``response.queued``: a background response waits for its turn."""

    type: ClassVar[str] = "response.queued"


class ResponseInProgress(_ResponseEvent, frozen=True, kw_only=True, tag="response.in_progress"):
    """``response.in_progress``: generation started."""

    type: ClassVar[str] = "response.in_progress"


class ResponseCompleted(_ResponseEvent, frozen=True, kw_only=True, tag="response.completed"):
    """``response.completed``: the final response."""

    type: ClassVar[str] = "response.completed"


class ResponseIncomplete(_ResponseEvent, frozen=True, kw_only=True, tag="response.incomplete"):
    """``response.incomplete``: the final response, cut short (``incomplete_details`` says why)."""

    type: ClassVar[str] = "response.incomplete"


class ResponseFailed(_ResponseEvent, frozen=True, kw_only=True, tag="response.failed"):
    """``response.failed``: the final response of a failure (``error`` says why)."""

    type: ClassVar[str] = "response.failed"


class _ItemEvent(_Event, frozen=True, kw_only=True):
    """An event about the output item at ``output_index``."""

    output_index: int


class ResponseOutputItemAdded(
    _ItemEvent, frozen=True, kw_only=True, tag="response.output_item.added"
):
    """``response.output_item.added``: an output item begins (as far as it is known)."""

    type: ClassVar[str] = "response.output_item.added"
    item: OutputItem


class ResponseOutputItemDone(
    _ItemEvent, frozen=True, kw_only=True, tag="response.output_item.done"
):
    """``response.output_item.done``: an output item, final."""

    type: ClassVar[str] = "response.output_item.done"
    item: OutputItem


class _IdEvent(_ItemEvent, frozen=True, kw_only=True):
    """An event naming its output item's id too."""

    item_id: str


class _PartEvent(_IdEvent, frozen=True, kw_only=True):
    """An event about the content part at ``content_index`` of an item."""

    content_index: int


class ResponseContentPartAdded(
    _PartEvent, frozen=True, kw_only=True, tag="response.content_part.added"
):
    """``response.content_part.added``: a content part begins."""

    type: ClassVar[str] = "response.content_part.added"
    part: OutputContent


class ResponseContentPartDone(
    _PartEvent, frozen=True, kw_only=True, tag="response.content_part.done"
):
    """``response.content_part.done``: a content part, final."""

    type: ClassVar[str] = "response.content_part.done"
    part: OutputContent


class ResponseOutputTextDelta(
    _PartEvent, frozen=True, kw_only=True, tag="response.output_text.delta"
):
    """``response.output_text.delta``: more text of an ``output_text`` part."""

    type: ClassVar[str] = "response.output_text.delta"
    delta: str
    logprobs: list[Logprob] | UnsetType | None = UNSET
    obfuscation: str | UnsetType = UNSET


class ResponseOutputTextDone(
    _PartEvent, frozen=True, kw_only=True, tag="response.output_text.done"
):
    """``response.output_text.done``: the whole text of an ``output_text`` part."""

    type: ClassVar[str] = "response.output_text.done"
    text: str
    logprobs: list[Logprob] | UnsetType | None = UNSET


class ResponseOutputTextAnnotationAdded(
    _PartEvent, frozen=True, kw_only=True, tag="response.output_text.annotation.added"
):
    """``response.output_text.annotation.added``: an annotation, at ``annotation_index``."""

    type: ClassVar[str] = "response.output_text.annotation.added"
    annotation_index: int
    annotation: Annotation | None = None


class ResponseRefusalDelta(_PartEvent, frozen=True, kw_only=True, tag="response.refusal.delta"):
    """``response.refusal.delta``: more text of a refusal part."""

    type: ClassVar[str] = "response.refusal.delta"
    delta: str


class ResponseRefusalDone(_PartEvent, frozen=True, kw_only=True, tag="response.refusal.done"):
    """``response.refusal.done``: the whole text of a refusal part."""

    type: ClassVar[str] = "response.refusal.done"
    refusal: str


class ResponseReasoningTextDelta(
    _PartEvent, frozen=True, kw_only=True, tag="response.reasoning_text.delta"
):
    """``response.reasoning_text.delta``: more reasoning text of a reasoning item."""

    type: ClassVar[str] = "response.reasoning_text.delta"
    delta: str
    obfuscation: str | UnsetType = UNSET


class ResponseReasoningTextDone(
    _PartEvent, frozen=True, kw_only=True, tag="response.reasoning_text.done"
):
    """``response.reasoning_text.done``: the whole reasoning text of a content part."""

    type: ClassVar[str] = "response.reasoning_text.done"
    text: str


class ResponseFunctionCallArgumentsDelta(
    _IdEvent, frozen=True, kw_only=True, tag="response.function_call_arguments.delta"
):
    """``response.function_call_arguments.delta``: more of a function call's arguments."""

    type: ClassVar[str] = "response.function_call_arguments.delta"
    delta: str
    obfuscation: str | UnsetType = UNSET


class ResponseFunctionCallArgumentsDone(
    _IdEvent, frozen=True, kw_only=True, tag="response.function_call_arguments.done"
):
    """``response.function_call_arguments.done``: a function call's whole arguments."""

    type: ClassVar[str] = "response.function_call_arguments.done"
    arguments: str
    name: str | UnsetType = UNSET


class _SummaryEvent(_IdEvent, frozen=True, kw_only=True):
    """An event about the summary part at ``summary_index`` of a reasoning item."""

    summary_index: int


class ResponseReasoningSummaryPartAdded(
    _SummaryEvent, frozen=True, kw_only=True, tag="response.reasoning_summary_part.added"
):
    """``response.reasoning_summary_part.added``: a summary part begins."""

    type: ClassVar[str] = "response.reasoning_summary_part.added"
    part: SummaryPart


class ResponseReasoningSummaryPartDone(
    _SummaryEvent, frozen=True, kw_only=True, tag="response.reasoning_summary_part.done"
):
    """``response.reasoning_summary_part.done``: a summary part, final."""

    type: ClassVar[str] = "response.reasoning_summary_part.done"
    part: SummaryPart


class ResponseReasoningSummaryTextDelta(
    _SummaryEvent, frozen=True, kw_only=True, tag="response.reasoning_summary_text.delta"
):
    """``response.reasoning_summary_text.delta``: more text of a summary part."""

    type: ClassVar[str] = "response.reasoning_summary_text.delta"
    delta: str
    obfuscation: str | UnsetType = UNSET


class ResponseReasoningSummaryTextDone(
    _SummaryEvent, frozen=True, kw_only=True, tag="response.reasoning_summary_text.done"
):
    """``response.reasoning_summary_text.done``: the whole text of a summary part."""

    type: ClassVar[str] = "response.reasoning_summary_text.done"
    text: str


class ResponseFileSearchCallInProgress(
    _IdEvent, frozen=True, kw_only=True, tag="response.file_search_call.in_progress"
):
    """``response.file_search_call.in_progress``."""

    type: ClassVar[str] = "response.file_search_call.in_progress"


class ResponseFileSearchCallSearching(
    _IdEvent, frozen=True, kw_only=True, tag="response.file_search_call.searching"
):
    """``response.file_search_call.searching``."""

    type: ClassVar[str] = "response.file_search_call.searching"


class ResponseFileSearchCallCompleted(
    _IdEvent, frozen=True, kw_only=True, tag="response.file_search_call.completed"
):
    """``response.file_search_call.completed``."""

    type: ClassVar[str] = "response.file_search_call.completed"


class ResponseWebSearchCallInProgress(
    _IdEvent, frozen=True, kw_only=True, tag="response.web_search_call.in_progress"
):
    """``response.web_search_call.in_progress``."""

    type: ClassVar[str] = "response.web_search_call.in_progress"


class ResponseWebSearchCallSearching(
    _IdEvent, frozen=True, kw_only=True, tag="response.web_search_call.searching"
):
    """``response.web_search_call.searching``."""

    type: ClassVar[str] = "response.web_search_call.searching"


class ResponseWebSearchCallCompleted(
    _IdEvent, frozen=True, kw_only=True, tag="response.web_search_call.completed"
):
    """``response.web_search_call.completed``."""

    type: ClassVar[str] = "response.web_search_call.completed"


class ResponseCodeInterpreterCallInProgress(
    _IdEvent, frozen=True, kw_only=True, tag="response.code_interpreter_call.in_progress"
):
    """``response.code_interpreter_call.in_progress``."""

    type: ClassVar[str] = "response.code_interpreter_call.in_progress"


class ResponseCodeInterpreterCallInterpreting(
    _IdEvent, frozen=True, kw_only=True, tag="response.code_interpreter_call.interpreting"
):
    """``response.code_interpreter_call.interpreting``: the code runs."""

    type: ClassVar[str] = "response.code_interpreter_call.interpreting"


class ResponseCodeInterpreterCallCompleted(
    _IdEvent, frozen=True, kw_only=True, tag="response.code_interpreter_call.completed"
):
    """``response.code_interpreter_call.completed``."""

    type: ClassVar[str] = "response.code_interpreter_call.completed"


class ResponseCodeInterpreterCallCodeDelta(
    _IdEvent, frozen=True, kw_only=True, tag="response.code_interpreter_call_code.delta"
):
    """``response.code_interpreter_call_code.delta``: more of the code to run."""

    type: ClassVar[str] = "response.code_interpreter_call_code.delta"
    delta: str
    obfuscation: str | UnsetType = UNSET


class ResponseCodeInterpreterCallCodeDone(
    _IdEvent, frozen=True, kw_only=True, tag="response.code_interpreter_call_code.done"
):
    """``response.code_interpreter_call_code.done``: the whole code."""

    type: ClassVar[str] = "response.code_interpreter_call_code.done"
    code: str


class ResponseCustomToolCallInputDelta(
    _IdEvent, frozen=True, kw_only=True, tag="response.custom_tool_call_input.delta"
):
    """``response.custom_tool_call_input.delta``: more of a custom tool call's input."""

    type: ClassVar[str] = "response.custom_tool_call_input.delta"
    delta: str
    obfuscation: str | UnsetType = UNSET


class ResponseCustomToolCallInputDone(
    _IdEvent, frozen=True, kw_only=True, tag="response.custom_tool_call_input.done"
):
    """``response.custom_tool_call_input.done``: a custom tool call's whole input."""

    type: ClassVar[str] = "response.custom_tool_call_input.done"
    input: str


class ResponseMcpCallArgumentsDelta(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_call_arguments.delta"
):
    """``response.mcp_call_arguments.delta``: more of an MCP call's arguments."""

    type: ClassVar[str] = "response.mcp_call_arguments.delta"
    delta: str
    obfuscation: str | UnsetType = UNSET


class ResponseMcpCallArgumentsDone(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_call_arguments.done"
):
    """``response.mcp_call_arguments.done``: an MCP call's whole arguments."""

    type: ClassVar[str] = "response.mcp_call_arguments.done"
    arguments: str


class ResponseMcpCallInProgress(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_call.in_progress"
):
    """``response.mcp_call.in_progress``."""

    type: ClassVar[str] = "response.mcp_call.in_progress"


class ResponseMcpCallCompleted(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_call.completed"
):
    """``response.mcp_call.completed``."""

    type: ClassVar[str] = "response.mcp_call.completed"


class ResponseMcpCallFailed(_IdEvent, frozen=True, kw_only=True, tag="response.mcp_call.failed"):
    """``response.mcp_call.failed``."""

    type: ClassVar[str] = "response.mcp_call.failed"


class ResponseMcpListToolsInProgress(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_list_tools.in_progress"
):
    """``response.mcp_list_tools.in_progress``."""

    type: ClassVar[str] = "response.mcp_list_tools.in_progress"


class ResponseMcpListToolsCompleted(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_list_tools.completed"
):
    """``response.mcp_list_tools.completed``."""

    type: ClassVar[str] = "response.mcp_list_tools.completed"


class ResponseMcpListToolsFailed(
    _IdEvent, frozen=True, kw_only=True, tag="response.mcp_list_tools.failed"
):
    """``response.mcp_list_tools.failed``."""

    type: ClassVar[str] = "response.mcp_list_tools.failed"


class ResponseImageGenerationCallInProgress(
    _IdEvent, frozen=True, kw_only=True, tag="response.image_generation_call.in_progress"
):
    """``response.image_generation_call.in_progress``."""

    type: ClassVar[str] = "response.image_generation_call.in_progress"


class ResponseImageGenerationCallGenerating(
    _IdEvent, frozen=True, kw_only=True, tag="response.image_generation_call.generating"
):
    """``response.image_generation_call.generating``."""

    type: ClassVar[str] = "response.image_generation_call.generating"


class ResponseImageGenerationCallCompleted(
    _IdEvent, frozen=True, kw_only=True, tag="response.image_generation_call.completed"
):
    """``response.image_generation_call.completed``."""

    type: ClassVar[str] = "response.image_generation_call.completed"


class ResponseImageGenerationCallPartialImage(
    _IdEvent, frozen=True, kw_only=True, tag="response.image_generation_call.partial_image"
):
    """``response.image_generation_call.partial_image``: a preview (not folded into the item)."""

    type: ClassVar[str] = "response.image_generation_call.partial_image"
    partial_image_b64: str
    partial_image_index: int
    background: str | UnsetType | None = UNSET
    output_format: str | UnsetType | None = UNSET
    quality: str | UnsetType | None = UNSET
    size: str | UnsetType | None = UNSET


class ErrorDetails(_Object, frozen=True, kw_only=True):
    """What went wrong, as the ``error`` object of an ``error`` event nests it."""

    type: str | UnsetType | None = UNSET
    code: str | int | UnsetType | None = UNSET
    message: str | UnsetType | None = UNSET
    param: str | UnsetType | None = UNSET


class ErrorEvent(_Event, frozen=True, kw_only=True, tag="error"):
    """``error``: the server reports an error in the stream (an event, not an exception).

    The API reference puts ``code``, ``message`` and ``param`` at the top;
    the API itself has been seen to nest them in ``error`` instead
    (``{"type": "error", "error": {"type": "too_many_requests", ...}}``):
    both decode, each field absent (``UNSET``) where the server left it out.
    """

    type: ClassVar[str] = "error"
    code: str | UnsetType | None = UNSET
    message: str | UnsetType = UNSET
    param: str | UnsetType | None = UNSET
    error: ErrorDetails | UnsetType | None = UNSET

    @property
    def text(self) -> str:
        """The error's message, wherever the server put it (``""`` when it sent none)."""
        if isinstance(self.message, str):
            return self.message
        error = self.error
        if isinstance(error, ErrorDetails) and isinstance(error.message, str):
            return error.message
        return ""


ResponseStreamEvent: TypeAlias = (
    ResponseCreated
    | ResponseQueued
    | ResponseInProgress
    | ResponseCompleted
    | ResponseIncomplete
    | ResponseFailed
    | ResponseOutputItemAdded
    | ResponseOutputItemDone
    | ResponseContentPartAdded
    | ResponseContentPartDone
    | ResponseOutputTextDelta
    | ResponseOutputTextDone
    | ResponseOutputTextAnnotationAdded
    | ResponseRefusalDelta
    | ResponseRefusalDone
    | ResponseReasoningTextDelta
    | ResponseReasoningTextDone
    | ResponseFunctionCallArgumentsDelta
    | ResponseFunctionCallArgumentsDone
    | ResponseReasoningSummaryPartAdded
    | ResponseReasoningSummaryPartDone
    | ResponseReasoningSummaryTextDelta
    | ResponseReasoningSummaryTextDone
    | ResponseFileSearchCallInProgress
    | ResponseFileSearchCallSearching
    | ResponseFileSearchCallCompleted
    | ResponseWebSearchCallInProgress
    | ResponseWebSearchCallSearching
    | ResponseWebSearchCallCompleted
    | ResponseCodeInterpreterCallInProgress
    | ResponseCodeInterpreterCallInterpreting
    | ResponseCodeInterpreterCallCompleted
    | ResponseCodeInterpreterCallCodeDelta
    | ResponseCodeInterpreterCallCodeDone
    | ResponseCustomToolCallInputDelta
    | ResponseCustomToolCallInputDone
    | ResponseMcpCallArgumentsDelta
    | ResponseMcpCallArgumentsDone
    | ResponseMcpCallInProgress
    | ResponseMcpCallCompleted
    | ResponseMcpCallFailed
    | ResponseMcpListToolsInProgress
    | ResponseMcpListToolsCompleted
    | ResponseMcpListToolsFailed
    | ResponseImageGenerationCallInProgress
    | ResponseImageGenerationCallGenerating
    | ResponseImageGenerationCallCompleted
    | ResponseImageGenerationCallPartialImage
    | ErrorEvent
)
"""Every event the dialect decodes, tagged on ``type`` (the SSE event name)."""
