"""The wire layer: a sans-IO decoder of the AWS event stream, and its inverse.

``application/vnd.amazon.eventstream`` is the binary framing of Bedrock's
ConverseStream and InvokeModelWithResponseStream (and of other AWS streaming
APIs).  A body is a sequence of messages, each laid out big-endian as::

    total length    u32   the whole message, these 4 bytes and the CRC included
    headers length  u32   bytes of the header block
    prelude CRC     u32   CRC32 of the 8 bytes above
    headers               name length u8, name (UTF-8), value type u8, value
    payload               total - headers length - 16 bytes
    message CRC     u32   CRC32 of every byte of the message before it

and a header value is, by its type byte: 0 true, 1 false (no bytes), 2 byte
(i8), 3 short (i16), 4 integer (i32), 5 long (i64), 6 byte array (u16
length, bytes), 7 string (u16 length, UTF-8), 8 timestamp (i64 milliseconds
since the Unix epoch), 9 UUID (16 bytes).

Theory of operation
-------------------

``EventStreamDecoder.feed`` reads each message where it lies in the chunk:
the prelude with one ``struct.unpack_from``, the message CRC with one
``zlib.crc32`` over a ``memoryview`` slice, the payload as a view of the
chunk.  The prelude CRC of each (total length, headers length) pair is
computed once and remembered (``_preludes``): a pair seen before costs a
dictionary look-up, not a CRC.  A chunk that is exactly one message, the usual
chunk of a Bedrock stream, takes a short path through the same checks.

Between chunks the decoder keeps only ``_tail``, the start of the one
unfinished message, and ``_need``, how many more bytes the next decision
takes: the rest of the prelude, or the rest of the message once the prelude
is in and checked (``_hend``, where its headers end, says which).  A chunk
shorter than ``_need`` is appended and nothing else happens, so feeding a
message one byte at a time costs one ``bytearray`` append per byte, and the
message is read once, when its last byte arrives.  That chunk is joined to the
tail once (without the CRC, which is read together with the next message's
prelude); the payload is then ``bytes`` of that join.  When the tail holds no
more than the prelude and the headers, the payload is instead a view of the
chunk that finishes the message (``_finish``).

The prelude decides everything about a message's size before its bytes are
held: a bad prelude CRC, a length under 16, a header block longer than the
message leaves, or a message larger than ``max_event_size`` is an error as soon
as the 12 prelude bytes are in, whatever the chunking.

Header blocks repeat: a Bedrock stream has a handful of distinct ones (the
same three string headers with a few event types).  Each decoder keeps the
parsed form of the first few hundred short blocks it sees, keyed by their
bytes (``_blocks``), so a message usually costs one look-up for its headers.
Parsed headers are read-only mappings (``types.MappingProxyType``) for that
reason: one is shared by every message with the same header block.

Errors follow the SSE decoder: messages that a chunk completed before a bad
one are returned, and the error is raised by the next call; after an error, or
after :meth:`~EventStreamDecoder.close`, the decoder refuses input.
"""

from __future__ import annotations

import datetime
import struct
import uuid
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal
from zlib import crc32

from ._errors import EventTooLarge, FrameError, StreamError, excerpt

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ("EventStreamDecoder", "EventStreamMessage", "encode_message")

DEFAULT_MAX_EVENT_SIZE: Final = 16 * 1024 * 1024
"""The largest message (its total length) a decoder accepts by default (16 MiB)."""

Buffer = bytes | bytearray | memoryview

HeaderValue = bool | int | bytes | str | datetime.datetime | uuid.UUID
"""A decoded header value; :data:`HeaderType` names its wire type."""

HeaderType = Literal[
    "bool", "byte", "short", "integer", "long", "bytes", "string", "timestamp", "uuid"
]
"""The wire type of a header value (``"bool"`` stands for both boolean types)."""

_PRELUDE: Final = 12  # total length, headers length, prelude CRC
_OVERHEAD: Final = 16  # the prelude and the message CRC
_MAX_U32: Final = 0xFFFFFFFF
_MAX_NAME: Final = 255
_MAX_VALUE: Final = 0xFFFF
_CACHE_SIZE: Final = 256
_CACHE_MAX_LEN: Final = 512  # longer header blocks are parsed each time, never kept
_PRELUDE_CACHE_SIZE: Final = 4096
_SMALL: Final = 4096  # a rest of a chunk this short is copied into the tail, not viewed
_UNKNOWN: Final = 1 << 40  # an end of headers no message has: its prelude is not in yet

