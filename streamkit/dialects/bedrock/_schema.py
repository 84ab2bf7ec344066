"""msgspec types of the Bedrock runtime streams: ConverseStream, InvokeModelWithResponseStream.

Shapes follow the ``bedrock-runtime`` API field by field.  Attributes are
``snake_case`` and the wire names ``camelCase`` (``rename="camel"``), so
``msgspec.to_builtins`` of any object gives back the API's JSON.  Enum-like
values (``stopReason``, ``role``, a tool result's ``status``) are plain
``str``, so new values decode.  A field the API may leave out defaults to
``msgspec.UNSET``; the few it always sends and a fold cannot do without
(``contentBlockIndex``, ``delta``, ``start``, ``stopReason``) are required.

The fields of every Struct are declared in the alphabetical order of their
wire names, the order in which the service writes them: encoding a decoded
event writes its payload's bytes again, byte for byte (a *document* — a tool
result's ``json``, ``additionalModelResponseFields`` — is a ``dict`` that
keeps the order it was received in).

Bedrock's unions (``ContentBlockStart``, ``ContentBlockDelta``,
``ContentBlock`` and the others) are objects with exactly one member set, so
they are Structs with every member optional.  A ``start`` or ``delta`` whose
member this schema does not know decodes with that member kept raw in
``unknown`` (wire name ``"streamkit.unknown"``, never sent by the service).

InvokeModelWithResponseStream sends ``chunk`` events whose ``bytes`` (base64
in the event's JSON) hold the model's own JSON.  They decode to
:class:`AnthropicChunk` (an Anthropic Messages event, decoded by the
``anthropic`` dialect, in ``payload``), :class:`Chunk` (any other model
family, its JSON as builtins in ``payload``) or :class:`TextChunk` (bytes
that are no JSON object: the answer text of an InvokeAgent stream).  Each
keeps the decoded ``bytes`` as ``body``, so that it encodes to the same bytes.

Every event class names its event as ``event`` (the ``:event-type`` or
``:exception-type`` header).
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import UNKNOWN_TAG, Object as _Base

__all__ = (
    "UNKNOWN_MEMBER",
    "AnthropicChunk",
    "BedrockException",
    "BedrockStreamEvent",
    "CacheDetail",
    "Chunk",
    "Citation",
    "CitationGeneratedContent",
    "CitationLocation",
    "CitationSourceContent",
    "CitationsContentBlock",
    "CitationsDelta",
    "ContentBlock",
    "ContentBlockDelta",
    "ContentBlockDeltaEvent",
    "ContentBlockStart",
    "ContentBlockStartEvent",
    "ContentBlockStopEvent",
    "ConverseMetrics",
    "ConverseOutput",
    "ConverseResponse",
    "ConverseStreamTrace",
    "DocumentCharLocation",
    "DocumentChunkLocation",
    "DocumentPageLocation",
    "ErrorBlock",
    "ImageBlock",
    "ImageBlockDelta",
    "ImageBlockStart",
    "ImageSource",
    "InternalServerException",
    "InvalidEvent",
    "InvocationMetrics",
    "Message",
    "MessageStartEvent",
    "MessageStopEvent",
    "MetadataEvent",
    "ModelStreamErrorException",
    "ModelTimeoutException",
    "PerformanceConfiguration",
    "PromptRouterTrace",
    "ReasoningContentBlock",
    "ReasoningContentBlockDelta",
    "ReasoningTextBlock",
    "S3Location",
    "SearchResultLocation",
    "ServiceTier",
    "ServiceUnavailableException",
    "TextChunk",
    "ThrottlingException",
    "TokenUsage",
    "ToolResultBlock",
    "ToolResultBlockDelta",
    "ToolResultBlockStart",
    "ToolResultContentBlock",
    "ToolUseBlock",
    "ToolUseBlockDelta",
    "ToolUseBlockStart",
    "Trace",
    "UnknownEvent",
    "ValidationException",
    "WebLocation",
)

UNKNOWN_MEMBER = UNKNOWN_TAG
"""The key under which a union member this schema does not know is kept (never on the wire)."""


class _Object(_Base, frozen=True, kw_only=True, rename="camel", gc=False):
    """Base of the Bedrock objects: ``snake_case`` attributes, ``camelCase`` on the wire.

    Not tracked by the garbage collector (``gc=False``): they are frozen trees
    decoded from JSON, which hold no reference cycles, and an event costs
    less to make.
    """


# -- locations and sources -------------------------------------------------------------


class WebLocation(_Object, frozen=True, kw_only=True):
    """A cited web page."""

    domain: str | UnsetType = UNSET
    url: str | UnsetType = UNSET


class DocumentCharLocation(_Object, frozen=True, kw_only=True):
    """A cited span of a document, in characters."""

    document_index: int | UnsetType = UNSET
    end: int | UnsetType = UNSET
    start: int | UnsetType = UNSET


class DocumentChunkLocation(_Object, frozen=True, kw_only=True):
    """A cited span of a document, in chunks."""

    document_index: int | UnsetType = UNSET
    end: int | UnsetType = UNSET
    start: int | UnsetType = UNSET


class DocumentPageLocation(_Object, frozen=True, kw_only=True):
    """A cited span of a document, in pages."""

    document_index: int | UnsetType = UNSET
    end: int | UnsetType = UNSET
    start: int | UnsetType = UNSET


class SearchResultLocation(_Object, frozen=True, kw_only=True):
    """A cited span of a search result given in the request."""

    end: int | UnsetType = UNSET
    search_result_index: int | UnsetType = UNSET
    start: int | UnsetType = UNSET


class CitationLocation(_Object, frozen=True, kw_only=True):
    """Where cited content lies (a union: one member is set)."""

    document_char: DocumentCharLocation | UnsetType = UNSET
    document_chunk: DocumentChunkLocation | UnsetType = UNSET
    document_page: DocumentPageLocation | UnsetType = UNSET
    search_result_location: SearchResultLocation | UnsetType = UNSET
    web: WebLocation | UnsetType = UNSET


class CitationSourceContent(_Object, frozen=True, kw_only=True):
    """Text of the cited source (a union with one member, ``text``)."""

    text: str | UnsetType = UNSET


class S3Location(_Object, frozen=True, kw_only=True):
    """An object in Amazon S3."""

    bucket_owner: str | UnsetType = UNSET
    uri: str


class ImageSource(_Object, frozen=True, kw_only=True):
    """An image's data, inline (base64 on the wire) or in S3 (a union)."""

    bytes_: bytes | UnsetType = msgspec.field(default=UNSET, name="bytes")
    s3_location: S3Location | UnsetType = UNSET


