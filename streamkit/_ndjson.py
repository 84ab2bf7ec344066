"""The wire layer: a sans-IO tokenizer of newline-delimited JSON (Ollama's streams).

A body is one JSON value per line.  A line ends with LF or CRLF; the line
end is not part of the line.  Lines holding only JSON whitespace (space, tab,
CR) are skipped, as NDJSON readers do.  The tokenizer does not parse JSON:
each line goes to the dialect's JSON decoder as it is.

Theory of operation
-------------------

``NDJSONDecoder.feed`` finds line ends with ``bytes.find(b"\\n")`` over the
received chunk and hands each line on as a ``memoryview`` slice of it: no
copy, no ``str``.  Between chunks it keeps only ``_tail``, the start of the
unfinished line.  A chunk that does not end that line is searched once and
appended; the chunk that ends it is joined to it once, straight into the
line's ``bytes``.  So every byte is searched once, whatever the chunking,
and a line fed one byte at a time costs one append per byte.  A chunk that is
exactly one line, the usual chunk of an Ollama stream, takes a short path.

The final line of a body may lack its newline (servers do omit it):
:meth:`NDJSONDecoder.close` delivers it and sets ``truncated``, which says
only that the body did not end with a line end; whether the line is whole is
for the JSON decoder to say.

A line longer than ``max_event_size`` (line end excluded) is
:class:`~streamkit.EventTooLarge`, decided as soon as that many bytes of it are
in, before the rest of it is held, and the same in any chunking.
"""

from __future__ import annotations

from typing import ClassVar, Final

from ._errors import EventTooLarge, StreamError, excerpt

__all__ = ("NDJSONDecoder", "NDJSONLine")

DEFAULT_MAX_EVENT_SIZE: Final = 16 * 1024 * 1024
"""The longest line a decoder accepts by default (16 MiB)."""

Buffer = bytes | bytearray | memoryview

_CR: Final = 13
_SPACE: Final = frozenset(b" \t\r")
_WHITESPACE: Final = b" \t\r"
_EXCERPT: Final = 60
_SMALL: Final = 4096  # a rest of a chunk this short is copied into the tail, not viewed


class NDJSONLine:
    """One line of an NDJSON body: a JSON value, not parsed.

    ``data`` is the line as ``bytes`` (without its line end), ``view`` the
    same without a copy: a ``memoryview`` of the chunk when the line lay
    wholly inside one.  ``event`` is always ``"message"`` (NDJSON names no
    events; the dialect tells them apart by their JSON).  ``offset`` is the
    stream position of the line's first byte (``None`` for a line not made by
    a decoder).  Lines compare equal when their data do.
    """

    __slots__ = ("offset", "view")

    event: ClassVar[str] = "message"

    offset: int | None
    #: The line as a read-only bytes-like object, without copying.
    view: bytes | memoryview

    def __init__(self, data: Buffer = b"", offset: int | None = None) -> None:
        self.view = bytes(data)
        self.offset = offset

    @property
    def data(self) -> bytes:
        data = self.view
        if type(data) is not bytes:
            data = self.view = bytes(data)
        return data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, NDJSONLine):
            return NotImplemented
        return self.view == other.view

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"NDJSONLine(data={self.data!r})"


_new = object.__new__