_unpack_prelude = struct.Struct(">III").unpack_from
_unpack_u32 = struct.Struct(">I").unpack_from
_unpack_u16 = struct.Struct(">H").unpack_from
_unpack_crc_prelude = struct.Struct(">IIII").unpack_from  # a message CRC and the next prelude

_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MILLISECOND: Final = datetime.timedelta(milliseconds=1)

# Wire type byte of the integer types -> (type name, struct of the value).
_INTS: Final[dict[int, tuple[HeaderType, struct.Struct]]] = {
    2: ("byte", struct.Struct(">b")),
    3: ("short", struct.Struct(">h")),
    4: ("integer", struct.Struct(">i")),
    5: ("long", struct.Struct(">q")),
}
_INT_CODES: Final = {name: (code, fmt) for code, (name, fmt) in _INTS.items()}
_I64: Final = struct.Struct(">q")
_TYPE_NAMES: Final = frozenset(
    ("bool", "byte", "short", "integer", "long", "bytes", "string", "timestamp", "uuid")
)
# Which header names a message, by its ``:message-type``.
_NAMING: Final = {"event": ":event-type", "exception": ":exception-type", "error": ":error-code"}


class _Block:
    """A parsed header block, shared by every message that carries the same bytes."""

    __slots__ = ("content_type", "event", "headers", "message_type", "types")

    def __init__(self, headers: dict[str, HeaderValue], types: dict[str, HeaderType]) -> None:
        self.headers: Mapping[str, HeaderValue] = MappingProxyType(headers)
        self.types: Mapping[str, HeaderType] = MappingProxyType(types)
        message_type = headers.get(":message-type")
        content_type = headers.get(":content-type")
        self.message_type = message_type if type(message_type) is str else None
        self.content_type = content_type if type(content_type) is str else None
        kind = self.message_type or "event"
        naming = _NAMING.get(kind)
        name = headers.get(naming) if naming is not None else None
        self.event: str = name if type(name) is str else kind


class EventStreamMessage:
    """One message of an AWS event stream.

    ``headers`` maps each header name to its value, in wire order: ``str``
    (string), ``bytes`` (byte array), ``int`` (byte, short, integer, long),
    ``bool``, ``datetime.datetime`` (timestamp, in UTC, millisecond
    precision) or ``uuid.UUID``; ``header_types`` gives each one's wire type
    (``"bool"``, ``"byte"``, ``"short"``, ``"integer"``, ``"long"``,
    ``"bytes"``, ``"string"``, ``"timestamp"`` or ``"uuid"``), so that
    :func:`encode_message` can write the same bytes again.  Both are
    read-only mappings, shared by the messages that carry the same header
    block.

    ``event`` names the message the way the service means it: the
    ``:event-type`` header when ``:message-type`` is ``event`` (or absent),
    ``:exception-type`` for ``exception`` and ``:error-code`` for ``error``;
    when that header is missing, or for another message type, it is the
    message type itself (``"event"`` when there is none).

    ``data`` (also ``payload``) is the payload as ``bytes``; ``view`` gives it
    without a copy: a ``memoryview`` of the chunk it arrived in when it lay
    wholly inside one, else ``bytes``.  ``offset``
    is the stream position of the message's first byte (``None`` for a
    message not made by a decoder).  Messages compare equal when their
    headers, header types and payloads do.
    """

    __slots__ = ("_block", "event", "offset", "view")

    _block: _Block
    event: str
    offset: int | None
    #: The payload as a read-only bytes-like object, without copying.
    view: bytes | memoryview

    def __init__(
        self,
        headers: Mapping[str, HeaderValue] | None = None,
        payload: Buffer = b"",
        *,
        types: Mapping[str, HeaderType] | None = None,
        offset: int | None = None,
    ) -> None:
        # Built through the encoder and the parser, so a message made by hand
        # holds exactly what its bytes would decode to.
        raw = _encode_headers(headers or {}, types or {})
        block = _parse_block(raw, None)
        self._block = block
        self.view = bytes(payload)
        self.event = block.event
        self.offset = offset

    @property
    def headers(self) -> Mapping[str, HeaderValue]:
        return self._block.headers

    @property
    def header_types(self) -> Mapping[str, HeaderType]:
        return self._block.types

    @property
    def message_type(self) -> str | None:
        """The ``:message-type`` header (``event``, ``exception``, ``error``), if a string."""
        return self._block.message_type

    @property
    def content_type(self) -> str | None:
        """The ``:content-type`` header (``application/json`` on Bedrock), if a string."""
        return self._block.content_type

    @property
    def data(self) -> bytes:
        payload = self.view
        if type(payload) is not bytes:
            payload = self.view = bytes(payload)
        return payload

    payload = data

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventStreamMessage):
            return NotImplemented
        mine, theirs = self._block, other._block
        return (
            mine is theirs or (mine.headers == theirs.headers and mine.types == theirs.types)
        ) and self.view == other.view

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        headers = dict(self._block.headers)
        return f"EventStreamMessage(event={self.event!r}, headers={headers!r}, data={self.data!r})"


