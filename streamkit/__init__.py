"""streamkit: fast, exact processing and replay of LLM Server-Sent-Events streams."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._async import aiter_events as aiter_events
from ._errors import (
    DecodeError as DecodeError,
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
from ._ndjson import NDJSONDecoder as NDJSONDecoder, NDJSONLine as NDJSONLine
from ._sse import (
    DEFAULT_MAX_EVENT_SIZE as DEFAULT_MAX_EVENT_SIZE,
    SSEDecoder as SSEDecoder,
    SSEEvent as SSEEvent,
    encode_event as encode_event,
)
from ._sync import iter_events as iter_events
from .recording import Recorder as Recorder, Replayer as Replayer

if TYPE_CHECKING:
    from .dialects import (
        anthropic as anthropic,
        assistants as assistants,
        chat as chat,
        responses as responses,
    )

__all__ = (
    "DEFAULT_MAX_EVENT_SIZE",
    "DecodeError",
    "EventStreamDecoder",
    "EventStreamMessage",
    "EventTooLarge",
    "FoldError",
    "FrameError",
    "NDJSONDecoder",
    "NDJSONLine",
    "Recorder",
    "RecordingError",
    "Replayer",
    "SSEDecoder",
    "SSEEvent",
    "StreamError",
    "StreamStalled",
    "aiter_events",
    "anthropic",
    "assistants",
    "chat",
    "encode_event",
    "encode_message",
    "iter_events",
    "responses",
)

# Dialect namespaces are imported when first used: ``streamkit.assistants``.
_DIALECTS = ("anthropic", "assistants", "chat", "responses")


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
    if getattr(_obj, "__module__", "").startswith("streamkit._"):
        _obj.__module__ = "streamkit"
del _name, _obj