class ErrorBlock(_Object, frozen=True, kw_only=True):
    """An error a content block carries instead of its content."""

    message: str | UnsetType = UNSET


# -- ConverseStream: starts and deltas ------------------------------------------------


class ToolUseBlockStart(_Object, frozen=True, kw_only=True):
    """A tool call begins: its id and tool name (``type``: ``"server_tool_use"`` for the
    service's own tools, absent or ``"tool_use"`` for the caller's)."""

    name: str
    tool_use_id: str
    type: str | UnsetType = UNSET


class ToolResultBlockStart(_Object, frozen=True, kw_only=True):
    """A server tool's result begins (``status``: ``"success"`` or ``"error"``)."""

    status: str | UnsetType = UNSET
    tool_use_id: str
    type: str | UnsetType = UNSET


class ImageBlockStart(_Object, frozen=True, kw_only=True):
    """A generated image begins (``format``: ``png``, ``jpeg``, ``gif``, ``webp``)."""

    format: str


class ContentBlockStart(_Object, frozen=True, kw_only=True):
    """What a ``contentBlockStart`` starts (a union; text and reasoning blocks send none)."""

    image: ImageBlockStart | UnsetType = UNSET
    tool_result: ToolResultBlockStart | UnsetType = UNSET
    tool_use: ToolUseBlockStart | UnsetType = UNSET
    unknown: dict[str, Any] | UnsetType = msgspec.field(default=UNSET, name=UNKNOWN_MEMBER)


class ToolUseBlockDelta(_Object, frozen=True, kw_only=True):
    """A piece of a tool call's input: JSON text, concatenated over the block."""

    input: str


class ToolResultBlockDelta(_Object, frozen=True, kw_only=True):
    """A piece of a server tool's result (a union: ``json`` or ``text``)."""

    json: Any = UNSET
    text: str | UnsetType = UNSET


class ReasoningContentBlockDelta(_Object, frozen=True, kw_only=True):
    """A piece of the model's reasoning (a union): its text, its signature, or redacted
    content (opaque bytes, base64 on the wire)."""

    redacted_content: bytes | UnsetType = UNSET
    signature: str | UnsetType = UNSET
    text: str | UnsetType = UNSET


class CitationsDelta(_Object, frozen=True, kw_only=True):
    """One citation of the block's text."""

    location: CitationLocation | UnsetType = UNSET
    source: str | UnsetType = UNSET
    source_content: list[CitationSourceContent] | UnsetType = UNSET
    title: str | UnsetType = UNSET