_new = object.__new__


class EventStreamDecoder:
    """Incremental, sans-IO decoder of an ``application/vnd.amazon.eventstream`` body.

    Feed it the body's bytes in chunks of any size with :meth:`feed`, which
    returns the messages those bytes completed; call :meth:`close` at the end
    of the body.  It does no IO and holds only the unfinished message between
    calls.

    A message whose prelude CRC or message CRC does not match, whose lengths
    are impossible, or whose header block is malformed raises
    :class:`~streamkit.FrameError`; a message whose total length exceeds
    ``max_event_size`` raises :class:`~streamkit.EventTooLarge` as soon as
    its prelude arrives, before its bytes are held.  Both name the byte offset
    of the message's first byte.  After any error, and after :meth:`close`, the
    decoder refuses further input.
    """

    __slots__ = (
        "_blocks",
        "_hend",
        "_max",
        "_need",
        "_offset",
        "_pending",
        "_preludes",
        "_refusal",
        "_start",
        "_tail",
        "truncated",
    )

    def __init__(self, *, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        if max_event_size < 1:
            raise ValueError("max_event_size must be positive")
        self._max = max_event_size
        #: Set by :meth:`close` when the body ended inside a message.
        self.truncated = False
        self._tail = bytearray()  # the start of the unfinished message
        self._need = 0  # bytes still wanted before the tail can be read further
        self._start = 0  # stream offset of the tail's first byte
        # Where the unfinished message's headers end (12 + headers length) once
        # its prelude is in and checked; _UNKNOWN before.
        self._hend = _UNKNOWN
        self._offset = 0
        self._blocks: dict[bytes, _Block] = {}
        # The prelude CRC of every (total, headers length) pair checked so far,
        # keyed ``total << 32 | headers length``: a valid prelude seen before
        # costs a look-up, not a CRC.
        self._preludes: dict[int, int] = {}
        # Why feed() refuses input (after close() or an error), or None.
        self._refusal: str | None = None
        # An error met after some messages of the same chunk: raised by the next call.
        self._pending: StreamError | None = None

    @property
    def offset(self) -> int:
        """Bytes received so far."""
        tail = self._tail
        return self._start + len(tail) if tail else self._offset

    def feed(self, chunk: Buffer) -> list[EventStreamMessage]:
        """Read the next chunk of the body; return the messages it completed.

        When a chunk completes some messages and then meets an error, the
        messages are returned and the error is raised by the next call to
        :meth:`feed` or :meth:`close`, so that nothing before an error is lost.
        """
        if type(chunk) is not bytes:
            chunk = _as_bytes(chunk)
        tail = self._tail  # never holds anything once the decoder refuses input
        end = len(chunk)
        if tail:
            need = self._need
            if end < need:  # the middle of a message: nothing to read yet
                tail += chunk
                self._need = need - end
                return []
            start = self._start
            base = start + len(tail)
            hend = self._hend
            if hend < len(tail) and need >= 4:
                # The usual end of a message that began in an earlier chunk:
                # join it once, without its CRC, and read it.
                body = need - 4
                whole = b"".join((tail, chunk[:body]))
                total = 0
                try:
                    if end - body >= 16:  # the CRC and the next prelude, at once
                        stored, total, hlen, pcrc = _unpack_crc_prelude(chunk, body)
                    else:
                        stored = _unpack_u32(chunk, body)[0]
                    if crc32(whole) != stored:
                        self._bad_crc(whole + chunk[body:need], start)
                    raw = whole[_PRELUDE:hend]
                    block = self._blocks.get(raw) or self._block(raw, start)
                except StreamError as exc:  # the chunk's first message: nothing to return
                    self._offset = base + end
                    self._refuse(exc)
                    raise
                message = _new(EventStreamMessage)
                message._block = block
                message.view = whole[hend:]
                message.event = block.event
                message.offset = start
                if total and self._preludes.get(total << 32 | hlen) == pcrc:
                    stop = need + total
                    if stop > end:  # and the next message does not end here either
                        tail[:] = chunk[need:]
                        self._start = base + need
                        self._hend = _PRELUDE + hlen
                        self._need = stop - end
                        return [message]
                tail.clear()
                self._offset = base + end
                messages = [message]
                pos = need
            else:
                self._offset = base + end
                messages = []
                pos = -1  # for _finish
        elif self._refusal is not None:
            self._raise_pending()
            raise StreamError(self._refusal, offset=self._offset)
        elif end >= _OVERHEAD:
            # The usual chunk of a Bedrock stream: exactly one message.  (If
            # anything is wrong with it, the general path below says what.)
            total, hlen, pcrc = _unpack_prelude(chunk)
            hend = _PRELUDE + hlen
            base = self._offset
            if (
                total == end
                and self._preludes.get(total << 32 | hlen) == pcrc
                and crc32(chunk[:-4]) == _unpack_u32(chunk, end - 4)[0]
                and (known := self._blocks.get(chunk[_PRELUDE:hend])) is not None
            ):
                message = _new(EventStreamMessage)
                message._block = known
                message.view = memoryview(chunk)[hend:-4]
                message.event = known.event
                message.offset = base
                self._offset = base + end
                return [message]
            self._offset = base + end
            messages = []
            pos = 0
        elif end:
            base = self._offset
            self._offset = base + end
            messages = []
            pos = 0
        else:
            return []
        try:
            if pos < 0:
                pos = self._finish(chunk, messages)
            # The messages that lie in the chunk, read in place.
            view = None
            blocks = self._blocks
            preludes = self._preludes
            while end - pos >= _PRELUDE:
                total, hlen, pcrc = _unpack_prelude(chunk, pos)
                if preludes.get(total << 32 | hlen) != pcrc:
                    self._check(chunk[pos : pos + _PRELUDE], base + pos)
                stop = pos + total
                if stop > end:
                    tail += chunk[pos:] if end - pos <= _SMALL else memoryview(chunk)[pos:]
                    self._start = base + pos
                    self._hend = _PRELUDE + hlen
                    self._need = stop - end
                    break
                if view is None:
                    view = memoryview(chunk)
                body = stop - 4
                if crc32(view[pos:body]) != _unpack_u32(chunk, body)[0]:
                    self._bad_crc(view[pos:stop], base + pos)
                hend = pos + _PRELUDE + hlen
                raw = chunk[pos + _PRELUDE : hend]
                block = blocks.get(raw) or self._block(raw, base + pos)
                message = _new(EventStreamMessage)
                message._block = block
                message.view = view[hend:body]
                message.event = block.event
                message.offset = base + pos
                messages.append(message)
                pos = stop
            else:
                if pos < end:
                    tail += chunk[pos:]
                    self._start = base + pos
                    self._hend = _UNKNOWN
                    self._need = _PRELUDE - (end - pos)
        except StreamError as exc:
            self._refuse(exc)
            if not messages:
                raise
            self._pending = exc
        return messages

    def close(self) -> list[EventStreamMessage]:
        """End the body.

        Every whole message was already returned by :meth:`feed`, so this
        returns none; :attr:`truncated` then tells whether the body ended
        inside a message (its bytes are dropped).  An error that the last
        :meth:`feed` held back is raised here.
        """
        if self._refusal is not None:
            self._raise_pending()
            return []
        self._refusal = "decoder refuses input after close()"
        self._offset = self.offset
        self.truncated = bool(self._tail)
        self._tail = bytearray()
        return []

    def _refuse(self, exc: StreamError) -> None:
        """After *exc*: refuse input from now on, and drop what was held."""
        self._refusal = f"decoder refuses input after an earlier error: {exc}"
        self._tail = bytearray()

    def _raise_pending(self) -> None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            raise pending

    # -- reading ------------------------------------------------------------------

    def _finish(self, chunk: bytes, messages: list[EventStreamMessage]) -> int:
        """Complete the message held in the tail with the start of *chunk*.

        *chunk* holds at least ``_need`` bytes.  Returns where reading *chunk*
        resumes: its end when it only completed the prelude.
        """
        tail = self._tail
        hend = self._hend
        if hend == _UNKNOWN:
            pos = self._need
            tail += chunk[:pos]
            total, hlen, pcrc = _unpack_prelude(tail)
            if self._preludes.get(total << 32 | hlen) != pcrc:
                self._check(bytes(tail), self._start)
            need: int = total - _PRELUDE
            hend = self._hend = _PRELUDE + hlen
            if len(chunk) - pos < need:
                tail += memoryview(chunk)[pos:]
                self._need = need - (len(chunk) - pos)
                return len(chunk)
        else:
            pos = 0
            need = self._need
        held = len(tail)
        stop = pos + need  # where the message ends in the chunk
        body = stop - 4
        if hend < held:  # the usual case: join the message once (without its CRC)
            if body >= pos:
                whole = b"".join((tail, chunk[pos:body]))
                stored = _unpack_u32(chunk, body)[0]
            else:  # the tail holds part of the CRC too
                whole = bytes(tail[: body - pos])
                stored = _unpack_u32(bytes(tail[body - pos :]) + chunk[:stop])[0]
            tail.clear()
            if crc32(whole) != stored:
                self._bad_crc(whole + stored.to_bytes(4, "big"), self._start)
            raw = whole[_PRELUDE:hend]
            payload: bytes | memoryview = whole[hend:]
        else:
            # Only the prelude and headers (or part of them) are held: the
            # payload is read where it lies, in this chunk.
            start = pos + hend - held
            view = memoryview(chunk)
            if crc32(view[pos:body], crc32(tail)) != _unpack_u32(chunk, body)[0]:
                self._bad_crc(bytes(tail) + chunk[pos:stop], self._start)
            raw = bytes(tail[_PRELUDE:]) + chunk[pos:start]
            tail.clear()
            payload = view[start:body]
        offset = self._start
        block = self._blocks.get(raw) or self._block(raw, offset)
        message = _new(EventStreamMessage)
        message._block = block
        message.view = payload
        message.event = block.event
        message.offset = offset
        messages.append(message)
        return stop

    def _block(self, raw: bytes, offset: int) -> _Block:
        """Parse a header block not seen before, and remember it if it is short."""
        block = _parse_block(raw, offset)
        blocks = self._blocks
        if len(blocks) < _CACHE_SIZE and len(raw) <= _CACHE_MAX_LEN:
            blocks[raw] = block
        return block

    # -- errors -------------------------------------------------------------------

    def _check(self, prelude: bytes, offset: int) -> tuple[int, int, int]:
        """Check a prelude; return its total length, headers length and CRC, or raise."""
        total, hlen, stored = fields = _unpack_prelude(prelude)
        computed = crc32(prelude[:8])
        where = {"offset": offset, "excerpt": excerpt(prelude)}
        if computed != stored:
            raise FrameError(
                f"prelude CRC mismatch: the prelude says 0x{stored:08x},"
                f" its bytes give 0x{computed:08x}",
                **where,  # type: ignore[arg-type]
            )
        if total < _OVERHEAD:
            raise FrameError(
                f"message length {total} is shorter than the {_OVERHEAD} bytes of prelude and CRC",
                **where,  # type: ignore[arg-type]
            )
        if hlen > total - _OVERHEAD:
            raise FrameError(
                f"headers length {hlen} exceeds the {total - _OVERHEAD} bytes"
                f" a message of {total} bytes has for headers and payload",
                **where,  # type: ignore[arg-type]
            )
        if total > self._max:
            raise EventTooLarge(
                f"message of {total} bytes exceeds max_event_size={self._max}",
                **where,  # type: ignore[arg-type]
            )
        if len(self._preludes) < _PRELUDE_CACHE_SIZE:
            self._preludes[total << 32 | hlen] = stored
        return fields

    def _bad_crc(self, message: Buffer, offset: int) -> None:
        computed = crc32(memoryview(message)[:-4])
        stored = _unpack_u32(message, len(message) - 4)[0]
        raise FrameError(
            f"message CRC mismatch: the message says 0x{stored:08x},"
            f" its bytes give 0x{computed:08x}",
            offset=offset,
            excerpt=excerpt(message),
        )


def _as_bytes(chunk: object) -> bytes:
    try:
        return bytes(memoryview(chunk))  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"feed() takes a bytes-like object, not {type(chunk).__name__}") from None


