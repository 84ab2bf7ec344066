"""msgspec types of the Gemini ``streamGenerateContent`` stream, Gemini API and Vertex AI.

One type serves both what comes over the wire and what the fold builds:
every event of the stream carries a whole :class:`GenerateContentResponse`
(a *chunk*: the parts it adds, and the latest metadata), and the fold's
result is one too, shaped like the non-streaming ``generateContent``
response.  Keys are the API's camelCase JSON names (``rename="camel"``):
``part.thought_signature`` is ``thoughtSignature`` on the wire.

Conventions (those of the other dialects): every Struct is frozen and
keyword-only; a field the API may leave out defaults to ``msgspec.UNSET``,
so ``msgspec.to_builtins`` gives back the JSON as sent; fields this schema
does not know are ignored.  Enum values (``finishReason``, a safety
rating's ``category`` and ``probability``, a modality, ``blockReason``...)
are kept as received: a ``str`` normally, an ``int`` from a request made with
``$alt=json;enum-encoding=int``, and new values of either decode.

A :class:`Part` holds one kind of data (text, a function call, code, a
file...).  A part of a kind this schema does not know (none of its fields
set) is kept whole as raw JSON in :attr:`Part.unknown` (JSON key
``"streamkit.unknown"``), and written back as it came by ``encode``.
``groundingMetadata``, ``urlContextMetadata``, ``logprobsResult`` and a few
other open-ended objects are kept as raw JSON (``dict``) too.
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType, field

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import Object as _Object

__all__ = (
    "Blob",
    "Candidate",
    "Citation",
    "CitationMetadata",
    "CodeExecutionResult",
    "Content",
    "ErrorEvent",
    "ErrorObject",
    "ExecutableCode",
    "FileData",
    "FunctionCall",
    "FunctionResponse",
    "GeminiStreamEvent",
    "GenerateContentResponse",
    "GenerateContentResponseEvent",
    "InvalidEvent",
    "ModalityTokenCount",
    "Part",
    "PromptFeedback",
    "SafetyRating",
    "ToolCall",
    "ToolResponse",
    "UnknownEvent",
    "UsageMetadata",
)

UNKNOWN_PART = "streamkit.unknown"
"""The key under which a part of a kind this schema does not know keeps its JSON."""

Enum: TypeAlias = str | int
"""An enum value as received: its name, or its number (``enum-encoding=int``)."""


class _Camel(_Object, frozen=True, kw_only=True, rename="camel"):
    """Base of the dialect's objects: fields named as the API's camelCase JSON keys."""


# -- parts -----------------------------------------------------------------------------


class Blob(_Camel, frozen=True, kw_only=True):
    """Inline bytes (``inlineData``): an image or audio the model returned, base64 ``data``."""

    mime_type: str | UnsetType = UNSET
    data: str | UnsetType = UNSET
    display_name: str | UnsetType = UNSET


class FileData(_Camel, frozen=True, kw_only=True):
    """A file referred to by URI (``fileData``)."""

    mime_type: str | UnsetType = UNSET
    file_uri: str | UnsetType = UNSET
    display_name: str | UnsetType = UNSET


class FunctionCall(_Camel, frozen=True, kw_only=True):
    """A call of a declared function: its ``name`` and ``args`` (a JSON object).

    ``id`` is sent by Gemini 3 models and Vertex AI; ``partialArgs`` and
    ``willContinue`` by Vertex AI's streamed function call arguments (kept as
    received: the fold does not join them).
    """

    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    args: dict[str, Any] | UnsetType = UNSET
    partial_args: list[dict[str, Any]] | UnsetType = UNSET
    will_continue: bool | UnsetType = UNSET


class FunctionResponse(_Camel, frozen=True, kw_only=True):
    """The result of a function call (in a model's turn: a server-side tool's)."""

    id: str | UnsetType = UNSET
    name: str | UnsetType = UNSET
    response: dict[str, Any] | UnsetType = UNSET
    will_continue: bool | UnsetType = UNSET
    scheduling: Enum | UnsetType = UNSET
    parts: list[dict[str, Any]] | UnsetType = UNSET


class ExecutableCode(_Camel, frozen=True, kw_only=True):
    """Code the model wrote for the code execution tool (``language``: ``PYTHON``)."""

    language: Enum | UnsetType = UNSET
    code: str | UnsetType = UNSET
    id: str | UnsetType = UNSET


class CodeExecutionResult(_Camel, frozen=True, kw_only=True):
    """What running :class:`ExecutableCode` gave: ``outcome`` (``OUTCOME_OK``...) and ``output``."""

    outcome: Enum | UnsetType = UNSET
    output: str | UnsetType = UNSET
    id: str | UnsetType = UNSET


class ToolCall(_Camel, frozen=True, kw_only=True):
    """A server-side tool call of Gemini 3 (``toolType``: ``FILE_SEARCH``...)."""

    id: str | UnsetType = UNSET
    tool_type: Enum | UnsetType = UNSET
    args: dict[str, Any] | UnsetType = UNSET


class ToolResponse(_Camel, frozen=True, kw_only=True):
    """What a server-side :class:`ToolCall` returned."""

    id: str | UnsetType = UNSET
    tool_type: Enum | UnsetType = UNSET
    response: dict[str, Any] | UnsetType = UNSET


class Part(_Camel, frozen=True, kw_only=True):
    """One piece of a candidate's content: exactly one kind of data, and its metadata.

    ``thought`` marks a part of the model's thinking (a thought summary);
    ``thoughtSignature`` is the opaque signature a later request must send
    back with the part.  ``unknown`` (JSON key ``"streamkit.unknown"``) is
    set only for a part none of whose keys this schema knows: its whole JSON.
    """

    text: str | UnsetType = UNSET
    thought: bool | UnsetType = UNSET
    thought_signature: str | UnsetType = UNSET
    inline_data: Blob | UnsetType = UNSET
    file_data: FileData | UnsetType = UNSET
    function_call: FunctionCall | UnsetType = UNSET
    function_response: FunctionResponse | UnsetType = UNSET
    executable_code: ExecutableCode | UnsetType = UNSET
    code_execution_result: CodeExecutionResult | UnsetType = UNSET
    tool_call: ToolCall | UnsetType = UNSET
    tool_response: ToolResponse | UnsetType = UNSET
    video_metadata: dict[str, Any] | UnsetType = UNSET
    media_resolution: dict[str, Any] | UnsetType = UNSET
    part_metadata: dict[str, Any] | UnsetType = UNSET
    unknown: dict[str, Any] | UnsetType = field(default=UNSET, name=UNKNOWN_PART)


BLANK_PART = Part()
"""A part with nothing set: what a part of an unknown kind decodes to on the fast path."""


class Content(_Camel, frozen=True, kw_only=True):
    """A candidate's content: its ``parts`` and ``role`` (``"model"``)."""

    parts: list[Part] | UnsetType = UNSET
    role: str | UnsetType = UNSET