class ImageBlockDelta(_Object, frozen=True, kw_only=True):
    """A piece of a generated image, or the error that stopped it."""

    error: ErrorBlock | UnsetType = UNSET
    source: ImageSource | UnsetType = UNSET


class ContentBlockDelta(_Object, frozen=True, kw_only=True):
    """What a ``contentBlockDelta`` adds to its block (a union: one member is set)."""

    citation: CitationsDelta | UnsetType = UNSET
    image: ImageBlockDelta | UnsetType = UNSET
    reasoning_content: ReasoningContentBlockDelta | UnsetType = UNSET
    text: str | UnsetType = UNSET
    tool_result: list[ToolResultBlockDelta] | UnsetType = UNSET
    tool_use: ToolUseBlockDelta | UnsetType = UNSET
    unknown: dict[str, Any] | UnsetType = msgspec.field(default=UNSET, name=UNKNOWN_MEMBER)


# -- ConverseStream: usage, metrics, trace ----------------------------------------------


class CacheDetail(_Object, frozen=True, kw_only=True):
    """Input tokens written to the prompt cache with one time to live (``"5m"``, ``"1h"``)."""

    input_tokens: int
    ttl: str


class TokenUsage(_Object, frozen=True, kw_only=True):
    """Token counts of a response.

    ``cache_read_input_tokens`` / ``cache_write_input_tokens`` are the
    documented cache counts; some models also send them as
    ``cacheReadInputTokenCount`` / ``cacheWriteInputTokenCount`` (kept as
    sent).  ``server_tool_usage`` counts the service's own tool calls.
    """

    cache_details: list[CacheDetail] | UnsetType = UNSET
    cache_read_input_token_count: int | UnsetType = UNSET
    cache_read_input_tokens: int | UnsetType = UNSET
    cache_write_input_token_count: int | UnsetType = UNSET
    cache_write_input_tokens: int | UnsetType = UNSET
    input_tokens: int
    output_tokens: int
    server_tool_usage: dict[str, Any] | UnsetType = UNSET
    total_tokens: int | UnsetType = UNSET


class ConverseMetrics(_Object, frozen=True, kw_only=True):
    """How long the response took, in milliseconds."""

    latency_ms: int | UnsetType = UNSET


class PromptRouterTrace(_Object, frozen=True, kw_only=True):
    """The model a prompt router picked."""

    invoked_model_id: str | UnsetType = UNSET


class ConverseStreamTrace(_Object, frozen=True, kw_only=True):
    """Guardrail assessments (kept as sent: a large, versioned document) and the prompt router."""

    guardrail: dict[str, Any] | UnsetType = UNSET
    prompt_router: PromptRouterTrace | UnsetType = UNSET


class PerformanceConfiguration(_Object, frozen=True, kw_only=True):
    """The latency profile the request ran with (``"standard"`` or ``"optimized"``)."""

    latency: str | UnsetType = UNSET


class ServiceTier(_Object, frozen=True, kw_only=True):
    """The service tier the request ran on (``"default"``, ``"priority"``, ``"flex"``...)."""

    type: str


# -- ConverseStream: events -------------------------------------------------------------


class _Event(_Object, frozen=True, kw_only=True):
    """Base of the stream events; ``p`` is the service's random-length padding."""

    event: ClassVar[str]


class MessageStartEvent(_Event, frozen=True, kw_only=True):
    """The message begins (``role``: ``"assistant"``)."""

    event: ClassVar[str] = "messageStart"
    p: str | UnsetType = UNSET
    role: str


class ContentBlockStartEvent(_Event, frozen=True, kw_only=True):
    """A tool use, tool result or image block begins at ``content_block_index``."""

    event: ClassVar[str] = "contentBlockStart"
    content_block_index: int
    p: str | UnsetType = UNSET
    start: ContentBlockStart


class ContentBlockDeltaEvent(_Event, frozen=True, kw_only=True):
    """A piece of the block at ``content_block_index`` (text blocks begin with their first)."""

    event: ClassVar[str] = "contentBlockDelta"
    content_block_index: int
    delta: ContentBlockDelta
    p: str | UnsetType = UNSET


class ContentBlockStopEvent(_Event, frozen=True, kw_only=True):
    """The block at ``content_block_index`` is complete."""

    event: ClassVar[str] = "contentBlockStop"
    content_block_index: int
    p: str | UnsetType = UNSET


class MessageStopEvent(_Event, frozen=True, kw_only=True):
    """The message is complete: why it stopped, and model-specific fields (a document)."""

    event: ClassVar[str] = "messageStop"
    additional_model_response_fields: Any = UNSET
    p: str | UnsetType = UNSET
    stop_reason: str