# -- header blocks ---------------------------------------------------------------


def _parse_block(raw: bytes, offset: int | None) -> _Block:
    """Parse a header block; raise :class:`FrameError` for anything malformed."""
    headers: dict[str, HeaderValue] = {}
    types: dict[str, HeaderType] = {}
    end = len(raw)
    pos = 0
    index = 0

    def fail(what: str, at: int) -> FrameError:
        return FrameError(
            f"header #{index} (header byte {at}): {what}",
            offset=offset,
            excerpt=excerpt(raw[at:]),
        )

    while pos < end:
        start = pos
        size = raw[pos]
        pos += 1
        if pos + size + 1 > end:
            raise fail("truncated header name", start)
        try:
            name = raw[pos : pos + size].decode()
        except UnicodeDecodeError:
            raise fail("header name is not UTF-8", start) from None
        pos += size
        if name in headers:
            raise fail(f"duplicate header {name!r}", start)
        code = raw[pos]
        pos += 1
        value: HeaderValue
        kind: HeaderType
        if code <= 1:
            value, kind = code == 0, "bool"
        elif code in _INTS:
            kind, fmt = _INTS[code]
            if pos + fmt.size > end:
                raise fail(f"truncated {kind} value of {name!r}", start)
            value = fmt.unpack_from(raw, pos)[0]
            pos += fmt.size
        elif code == 6 or code == 7:
            if pos + 2 > end:
                raise fail(f"truncated length of {name!r}", start)
            length = _unpack_u16(raw, pos)[0]
            pos += 2
            if pos + length > end:
                raise fail(
                    f"value of {name!r} is {length} bytes, the block has {end - pos} left",
                    start,
                )
            value = raw[pos : pos + length]
            kind = "bytes"
            if code == 7:
                kind = "string"
                try:
                    value = value.decode()
                except UnicodeDecodeError:
                    raise fail(f"string value of {name!r} is not UTF-8", start) from None
            pos += length
        elif code == 8:
            if pos + 8 > end:
                raise fail(f"truncated timestamp value of {name!r}", start)
            millis = _I64.unpack_from(raw, pos)[0]
            pos += 8
            try:
                value = _EPOCH + millis * _MILLISECOND
            except OverflowError:
                raise fail(
                    f"timestamp of {name!r} ({millis} ms) is outside years 1-9999", start
                ) from None
            kind = "timestamp"
        elif code == 9:
            if pos + 16 > end:
                raise fail(f"truncated UUID value of {name!r}", start)
            value = uuid.UUID(bytes=raw[pos : pos + 16])
            pos += 16
            kind = "uuid"
        else:
            raise fail(f"unknown value type {code} of {name!r}", start)
        headers[name] = value
        types[name] = kind
        index += 1
    return _Block(headers, types)


