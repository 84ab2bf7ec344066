"""streamkit: fast, exact processing, recording and replay of LLM event streams."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._async import aiter_events as aiter_events
from ._deltas import (
    adeltas as adeltas,
    atext_deltas as atext_deltas,
    deltas as deltas,
    text_deltas as text_deltas,
)
from ._encode import encode as encode
from ._errors import (
    DecodeError as DecodeError,
    DialectMismatch as DialectMismatch,
    EventTooLarge as EventTooLarge,
    FoldError as FoldError,
    FrameError as FrameError,
    RecordingError as RecordingError,
    StreamError as StreamError,
    StreamStalled as StreamStalled,
)
from ._eventstream import (
    EventStreamDecoder as EventStreamDecoder,
    EventStreamMessage as EventStreamMessage,
    encode_message as encode_message,
)
from ._jsonarray import (
    JSONArrayDecoder as JSONArrayDecoder,
    JSONArrayElement as JSONArrayElement,
)
from ._ndjson import NDJSONDecoder as NDJSONDecoder, NDJSONLine as NDJSONLine
from ._sse import (
    DEFAULT_MAX_EVENT_SIZE as DEFAULT_MAX_EVENT_SIZE,
    SSEDecoder as SSEDecoder,
    SSEEvent as SSEEvent,
    encode_event as encode_event,
)
from ._sync import iter_events as iter_events
from ._timing import Timing as Timing
from .dialects._auto import Accumulator as Accumulator
from .dialects._events import InvalidEvent as InvalidEvent, UnknownEvent as UnknownEvent
from .dialects._face import (
    Delta as Delta,
    Drift as Drift,
    Fold as Fold,
    Outcome as Outcome,
    ToolCall as ToolCall,
    Usage as Usage,
    Violation as Violation,
)
from .dialects._registry import AnyEvent as AnyEvent, DialectName as DialectName
from .recording import (
    Cassette as Cassette,
    Fault as Fault,
    Recorder as Recorder,
    Replayer as Replayer,
    ReplayExhausted as ReplayExhausted,
    ReplayMismatch as ReplayMismatch,
)

if TYPE_CHECKING:
    from .dialects import (
        anthropic as anthropic,
        assistants as assistants,
        bedrock as bedrock,
        chat as chat,
        gemini as gemini,
        ollama as ollama,
        responses as responses,
    )

__all__ = (
    "DEFAULT_MAX_EVENT_SIZE",
    "Accumulator",
    "AnyEvent",
    "Cassette",
    "DecodeError",
    "Delta",
    "DialectMismatch",
    "DialectName",
    "Drift",
    "EventStreamDecoder",
    "EventStreamMessage",
    "EventTooLarge",
    "Fault",
    "Fold",
    "FoldError",
    "FrameError",
    "InvalidEvent",
    "JSONArrayDecoder",
    "JSONArrayElement",
    "NDJSONDecoder",
    "NDJSONLine",
    "Outcome",
    "Recorder",
    "RecordingError",
    "ReplayExhausted",
    "ReplayMismatch",
    "Replayer",
    "SSEDecoder",
    "SSEEvent",
    "StreamError",
    "StreamStalled",
    "Timing",
    "ToolCall",
    "UnknownEvent",
    "Usage",
    "Violation",
    "adeltas",
    "aiter_events",
    "anthropic",
    "assistants",
    "atext_deltas",
    "bedrock",
    "chat",
    "deltas",
    "encode",
    "encode_event",
    "encode_message",
    "gemini",
    "iter_events",
    "ollama",
    "responses",
    "text_deltas",
)

# Dialect namespaces are imported when first used: ``streamkit.chat``.
_DIALECTS = ("anthropic", "assistants", "bedrock", "chat", "gemini", "ollama", "responses")


def __getattr__(name: str) -> Any:
    if name in _DIALECTS:
        module = importlib.import_module(f"streamkit.dialects.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'streamkit' has no attribute {name!r}")


for _name in __all__:
    if _name in _DIALECTS:
        continue
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("streamkit."):
        _obj.__module__ = "streamkit"
# Errors a test sees are named by their shortest public path.
ReplayMismatch.__module__ = ReplayExhausted.__module__ = "streamkit"
del _name, _obj
