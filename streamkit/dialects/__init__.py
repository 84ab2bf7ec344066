"""Dialects: the typed events of one streaming API each (``streamkit.dialects.<name>``).

:func:`get` finds a dialect by name, :func:`names` lists them, and
:func:`register` adds one of your own.  A dialect's ``transcript()`` is a
:class:`Transcript` (by default a :class:`DefaultTranscript`).
"""

from ._events import InvalidEvent, UnknownEvent
from ._registry import Dialect, DialectName, get, names, register
from ._transcript import DefaultTranscript, Transcript

__all__ = (
    "DefaultTranscript",
    "Dialect",
    "DialectName",
    "InvalidEvent",
    "Transcript",
    "UnknownEvent",
    "get",
    "names",
    "register",
)
