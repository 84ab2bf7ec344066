"""Dialects: the typed events of one streaming API each (``streamkit.dialects.<name>``)."""

__all__ = ()
