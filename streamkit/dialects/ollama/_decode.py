"""The decoder of the Ollama dialect: one NDJSON line in, one typed event out.

NDJSON names no events (every frame is ``message``), so a line's keys say
what it is:

* ``message`` → :class:`ChatChunkEvent` (an ``/api/chat`` line);
* ``response`` → :class:`GenerateChunkEvent` (an ``/api/generate`` line);
* ``done`` with neither → :class:`ChatChunkEvent` (the last ``/api/chat``
  line of early-2024 servers, which had no ``message``; ``/api/generate``
  lines always carry ``response``);
* a non-empty ``error`` → :class:`ErrorEvent`, not a decode error;
* any other JSON object (``/api/pull`` progress, say) → an
  :class:`UnknownEvent`, kept raw;
* anything else (not JSON, not an object, a known key of the wrong type,
  ``model`` or ``created_at`` missing from a chunk) →
  :class:`~streamkit.DecodeError` with the JSON path.

:func:`decode_event` is the hot loop: an ``/api/chat`` line is one typed
msgspec decode straight from the caller's buffer (a ``memoryview`` is not
copied) and one wrap.  An ``/api/generate`` line is decoded a second time,
as a :class:`GenerateChunk`, once the first decode found no ``message``.
Only the rare lines (errors, unknown objects, bad input) are looked at as
builtins, to tell them apart.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from streamkit.dialects._msgspec_errors import JSON_ERRORS as _JSON_ERRORS
from streamkit.dialects._unknowns import error as _error

from ._schema import (
    ChatChunk,
    ChatChunkEvent,
    ErrorEvent,
    ErrorObject,
    GenerateChunk,
    GenerateChunkEvent,
    UnknownEvent,
)

__all__ = ("EVENT_NAMES", "decode_event", "looks_like_ollama")

EVENT_NAMES: frozenset[str] = frozenset({"message"})
"""The frame names the dialect decodes (the NDJSON tokenizer names every line ``message``)."""

_Buffer = bytes | bytearray | memoryview

_decode_chat = msgspec.json.Decoder(ChatChunk).decode
_decode_generate = msgspec.json.Decoder(GenerateChunk).decode
_decode_error = msgspec.json.Decoder(ErrorObject).decode
_decode_any = msgspec.json.Decoder().decode
_decode_keys = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode


def decode_event(
    name: str, data: _Buffer
) -> ChatChunkEvent | GenerateChunkEvent | ErrorEvent | UnknownEvent:
    """Decode one line of an Ollama stream into its typed event.

    Raises :class:`~streamkit.DecodeError` (with the JSON path of the
    offending value and an excerpt) for a line that is not a JSON object, or
    whose known fields do not have their types.
    """
    if name != "message":
        return UnknownEvent(name, bytes(data))
    try:
        chunk = _decode_chat(data)
    except _JSON_ERRORS as exc:
        return _not_a_chunk(name, data, exc)
    if chunk.message is not UNSET:
        return ChatChunkEvent(data=chunk)
    try:
        generated = _decode_generate(data)
    except _JSON_ERRORS as exc:  # a key the chat chunk does not know, of the wrong type
        raise _error(name, data, exc) from None
    if generated.response is not UNSET:
        return GenerateChunkEvent(data=generated)
    return _classify(name, data, chunk)


def looks_like_ollama(name: str, data: _Buffer) -> bool:
    """Whether the first line of a stream looks like an Ollama stream.

    A JSON object with ``model`` and ``created_at`` and one of ``message``,
    ``response`` or ``done``: what every ``/api/chat`` and ``/api/generate``
    line has.  No other dialect's payload has ``created_at`` beside ``model``
    at the top level (a chat chunk has ``created``).
    """
    if name != "message":
        return False
    try:
        keys = _decode_keys(data)
    except _JSON_ERRORS:
        return False
    return (
        "model" in keys
        and "created_at" in keys
        and ("message" in keys or "response" in keys or "done" in keys)
    )


def _classify(
    name: str, data: _Buffer, chunk: ChatChunk
) -> ChatChunkEvent | ErrorEvent | UnknownEvent:
    """A line with ``model`` and ``created_at`` but no ``message`` or ``response``."""
    tree = _decode_any(data)
    if _is_error(tree):
        return _error_event(name, data)
    if "done" in tree:
        return ChatChunkEvent(data=chunk)  # an early /api/chat last line
    return UnknownEvent(name, bytes(data))


def _not_a_chunk(
    name: str, data: _Buffer, exc: Exception
) -> ChatChunkEvent | GenerateChunkEvent | ErrorEvent | UnknownEvent:
    """A line the fast decode refused: an error line, another object, or bad input."""
    if not isinstance(exc, msgspec.ValidationError):  # not JSON at all
        raise _error(name, data, exc) from None
    try:
        tree = _decode_any(data)
    except _JSON_ERRORS as again:  # refused as the wrong type before the JSON was read whole
        raise _error(name, data, again) from None
    if type(tree) is not dict:
        raise _error(name, data, exc) from None
    if _is_error(tree):
        return _error_event(name, data)
    if "message" in tree or "done" in tree:
        raise _error(name, data, exc) from None  # a chat chunk, broken
    if "response" in tree:
        try:
            return GenerateChunkEvent(data=_decode_generate(data))
        except _JSON_ERRORS as again:
            raise _error(name, data, again) from None
    return UnknownEvent(name, bytes(data))


def _is_error(tree: dict[str, Any]) -> bool:
    """Whether a line is an error: an ``error`` that says something, and no message or text.

    The line Ollama writes is ``{"error": "..."}``; a ``null`` or empty
    ``error`` is no error (the official client ignores it too).
    """
    return bool(tree.get("error")) and "message" not in tree and "response" not in tree


def _error_event(name: str, data: _Buffer) -> ErrorEvent:
    try:
        return ErrorEvent(data=_decode_error(data))
    except _JSON_ERRORS as exc:
        raise _error(name, data, exc) from None