class MetadataEvent(_Event, frozen=True, kw_only=True):
    """After ``messageStop``: token usage, latency, trace, performance and tier."""

    event: ClassVar[str] = "metadata"
    metrics: ConverseMetrics | UnsetType = UNSET
    p: str | UnsetType = UNSET
    performance_config: PerformanceConfiguration | UnsetType = UNSET
    service_tier: ServiceTier | UnsetType = UNSET
    trace: ConverseStreamTrace | UnsetType = UNSET
    usage: TokenUsage | UnsetType = UNSET


# -- exceptions (both APIs) -------------------------------------------------------------


class BedrockException(_Event, frozen=True, kw_only=True):
    """An exception the service sent in the stream (``:message-type: exception``); it ends it."""

    message: str | UnsetType = UNSET


class InternalServerException(BedrockException, frozen=True, kw_only=True):
    """The service failed while streaming."""

    event: ClassVar[str] = "internalServerException"


class ModelStreamErrorException(BedrockException, frozen=True, kw_only=True):
    """The model failed while streaming; ``original_status_code`` and ``original_message``
    are what the model's own endpoint said."""

    event: ClassVar[str] = "modelStreamErrorException"
    original_message: str | UnsetType = UNSET
    original_status_code: int | UnsetType = UNSET


class ValidationException(BedrockException, frozen=True, kw_only=True):
    """The request (or the model's output for it) broke a constraint of the API."""

    event: ClassVar[str] = "validationException"


class ThrottlingException(BedrockException, frozen=True, kw_only=True):
    """The account's request or token rate was exceeded."""

    event: ClassVar[str] = "throttlingException"


class ServiceUnavailableException(BedrockException, frozen=True, kw_only=True):
    """The service is unavailable; try again later."""

    event: ClassVar[str] = "serviceUnavailableException"


class ModelTimeoutException(BedrockException, frozen=True, kw_only=True):
    """The model took too long (InvokeModelWithResponseStream only)."""

    event: ClassVar[str] = "modelTimeoutException"


# -- InvokeModelWithResponseStream ------------------------------------------------------


class InvocationMetrics(_Object, frozen=True, kw_only=True):
    """What Bedrock adds to the model's last chunk: token counts and latencies (ms).

    It is the ``"amazon-bedrock-invocationMetrics"`` object of that chunk's JSON.
    """

    cache_read_input_token_count: int | UnsetType = UNSET
    cache_write_input_token_count: int | UnsetType = UNSET
    first_byte_latency: int | UnsetType = UNSET
    input_token_count: int | UnsetType = UNSET
    invocation_latency: int | UnsetType = UNSET
    output_token_count: int | UnsetType = UNSET


class _Chunk(_Event, frozen=True, kw_only=True):
    """Base of the ``chunk`` events: ``body`` is their ``bytes`` field, decoded from base64."""

    event: ClassVar[str] = "chunk"
    body: bytes = msgspec.field(name="bytes")
    p: str | UnsetType = UNSET


class AnthropicChunk(_Chunk, frozen=True, kw_only=True):
    """A chunk of an Anthropic model: ``payload`` is its Anthropic Messages event.

    ``payload`` is the event the ``anthropic`` dialect decodes ``body`` to (a
    ``streamkit.anthropic`` event: ``MessageStart``, ``ContentBlockDelta``,
    ...); ``invocation_metrics`` is Bedrock's addition to the last chunk
    (which the Anthropic event does not carry).
    """

    payload: Any
    invocation_metrics: InvocationMetrics | UnsetType = UNSET


class Chunk(_Chunk, frozen=True, kw_only=True):
    """A chunk of any other model family: ``payload`` is its JSON object, as builtins.

    Cohere, Meta Llama, Mistral, Amazon Titan, Amazon Nova, OpenAI-style
    models...: the fold reads the families it knows (see the dialect's
    documentation); ``invocation_metrics`` is the payload's
    ``"amazon-bedrock-invocationMetrics"``, typed.
    """

    payload: dict[str, Any]
    invocation_metrics: InvocationMetrics | UnsetType = UNSET


class TextChunk(_Chunk, frozen=True, kw_only=True):
    """A chunk whose bytes are no JSON object: InvokeAgent's answer text (UTF-8)."""

    @property
    def text(self) -> str:
        """The bytes as text (an invalid UTF-8 sequence shows as U+FFFD)."""
        return self.body.decode("utf-8", "replace")


