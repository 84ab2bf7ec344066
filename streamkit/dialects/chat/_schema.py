"""msgspec types of the OpenAI Chat Completions stream: chunks, events and the folded result.

Two families of types live here:

* what comes over the wire: :class:`ChatCompletionChunk` (``object:
  "chat.completion.chunk"``) with its :class:`ChunkChoice`\\ s and their
  :class:`ChoiceDelta`\\ s, wrapped in the stream events
  :class:`ChatCompletionChunkEvent`, :class:`ErrorEvent` and :class:`Done`;
* what the fold builds: :class:`ChatCompletion` (``object:
  "chat.completion"``), shaped like the non-streaming API's response, with
  :class:`Choice`\\ s holding a :class:`ChatCompletionMessage`.

Conventions (the same as the Assistants dialect): every Struct is frozen and
keyword-only; enum-like values (``role``, ``finish_reason``,
``service_tier``, a tool call's ``type``) are plain ``str`` so new values
decode; the tagged unions (:data:`ToolCall`, :data:`Annotation`) also accept
:class:`Unknown`, which keeps an object of a ``type`` this dialect does not
know as received (it encodes as ``{"type": "streamkit.unknown", "data":
<the object>}``).  A field the API may leave out defaults to
``msgspec.UNSET``, so an absent field stays absent and is told apart from
``null``; in deltas every field but ``index`` defaults to ``UNSET``.  Fields
this schema does not know are ignored.

OpenAI-compatible servers bend the schema in known ways, and these types
accept each bend rather than refuse the chunk (the fold records a
violation where it matters, see :mod:`streamkit.dialects.chat._fold`): a
chunk may lack ``id``, ``created`` or ``model``, send ``choices: null``,
carry an ``error`` object beside its choices (OpenRouter) or its usage in
Groq's ``x_groq``; a usage count may be ``null``; a tool call part may lack
``index``; a delta may carry reasoning (``reasoning_content``,
``reasoning``, ``reasoning_details``) or, from Mistral, ``content`` as a
list of typed parts (``text`` and ``thinking``), kept as raw JSON.

Azure OpenAI's ``prompt_filter_results`` (on a chunk) and
``content_filter_results`` / ``content_filter_offsets`` (on a chunk's choice)
are kept as raw JSON on the chunk.  The fold keeps ``prompt_filter_results``
in the result and drops the per-chunk ``content_filter_results``: they rate
one piece of text each, and the stream has no rating of the whole message.
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType, field

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import Object as _Object, Tagged as _Tagged, Unknown

__all__ = (
    "Annotation",
    "AudioDelta",
    "ChatCompletion",
    "ChatCompletionAudio",
    "ChatCompletionChunk",
    "ChatCompletionChunkEvent",
    "ChatCompletionMessage",
    "ChatStreamEvent",
    "Choice",
    "ChoiceDelta",
    "ChoiceLogprobs",
    "ChunkChoice",
    "CompletionTokensDetails",
    "CompletionUsage",
    "Custom",
    "CustomDelta",
    "CustomToolCall",
    "Done",
    "ErrorEvent",
    "ErrorObject",
    "Function",
    "FunctionCall",
    "FunctionCallDelta",
    "FunctionToolCall",
    "InvalidEvent",
    "PromptTokensDetails",
    "TokenLogprob",
    "ToolCall",
    "ToolCallDelta",
    "TopLogprob",
    "URLCitation",
    "URLCitationAnnotation",
    "Unknown",
    "UnknownEvent",
    "XGroq",
)

UNKNOWN_FIELDS = "streamkit.unknown"
"""The key under which a tool call delta of an unknown kind keeps what this schema does not know."""


# -- shared pieces ---------------------------------------------------------------------


class TopLogprob(_Object, frozen=True, kw_only=True):
    """One of the most likely tokens at a position, with its log probability."""

    token: str
    logprob: float
    bytes: list[int] | None = None


class TokenLogprob(_Object, frozen=True, kw_only=True):
    """A sampled token with its log probability and the most likely alternatives."""

    token: str
    logprob: float
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = field(default_factory=list)


class ChoiceLogprobs(_Object, frozen=True, kw_only=True):
    """Log probabilities of a choice's content or refusal tokens (chunk and result alike).

    ``refusal`` arrived in August 2024; earlier streams send ``content`` only.
    """

    content: list[TokenLogprob] | None = None
    refusal: list[TokenLogprob] | UnsetType | None = UNSET


class PromptTokensDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of prompt tokens (each count only where the API sends it)."""

    cached_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    text_tokens: int | UnsetType | None = UNSET
    image_tokens: int | UnsetType | None = UNSET
    cache_write_tokens: int | UnsetType | None = UNSET


