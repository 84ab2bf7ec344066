"""Dialects: the typed events of one streaming API each (``streamkit.dialects.<name>``).

:func:`get` finds a dialect by name, :func:`names` lists them, and
:func:`register` adds one of your own.
"""

from ._base import Dialect, get, names, register

__all__ = ("Dialect", "get", "names", "register")
