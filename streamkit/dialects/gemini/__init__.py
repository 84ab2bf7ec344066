"""Google Gemini ``streamGenerateContent`` (Gemini API and Vertex AI): typed chunks, the fold.

Both forms of the stream read the same: with ``alt=sse`` (what the SDKs
request) each SSE ``data:`` line is a ``GenerateContentResponse``; without
it the body is one JSON array of them, written incrementally, which the
JSON-array tokenizer reads element by element (never buffered whole).
``decode_event(name, data)`` turns one frame into a
:class:`GenerateContentResponseEvent` or an :class:`ErrorEvent` (or an
:class:`UnknownEvent` for a name it does not know); an :class:`Accumulator`
folds them into one :class:`GenerateContentResponse`::

    import msgspec
    import streamkit
    from streamkit.dialects import gemini

    acc = gemini.Accumulator()
    for event in streamkit.iter_events(byte_chunks, dialect="gemini"):
        acc.feed(event)
    response = acc.result                    # a gemini.GenerateContentResponse
    msgspec.to_builtins(response)            # shaped like generateContent's JSON
"""

from typing import get_args

from streamkit.dialects._registry import Dialect

from . import _face
from ._decode import EVENT_NAMES, KNOWN_PART_KEYS, decode_event, looks_like_gemini
from ._fold import (
    BLOCK_REASONS,
    FINISH_REASONS,
    MAX_INDEX,
    OUTCOME_OF,
    VERTEX_FINISH_REASONS,
    Accumulator,
)
from ._schema import (
    Blob,
    Candidate,
    Citation,
    CitationMetadata,
    CodeExecutionResult,
    Content,
    ErrorEvent,
    ErrorObject,
    ExecutableCode,
    FileData,
    FunctionCall,
    FunctionResponse,
    GeminiStreamEvent,
    GenerateContentResponse,
    GenerateContentResponseEvent,
    InvalidEvent,
    ModalityTokenCount,
    Part,
    PromptFeedback,
    SafetyRating,
    ToolCall,
    ToolResponse,
    UnknownEvent,
    UsageMetadata,
)

DIALECT: Dialect[GeminiStreamEvent] = Dialect(
    name="gemini",
    decode=decode_event,
    accumulator=Accumulator,
    events=get_args(GeminiStreamEvent),
    encode=_face.encode,
    kind=_face.kind,
    deltas=_face.deltas,
    delta_reader=_face.DeltaReader,
    is_answer=_face.is_answer,
    detect=looks_like_gemini,
    framing=("sse", "jsonarray"),
)
"""The Gemini dialect, as the stream layer and the registry know it: two framings, one decoder."""

__all__ = (
    "BLOCK_REASONS",
    "DIALECT",
    "EVENT_NAMES",
    "FINISH_REASONS",
    "KNOWN_PART_KEYS",
    "MAX_INDEX",
    "OUTCOME_OF",
    "VERTEX_FINISH_REASONS",
    "Accumulator",
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
    "decode_event",
    "looks_like_gemini",
)