class CompletionTokensDetails(_Object, frozen=True, kw_only=True):
    """Breakdown of completion tokens (each count only where the API sends it)."""

    reasoning_tokens: int | UnsetType | None = UNSET
    audio_tokens: int | UnsetType | None = UNSET
    accepted_prediction_tokens: int | UnsetType | None = UNSET
    rejected_prediction_tokens: int | UnsetType | None = UNSET
    text_tokens: int | UnsetType | None = UNSET


class CompletionUsage(_Object, frozen=True, kw_only=True):
    """Token usage of a completion: the last chunk's with ``stream_options.include_usage``.

    OpenAI always sends the three counts; a compatible server may send
    ``null`` for a count it does not know yet (Databricks, until the last
    chunk) or leave it out: ``None`` then.
    """

    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    prompt_tokens_details: PromptTokensDetails | UnsetType | None = UNSET
    completion_tokens_details: CompletionTokensDetails | UnsetType | None = UNSET


class URLCitation(_Object, frozen=True, kw_only=True):
    """A web page cited by a message, and where in the content."""

    end_index: int
    start_index: int
    title: str
    url: str


class URLCitationAnnotation(_Tagged, frozen=True, kw_only=True, tag="url_citation"):
    """A URL citation (web search)."""

    type: ClassVar[str] = "url_citation"
    url_citation: URLCitation


Annotation: TypeAlias = URLCitationAnnotation | Unknown


class ErrorObject(_Object, frozen=True, kw_only=True):
    """An error the server reports inside the stream (``data: {"error": {...}}``)."""

    message: str = ""
    type: str | None = None
    param: str | None = None
    code: str | int | None = None


# -- the wire: chunks ------------------------------------------------------------------


class FunctionCallDelta(_Object, frozen=True, kw_only=True):
    """Part of a function call: a tool call's ``function``, or the legacy ``function_call``."""

    name: str | UnsetType | None = UNSET
    arguments: str | UnsetType | None = UNSET


class CustomDelta(_Object, frozen=True, kw_only=True):
    """Part of a custom tool call's ``custom``: its name and free-form input."""

    name: str | UnsetType | None = UNSET
    input: str | UnsetType | None = UNSET


class ToolCallDelta(_Object, frozen=True, kw_only=True):
    """Part of a tool call, merged by ``index`` (``id`` and ``type`` come with the first part).

    ``index`` is ``UNSET`` in the parts of servers that leave it out (Mistral,
    Ollama, Gemini's OpenAI endpoint): the fold then places the part by its
    ``id``, else by its position in the chunk.

    ``unknown`` (JSON key ``"streamkit.unknown"``) is set only for a tool call
    of a kind this dialect does not know, or a part that carries neither
    ``function`` nor ``custom``: it holds, as raw JSON, every key of the part
    other than ``index``, ``id``, ``type``, ``function`` and ``custom``.
    """

    index: int | UnsetType = UNSET
    id: str | UnsetType | None = UNSET
    type: str | UnsetType | None = UNSET
    function: FunctionCallDelta | UnsetType | None = UNSET
    custom: CustomDelta | UnsetType | None = UNSET
    unknown: dict[str, Any] | UnsetType = field(default=UNSET, name=UNKNOWN_FIELDS)


class AudioDelta(_Object, frozen=True, kw_only=True):
    """Part of an audio answer: its id, base64 ``data`` and ``transcript`` (concatenated).

    The last part carries only ``expires_at``.
    """

    id: str | UnsetType | None = UNSET
    data: str | UnsetType | None = UNSET
    transcript: str | UnsetType | None = UNSET
    expires_at: int | UnsetType | None = UNSET


