"""The decoder of the Gemini dialect: one frame in, one typed event out.

Both forms of ``streamGenerateContent`` carry the same payloads: with
``alt=sse`` each ``data:`` line is one ``GenerateContentResponse`` (no
``event:`` names, no ``[DONE]``); without it, each top-level element of the
JSON array is one (the JSON-array tokenizer names every element
``message``).  So one decoder reads both:

* a ``GenerateContentResponse`` object → :class:`GenerateContentResponseEvent`;
* ``{"error": {...}}`` (how Google APIs report an error in a stream) →
  :class:`ErrorEvent`, not a decode error;
* an object with none of a response's keys (another API's payload, or one
  of a kind to come) → :class:`UnknownEvent`, so that reading another
  dialect's stream as Gemini is warned of, not folded into nothing;
* anything else → :class:`~streamkit.DecodeError` with the JSON path.

A frame under any other name (an SSE ``event:`` line Gemini never sends) is
an :class:`UnknownEvent`.

:func:`decode_event` is the hot loop: one typed msgspec decode straight from
the caller's buffer and one wrap, plus a look at each part to see that it
is of a kind the schema knows (a text part costs one attribute read).  A
part of an unknown kind sends the payload down the slow path, which decodes
it to builtins, keeps each such part whole in ``Part.unknown`` and converts
the result.  An error payload costs a second decode, only when the first
found neither candidates, usage nor prompt feedback.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from streamkit._errors import DecodeError, excerpt
from streamkit.dialects._msgspec_errors import JSON_ERRORS as _JSON_ERRORS
from streamkit.dialects._unknowns import MAX_UNKNOWNS, error as _error

from ._schema import (
    BLANK_PART,
    UNKNOWN_PART,
    ErrorEvent,
    ErrorObject,
    GenerateContentResponse,
    GenerateContentResponseEvent,
    Part,
    UnknownEvent,
)

__all__ = ("EVENT_NAMES", "KNOWN_PART_KEYS", "decode_event", "looks_like_gemini")

EVENT_NAMES: frozenset[str] = frozenset({"message"})
"""The frame names the dialect decodes (every other name is an :class:`UnknownEvent`)."""

KNOWN_PART_KEYS: frozenset[str] = frozenset(
    f.encode_name for f in msgspec.structs.fields(Part) if f.name != "unknown"
)
"""The JSON keys of a :class:`Part` the schema knows; a part with none of them is kept raw."""


class _ErrorEnvelope(msgspec.Struct, frozen=True):
    error: ErrorObject | str


_decode_response = msgspec.json.Decoder(GenerateContentResponse).decode
_decode_envelope = msgspec.json.Decoder(_ErrorEnvelope).decode
_decode_any = msgspec.json.Decoder().decode
_NOTHING = GenerateContentResponse()


def decode_event(
    name: str, data: bytes | bytearray | memoryview
) -> GenerateContentResponseEvent | ErrorEvent | UnknownEvent:
    """Decode the payload of the frame *name* into its typed event.

    Raises :class:`DecodeError` (with the JSON path of the offending value and
    an excerpt) for a ``message`` payload that is neither a response nor an
    error object.
    """
    if name != "message":
        return UnknownEvent(name, bytes(data))
    try:
        response = _decode_response(data)
    except (msgspec.ValidationError, *_JSON_ERRORS) as exc:
        error = _as_error(data) if isinstance(exc, msgspec.ValidationError) else None
        if error is not None:
            return ErrorEvent(data=error)
        raise _error(name, data, exc) from None
    candidates = response.candidates
    if candidates:
        for candidate in candidates:
            content = candidate.content
            if content is UNSET:
                continue
            parts = content.parts
            if parts:
                for part in parts:
                    if part.text is UNSET and part == BLANK_PART:
                        response = _decode_marked(name, data)
                        break
    elif response.usage_metadata is UNSET and response.prompt_feedback is UNSET:
        error = _as_error(data)
        if error is not None:
            return ErrorEvent(data=error)
        if response == _NOTHING:  # an object, but none of a response's keys: not one
            return UnknownEvent(name, bytes(data))
    return GenerateContentResponseEvent(data=response)


def looks_like_gemini(name: str, data: bytes | memoryview) -> bool:
    """Whether the first frame of a stream looks like a Gemini stream.

    A ``message`` frame whose payload has ``"candidates"``, ``"promptFeedback"``
    or ``"usageMetadata"`` (keys no other dialect's payloads use), or is a
    Google API error (``{"error": {"code": ..., "status": ...}}``).
    """
    if name != "message":
        return False
    head = bytes(data)
    if b'"candidates"' in head or b'"promptFeedback"' in head or b'"usageMetadata"' in head:
        return True
    if b'"error"' in head and b'"status"' in head:
        error = _as_error(head)
        return error is not None and error.code is not UNSET and error.status is not UNSET
    return False


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


def _decode_marked(name: str, data: bytes | bytearray | memoryview) -> GenerateContentResponse:
    """The slow path: decode to builtins, keep the parts of unknown kinds raw, convert."""
    try:
        tree = _decode_any(data)
    except _JSON_ERRORS as exc:  # pragma: no cover - the fast decode read it as JSON
        raise _error(name, data, exc) from None
    count = 0
    for candidate in tree.get("candidates") or ():
        content = candidate.get("content") if type(candidate) is dict else None
        parts = content.get("parts") if type(content) is dict else None
        if type(parts) is not list:
            continue
        for i, part in enumerate(parts):
            if type(part) is dict and not KNOWN_PART_KEYS.intersection(part):
                count += 1
                if count > MAX_UNKNOWNS:
                    message = f"more than {MAX_UNKNOWNS} parts of unknown kinds"
                    raise DecodeError(message, path="$", event=name, excerpt=excerpt(data))
                parts[i] = {UNKNOWN_PART: part}
    try:
        return msgspec.convert(tree, GenerateContentResponse)
    except (msgspec.ValidationError, RecursionError) as exc:  # pragma: no cover - as above
        raise _error(name, data, exc) from None


def unwrap_parts(tree: Any) -> Any:
    """*tree* (a response as builtins) with each kept-raw part written back as it came."""
    for candidate in tree.get("candidates") or ():
        parts = (candidate.get("content") or {}).get("parts")
        if parts:
            for i, part in enumerate(parts):
                raw = part.get(UNKNOWN_PART)
                if raw is not None:
                    parts[i] = raw
    return tree
