"""Dialects: the typed events of one streaming API each (``streamkit.dialects.<name>``).

:func:`get` finds a dialect by name, :func:`names` lists them, and
:func:`register` adds one of your own.
"""

from ._events import InvalidEvent, UnknownEvent
from ._registry import Dialect, DialectName, get, names, register

__all__ = ("Dialect", "DialectName", "InvalidEvent", "UnknownEvent", "get", "names", "register")
