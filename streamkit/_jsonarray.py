"""The wire layer: a sans-IO tokenizer of a JSON array written incrementally (Gemini's streams).

Without ``alt=sse``, Gemini's ``streamGenerateContent`` answers with one
JSON array whose elements (``GenerateContentResponse`` objects) are written
as they are made: ``[{...}``, then ``,\\r\\n{...}`` for each later one, then
``]``.  The tokenizer hands on each top-level element as soon as its last
byte is in, never the array whole.  It does not parse the elements: each
goes to the dialect's JSON decoder as it is, and only the array's own
syntax (its brackets, commas and whitespace) is checked here.

Theory of operation
-------------------

An element is a JSON value.  Its end is found by tracking, across chunks,
whether the scan is inside a string (and just after a backslash in one) and
how deep in brackets it is: the element ends at the bracket that brings the
depth back to zero, at the quote that ends a top-level string, or, for a
number or a literal, at the whitespace, comma or ``]`` after it.  Bracket
kinds are not matched (``{]`` closes as ``{}`` does): the JSON decoder reports
such an element, and the place it ends is the same in every chunking.

Two scanners find that end, each at C speed over the bytes it looks at:

- the element that starts in a chunk is first matched whole, in place, by one
  regular expression (:data:`_ELEMENT`: strings and brackets nested up to
  :data:`MAX_FAST_DEPTH` deep, possessive throughout, so a failed match costs
  one pass and no backtracking); the element is then a ``memoryview`` of the
  chunk: no copy before the JSON decoder;
- when it does not match (the element goes on in a later chunk, or nests
  deeper), :meth:`JSONArrayDecoder._scan` reads it from its start, jumping
  from one quote, backslash or bracket to the next with ``re.search`` and
  over a whole string body at once, and keeps its state (depth, in a string,
  after a backslash) between chunks.  Only the unfinished element is held
  (``_tail``); the chunk that finishes it is joined to it once.

Each byte is read at most once by each scanner, so the cost is linear in the
bytes in any chunking, one byte at a time included.

The array around the elements: JSON whitespace (space, tab, LF, CR) anywhere
between tokens, ``[`` first, elements separated by ``,``, ``]`` last, and
nothing but whitespace after it.  Anything else is a
:class:`~streamkit.FrameError` naming the offset of the offending byte, its
excerpt that byte: a first byte that is not ``[`` (a byte-order mark
included), a missing or doubled comma, a trailing comma, a byte that cannot
start a JSON value, data after the ``]``.  An element longer than
``max_event_size`` is :class:`~streamkit.EventTooLarge`, decided
as soon as that many bytes of it are in, in every chunking.  A body that
ends before its ``]`` sets ``truncated`` at :meth:`~JSONArrayDecoder.close`
(an unfinished element is dropped).
"""

from __future__ import annotations

import re
from typing import ClassVar, Final

from ._errors import EventTooLarge, FrameError, StreamError, excerpt

__all__ = ("JSONArrayDecoder", "JSONArrayElement")

DEFAULT_MAX_EVENT_SIZE: Final = 16 * 1024 * 1024
"""The longest element a decoder accepts by default (16 MiB)."""

MAX_FAST_DEPTH: Final = 12
"""How deep elements may nest for the one-expression match; deeper ones are scanned."""

Buffer = bytes | bytearray | memoryview

_EXCERPT: Final = 60

_STRING: Final = rb'"[^"\\]*+(?:\\.[^"\\]*+)*+"'
_OTHER: Final = rb'[^"\[\]{}]++'


def _nested(depth: int) -> bytes:
    """What may lie between an element's brackets, with brackets nested *depth* more deep."""
    inner = rb"(?:" + _OTHER + rb"|" + _STRING
    if depth:
        inner += rb"|[\[{]" + _nested(depth - 1) + rb"[\]}]"
    return inner + rb")*+"


# A whole element in place: a bracketed value nested at most MAX_FAST_DEPTH deep, or a string.
_ELEMENT: Final = re.compile(
    rb"[\[{]" + _nested(MAX_FAST_DEPTH - 1) + rb"[\]}]|" + _STRING, re.DOTALL
)
_WHITESPACE: Final = re.compile(rb"[ \t\r\n]*+")
_SPECIAL: Final = re.compile(rb'["\[\]{}]')  # what the scan stops at outside strings
_STRING_BODY: Final = re.compile(rb'[^"\\]*+(?:\\.[^"\\]*+)*+', re.DOTALL)
# A number or a literal ends at the first byte that cannot be in one (what follows
# must then be a separator, else the array is malformed there).
_SCALAR_END: Final = re.compile(rb"[^A-Za-z0-9+\-.]")

