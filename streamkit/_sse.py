"""The wire layer: a sans-IO Server-Sent-Events tokenizer and its inverse.

:class:`SSEDecoder` is the compiled tokenizer (``_csse.c``) where it was
built, and the pure-Python one (``_sse_py.py``) otherwise or when the
environment sets ``STREAMKIT_PURE_PYTHON=1`` at import time.  The two are one
contract: the same events, offsets, views, state and errors for the same bytes
in the same chunks (``tests/test_sse_differential.py`` and the ``sse-diff``
fuzz target check it), and both make the same :class:`SSEEvent`.
``SSEDecoder.implementation`` says which is in use (``"c"`` or ``"python"``);
the pure one is always there as :data:`PySSEDecoder`, the compiled one (when
in use) as :data:`CSSEDecoder`.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, cast

from ._errors import EventTooLarge, StreamError, excerpt
from ._sse_py import (
    DEFAULT_MAX_EVENT_SIZE,
    Buffer,
    SSEDecoder as PySSEDecoder,
    SSEEvent,
    as_bytes,
)

__all__ = (
    "DEFAULT_MAX_EVENT_SIZE",
    "Buffer",
    "CSSEDecoder",
    "PySSEDecoder",
    "SSEDecoder",
    "SSEEvent",
    "as_bytes",
    "encode_event",
)

#: Set to anything but ``""`` or ``"0"`` to use the pure-Python decoder.
PURE_PYTHON_ENV = "STREAMKIT_PURE_PYTHON"


def _compiled() -> type[PySSEDecoder] | None:
    """The compiled decoder class; None where it was not built, or the environment says no.

    With ``STREAMKIT_PURE_PYTHON`` set the extension is not even imported.  It
    is imported by name: import-linter sees no C module, and the class is made
    here as a subclass of the extension's ``Decoder`` with the public name,
    docstring and ``implementation`` attribute.
    """
    if os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return None
    try:
        csse = importlib.import_module("streamkit._csse")
    except ImportError:
        return None
    csse.setup(SSEEvent, StreamError, EventTooLarge, excerpt)
    namespace = {
        "__slots__": (),
        "__doc__": PySSEDecoder.__doc__,
        "__module__": __name__,
        "__qualname__": "SSEDecoder",
        "implementation": "c",
    }
    return cast("type[PySSEDecoder]", type("SSEDecoder", (csse.Decoder,), namespace))


#: The compiled decoder class, or None when the pure one is in use.
CSSEDecoder = _compiled()

if TYPE_CHECKING:
    SSEDecoder = PySSEDecoder
else:
    SSEDecoder = CSSEDecoder or PySSEDecoder


def encode_event(
    *,
    event: str = "message",
    data: bytes | str = b"",
    id: str | None = None,
    retry: int | None = None,
) -> bytes:
    """Encode one event so that :class:`SSEDecoder` gives it back.

    ``data`` may hold LF, CR or CRLF: each is a line break, written as a new
    ``data`` line, and so decodes as LF (SSE has no way to carry a CR inside
    data).  ``id=None`` writes no ``id`` field, leaving the last event ID as it
    was.  Raises :class:`ValueError` for what no event stream can carry: an
    empty event name, or an event name or id containing CR, LF or NUL, or a
    negative retry.
    """
    if not event:
        raise ValueError("event name must not be empty")
    _check_token("event name", event)
    out = bytearray()
    if event != "message":
        out += b"event: " + event.encode()
        out += b"\n"
    if id is not None:
        _check_token("id", id)
        out += b"id: " + id.encode() + b"\n"
    if retry is not None:
        if retry < 0:
            raise ValueError(f"retry must be a non-negative integer, got {retry!r}")
        out += b"retry: %d\n" % retry
    if isinstance(data, str):
        data = data.encode()
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    for line in data.split(b"\n"):
        out += b"data: " + line + b"\n"
    out += b"\n"
    return bytes(out)


def _check_token(what: str, value: str) -> None:
    if "\n" in value or "\r" in value or "\0" in value:
        raise ValueError(f"{what} cannot contain CR, LF or NUL: {value!r}")
