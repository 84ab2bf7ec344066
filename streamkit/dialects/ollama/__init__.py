"""Ollama's native streams (``/api/chat``, ``/api/generate``): typed lines, their decoder, the fold.

``decode_event(name, line)`` turns one NDJSON line into a
:class:`ChatChunkEvent`, :class:`GenerateChunkEvent` or :class:`ErrorEvent`
(or an :class:`UnknownEvent` for a JSON object of neither endpoint); an
:class:`Accumulator` folds them into a :class:`ChatResponse` or a
:class:`GenerateResponse`::

    import msgspec
    import streamkit
    from streamkit.dialects import ollama

    acc = ollama.Accumulator()
    for event in streamkit.iter_events(byte_chunks, dialect="ollama"):
        acc.feed(event)
    response = acc.result                    # an ollama.ChatResponse
    msgspec.to_builtins(response)            # shaped like the "stream": false response
"""

from typing import get_args

from streamkit.dialects._registry import Dialect

from . import _face
from ._decode import EVENT_NAMES, decode_event, looks_like_ollama
from ._fold import Accumulator, arguments_json
from ._schema import (
    ChatChunk,
    ChatChunkEvent,
    ChatResponse,
    ChunkMessage,
    ErrorEvent,
    ErrorObject,
    GenerateChunk,
    GenerateChunkEvent,
    GenerateResponse,
    InvalidEvent,
    Logprob,
    Message,
    Metrics,
    OllamaStreamEvent,
    TokenLogprob,
    ToolCall,
    ToolCallFunction,
    UnknownEvent,
)

DIALECT: Dialect[OllamaStreamEvent] = Dialect(
    name="ollama",
    decode=decode_event,
    accumulator=Accumulator,
    events=get_args(OllamaStreamEvent),
    encode=_face.encode,
    kind=_face.kind,
    deltas=_face.deltas,
    detect=looks_like_ollama,
    framing="ndjson",
)
"""The Ollama dialect, as the stream layer and the registry know it."""

__all__ = (
    "DIALECT",
    "EVENT_NAMES",
    "Accumulator",
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
    "arguments_json",
    "decode_event",
    "looks_like_ollama",
)
