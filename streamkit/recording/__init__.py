"""Record raw LLM streams exactly, and replay them: see ``docs/recording-format.md``.

:class:`Recorder` tees the chunks of a stream into a file, append-only and
crash-safe; :class:`Replayer` gives them back with their original bytes,
boundaries and (scaled) timing, optionally re-split or with faults injected.
:class:`Cassette` keeps a test's HTTP exchanges in one such file, replaying
each to the request it answers and recording new ones.
"""

from __future__ import annotations

from ._cassette import (
    DEFAULT_MATCH,
    Cassette,
    Exchange,
    Fault,
    Matcher,
    RecordedRequest,
    RecordMode,
    ReplayExhausted,
    ReplayMismatch,
)
from ._format import DEFAULT_REDACT, Header, RecordedStream, RecordingWarning
from ._record import Recorder
from ._replay import Clock, Rechunk, Replayer

__all__ = (
    "DEFAULT_MATCH",
    "DEFAULT_REDACT",
    "Cassette",
    "Clock",
    "Exchange",
    "Fault",
    "Header",
    "Matcher",
    "Rechunk",
    "RecordMode",
    "RecordedRequest",
    "RecordedStream",
    "Recorder",
    "RecordingWarning",
    "ReplayExhausted",
    "ReplayMismatch",
    "Replayer",
)

for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("streamkit.recording._"):
        _obj.__module__ = "streamkit.recording"
del _name, _obj
