"""What the command line writes: one-line messages on standard error, and JSON."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any, cast

import attrs
import msgspec

from streamkit.dialects import InvalidEvent, UnknownEvent

__all__ = (
    "JSON",
    "PROG",
    "UserError",
    "event_json",
    "plain",
    "quiet_broken_pipe",
    "say",
    "write_json",
)

PROG = "streamkit"


class UserError(Exception):
    """A mistake the user can fix: reported as one line, exit status 1."""


def say(message: str, kind: str = "error") -> None:
    """One line on standard error: ``streamkit: error: message``."""
    text = " ".join(message.split("\n"))
    sys.stderr.write(f"{PROG}: {kind}: {text}\n")
    sys.stderr.flush()


def _fallback(value: Any) -> Any:
    """msgspec ``enc_hook``: anything msgspec does not know is shown as its ``str``."""
    return str(value)


JSON = msgspec.json.Encoder(enc_hook=_fallback)
"""The encoder of every JSON document the command line prints."""


def plain(value: object) -> Any:
    """*value* as JSON-ready builtins: attrs classes via ``attrs.asdict``, the rest via msgspec."""
    if attrs.has(type(value)):
        value = attrs.asdict(cast("attrs.AttrsInstance", value), recurse=True)
    return msgspec.to_builtins(value, enc_hook=_fallback)


def _payload(data: bytes) -> Any:
    """An event's raw payload for display: its JSON value when it is JSON, else its text."""
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError:
        return data.decode("utf-8", "replace")


def event_json(event: Any) -> bytes:
    """One typed event as a JSON object: msgspec's encoding of the event Struct.

    An unknown event is ``{"event": name, "unknown": true, "data": payload}``
    and an undecodable one ``{"event": name, "invalid": true, "error": why,
    "data": payload}``, the payload being its JSON value when it parses, else
    its text.
    """
    if isinstance(event, InvalidEvent):
        obj: Any = {
            "event": event.event,
            "invalid": True,
            "error": str(event.error),
            "data": _payload(event.data),
        }
    elif isinstance(event, UnknownEvent):
        obj = {"event": event.event, "unknown": True, "data": _payload(event.data)}
    else:
        obj = event
    return JSON.encode(obj)


def write_json(document: object, *, pretty: bool = False) -> None:
    """*document* as one JSON line on standard output (indented when *pretty*)."""
    data = JSON.encode(document)
    if pretty:
        data = msgspec.json.format(data, indent=2)
    sys.stdout.buffer.write(data + b"\n")
    sys.stdout.buffer.flush()


def quiet_broken_pipe() -> None:
    """Standard output's reader went away: drop further output instead of failing again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