# -- candidates ------------------------------------------------------------------------


class SafetyRating(_Camel, frozen=True, kw_only=True):
    """How likely a piece of content is to be harmful in one ``category``."""

    category: Enum | UnsetType = UNSET
    probability: Enum | UnsetType = UNSET
    probability_score: float | UnsetType = UNSET
    severity: Enum | UnsetType = UNSET
    severity_score: float | UnsetType = UNSET
    blocked: bool | UnsetType = UNSET
    overwritten_threshold: Enum | UnsetType = UNSET


class Citation(_Camel, frozen=True, kw_only=True):
    """A source the content recites, and where in the text (Gemini API ``citationSources``,
    Vertex AI ``citations``)."""

    start_index: int | UnsetType = UNSET
    end_index: int | UnsetType = UNSET
    uri: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    license: str | UnsetType = UNSET
    publication_date: dict[str, Any] | UnsetType = UNSET


class CitationMetadata(_Camel, frozen=True, kw_only=True):
    """The sources a candidate recites: ``citationSources`` (Gemini API) or ``citations``."""

    citation_sources: list[Citation] | UnsetType = UNSET
    citations: list[Citation] | UnsetType = UNSET


class Candidate(_Camel, frozen=True, kw_only=True):
    """One response candidate (``candidateCount`` > 1 gives several, told apart by ``index``).

    In a chunk: the parts it adds and its metadata so far; ``index`` is left
    out for candidate 0 by some servers.  ``finishReason`` comes with the
    candidate's last chunk.
    """

    content: Content | UnsetType = UNSET
    finish_reason: Enum | UnsetType = UNSET
    finish_message: str | UnsetType = UNSET
    index: int | UnsetType = UNSET
    safety_ratings: list[SafetyRating] | UnsetType = UNSET
    citation_metadata: CitationMetadata | UnsetType = UNSET
    token_count: int | UnsetType = UNSET
    grounding_metadata: dict[str, Any] | UnsetType = UNSET
    url_context_metadata: dict[str, Any] | UnsetType = UNSET
    avg_logprobs: float | UnsetType = UNSET
    logprobs_result: dict[str, Any] | UnsetType = UNSET
    continuation_token: str | UnsetType = UNSET