class ChoiceDelta(_Object, frozen=True, kw_only=True):
    """What one chunk adds to a choice's message.

    Beside OpenAI's fields, the reasoning compatible servers stream, each
    under its own name: ``reasoning_content`` (DeepSeek, Z.ai, vLLM),
    ``reasoning`` (OpenRouter, Groq) and ``reasoning_details`` (OpenRouter's
    typed items, kept as raw JSON).  ``content`` is a list of typed parts,
    kept as raw JSON, in Mistral's reasoning streams: ``{"type": "text",
    "text": ...}`` and ``{"type": "thinking", "thinking": [{"type": "text",
    "text": ...}]}``.
    """

    role: str | UnsetType | None = UNSET
    content: str | list[dict[str, Any]] | UnsetType | None = UNSET
    refusal: str | UnsetType | None = UNSET
    tool_calls: list[ToolCallDelta] | UnsetType | None = UNSET
    function_call: FunctionCallDelta | UnsetType | None = UNSET
    audio: AudioDelta | UnsetType | None = UNSET
    annotations: list[Annotation] | UnsetType | None = UNSET
    reasoning_content: str | UnsetType | None = UNSET
    reasoning: str | UnsetType | None = UNSET
    reasoning_details: list[dict[str, Any]] | UnsetType | None = UNSET


_NO_DELTA = ChoiceDelta()


class ChunkChoice(_Object, frozen=True, kw_only=True):
    """One choice's part of a chunk.

    ``delta`` is always sent by OpenAI; Azure's asynchronous content filter
    sends choices without one, read as an empty delta.  A server that sends
    a whole ``message`` instead (in a chunk whose ``object`` is
    ``"chat.completion"``) has it read as the delta.  ``finish_reason`` is
    left out of the audio stream's last part (``delta.audio.expires_at``).
    """

    index: int
    delta: ChoiceDelta = _NO_DELTA
    message: ChoiceDelta | UnsetType = UNSET
    logprobs: ChoiceLogprobs | UnsetType | None = UNSET
    finish_reason: str | UnsetType | None = UNSET
    content_filter_results: dict[str, Any] | UnsetType | None = UNSET
    content_filter_offsets: dict[str, Any] | UnsetType | None = UNSET


class XGroq(_Object, frozen=True, kw_only=True):
    """Groq's ``x_groq`` object on a chunk: its request ``id``, and ``usage`` on the last."""

    id: str | UnsetType | None = UNSET
    usage: CompletionUsage | UnsetType | None = UNSET


class ChatCompletionChunk(_Object, frozen=True, kw_only=True):
    """One ``data:`` payload of the stream.

    ``choices`` is ``[]`` in the usage chunk that ends a stream with
    ``stream_options.include_usage``, and absent (``UNSET``) from the padding
    chunks of an audio stream.  ``object`` is ``""`` in Azure's content filter
    chunks, whose ``id`` and ``model`` are empty too.  OpenAI always sends
    ``id``, ``created`` and ``model``; they are ``UNSET`` where a compatible
    server leaves them out.  ``error`` is an error a server reports inside a
    chunk (OpenRouter), ``x_groq`` Groq's extension object.
    """

    id: str | UnsetType = UNSET
    object: str = "chat.completion.chunk"
    created: int | UnsetType = UNSET
    model: str | UnsetType = UNSET
    service_tier: str | UnsetType | None = UNSET
    system_fingerprint: str | UnsetType | None = UNSET
    choices: list[ChunkChoice] | UnsetType | None = UNSET
    usage: CompletionUsage | UnsetType | None = UNSET
    obfuscation: str | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET
    prompt_filter_results: list[dict[str, Any]] | UnsetType | None = UNSET
    error: ErrorObject | str | UnsetType | None = UNSET
    x_groq: XGroq | UnsetType | None = UNSET


# -- the result: a chat completion -------------------------------------------------------


class Function(_Object, frozen=True, kw_only=True):
    """The function a tool call calls, with its arguments (JSON text, as the model wrote it)."""

    name: str
    arguments: str = ""


class FunctionToolCall(_Tagged, frozen=True, kw_only=True, tag="function"):
    """A function tool call."""

    type: ClassVar[str] = "function"
    id: str
    function: Function


class Custom(_Object, frozen=True, kw_only=True):
    """The custom tool a tool call calls, with its free-form input."""

    name: str
    input: str = ""


class CustomToolCall(_Tagged, frozen=True, kw_only=True, tag="custom"):
    """A custom tool call."""

    type: ClassVar[str] = "custom"
    id: str
    custom: Custom