_OPEN_ARRAY: Final = 0x5B  # [
_CLOSE_ARRAY: Final = 0x5D  # ]
_COMMA: Final = 0x2C
_QUOTE: Final = 0x22
_BACKSLASH: Final = 0x5C
_CONTAINERS: Final = frozenset(b"[{")
_OPENERS: Final = frozenset(b"[{")
# The first byte of a number or a literal (true, false, null).
_SCALARS: Final = frozenset(b"-0123456789tfn")

# Where the tokenizer is in the array.
_START: Final = 0  # before the "["
_FIRST: Final = 1  # after the "[": an element or "]"
_NEXT: Final = 2  # after a ",": an element
_ELEMENT_IN: Final = 3  # inside an element that began in an earlier chunk
_AFTER: Final = 4  # after an element: "," or "]"
_END: Final = 5  # after the "]": whitespace only

_EXPECTED: Final = {
    _START: "expected '[' to open the array",
    _FIRST: "expected an element or ']'",
    _NEXT: "expected an element after ','",
    _AFTER: "expected ',' or ']' after an element",
    _END: "data after the end of the array",
}


class JSONArrayElement:
    """One top-level element of a JSON array body: a JSON value, not parsed.

    ``data`` is the element as ``bytes``, ``view`` the same without a copy: a
    ``memoryview`` of the chunk when the element lay wholly inside one.
    ``event`` is always ``"message"`` (the array names no events; the
    dialect tells elements apart by their JSON).  ``offset`` is the stream
    position of the element's first byte (``None`` for an element not made by
    a decoder).  Elements compare equal when their data do.
    """

    __slots__ = ("offset", "view")

    event: ClassVar[str] = "message"

    offset: int | None
    #: The element as a read-only bytes-like object, without copying.
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
        if not isinstance(other, JSONArrayElement):
            return NotImplemented
        return self.view == other.view

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"JSONArrayElement(data={self.data!r})"


_new = object.__new__