# -- the response ----------------------------------------------------------------------


class PromptFeedback(_Camel, frozen=True, kw_only=True):
    """Why the prompt was blocked (``blockReason``), and its safety ratings."""

    block_reason: Enum | UnsetType = UNSET
    block_reason_message: str | UnsetType = UNSET
    safety_ratings: list[SafetyRating] | UnsetType = UNSET


class ModalityTokenCount(_Camel, frozen=True, kw_only=True):
    """Tokens of one modality (``TEXT``, ``IMAGE``, ``AUDIO``...)."""

    modality: Enum | UnsetType = UNSET
    token_count: int | UnsetType = UNSET


class UsageMetadata(_Camel, frozen=True, kw_only=True):
    """Token counts: each chunk's are the counts so far; the last chunk's are the totals.

    ``candidatesTokenCount`` does not count ``thoughtsTokenCount``;
    ``totalTokenCount`` counts both, the prompt and ``toolUsePromptTokenCount``.
    """

    prompt_token_count: int | UnsetType = UNSET
    candidates_token_count: int | UnsetType = UNSET
    total_token_count: int | UnsetType = UNSET
    cached_content_token_count: int | UnsetType = UNSET
    thoughts_token_count: int | UnsetType = UNSET
    tool_use_prompt_token_count: int | UnsetType = UNSET
    prompt_tokens_details: list[ModalityTokenCount] | UnsetType = UNSET
    candidates_tokens_details: list[ModalityTokenCount] | UnsetType = UNSET
    cache_tokens_details: list[ModalityTokenCount] | UnsetType = UNSET
    tool_use_prompt_tokens_details: list[ModalityTokenCount] | UnsetType = UNSET
    traffic_type: Enum | UnsetType = UNSET
    service_tier: Enum | UnsetType = UNSET


class GenerateContentResponse(_Camel, frozen=True, kw_only=True):
    """A ``GenerateContentResponse``: one chunk of the stream, or the folded whole.

    ``createTime`` is sent by Vertex AI only.  A response with no candidates
    and a ``promptFeedback.blockReason`` says the prompt was blocked.
    """

    candidates: list[Candidate] | UnsetType = UNSET
    prompt_feedback: PromptFeedback | UnsetType = UNSET
    usage_metadata: UsageMetadata | UnsetType = UNSET
    model_version: str | UnsetType = UNSET
    response_id: str | UnsetType = UNSET
    create_time: str | UnsetType = UNSET
    model_status: dict[str, Any] | UnsetType = UNSET


class ErrorObject(_Camel, frozen=True, kw_only=True):
    """An error the server reports in the stream: ``{"error": {...}}``, a ``google.rpc.Status``.

    ``code`` is the HTTP status (``429``), ``status`` its name
    (``RESOURCE_EXHAUSTED``).
    """

    code: int | UnsetType = UNSET
    message: str = ""
    status: str | UnsetType = UNSET
    details: list[dict[str, Any]] | UnsetType = UNSET


# -- events ----------------------------------------------------------------------------


class GenerateContentResponseEvent(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="message"
):
    """One chunk of the stream: an SSE ``data:`` line (``alt=sse``) or one array element.

    ``event`` is ``"message"``: neither form names its events.
    """

    event: ClassVar[str] = "message"
    data: GenerateContentResponse


class ErrorEvent(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="message"):
    """An error the server sent in the stream: ``{"error": {...}}`` in place of a chunk.

    An event, not an exception: the stream layer yields it, the fold collects it.
    """

    event: ClassVar[str] = "message"
    data: ErrorObject


GeminiStreamEvent: TypeAlias = GenerateContentResponseEvent | ErrorEvent
"""Every typed event of the dialect (a typing alias: the events are told apart by content)."""