# -- encoding --------------------------------------------------------------------


def encode_message(
    headers: Mapping[str, HeaderValue] | None = None,
    payload: Buffer = b"",
    *,
    types: Mapping[str, HeaderType] | None = None,
) -> bytes:
    """Encode one message so that :class:`EventStreamDecoder` gives it back.

    Each header's wire type follows its Python type: ``bool`` is a boolean,
    ``int`` an integer (32-bit) or, when it does not fit, a long (64-bit),
    ``bytes``-like a byte array, ``str`` a string, an aware
    ``datetime.datetime`` a timestamp (whole milliseconds, rounded down) and
    ``uuid.UUID`` a UUID.  *types* forces the type of the headers it names,
    which is how a ``byte``, ``short`` or ``long`` is written:
    ``encode_message(m.headers, m.payload, types=m.header_types)`` writes a
    decoded message's exact bytes again.

    Raises :class:`ValueError` for what the format cannot carry (a name over
    255 UTF-8 bytes, a string or byte array over 65,535 bytes, an integer
    out of its type's range, a naive datetime, a message over 4 GiB) and
    :class:`TypeError` for a value of no header type.
    """
    raw = _encode_headers(headers or {}, types or {})
    body = bytes(payload) if type(payload) is not bytes else payload
    total = _OVERHEAD + len(raw) + len(body)
    if total > _MAX_U32:
        raise ValueError(f"a message of {total} bytes exceeds the format's 4 GiB")
    prelude = struct.pack(">II", total, len(raw))
    head = prelude + struct.pack(">I", crc32(prelude)) + raw
    return b"".join((head, body, struct.pack(">I", crc32(body, crc32(head)))))