class JSONArrayDecoder:
    """Incremental, sans-IO tokenizer of a body that is one JSON array.

    Feed it the body's bytes in chunks of any size with :meth:`feed`, which
    returns the elements those bytes completed; call :meth:`close` at the end
    of the body.  It does no IO and keeps only the unfinished element between
    calls.

    A malformed array raises :class:`~streamkit.FrameError`, and an element
    longer than ``max_event_size`` bytes :class:`~streamkit.EventTooLarge`;
    both name a byte offset (the offending byte's, the element's first).
    After any error, and after :meth:`close`, the decoder refuses further
    input.
    """

    __slots__ = (
        "_depth",
        "_escape",
        "_in_string",
        "_max",
        "_offset",
        "_pending",
        "_refusal",
        "_scalar",
        "_start",
        "_state",
        "_tail",
        "truncated",
    )

    def __init__(self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError("max_event_size must be positive")
        self._max = max_event_size
        #: Set by :meth:`close` when the body ended before the array's ``]``.
        self.truncated = False
        self._state = _START
        self._tail = bytearray()  # the start of the unfinished element
        self._start = 0  # its stream offset
        # The scan of the unfinished element: bracket depth, inside a string,
        # just after a backslash in one, a number or literal.
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._scalar = False
        self._offset = 0
        # Why feed() refuses input (after close() or an error), or None.
        self._refusal: str | None = None
        # An error met after some elements of the same chunk: raised by the next call.
        self._pending: StreamError | None = None

    @property
    def offset(self) -> int:
        """Bytes received so far."""
        return self._offset

    def feed(self, chunk: Buffer) -> list[JSONArrayElement]:
        """Read the next chunk of the body; return the elements it completed.

        When a chunk completes some elements and then meets an error, the
        elements are returned and the error is raised by the next call to
        :meth:`feed` or :meth:`close`, so that nothing before an error is lost.
        """
        if type(chunk) is not bytes:
            chunk = _as_bytes(chunk)
        if self._refusal is not None:
            self._raise_pending()
            raise StreamError(self._refusal, offset=self._offset)
        base = self._offset
        end = len(chunk)
        self._offset = base + end
        elements: list[JSONArrayElement] = []
        state = self._state
        pos = 0
        try:
            if state == _ELEMENT_IN:
                tail = self._tail
                stop = self._scan(chunk, 0)
                if stop < 0:
                    tail += chunk
                    if len(tail) > self._max:
                        self._too_large(tail, self._start)
                    return elements
                data = b"".join((tail, chunk[:stop]))
                if len(data) > self._max:
                    self._too_large(data, self._start)
                element = _new(JSONArrayElement)
                element.view = data
                element.offset = self._start
                elements.append(element)
                tail.clear()
                state = self._state = _AFTER
                pos = stop
            view: memoryview | None = None
            skip = _WHITESPACE.match
            whole = _ELEMENT.match
            maximum = self._max
            while True:
                pos = skip(chunk, pos).end()  # type: ignore[union-attr]  # "*+" always matches
                if pos >= end:
                    break
                byte = chunk[pos]
                if state == _AFTER:
                    if byte == _COMMA:
                        state = _NEXT
                    elif byte == _CLOSE_ARRAY:
                        state = _END
                    else:
                        self._malformed(state, chunk, pos, base)
                    pos += 1
                elif state in (_FIRST, _NEXT):
                    if byte in _CONTAINERS or byte == _QUOTE:
                        match = whole(chunk, pos)
                        if match is not None:
                            stop = match.end()
                            if stop - pos > maximum:
                                self._too_large(chunk[pos:stop], base + pos)
                            if view is None:
                                view = memoryview(chunk)
                            element = _new(JSONArrayElement)
                            element.view = view[pos:stop]
                            element.offset = base + pos
                            elements.append(element)
                            state = _AFTER
                            pos = stop
                            continue
                        self._depth = 0
                        self._in_string = self._escape = self._scalar = False
                        stop = self._scan(chunk, pos)
                    elif byte in _SCALARS:
                        self._depth = 0
                        self._in_string = self._escape = False
                        self._scalar = True
                        stop = self._scan(chunk, pos)
                    elif byte == _CLOSE_ARRAY and state == _FIRST:
                        state = _END
                        pos += 1
                        continue
                    else:
                        self._malformed(state, chunk, pos, base)
                    if stop < 0:  # the element goes on in the next chunk
                        if end - pos > maximum:
                            self._too_large(chunk[pos:], base + pos)
                        self._tail += chunk[pos:]
                        self._start = base + pos
                        state = _ELEMENT_IN
                        break
                    if stop - pos > maximum:
                        self._too_large(chunk[pos:stop], base + pos)
                    if view is None:
                        view = memoryview(chunk)
                    element = _new(JSONArrayElement)
                    element.view = view[pos:stop]
                    element.offset = base + pos
                    elements.append(element)
                    state = _AFTER
                    pos = stop
                elif state == _START:
                    if byte != _OPEN_ARRAY:
                        self._malformed(state, chunk, pos, base)
                    state = _FIRST
                    pos += 1
                else:  # _END
                    self._malformed(state, chunk, pos, base)
        except StreamError as exc:
            self._refusal = f"decoder refuses input after an earlier error: {exc}"
            self._tail = bytearray()
            if not elements:
                raise
            self._pending = exc
            return elements
        self._state = state
        return elements

    def close(self) -> list[JSONArrayElement]:
        """End the body.  Always returns ``[]``: an element is delivered once it is whole.

        :attr:`truncated` then tells whether the body ended after its ``[``
        and before its ``]`` (an unfinished element is dropped).  An error
        that the last :meth:`feed` held back is raised here.
        """
        if self._refusal is not None:
            self._raise_pending()
            return []
        self._refusal = "decoder refuses input after close()"
        self.truncated = self._state not in (_START, _END)
        self._tail = bytearray()
        return []

    def _scan(self, data: bytes, pos: int) -> int:
        """Scan the element in progress through *data* from *pos*: where it ends, or -1.

        Keeps the scan's state in the decoder when the element goes on.
        """
        end = len(data)
        if self._scalar:
            match = _SCALAR_END.search(data, pos)
            return -1 if match is None else match.start()
        depth = self._depth
        in_string = self._in_string
        if self._escape:  # the byte after a backslash that ended the last chunk
            if pos >= end:
                return -1
            self._escape = False
            pos += 1
        special = _SPECIAL.search
        body = _STRING_BODY.match
        while True:
            if in_string:
                pos = body(data, pos).end()  # type: ignore[union-attr]  # "*+" always matches
                if pos >= end:
                    break
                if data[pos] == _BACKSLASH:  # the last byte: its pair is in the next chunk
                    self._escape = True
                    break
                in_string = False  # the closing quote
                pos += 1
                if not depth:
                    return pos
                continue
            match = special(data, pos)
            if match is None:
                break
            pos = match.end()
            byte = data[pos - 1]
            if byte == _QUOTE:
                in_string = True
            elif byte in _OPENERS:
                depth += 1
            else:
                depth -= 1
                if depth <= 0:
                    return pos
        self._depth = depth
        self._in_string = in_string
        return -1

    def _raise_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            raise pending

    def _malformed(self, state: int, data: bytes, pos: int, base: int) -> None:
        # The excerpt is the offending byte alone: what follows it may not be
        # in yet, and the error must read the same in every chunking.
        raise FrameError(_EXPECTED[state], offset=base + pos, excerpt=data[pos : pos + 1])

    def _too_large(self, element: Buffer, offset: int) -> None:
        raise EventTooLarge(
            f"element exceeds max_event_size={self._max}",
            offset=offset,
            # No more than the limit allows: what is held when this is found
            # depends on the chunking, the first max_event_size + 1 bytes do not.
            excerpt=excerpt(element, min(_EXCERPT, self._max + 1)),
        )


def _as_bytes(chunk: object) -> bytes:
    try:
        return bytes(memoryview(chunk))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"feed() takes a bytes-like object, not {type(chunk).__name__}") from None
