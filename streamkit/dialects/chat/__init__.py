"""The OpenAI Chat Completions stream: typed chunks and events, their decoder, and the fold.

``decode_event(name, data)`` turns one SSE event into a
:class:`ChatCompletionChunkEvent`, :class:`ErrorEvent` or :class:`Done` (or an
:class:`UnknownEvent` for an event name it does not know); an
:class:`Accumulator` folds them into a :class:`ChatCompletion`::

    import msgspec
    import streamkit
    from streamkit.dialects import chat

    acc = chat.Accumulator()
    for event in streamkit.iter_events(byte_chunks, dialect="chat"):
        acc.feed(event)
    completion = acc.result                  # a chat.ChatCompletion
    msgspec.to_builtins(completion)          # shaped like the non-streaming API's JSON
"""

from typing import get_args

from streamkit.dialects._registry import Dialect

from . import _face, _transcript
from ._decode import EVENT_NAMES, decode_event, looks_like_chat
from ._fold import MAX_INDEX, MERGE, Accumulator
from ._schema import (
    Annotation,
    AudioDelta,
    ChatCompletion,
    ChatCompletionAudio,
    ChatCompletionChunk,
    ChatCompletionChunkEvent,
    ChatCompletionMessage,
    ChatStreamEvent,
    Choice,
    ChoiceDelta,
    ChoiceLogprobs,
    ChunkChoice,
    CompletionTokensDetails,
    CompletionUsage,
    Custom,
    CustomDelta,
    CustomToolCall,
    Done,
    ErrorEvent,
    ErrorObject,
    Function,
    FunctionCall,
    FunctionCallDelta,
    FunctionToolCall,
    InvalidEvent,
    PromptTokensDetails,
    TokenLogprob,
    ToolCall,
    ToolCallDelta,
    TopLogprob,
    Unknown,
    UnknownEvent,
    URLCitation,
    URLCitationAnnotation,
    XGroq,
)

DIALECT: Dialect[ChatStreamEvent] = Dialect(
    name="chat",
    decode=decode_event,
    accumulator=Accumulator,
    events=get_args(ChatStreamEvent),
    encode=_face.encode,
    kind=_face.kind,
    deltas=_face.deltas,
    is_answer=_face.is_answer,
    detect=looks_like_chat,
    transcript=_transcript.ChatTranscript,
)
"""The Chat Completions dialect, as the stream layer and the registry know it."""

__all__ = (
    "DIALECT",
    "EVENT_NAMES",
    "MAX_INDEX",
    "MERGE",
    "Accumulator",
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
    "decode_event",
    "looks_like_chat",
)