ToolCall: TypeAlias = FunctionToolCall | CustomToolCall | Unknown


class FunctionCall(_Object, frozen=True, kw_only=True):
    """The legacy (deprecated) ``function_call`` of a message."""

    name: str
    arguments: str = ""


class ChatCompletionAudio(_Object, frozen=True, kw_only=True):
    """An audio answer: base64 ``data``, its ``transcript``, and when the server forgets it."""

    id: str = ""
    data: str = ""
    expires_at: int | UnsetType | None = UNSET
    transcript: str = ""


class ChatCompletionMessage(_Object, frozen=True, kw_only=True):
    """The message of a choice: what the deltas of that choice built.

    The reasoning of a compatible server is kept under the name it streamed
    it by: ``reasoning_content`` and ``reasoning`` concatenated,
    ``reasoning_details`` the raw items as sent, in order.  Mistral's
    ``content`` parts are split: the text parts joined are ``content``, the
    parts of its thinking parts, joined the same way (adjacent text parts
    into one), are ``thinking``, as Mistral's own message holds them in its
    ``{"type": "thinking", "thinking": [...]}`` part.
    """

    role: str = "assistant"
    content: str | UnsetType | None = UNSET
    refusal: str | UnsetType | None = UNSET
    annotations: list[Annotation] | UnsetType | None = UNSET
    audio: ChatCompletionAudio | UnsetType | None = UNSET
    function_call: FunctionCall | UnsetType | None = UNSET
    tool_calls: list[ToolCall] | UnsetType | None = UNSET
    reasoning_content: str | UnsetType | None = UNSET
    reasoning: str | UnsetType | None = UNSET
    reasoning_details: list[dict[str, Any]] | UnsetType | None = UNSET
    thinking: list[dict[str, Any]] | UnsetType = UNSET


class Choice(_Object, frozen=True, kw_only=True):
    """One choice of a completion (``n`` > 1 gives several)."""

    index: int
    message: ChatCompletionMessage
    logprobs: ChoiceLogprobs | UnsetType | None = UNSET
    finish_reason: str | None = None


class ChatCompletion(_Object, frozen=True, kw_only=True):
    """A chat completion, as the non-streaming API returns it (``object: "chat.completion"``).

    ``moderation`` and ``prompt_filter_results`` (Azure) are kept as raw JSON.
    What the stream never carried stays absent: a message's ``annotations``
    (the non-streaming API sends ``[]``; a stream sends annotations only when
    there are some), a choice's ``logprobs`` in streams that leave the key
    out (the non-streaming API sends ``null``), ``usage`` without
    ``stream_options.include_usage``.
    """

    id: str
    object: str = "chat.completion"
    created: int
    model: str
    choices: list[Choice] = field(default_factory=list)
    usage: CompletionUsage | UnsetType | None = UNSET
    service_tier: str | UnsetType | None = UNSET
    system_fingerprint: str | UnsetType | None = UNSET
    moderation: dict[str, Any] | UnsetType | None = UNSET
    prompt_filter_results: list[dict[str, Any]] | UnsetType = UNSET


# -- events --------------------------------------------------------------------------


class ChatCompletionChunkEvent(
    msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="message"
):
    """A ``data:`` line holding a chunk.

    ``event`` is the SSE event name, as in every dialect: ``"message"``, since
    the stream sends no ``event:`` field.  The chunk's own ``object``
    (``"chat.completion.chunk"``) is ``data.object``.
    """

    event: ClassVar[str] = "message"
    data: ChatCompletionChunk


class ErrorEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An error the server sent in the stream: ``data: {"error": {...}}``, or ``event: error``.

    ``event`` is the SSE event name it came under (``"message"`` or ``"error"``).
    An event, not an exception: the stream layer yields it, the fold collects it.
    """

    event: str = "message"
    data: ErrorObject


class Done(msgspec.Struct, frozen=True, kw_only=True, tag_field="event", tag="message"):
    """``data: [DONE]``: the end of the stream; ``data`` is the payload text."""

    event: ClassVar[str] = "message"
    data: str = "[DONE]"


ChatStreamEvent: TypeAlias = ChatCompletionChunkEvent | ErrorEvent | Done
"""Every typed event of the dialect (a typing alias: the events are told apart by content)."""
