"""streamkit: fast, exact processing and replay of LLM Server-Sent-Events streams."""

from __future__ import annotations

from ._errors import (
    DecodeError as DecodeError,
)
from ._errors import (
    EventTooLarge as EventTooLarge,
)
from ._errors import (
    FoldError as FoldError,
)
from ._errors import (
    RecordingError as RecordingError,
)
from ._errors import (
    StreamError as StreamError,
)
from ._errors import (
    StreamStalled as StreamStalled,
)
from ._sse import (
    DEFAULT_MAX_EVENT_SIZE as DEFAULT_MAX_EVENT_SIZE,
)
from ._sse import (
    SSEDecoder as SSEDecoder,
)
from ._sse import (
    SSEEvent as SSEEvent,
)
from ._sse import (
    encode_event as encode_event,
)

__all__ = (
    "DEFAULT_MAX_EVENT_SIZE",
    "DecodeError",
    "EventTooLarge",
    "FoldError",
    "RecordingError",
    "SSEDecoder",
    "SSEEvent",
    "StreamError",
    "StreamStalled",
    "encode_event",
)

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("streamkit._"):
        _obj.__module__ = "streamkit"
del _name, _obj
