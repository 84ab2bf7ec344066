"""The pure-Python SSE tokenizer: ``streamkit.SSEDecoder`` where no compiled one is in use.

``streamkit/_sse.py`` chooses between this decoder and the compiled port of
it (``_csse.c``, the same algorithm line for line); both make the
:class:`SSEEvent` defined here.  It is always importable, as
``streamkit._sse.PySSEDecoder``.

Theory of operation
-------------------

``SSEDecoder.feed`` parses each received chunk where it lies; between chunks
it keeps only ``_tail``, the unparsed start of the current block (an
unfinished line, and maybe whole lines before it).

Every search for a line end looks only at bytes it has not looked at before:
a tail is extended, never rescanned, because a line end can only come from the
new chunk.  Feeding a long event one byte at a time therefore costs linear
time (one ``bytearray`` append per byte).

Two loops walk the lines of a chunk.  ``_lines_lf`` is the fast path for the
usual case, a chunk with no CR in it: between events it takes a whole
``event: NAME`` / ``data: VALUE`` block in one step, and otherwise one
``find(b"\\n")`` per line.  ``_lines_any`` handles CR and CRLF too,
remembering the next CR and the next LF so that neither is searched for
twice.  A CR that ends a chunk ends its line at once; an LF that then opens
the next chunk is skipped (``_skip_lf``).

Small chunks split nearly every block.  So a block that the chunk does not
finish is *deferred*: its lines stay unparsed in the tail, and the chunk that
ends it is joined to it once and parsed by the fast path (``_resume``).  Only
a ``retry`` line has an effect before its block ends, so a block holding one
is parsed at once; deferred bytes are bounded by ``_defer_limit``, and
``close`` parses whatever is still deferred.

Field values are never decoded per line.  A ``data`` value is kept as a
``memoryview`` of the chunk (chunks are copied to ``bytes`` on entry when they
are mutable, so the view can never change under the caller); several data
lines are joined once, at dispatch.  Before ``feed`` returns, data still held
for an unfinished event is copied out of the chunk, so a long-lived event does
not pin every chunk it touched.  Event names are decoded through a small cache.

The rules are those of the WHATWG HTML standard, section "Server-sent events",
"Interpreting an event stream".  Where the standard decodes the whole stream
as UTF-8 first, this decoder works on bytes and decodes each value on its
own; since every byte the parser looks for is ASCII, the two agree.
"""

from __future__ import annotations

from typing import ClassVar, Final, Literal, NoReturn

from ._errors import EventTooLarge, StreamError, excerpt

__all__ = ("DEFAULT_MAX_EVENT_SIZE", "Buffer", "SSEDecoder", "SSEEvent", "as_bytes")

DEFAULT_MAX_EVENT_SIZE: Final = 16 * 1024 * 1024
"""Bytes one unfinished event may hold before :class:`SSEDecoder` gives up (16 MiB)."""

_BOM: Final = b"\xef\xbb\xbf"
_LF: Final = 10
_COLON: Final = 58
_SPACE: Final = 32
_NAME_CACHE_SIZE: Final = 256
_NAME_CACHE_MAX_LEN: Final = 128  # longer names are decoded each time, never kept
_DEFER_LIMIT: Final = 64 * 1024

Buffer = bytes | bytearray | memoryview


def as_bytes(chunk: object) -> bytes:
    """*chunk* as immutable ``bytes``: any bytes-like object, else :class:`TypeError`.

    An object with ``__bytes__`` says how; a ``str`` (which has no one
    encoding) and an ``int`` (``bytes(5)`` would make five NULs of it) are
    refused, as is anything else.
    """
    if isinstance(chunk, (bytearray, memoryview)):
        return bytes(chunk)
    if not isinstance(chunk, (str, int)):
        if hasattr(type(chunk), "__bytes__"):
            return bytes(chunk)  # type: ignore[call-overload,no-any-return]  # it says how
        try:
            return bytes(memoryview(chunk))  # type: ignore[arg-type]  # any other buffer
        except TypeError:
            pass
    raise TypeError(
        f"a chunk must be bytes-like (bytes, bytearray, memoryview), not {type(chunk).__name__}"
    )