class NDJSONDecoder:
    """Incremental, sans-IO tokenizer of a newline-delimited JSON body.

    Feed it the body's bytes in chunks of any size with :meth:`feed`, which
    returns the lines those bytes completed; call :meth:`close` at the end of
    the body, which returns the final line if it had no newline.  It does no
    IO and keeps only the unfinished line between calls.

    A line longer than ``max_event_size`` bytes raises
    :class:`~streamkit.EventTooLarge`, naming the byte offset of its first
    byte.  After any error, and after :meth:`close`, the decoder refuses
    further input.
    """

    __slots__ = (
        "_max",
        "_offset",
        "_pending",
        "_refusal",
        "_start",
        "_tail",
        "truncated",
    )

    def __init__(self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError("max_event_size must be positive")
        self._max = max_event_size
        #: Set by :meth:`close` when the body's last line had no line end.
        self.truncated = False
        self._tail = bytearray()  # the start of the unfinished line
        self._start = 0  # its stream offset
        self._offset = 0
        # Why feed() refuses input (after close() or an error), or None.
        self._refusal: str | None = None
        # An error met after some lines of the same chunk: raised by the next call.
        self._pending: StreamError | None = None

    @property
    def offset(self) -> int:
        """Bytes received so far."""
        tail = self._tail
        return self._start + len(tail) if tail else self._offset

    def feed(self, chunk: Buffer) -> list[NDJSONLine]:
        """Read the next chunk of the body; return the lines it completed.

        Blank lines are skipped.  When a chunk completes some lines and then
        meets an error, the lines are returned and the error is raised by the
        next call to :meth:`feed` or :meth:`close`, so that nothing before an
        error is lost.
        """
        if type(chunk) is not bytes:
            chunk = _as_bytes(chunk)
        tail = self._tail  # never holds anything once the decoder refuses input
        find = chunk.find
        lf = find(b"\n")
        lines: list[NDJSONLine] = []
        try:
            if tail:
                if lf < 0:  # the middle of a line
                    tail += chunk
                    if len(tail) > self._max:
                        self._overflow()
                    return lines
                # The chunk ends the line held in the tail: join it once.
                start = self._start
                base = start + len(tail)
                data = b"".join((tail, chunk[:lf]))
                if data[-1] == _CR:
                    data = data[:-1]
                if data:
                    if len(data) > self._max:
                        self._offset = base + len(chunk)
                        self._too_large(data, start)
                    if data[0] not in _SPACE or data.strip(_WHITESPACE):
                        line = _new(NDJSONLine)
                        line.view = data
                        line.offset = start
                        lines.append(line)
                pos = lf + 1
                lf = find(b"\n", pos)
                if lf < 0:  # and the start of the next one, at most
                    end = len(chunk)
                    if pos < end:
                        tail[:] = chunk[pos:] if end - pos <= _SMALL else memoryview(chunk)[pos:]
                        self._start = base + pos
                        if end - pos > self._max:
                            self._overflow()
                    else:
                        tail.clear()
                        self._offset = base + end
                    return lines
                tail.clear()
            elif self._refusal is not None:
                self._raise_pending()
                raise StreamError(self._refusal, offset=self._offset)
            else:
                base = self._offset
                if lf > 0 and lf == len(chunk) - 1:
                    # The usual chunk of an Ollama stream: exactly one line.
                    # (Anything unusual about it goes the general way below.)
                    stop = lf - 1 if chunk[lf - 1] == _CR else lf
                    if 0 < stop <= self._max and chunk[0] not in _SPACE:
                        line = _new(NDJSONLine)
                        line.view = memoryview(chunk)[:stop]
                        line.offset = base
                        self._offset = base + lf + 1
                        lines.append(line)
                        return lines
                pos = 0
            end = len(chunk)
            self._offset = base + end
            # The lines inside the chunk, as views of it.
            view = memoryview(chunk)
            append = lines.append
            maximum = self._max
            while lf >= 0:
                stop = lf - 1 if chunk[lf - 1] == _CR else lf  # chunk[-1] at 0: an empty line
                if stop > pos:
                    if stop - pos > maximum:
                        self._too_large(view[pos:stop], base + pos)
                    if chunk[pos] not in _SPACE or chunk[pos:stop].strip(_WHITESPACE):
                        line = _new(NDJSONLine)
                        line.view = view[pos:stop]
                        line.offset = base + pos
                        append(line)
                pos = lf + 1
                lf = find(b"\n", pos) if pos < end else -1

            if pos < end:
                tail += view[pos:]
                self._start = base + pos
                if end - pos > maximum:
                    self._overflow()
        except StreamError as exc:
            self._refusal = f"decoder refuses input after an earlier error: {exc}"
            self._tail = bytearray()
            if not lines:
                raise
            self._pending = exc
        return lines

    def skip(self, size: int) -> None:
        """Count *size* bytes of whole lines that the caller read without the decoder.

        For a reader that decodes a run of complete lines at once: between
        lines only (no unfinished line held), the bytes ending with a line end.
        """
        if self._refusal is not None:
            self._raise_pending()
            raise StreamError(self._refusal, offset=self._offset)
        if self._tail:
            raise RuntimeError("skip() between lines only: the decoder holds part of a line")
        self._offset += size

    def close(self) -> list[NDJSONLine]:
        """End the body; return its last line if it had no line end.

        :attr:`truncated` then tells whether there was such a line (anything
        but whitespace after the last line end).  An error that the last
        :meth:`feed` held back is raised here.
        """
        if self._refusal is not None:
            self._raise_pending()
            return []
        self._refusal = "decoder refuses input after close()"
        self._offset = self.offset
        tail = self._tail
        self._tail = bytearray()
        if tail and tail[-1] == _CR:
            del tail[-1]  # half a CRLF: a line end, not part of the line
        if not tail or _blank(tail):
            return []
        self.truncated = True
        line = _new(NDJSONLine)
        line.view = bytes(tail)
        line.offset = self._start
        return [line]

    def _raise_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            raise pending

    def _overflow(self) -> None:
        """The unfinished line passed ``max_event_size``: an error unless a CR ends it.

        A final CR may be the first half of a CRLF, so it is not counted yet.
        """
        tail = self._tail
        if len(tail) - (tail[-1] == _CR) > self._max:
            self._offset = self._start + len(tail)  # the tail is dropped: keep the count
            self._too_large(tail, self._start)

    def _too_large(self, line: Buffer, offset: int) -> None:
        raise EventTooLarge(
            f"line exceeds max_event_size={self._max}",
            offset=offset,
            # No more than the limit allows: what is held when this is found
            # depends on the chunking, the first max_event_size + 1 bytes do not.
            excerpt=excerpt(line, min(_EXCERPT, self._max + 1)),
        )


def _blank(data: Buffer) -> bool:
    """Whether *data* holds only JSON whitespace (CR included; LF cannot occur)."""
    return not bytes(data).strip(_WHITESPACE)


def _as_bytes(chunk: object) -> bytes:
    try:
        return bytes(memoryview(chunk))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"feed() takes a bytes-like object, not {type(chunk).__name__}") from None
