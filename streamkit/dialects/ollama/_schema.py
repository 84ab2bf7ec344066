"""msgspec types of Ollama's native streams: the lines of ``/api/chat`` and ``/api/generate``.

Both endpoints answer a streaming request with newline-delimited JSON, one
object per line, and both are this one dialect: a line's keys say which
endpoint sent it.

* ``/api/chat`` sends :class:`ChatChunk`\\ s: ``model``, ``created_at``, a
  ``message`` holding the next piece of the assistant's ``content`` (and of
  its ``thinking``, and whole ``tool_calls``), ``done``;
* ``/api/generate`` sends :class:`GenerateChunk`\\ s: the same, with the
  pieces in ``response`` and ``thinking`` at the top level;
* the last line has ``done: true``, the ``done_reason`` (``stop``,
  ``length``, ``load``, ``unload``; absent from servers before mid-2024),
  the durations in nanoseconds and the token counts, and for
  ``/api/generate`` the ``context`` token array;
* an error met mid-stream is a line of its own: ``{"error": "..."}``
  (:class:`ErrorObject`).

The lines are wrapped in the events :class:`ChatChunkEvent`,
:class:`GenerateChunkEvent` and :class:`ErrorEvent`.  What the fold builds is
:class:`ChatResponse` or :class:`GenerateResponse`, shaped like the response
the endpoint returns with ``"stream": false``.

Conventions (those of every dialect): every Struct is frozen and
keyword-only; enum-like values (``done_reason``, ``role``) are plain ``str``
so new values decode; a field the server may leave out defaults to
``msgspec.UNSET``, so an absent field stays absent and is told apart from
``null``; fields this schema does not know are ignored.  ``model`` and
``created_at`` are required on every chunk: Ollama always sends them.
"""

from typing import Any, ClassVar, TypeAlias

import msgspec
from msgspec import UNSET, UnsetType, field

from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._unknowns import Object as _Object

__all__ = (
    "ChatChunk",
    "ChatChunkEvent",
    "ChatResponse",
    "ChunkMessage",
    "ErrorEvent",
    "ErrorObject",
    "GenerateChunk",
    "GenerateChunkEvent",
    "GenerateResponse",
    "InvalidEvent",
    "Logprob",
    "Message",
    "Metrics",
    "OllamaStreamEvent",
    "TokenLogprob",
    "ToolCall",
    "ToolCallFunction",
    "UnknownEvent",
)


# -- shared pieces ---------------------------------------------------------------------


class TokenLogprob(_Object, frozen=True, kw_only=True):
    """A token with its log probability (one of the alternatives at a position)."""

    token: str
    logprob: float
    bytes: list[int] | UnsetType | None = UNSET


class Logprob(TokenLogprob, frozen=True, kw_only=True):
    """A generated token with its log probability and the most likely alternatives."""

    top_logprobs: list[TokenLogprob] | UnsetType | None = UNSET


class ToolCallFunction(_Object, frozen=True, kw_only=True):
    """The function a tool call calls and its arguments, a JSON object (not text).

    ``index`` is the call's position among the calls of the response, sent by
    servers since late 2025.  Some compatible servers send ``arguments`` as
    JSON text; it is kept as that string.
    """

    index: int | UnsetType = UNSET
    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)


class ToolCall(_Object, frozen=True, kw_only=True):
    """A whole tool call: Ollama streams each call complete, in one line.

    ``id`` (``call_`` and 8 characters) is sent by servers since late 2025.
    """

    id: str | UnsetType = UNSET
    function: ToolCallFunction


class Metrics(_Object, frozen=True, kw_only=True):
    """The durations (nanoseconds) and token counts of a response: its last line's.

    ``prompt_eval_count`` is the input's tokens, ``eval_count`` the output's.
    Not a part of the wire: the fold's ``usage.raw``, read from the stream's
    last line.
    """

    total_duration: int | UnsetType = UNSET
    load_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    prompt_eval_duration: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    eval_duration: int | UnsetType = UNSET


class ErrorObject(_Object, frozen=True, kw_only=True):
    """An error the server met mid-stream: the line ``{"error": "..."}``."""

    error: str


# -- the wire: lines -------------------------------------------------------------------


class ChunkMessage(_Object, frozen=True, kw_only=True):
    """What one ``/api/chat`` line adds to the assistant's message.

    ``content`` and ``thinking`` are the next pieces of text (concatenated by
    the fold); ``tool_calls`` are whole calls (appended).
    """

    role: str | UnsetType = UNSET
    content: str | UnsetType | None = UNSET
    thinking: str | UnsetType | None = UNSET
    tool_calls: list[ToolCall] | UnsetType | None = UNSET
    images: list[str] | UnsetType | None = UNSET


class ChatChunk(_Object, frozen=True, kw_only=True):
    """One line of an ``/api/chat`` stream.

    ``message`` is absent only from the last line of servers of early 2024.
    The last line (``done: true``) carries ``done_reason``, the durations and
    the counts.
    """

    model: str
    remote_model: str | UnsetType = UNSET
    remote_host: str | UnsetType = UNSET
    created_at: str
    message: ChunkMessage | UnsetType | None = UNSET
    done: bool | UnsetType = UNSET
    done_reason: str | UnsetType | None = UNSET
    debug_info: dict[str, Any] | UnsetType = field(default=UNSET, name="_debug_info")
    logprobs: list[Logprob] | UnsetType | None = UNSET
    total_duration: int | UnsetType = UNSET
    load_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    prompt_eval_duration: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    eval_duration: int | UnsetType = UNSET