class Trace(_Event, frozen=True, kw_only=True):
    """An InvokeAgent ``trace`` event, its JSON kept as sent (``data``)."""

    event: ClassVar[str] = "trace"
    data: dict[str, Any]


# -- the folded response (Converse's non-streaming shape) ---------------------------------


class ReasoningTextBlock(_Object, frozen=True, kw_only=True):
    """The model's reasoning text, and the signature that lets it be sent back."""

    signature: str | UnsetType = UNSET
    text: str


class ReasoningContentBlock(_Object, frozen=True, kw_only=True):
    """Reasoning (a union): its text, or content the provider redacted."""

    reasoning_text: ReasoningTextBlock | UnsetType = UNSET
    redacted_content: bytes | UnsetType = UNSET


class ToolUseBlock(_Object, frozen=True, kw_only=True):
    """A tool call: ``input`` is the JSON the deltas streamed, parsed once the block stopped."""

    input: Any
    name: str
    tool_use_id: str
    type: str | UnsetType = UNSET


class ToolResultContentBlock(_Object, frozen=True, kw_only=True):
    """A piece of a tool result (a union: ``json`` or ``text``)."""

    json: Any = UNSET
    text: str | UnsetType = UNSET


class ToolResultBlock(_Object, frozen=True, kw_only=True):
    """A server tool's result."""

    content: list[ToolResultContentBlock]
    status: str | UnsetType = UNSET
    tool_use_id: str
    type: str | UnsetType = UNSET


class CitationGeneratedContent(_Object, frozen=True, kw_only=True):
    """Generated text a citation supports (a union with one member, ``text``)."""

    text: str | UnsetType = UNSET


class Citation(_Object, frozen=True, kw_only=True):
    """A citation of a source: where it is, and what it says."""

    location: CitationLocation | UnsetType = UNSET
    source: str | UnsetType = UNSET
    source_content: list[CitationSourceContent] | UnsetType = UNSET
    title: str | UnsetType = UNSET


class CitationsContentBlock(_Object, frozen=True, kw_only=True):
    """Text with the citations that support it."""

    citations: list[Citation]
    content: list[CitationGeneratedContent]


class ImageBlock(_Object, frozen=True, kw_only=True):
    """A generated image (or the error that stopped it)."""

    error: ErrorBlock | UnsetType = UNSET
    format: str
    source: ImageSource | UnsetType = UNSET


class ContentBlock(_Object, frozen=True, kw_only=True):
    """One block of the message (a union: one member is set)."""

    citations_content: CitationsContentBlock | UnsetType = UNSET
    image: ImageBlock | UnsetType = UNSET
    reasoning_content: ReasoningContentBlock | UnsetType = UNSET
    text: str | UnsetType = UNSET
    tool_result: ToolResultBlock | UnsetType = UNSET
    tool_use: ToolUseBlock | UnsetType = UNSET
    unknown: dict[str, Any] | UnsetType = msgspec.field(default=UNSET, name=UNKNOWN_MEMBER)


class Message(_Object, frozen=True, kw_only=True):
    """The message the model produced."""

    content: list[ContentBlock]
    role: str


class ConverseOutput(_Object, frozen=True, kw_only=True):
    """The output of a Converse call (a union with one member, ``message``)."""

    message: Message


class ConverseResponse(_Object, frozen=True, kw_only=True):
    """A ConverseStream folded: the shape of Converse's non-streaming response.

    ``output`` is always there once anything was folded; ``stop_reason``
    comes with ``messageStop``, and ``usage``, ``metrics``, ``trace``,
    ``performance_config`` and ``service_tier`` with the ``metadata`` event
    after it (``UNSET`` before).
    """

    additional_model_response_fields: Any = UNSET
    metrics: ConverseMetrics | UnsetType = UNSET
    output: ConverseOutput
    performance_config: PerformanceConfiguration | UnsetType = UNSET
    service_tier: ServiceTier | UnsetType = UNSET
    stop_reason: str | UnsetType = UNSET
    trace: ConverseStreamTrace | UnsetType = UNSET
    usage: TokenUsage | UnsetType = UNSET


BedrockStreamEvent: TypeAlias = (
    MessageStartEvent
    | ContentBlockStartEvent
    | ContentBlockDeltaEvent
    | ContentBlockStopEvent
    | MessageStopEvent
    | MetadataEvent
    | InternalServerException
    | ModelStreamErrorException
    | ValidationException
    | ThrottlingException
    | ServiceUnavailableException
    | ModelTimeoutException
    | AnthropicChunk
    | Chunk
    | TextChunk
    | Trace
)
"""Every typed event of the dialect (besides the shared unknown and invalid events)."""