def _encode_headers(headers: Mapping[str, HeaderValue], types: Mapping[str, HeaderType]) -> bytes:
    unknown = set(types) - set(headers)
    if unknown:
        raise ValueError(f"types names headers that are not given: {sorted(unknown)!r}")
    out = bytearray()
    for name, value in headers.items():
        if type(name) is not str:
            raise TypeError(f"header names are str, not {type(name).__name__}")
        encoded = name.encode()
        if len(encoded) > _MAX_NAME:
            raise ValueError(f"header name {name!r} is over {_MAX_NAME} UTF-8 bytes")
        out.append(len(encoded))
        out += encoded
        out += _encode_value(name, value, types.get(name))
    return bytes(out)


def _encode_value(name: str, value: object, kind: str | None) -> bytes:
    if kind is None:
        kind = _infer(name, value)
    elif kind not in _TYPE_NAMES:
        raise ValueError(f"unknown header type {kind!r} for {name!r}")
    if kind == "bool":
        if type(value) is not bool:
            raise TypeError(f"header {name!r} of type bool takes a bool, not {value!r}")
        return b"\x00" if value else b"\x01"
    if kind in _INT_CODES:
        if type(value) is not int:
            raise TypeError(f"header {name!r} of type {kind} takes an int, not {value!r}")
        code, fmt = _INT_CODES[kind]
        try:
            return bytes((code,)) + fmt.pack(value)
        except struct.error:
            raise ValueError(f"header {name!r}: {value} does not fit a {kind}") from None
    if kind == "bytes" or kind == "string":
        if kind == "string":
            if type(value) is not str:
                raise TypeError(f"header {name!r} of type string takes a str, not {value!r}")
            data = value.encode()
        else:
            if not isinstance(value, bytes | bytearray | memoryview):
                raise TypeError(f"header {name!r} of type bytes takes bytes, not {value!r}")
            data = bytes(value)
        if len(data) > _MAX_VALUE:
            raise ValueError(f"header {name!r}: {len(data)} bytes, over {_MAX_VALUE}")
        return struct.pack(">BH", 7 if kind == "string" else 6, len(data)) + data
    if kind == "timestamp":
        if not isinstance(value, datetime.datetime):
            raise TypeError(f"header {name!r} of type timestamp takes a datetime, not {value!r}")
        if value.utcoffset() is None:
            raise ValueError(f"header {name!r}: a timestamp must be timezone-aware")
        return b"\x08" + _I64.pack((value - _EPOCH) // _MILLISECOND)
    if not isinstance(value, uuid.UUID):
        raise TypeError(f"header {name!r} of type uuid takes a uuid.UUID, not {value!r}")
    return b"\x09" + value.bytes


def _infer(name: str, value: object) -> str:
    if type(value) is bool:
        return "bool"
    if type(value) is int:
        return "integer" if -(2**31) <= value < 2**31 else "long"
    if type(value) is str:
        return "string"
    if isinstance(value, bytes | bytearray | memoryview):
        return "bytes"
    if isinstance(value, datetime.datetime):
        return "timestamp"
    if isinstance(value, uuid.UUID):
        return "uuid"
    raise TypeError(f"header {name!r}: no header type for {type(value).__name__} {value!r}")