class SSEEvent:
    """One dispatched event.

    ``event`` is the event type (``"message"`` when the stream named none),
    ``data`` the data buffer as raw bytes (lines joined by LF, final LF
    removed), ``text`` the same decoded as UTF-8 with invalid bytes replaced
    by U+FFFD, ``id`` the last event ID in force when the event was dispatched
    (``""`` when none), and ``retry`` the reconnection time set by a valid
    ``retry`` field inside this event's lines (``None`` when it had none; the
    value in force is :attr:`SSEDecoder.retry`).

    ``offset`` is the position in the stream of the first byte of the event's
    first line (``None`` for an event not made by a decoder).

    ``view`` gives the data without a copy: it may be a ``memoryview`` of the
    chunk the event arrived in.  Events compare equal when ``event``,
    ``data``, ``id`` and ``retry`` do; ``offset`` says where, not what.
    """

    __slots__ = ("_data", "event", "id", "offset", "retry")

    def __init__(
        self,
        event: str = "message",
        data: bytes | memoryview = b"",
        id: str = "",
        retry: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.event = event
        self._data = data
        self.id = id
        self.retry = retry
        self.offset = offset

    @property
    def data(self) -> bytes:
        data = self._data
        if type(data) is not bytes:
            data = self._data = bytes(data)
        return data

    @property
    def view(self) -> bytes | memoryview:
        """The data buffer as a read-only bytes-like object, without copying."""
        return self._data

    @property
    def text(self) -> str:
        return str(self._data, "utf-8", "replace")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SSEEvent):
            return NotImplemented
        return (
            self.event == other.event
            and self.id == other.id
            and self.retry == other.retry
            and self._data == other._data
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [f"event={self.event!r}", f"data={self.data!r}"]
        if self.id:
            parts.append(f"id={self.id!r}")
        if self.retry is not None:
            parts.append(f"retry={self.retry!r}")
        return f"SSEEvent({', '.join(parts)})"


class SSEDecoder:
    """Incremental, sans-IO decoder of a ``text/event-stream`` body.

    Feed it the body's bytes in chunks of any size with :meth:`feed`, which
    returns the events those bytes completed; call :meth:`close` at the end of
    the body.  It does no IO and keeps only the unfinished part of the current
    event between calls.

    ``max_event_size`` bounds the bytes held for one unfinished event (its
    data so far plus its unterminated line).  Past it :meth:`feed` raises
    :class:`~streamkit.EventTooLarge`.  After any error, and after
    :meth:`close`, the decoder refuses further input.

    ``SSEDecoder.implementation`` is ``"c"`` for the compiled decoder and
    ``"python"`` for this one; they behave the same.
    """

    implementation: ClassVar[Literal["c", "python"]] = "python"

    __slots__ = (
        "_at_start",
        "_block_start",
        "_closed",
        "_data",
        "_data_size",
        "_defer_limit",
        "_deferred",
        "_event",
        "_id_buffer",
        "_in_event",
        "_max",
        "_names",
        "_offset",
        "_pending",
        "_refusal",
        "_retry",
        "_room",
        "_same",
        "_skip_lf",
        "_start",
        "_tail",
        "last_event_id",
        "retry",
        "truncated",
    )

    def __init__(self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError("max_event_size must be positive")
        self._max = max_event_size
        #: The last event ID string: updated at every blank line.
        self.last_event_id = ""
        #: The reconnection time in milliseconds from the last valid ``retry`` field.
        self.retry: int | None = None
        #: Set by :meth:`close` when the body ended inside an event or a line.
        self.truncated = False
        self._id_buffer = ""
        self._event: str | None = None
        # The data buffer: None while empty, one value, or a list of values.
        self._data: memoryview | bytes | list[memoryview | bytes] | None = None
        self._data_size = 0
        self._retry: int | None = None
        self._in_event = False
        self._block_start = 0  # stream offset of the first line of the pending event
        self._tail = bytearray()
        # The tail holds whole lines too: the start of a block, not parsed yet.
        self._deferred = False
        self._defer_limit = min(_DEFER_LIMIT, max_event_size)
        # How long the tail may grow on the fast path before the slow one checks it.
        self._room = max_event_size
        self._skip_lf = False
        self._at_start = True
        self._start = b""  # what came so far, while it may be the start of a BOM
        self._offset = 0
        # Why feed() refuses input (after close() or an error), or None.
        self._refusal: str | None = None
        self._closed = False
        # An error met after some events of the same chunk: raised by the next call.
        self._pending: StreamError | None = None
        # An empty name means "message"; caching that keeps the fast path simple.
        self._names: dict[bytes, str] = {b"": "message", b"message": "message"}
        # The last ``event`` line the fast path took, and its name.
        self._same = (b"event: \n", "message")

    @property
    def offset(self) -> int:
        """Bytes received so far."""
        return self._offset

    def feed(self, chunk: Buffer) -> list[SSEEvent]:
        """Parse the next chunk of the body; return the events it completed.

        When a chunk completes some events and then meets an error, the events
        are returned and the error is raised by the next call to :meth:`feed`
        or :meth:`close`, so that nothing before an error is lost.
        """
        if self._refusal is not None:
            self._refuse()
        if type(chunk) is not bytes:
            chunk = as_bytes(chunk)
        base = self._offset
        self._offset = base + len(chunk)
        events: list[SSEEvent] = []
        try:
            tail = self._tail
            if tail and chunk.find(b"\r") < 0:
                # The paths for small chunks: the middle of a line, or the end
                # of a deferred block.
                if chunk.find(b"\n") < 0:
                    if len(tail) + len(chunk) <= self._room:
                        tail += chunk
                        return []
                else:
                    pos = self._resume(chunk, events, base)
                    if pos >= 0:
                        self._feed(chunk, pos, base, events)
                    return events
            if not chunk:
                return []
            if self._at_start:
                base, chunk = self._strip_bom(chunk)
                if not chunk:
                    return []
            self._feed(chunk, 0, base, events)
        except StreamError as exc:
            self._refusal = f"decoder refuses input after an earlier error: {exc}"
            if not events:
                raise
            self._pending = exc
        return events

    def close(self) -> list[SSEEvent]:
        """End the body.

        Per the standard an event not yet ended by a blank line is discarded,
        so this returns no event; :attr:`truncated` then tells whether bytes
        of an unfinished event or line were dropped.  An error that the last
        :meth:`feed` held back (see there) is raised here.
        """
        if self._refusal is not None:
            self._raise_pending()
            return []
        self._refusal = "decoder refuses input after close()"
        self._closed = True
        if self._deferred:
            self._flush([], self._offset)  # no event: deferred bytes hold no blank line
        self.truncated = bool(self._tail or self._start) or self._in_event
        self._tail = bytearray()
        self._data = None
        return []

    def _raise_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            raise pending

    def _refuse(self) -> NoReturn:
        """Refuse input: the error held back, else why the decoder takes no more."""
        self._raise_pending()
        if self._closed:
            raise RuntimeError("feed() after close(): the decoder takes no more input")
        raise StreamError(self._refusal or "", offset=self._offset)

    # -- parsing ----------------------------------------------------------------

    def _strip_bom(self, chunk: bytes) -> tuple[int, bytes]:
        """Drop one UTF-8 BOM at the start of the stream, even when split.

        Returns the stream offset of what remains and what remains; while the
        bytes so far could still be the start of a BOM, they wait in ``_start``.
        """
        held = self._start + chunk
        if len(held) < len(_BOM) and _BOM.startswith(held):
            self._start = held
            return self._offset, b""
        self._at_start = False
        self._start = b""
        base = self._offset - len(held)
        if held.startswith(_BOM):
            return base + len(_BOM), held[len(_BOM) :]
        return base, held

    def _feed(self, chunk: bytes, pos: int, base: int, events: list[SSEEvent]) -> None:
        """Parse ``chunk[pos:]``, in any state: the general path."""
        end = len(chunk)
        if self._skip_lf:
            self._skip_lf = False
            if chunk[pos] == _LF:
                pos += 1
                if pos == end:
                    return
        if self._tail:
            if self._deferred:
                self._flush(events, base + pos)
            if self._tail:
                pos = self._finish_tail(chunk, pos, base, events)
                if pos < 0:
                    return
        if chunk.find(b"\r", pos) < 0:
            pos = self._lines_lf(chunk, pos, events, base, defer=True)
        else:
            pos = self._lines_any(chunk, pos, events, base)
        if pos < end:
            self._tail += memoryview(chunk)[pos:]
        self._detach(base + pos)

    def _resume(self, chunk: bytes, events: list[SSEEvent], base: int) -> int:
        """Continue the tail with *chunk*, which has an LF but no CR.

        The tail holds the unparsed start of a block: an unfinished line, and
        when ``_deferred`` whole lines before it.  If *chunk* ends the block,
        the block is joined once and parsed; otherwise its lines are deferred
        too, unless they may hold a ``retry`` field or would outgrow
        ``_defer_limit``, in which case the tail is parsed now.

        Returns where the general path must resume parsing *chunk*, or -1
        when the whole chunk was dealt with.
        """
        tail = self._tail
        limit = self._defer_limit
        if chunk.find(b"y", 0, 4) >= 0 and _retry_across(tail, chunk):
            self._flush(events, base)  # a retry line began in the tail: it takes effect now
            return 0
        if chunk[0] == _LF and tail[-1] == _LF:
            split = 1
        else:
            split = chunk.find(b"\n\n") + 2
            if split == 1:
                # More lines of the block, but not its end.  Data already parsed
                # counts against the bound too: the deferred lines may add to it.
                room = limit - self._data_size
                if len(tail) + len(chunk) <= room and chunk.find(b"retry") < 0:
                    tail += chunk
                    self._deferred = True
                    self._room = room
                    return -1
                self._flush(events, base)
                return 0
        block = b"".join((tail, chunk[:split]))
        start = base - len(tail)
        tail.clear()
        # The block is whole: try the usual shape before the general path.
        line, name = self._same
        n = len(line)
        last = len(block) - 2
        if self._in_event:
            self._lines_lf(block, 0, events, start, defer=False)
        elif (
            block.startswith(line)
            and block.startswith(b"data: ", n)
            and block.find(b"\n", n + 6) == last
        ):
            events.append(
                SSEEvent(name, memoryview(block)[n + 6 : last], self.last_event_id, None, start)
            )
        elif block.startswith(b"data: ") and block.find(b"\n", 6) == last:
            events.append(
                SSEEvent("message", memoryview(block)[6:last], self.last_event_id, None, start)
            )
        else:
            self._lines_lf(block, 0, events, start, defer=False)
        end = len(chunk)
        if split == end:
            self._deferred = False
            self._room = self._max
            return -1
        if (
            end - split <= limit
            and chunk.find(b"\n\n", split) < 0
            and chunk.find(b"retry", split) < 0
        ):
            tail += chunk[split:]
            self._deferred = True
            self._room = limit
            return -1
        self._deferred = False
        return split

    def _flush(self, events: list[SSEEvent], end: int) -> None:
        """Parse the lines deferred in the tail, which ends at stream offset *end*.

        Only an unfinished line stays in the tail.
        """
        block = bytes(self._tail)
        self._tail.clear()
        self._deferred = False
        rest = self._lines_lf(block, 0, events, end - len(block), defer=False)
        self._tail += memoryview(block)[rest:]

    def _finish_tail(self, chunk: bytes, pos: int, base: int, events: list[SSEEvent]) -> int:
        """Complete the line held in ``_tail``; return where parsing resumes, -1 if not yet."""
        lf = chunk.find(b"\n", pos)
        cr = chunk.find(b"\r", pos, lf if lf >= 0 else len(chunk))
        eol = cr if cr >= 0 else lf
        if eol < 0:
            self._tail += memoryview(chunk)[pos:]
            self._detach(base + len(chunk))
            return -1
        start = base + pos - len(self._tail)
        self._tail += memoryview(chunk)[pos:eol]
        line = bytes(self._tail)
        self._tail.clear()
        self._line(line, 0, len(line), events, start)
        if eol == cr:
            if eol + 1 == len(chunk):
                self._skip_lf = True
            elif chunk[eol + 1] == _LF:
                return eol + 2
        return eol + 1

    def _lines_lf(
        self, chunk: bytes, pos: int, events: list[SSEEvent], base: int, *, defer: bool
    ) -> int:
        """The fast path: lines ended by LF only.  Returns the start of the unfinished line.

        Between events (no field pending), a whole block of the two shapes
        real streams send, ``event: NAME\ndata: VALUE\n\n`` and
        ``data: VALUE\n\n``, is taken in one step, and an ``event`` line
        equal to the previous one is recognised without searching or
        decoding it.  Anything else goes line by line through :meth:`_line`,
        which implements every rule.

        With *defer*, a block that the chunk does not finish is left unparsed
        when nothing is pending: the caller keeps it in the tail and the next
        chunk that finishes it is joined to it and parsed by the fast path
        again.  Only a ``retry`` line has an effect before its block ends, so
        blocks holding one are not deferred; deferred bytes are bounded by
        ``_defer_limit``.
        """
        find = chunk.find
        startswith = chunk.startswith
        view = memoryview(chunk)
        append = events.append
        last_id = self.last_event_id
        end = len(chunk)
        clean = not self._in_event
        same_line, same_name = self._same
        term = -1  # the next blank line (end if none) once looked for
        while True:
            if clean:
                # No field is pending, so the last event ID buffer equals the
                # string and the blank line that ends the block changes neither.
                if startswith(same_line, pos):
                    name = same_name
                    nxt = pos + len(same_line)
                elif startswith(b"event: ", pos):
                    nxt = find(b"\n", pos) + 1
                    if not nxt:
                        break
                    raw = chunk[pos + 7 : nxt - 1]
                    name = self._names.get(raw) or self._name(raw)
                    same_line, same_name = chunk[pos:nxt], name
                else:
                    name = "message"
                    nxt = pos
                if startswith(b"data: ", nxt):
                    eol = find(b"\n", nxt + 6)
                    if 0 < eol < end - 1 and chunk[eol + 1] == _LF:
                        append(SSEEvent(name, view[nxt + 6 : eol], last_id, None, base + pos))
                        pos = eol + 2
                        continue
            eol = find(b"\n", pos)
            if eol < 0:
                break
            if clean and defer and eol > pos:
                if term < eol:
                    term = find(b"\n\n", eol)
                    if term < 0:
                        term = end
                if term == end:
                    defer = False  # whatever happens, decided for this chunk
                    if end - pos <= self._defer_limit and find(b"retry", pos) < 0:
                        self._deferred = True
                        break
            if eol == pos:
                self._dispatch(events)
                last_id = self.last_event_id
            else:
                self._line(chunk, pos, eol, events, base)
            clean = not self._in_event
            pos = eol + 1
        self._same = (same_line, same_name)
        return pos

    def _lines_any(self, chunk: bytes, pos: int, events: list[SSEEvent], base: int) -> int:
        """Lines ended by CRLF, LF or CR.  Returns the start of the unfinished line."""
        end = len(chunk)
        cr = chunk.find(b"\r", pos)
        lf = chunk.find(b"\n", pos)
        while cr >= 0 or lf >= 0:
            if cr >= 0 and (lf < 0 or cr < lf):
                eol = cr
                if cr + 1 == end:
                    nxt = end
                    self._skip_lf = True
                elif chunk[cr + 1] == _LF:
                    nxt = cr + 2
                    lf = chunk.find(b"\n", nxt)
                else:
                    nxt = cr + 1
                cr = chunk.find(b"\r", nxt)
            else:
                eol = lf
                nxt = lf + 1
                lf = chunk.find(b"\n", nxt)
            if eol == pos:
                self._dispatch(events)
            else:
                self._line(chunk, pos, eol, events, base)
            pos = nxt
        return pos

    def _line(self, buf: bytes, start: int, end: int, events: list[SSEEvent], base: int) -> None:
        """Process one non-blank line ``buf[start:end]``; *buf* starts at stream offset *base*."""
        first = buf[start]
        if first == _COLON:
            return  # a comment
        if not self._in_event:
            self._block_start = base + start
        if first == 100 and buf.startswith(b"data", start):  # "d"
            # The overwhelmingly common line: give it the shortest path.
            vstart = start + 4
            if vstart == end:
                self._append_data(memoryview(buf)[vstart:vstart])
                return
            if buf[vstart] == _COLON:
                vstart += 1
                if vstart < end and buf[vstart] == _SPACE:
                    vstart += 1
                self._append_data(memoryview(buf)[vstart:end])
                return
        colon = buf.find(b":", start, end)
        if colon < 0:
            name = buf[start:end]
            vstart = end
        else:
            name = buf[start:colon]
            vstart = colon + 1
            if vstart < end and buf[vstart] == _SPACE:
                vstart += 1
        self._field(name, buf, vstart, end)

    def _field(self, name: bytes, buf: bytes, start: int, end: int) -> None:
        if name == b"event":
            self._in_event = True
            raw = buf[start:end]
            value = self._names.get(raw)
            self._event = value if value is not None else self._name(raw)
        elif name == b"data":
            self._append_data(memoryview(buf)[start:end])
        elif name == b"id":
            self._in_event = True
            raw = buf[start:end]
            if b"\0" not in raw:
                self._id_buffer = str(raw, "utf-8", "replace")
        elif name == b"retry":
            self._in_event = True
            raw = buf[start:end]
            if raw.isdigit():  # bytes.isdigit() accepts ASCII digits only
                try:
                    value_ms = int(raw)
                except ValueError:  # longer than int() accepts from text
                    return
                self.retry = self._retry = value_ms
        else:
            self._in_event = True  # an unknown field: ignored, but inside an event

    def _name(self, raw: bytes) -> str:
        """Decode an event name, remembering the first few hundred seen."""
        name = str(raw, "utf-8", "replace")
        if len(self._names) < _NAME_CACHE_SIZE and len(raw) <= _NAME_CACHE_MAX_LEN:
            self._names[raw] = name
        return name

    def _append_data(self, value: memoryview) -> None:
        self._in_event = True
        data = self._data
        if data is None:
            self._data = value
        elif type(data) is list:
            data.append(value)
        else:
            self._data = [data, value]  # type: ignore[list-item]
        self._data_size += len(value) + 1
        if self._data_size > self._max:
            raise EventTooLarge(
                f"event data exceeds max_event_size={self._max}",
                offset=self._offset,
                excerpt=excerpt(value),
            )

    def _dispatch(self, events: list[SSEEvent]) -> None:
        """A blank line: dispatch the pending event, if it has data."""
        self.last_event_id = self._id_buffer
        data = self._data
        self._in_event = False
        if data is None:
            self._event = None
            self._retry = None
            return
        if type(data) is list:
            data = b"\n".join(data)
        events.append(
            SSEEvent(
                self._event or "message",
                data,  # type: ignore[arg-type]
                self.last_event_id,
                self._retry,
                self._block_start,
            )
        )
        self._data = None
        self._data_size = 0
        self._event = None
        self._retry = None

    def _detach(self, offset: int) -> None:
        """End of a chunk: copy pending data out of it and enforce the size bound."""
        data = self._data
        if data is not None:
            if type(data) is list:
                self._data = [bytes(part) for part in data]
            elif type(data) is memoryview:
                self._data = bytes(data)
        if len(self._tail) + self._data_size > self._max:
            self._too_large(offset)
        self._room = self._defer_limit if self._deferred else self._max - self._data_size

    def _too_large(self, offset: int) -> None:
        exc = EventTooLarge(
            f"unfinished event exceeds max_event_size={self._max}",
            offset=offset,
            excerpt=excerpt(self._tail),
        )
        self._refusal = f"decoder refuses input after an earlier error: {exc}"
        raise exc


def _retry_across(tail: bytearray, chunk: bytes) -> bool:
    """Whether ``b"retry"`` straddles the end of *tail* and the start of *chunk*.

    Only a chunk with a "y" in its first four bytes can complete it, which
    callers check first.
    """
    return b"retry" in bytes(tail[-4:]) + chunk[:4]
