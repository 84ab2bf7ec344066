"""The one exception tree of streamkit.

Every error streamkit raises for bad input is a :class:`StreamError`::

    ValueError
    └── StreamError            bad input somewhere in a stream; says where
        ├── EventTooLarge      one unfinished event outgrew ``max_event_size``
        ├── FrameError         a malformed frame: a bad CRC, impossible lengths, a bad header
        ├── DecodeError        a payload is not valid JSON of the expected shape
        ├── FoldError          a protocol violation, raised by a strict fold
        ├── StreamStalled      no event arrived within ``idle_timeout``
        └── RecordingError     a recording file that cannot be read

    UserWarning
    └── DialectMismatch        a stream read as one dialect looks like another

Each carries the place it happened as attributes (``None`` where a layer
cannot know it): ``ordinal`` (0-based index of the event in its stream),
``offset`` (byte offset in the stream), ``event`` (the event name) and
``excerpt`` (a short piece of the offending bytes).  ``str(error)`` names them
too, so a log line alone is enough to find the spot.
"""

from __future__ import annotations

__all__ = (
    "DecodeError",
    "DialectMismatch",
    "EventTooLarge",
    "FoldError",
    "FrameError",
    "RecordingError",
    "StreamError",
    "StreamStalled",
)

_EXCERPT = 60


def excerpt(data: bytes | bytearray | memoryview, limit: int = _EXCERPT) -> bytes:
    """The first *limit* bytes of *data*, as an immutable copy."""
    return bytes(data[:limit])


class StreamError(ValueError):
    """Bad input in a stream.  Subclasses say what kind; attributes say where."""

    def __init__(
        self,
        message: str,
        *,
        ordinal: int | None = None,
        offset: int | None = None,
        event: str | None = None,
        excerpt: bytes | None = None,
    ) -> None:
        self.message = message
        self.ordinal = ordinal
        self.offset = offset
        self.event = event
        self.excerpt = excerpt
        super().__init__(self._describe())

    def _describe(self) -> str:
        where = []
        if self.ordinal is not None:
            where.append(f"event #{self.ordinal}")
        if self.event is not None:
            where.append(f"{self.event!r}")
        if self.offset is not None:
            where.append(f"byte {self.offset}")
        text = self.message
        if where:
            text += " (at " + ", ".join(where) + ")"
        if self.excerpt is not None:
            text += f": {self.excerpt!r}"
        return text


class EventTooLarge(StreamError):
    """An event outgrew the decoder's ``max_event_size``.

    For SSE, the bytes held for one unfinished event; for the AWS event stream,
    a message's total length (known from its prelude); for NDJSON, one line.
    """


class FrameError(StreamError):
    """A frame of a binary framing is malformed: the AWS event stream's CRCs, lengths, headers.

    ``offset`` is the stream position of the frame's first byte and
    ``ordinal`` the number of frames before it.
    """


class DecodeError(StreamError):
    """A payload is malformed: invalid JSON or UTF-8, or a required field missing or ill-typed.

    ``path`` is the JSON path of the offending value (``"$"`` when the whole
    payload is unreadable).
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "$",
        ordinal: int | None = None,
        offset: int | None = None,
        event: str | None = None,
        excerpt: bytes | None = None,
    ) -> None:
        self.path = path
        super().__init__(message, ordinal=ordinal, offset=offset, event=event, excerpt=excerpt)


class FoldError(StreamError):
    """A protocol violation found while folding, raised when the fold is strict."""


class StreamStalled(StreamError):
    """No event other than keep-alives arrived within the idle timeout."""


class RecordingError(StreamError):
    """A recording that cannot be read: names the file and the line."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class DialectMismatch(UserWarning):
    """A stream is being read as a dialect that recognises none of its events.

    Warned once per stream, naming the dialect that would have claimed it;
    the stream's events all come out as ``UnknownEvent`` and a fold of them
    is empty.  Use ``dialect="auto"`` (the default), or name the right one.
    """