class GenerateChunk(_Object, frozen=True, kw_only=True):
    """One line of an ``/api/generate`` stream.

    ``response`` and ``thinking`` are the next pieces of text.  The last line
    (``done: true``) carries ``done_reason``, ``context`` (the prompt and
    answer as tokens, unless the request was ``raw``), the durations and the
    counts, and the tool calls of models that make them.  ``image``,
    ``completed`` and ``total`` come from image generation models.
    """

    model: str
    remote_model: str | UnsetType = UNSET
    remote_host: str | UnsetType = UNSET
    created_at: str
    response: str | UnsetType = UNSET
    thinking: str | UnsetType | None = UNSET
    done: bool | UnsetType = UNSET
    done_reason: str | UnsetType | None = UNSET
    context: list[int] | UnsetType | None = UNSET
    total_duration: int | UnsetType = UNSET
    load_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    prompt_eval_duration: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    eval_duration: int | UnsetType = UNSET
    tool_calls: list[ToolCall] | UnsetType | None = UNSET
    debug_info: dict[str, Any] | UnsetType = field(default=UNSET, name="_debug_info")
    logprobs: list[Logprob] | UnsetType | None = UNSET
    image: str | UnsetType | None = UNSET
    completed: int | UnsetType = UNSET
    total: int | UnsetType = UNSET


# -- the results: what the endpoints return with "stream": false --------------------------


class Message(_Object, frozen=True, kw_only=True):
    """The assistant's message of a chat response: what the lines' message parts built."""

    role: str = "assistant"
    content: str = ""
    thinking: str | UnsetType = UNSET
    tool_calls: list[ToolCall] | UnsetType = UNSET
    images: list[str] | UnsetType | None = UNSET


class ChatResponse(_Object, frozen=True, kw_only=True):
    """An ``/api/chat`` response, as the server returns it with ``"stream": false``.

    The message's ``content`` and ``thinking`` are every line's, joined, its
    ``tool_calls`` every line's, in order, and ``logprobs`` every line's;
    everything else is the last line's (the ``done`` line's, once it came).
    """

    model: str
    remote_model: str | UnsetType = UNSET
    remote_host: str | UnsetType = UNSET
    created_at: str
    message: Message
    done: bool
    done_reason: str | UnsetType = UNSET
    debug_info: dict[str, Any] | UnsetType = field(default=UNSET, name="_debug_info")
    logprobs: list[Logprob] | UnsetType = UNSET
    total_duration: int | UnsetType = UNSET
    load_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    prompt_eval_duration: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    eval_duration: int | UnsetType = UNSET


class GenerateResponse(_Object, frozen=True, kw_only=True):
    """An ``/api/generate`` response, as the server returns it with ``"stream": false``.

    ``response`` and ``thinking`` are every line's, joined, ``tool_calls`` and
    ``logprobs`` every line's, in order; everything else is the last line's.
    """

    model: str
    remote_model: str | UnsetType = UNSET
    remote_host: str | UnsetType = UNSET
    created_at: str
    response: str = ""
    thinking: str | UnsetType = UNSET
    done: bool
    done_reason: str | UnsetType = UNSET
    context: list[int] | UnsetType = UNSET
    total_duration: int | UnsetType = UNSET
    load_duration: int | UnsetType = UNSET
    prompt_eval_count: int | UnsetType = UNSET
    prompt_eval_duration: int | UnsetType = UNSET
    eval_count: int | UnsetType = UNSET
    eval_duration: int | UnsetType = UNSET
    tool_calls: list[ToolCall] | UnsetType = UNSET
    debug_info: dict[str, Any] | UnsetType = field(default=UNSET, name="_debug_info")
    logprobs: list[Logprob] | UnsetType = UNSET
    image: str | UnsetType = UNSET
    completed: int | UnsetType = UNSET
    total: int | UnsetType = UNSET


# -- events --------------------------------------------------------------------------


class ChatChunkEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A line of an ``/api/chat`` stream.

    ``event`` is the frame's name, as in every dialect: ``"message"``, since
    NDJSON names no events.
    """

    event: ClassVar[str] = "message"
    data: ChatChunk


class GenerateChunkEvent(msgspec.Struct, frozen=True, kw_only=True):
    """A line of an ``/api/generate`` stream (``event`` is ``"message"``)."""

    event: ClassVar[str] = "message"
    data: GenerateChunk


class ErrorEvent(msgspec.Struct, frozen=True, kw_only=True):
    """An error line, ``{"error": "..."}``: an event, not an exception; the fold collects it."""

    event: ClassVar[str] = "message"
    data: ErrorObject


OllamaStreamEvent: TypeAlias = ChatChunkEvent | GenerateChunkEvent | ErrorEvent
"""Every typed event of the dialect (a typing alias: the events are told apart by content)."""
