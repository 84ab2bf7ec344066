"""The two events every dialect shares: one it does not know, and one it could not read."""

from __future__ import annotations

import msgspec

from streamkit._errors import DecodeError

__all__ = ("InvalidEvent", "UnknownEvent")


class UnknownEvent(msgspec.Struct, frozen=True):
    """An event whose name the dialect does not know, with its raw payload.  Never an error."""

    event: str
    data: bytes


class InvalidEvent(msgspec.Struct, frozen=True):
    """An event whose payload could not be decoded, kept under ``on_error="yield"``.

    ``error`` is the :class:`~streamkit.DecodeError` saying what and where.
    It holds an exception, so encoding it with msgspec needs an ``enc_hook``.
    Fed to any dialect's fold it is a violation (``"invalid-event"``): what
    it carried is lost.
    """

    event: str
    data: bytes
    error: DecodeError
