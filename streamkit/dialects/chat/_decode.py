"""The decoder of the Chat Completions dialect: one SSE event in, one typed event out.

The stream sends every chunk as ``data: {...}`` with no ``event:`` field, so
the SSE event name is ``message`` and the payload says what it is:

* a ``chat.completion.chunk`` object → :class:`ChatCompletionChunkEvent`;
* ``[DONE]`` → :class:`Done`;
* ``{"error": {...}}`` (how OpenAI reports an error mid-stream) →
  :class:`ErrorEvent`, not a decode error;
* anything else → :class:`~streamkit.DecodeError` with the JSON path.

A chunk needs none of ``id``, ``created`` and ``model`` (compatible servers
leave them out), but an object with none of them and no ``choices`` either
is not a chunk: an error object (:class:`ErrorEvent`) or a
:class:`~streamkit.DecodeError`.  An ``error`` beside a chunk's fields
(OpenRouter) stays in the chunk, for the fold to report.

``event: error`` carrying an error object (bare or wrapped in ``"error"``) is
an :class:`ErrorEvent` too; any other event name is an :class:`UnknownEvent`.

:func:`decode_event` is the hot loop: one typed msgspec decode straight from
the caller's buffer (a ``memoryview`` is not copied) and one wrap, plus a look
at the tool calls of the chunks that have some.  Only two rare cases take the
slow path, which decodes the payload to builtins, marks it in one walk and
converts the result: an annotation of a ``type`` the dialect does not know
(kept as :class:`Unknown`), and a tool call part of a kind it does not know
(its unknown keys kept in :attr:`ToolCallDelta.unknown`).  Failures cost an
exception, never a second pass over a good payload.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from streamkit._errors import DecodeError, excerpt
from streamkit.dialects._msgspec_errors import JSON_ERRORS as _JSON_ERRORS
from streamkit.dialects._unknowns import UNKNOWN_TAG, error as _error, is_unknown_tag

from ._schema import (
    UNKNOWN_FIELDS,
    ChatCompletionChunk,
    ChatCompletionChunkEvent,
    Done,
    ErrorEvent,
    ErrorObject,
    UnknownEvent,
)

__all__ = ("EVENT_NAMES", "decode_event", "looks_like_chat")

EVENT_NAMES: frozenset[str] = frozenset({"message", "error"})
"""The SSE event names the dialect decodes (every other name is an :class:`UnknownEvent`)."""

_MAX_UNKNOWNS = 10_000
"""How many unknown annotations or tool call parts one payload may hold before it is an error."""

_KNOWN_CALLS = frozenset({"function", "custom"})
_KNOWN_ANNOTATIONS = frozenset({"url_citation"})
_CALL_KEYS = frozenset({"index", "id", "type", "function", "custom"})


class _ErrorEnvelope(msgspec.Struct, frozen=True):
    error: ErrorObject | str


_decode_chunk = msgspec.json.Decoder(ChatCompletionChunk).decode
_decode_envelope = msgspec.json.Decoder(_ErrorEnvelope).decode
_decode_error_object = msgspec.json.Decoder(ErrorObject).decode
_decode_any = msgspec.json.Decoder().decode


def decode_event(
    name: str, data: bytes | bytearray | memoryview
) -> ChatCompletionChunkEvent | ErrorEvent | Done | UnknownEvent:
    """Decode the payload of the SSE event *name* into its typed event.

    Raises :class:`DecodeError` (with the JSON path of the offending value and
    an excerpt) for a ``message`` payload that is neither a chunk, nor an error
    object, nor ``[DONE]``.
    """
    if name != "message":
        if name == "error":
            return _error_event(name, data)
        return UnknownEvent(name, bytes(data))
    try:
        chunk = _decode_chunk(data)
    except (msgspec.ValidationError, *_JSON_ERRORS) as exc:
        return _not_a_chunk(name, data, exc)
    choices = chunk.choices
    if choices:
        for choice in choices:
            calls = choice.delta.tool_calls
            if calls and not _calls_known(calls):
                chunk = _decode_marked(name, data)
                break
    elif chunk.id is UNSET and _no_chunk(chunk):
        return _without_chunk(name, data, chunk)
    return ChatCompletionChunkEvent(data=chunk)


def looks_like_chat(name: str, data: bytes | memoryview) -> bool:
    """Whether the first event of a stream looks like a Chat Completions stream.

    A ``message`` event whose payload names ``"chat.completion.chunk"``; or
    one with ``"choices"`` beside Azure's ``"prompt_filter_results"`` (its
    first chunk has an empty ``object``), a ``"delta"`` (a chunk without
    ``object``) or ``"chat.completion"`` (a compatible server's name for
    its chunks).
    """
    if name != "message":
        return False
    head = bytes(data)
    return b'"chat.completion.chunk"' in head or (
        b'"choices"' in head
        and (
            b'"delta"' in head or b'"prompt_filter_results"' in head or b'"chat.completion"' in head
        )
    )


def _no_chunk(chunk: ChatCompletionChunk) -> bool:
    """Whether a payload without ``id`` has nothing else of a chunk either."""
    return chunk.choices is UNSET and chunk.created is UNSET and chunk.model is UNSET


def _without_chunk(
    name: str, data: bytes | bytearray | memoryview, chunk: ChatCompletionChunk
) -> ErrorEvent:
    """An object with no ``id``, ``choices``, ``created`` or ``model``: an error, or not a chunk."""
    error = chunk.error
    if isinstance(error, ErrorObject):
        return ErrorEvent(event=name, data=error)
    if isinstance(error, str):
        return ErrorEvent(event=name, data=ErrorObject(message=error))
    message = "not a chat completion chunk: no id, choices, created or model"
    raise DecodeError(message, path="$", event=name, excerpt=excerpt(data))


def _calls_known(calls: list[Any]) -> bool:
    for call in calls:
        kind = call.type
        if kind is not UNSET and kind is not None and kind not in _KNOWN_CALLS:
            return False
        if call.function is UNSET and call.custom is UNSET and call.id is UNSET:
            return False
    return True


def _error_event(name: str, data: bytes | bytearray | memoryview) -> ErrorEvent | UnknownEvent:
    """``event: error``: an error object, bare or in an envelope; anything else stays raw."""
    error = _as_error(data)
    if error is None:
        try:
            error = _decode_error_object(data)
        except (msgspec.ValidationError, *_JSON_ERRORS):
            return UnknownEvent(name, bytes(data))
        if not error.message and error.type is None and error.code is None:
            return UnknownEvent(name, bytes(data))
    return ErrorEvent(event=name, data=error)


def _as_error(data: bytes | bytearray | memoryview) -> ErrorObject | None:
    """The error of an ``{"error": ...}`` payload, or None when *data* is not one."""
    try:
        envelope = _decode_envelope(data)
    except (msgspec.ValidationError, *_JSON_ERRORS):
        return None
    error = envelope.error
    if isinstance(error, str):
        return ErrorObject(message=error)
    return error


def _not_a_chunk(
    name: str, data: bytes | bytearray | memoryview, exc: Exception
) -> ChatCompletionChunkEvent | ErrorEvent | Done:
    """A ``message`` payload the fast decode refused: ``[DONE]``, an error, or a chunk after all."""
    if bytes(data[:6]) == b"[DONE]":  # what openai-python checks, too
        return Done(data=str(data, "utf-8", "replace"))
    if not isinstance(exc, msgspec.ValidationError):
        raise _error(name, data, exc) from None
    if is_unknown_tag(exc):
        return ChatCompletionChunkEvent(data=_decode_marked(name, data))
    error = _as_error(data)
    if error is not None:
        return ErrorEvent(event=name, data=error)
    raise _error(name, data, exc) from None


def _decode_marked(name: str, data: bytes | bytearray | memoryview) -> ChatCompletionChunk:
    """The slow path: decode to builtins, mark what the schema does not know, convert."""
    try:
        tree = _decode_any(data)
    except _JSON_ERRORS as exc:
        raise _error(name, data, exc) from None
    try:
        _mark(tree)
    except _TooManyUnknowns:
        message = f"more than {_MAX_UNKNOWNS} unknown annotations or tool call parts"
        raise DecodeError(message, path="$", event=name, excerpt=excerpt(data)) from None
    try:
        return msgspec.convert(tree, ChatCompletionChunk)
    except (msgspec.ValidationError, RecursionError) as exc:
        raise _error(name, data, exc) from None


class _TooManyUnknowns(Exception):
    pass


def _mark(tree: Any) -> None:
    """Wrap unknown annotations as :class:`Unknown`; keep unknown tool call keys raw.

    One walk over ``choices[].delta``: the only places of a chunk where a
    type this dialect does not know can appear.
    """
    count = 0
    choices = tree.get("choices") if type(tree) is dict else None
    if type(choices) is not list:
        return
    for choice in choices:
        delta = choice.get("delta") if type(choice) is dict else None
        if type(delta) is not dict:
            continue
        annotations = delta.get("annotations")
        if type(annotations) is list:
            for i, item in enumerate(annotations):
                if type(item) is dict and item.get("type") not in _KNOWN_ANNOTATIONS:
                    count += 1
                    if count > _MAX_UNKNOWNS:
                        raise _TooManyUnknowns
                    annotations[i] = {"type": UNKNOWN_TAG, "data": item}
        calls = delta.get("tool_calls")
        if type(calls) is list:
            for call in calls:
                if type(call) is not dict or not _unknown_call(call):
                    continue
                count += 1
                if count > _MAX_UNKNOWNS:
                    raise _TooManyUnknowns
                extra = {k: v for k, v in call.items() if k not in _CALL_KEYS}
                for key in list(call):
                    if key not in _CALL_KEYS:
                        del call[key]
                call[UNKNOWN_FIELDS] = extra


def _unknown_call(call: dict[str, Any]) -> bool:
    kind = call.get("type")
    if kind is not None and kind not in _KNOWN_CALLS:
        return True
    return "function" not in call and "custom" not in call and "id" not in call
