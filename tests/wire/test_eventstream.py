"""The AWS event stream decoder and encoder, rule by rule."""

from __future__ import annotations

import datetime
import struct
import uuid
import zlib

import pytest

import streamkit
from streamkit import (
    EventStreamDecoder,
    EventStreamMessage,
    EventTooLarge,
    FrameError,
    StreamError,
    encode_message,
)

from .helpers import BEDROCK, Decoded, bytewise, header, raw_message, split_at, string_header

UTC = datetime.UTC
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
BEDROCK_HEADERS = {
    ":event-type": "contentBlockDelta",
    ":content-type": "application/json",
    ":message-type": "event",
}


def decode(body: bytes, **kw: int) -> list[EventStreamMessage]:
    """Decode *body* whole, byte at a time and in 5-byte chunks; the three must agree."""
    whole = Decoded(EventStreamDecoder, [body], **kw)
    for chunks in (bytewise(body), [body[i : i + 5] for i in range(0, len(body), 5)]):
        Decoded(EventStreamDecoder, chunks, **kw).same_as(whole)
    assert whole.error is None, whole.error
    assert not whole.truncated
    return whole.frames


def decode_error(body: bytes, **kw: int) -> tuple[list[EventStreamMessage], StreamError]:
    """Decode a body that must fail; every chunking fails alike, after the same messages."""
    whole = Decoded(EventStreamDecoder, [body], **kw)
    for chunks in (bytewise(body), [body[i : i + 7] for i in range(0, len(body), 7)]):
        Decoded(EventStreamDecoder, chunks, **kw).same_as(whole)
    assert whole.error is not None, "no error"
    return whole.frames, whole.error


# -- the layout ---------------------------------------------------------------------------


# Two messages from a public description of the format: no header, and one string header.
VECTOR_PLAIN = (
    bytes((0, 0, 0, 30, 0, 0, 0, 0, 186, 242, 246, 138))
    + b'{"foo": "bar"}'
    + bytes((174, 114, 88, 228))
)
VECTOR_HEADER = (
    bytes((0, 0, 0, 62, 0, 0, 0, 32, 64, 93, 249, 70, 12))
    + b"content-type"
    + bytes((7, 0, 16))
    + b"application/json"
    + b'{"foo": "bar"}'
    + bytes((111, 162, 191, 59))
)


def test_published_vectors_decode_and_encode() -> None:
    [plain] = decode(VECTOR_PLAIN)
    assert dict(plain.headers) == {}
    assert plain.data == b'{"foo": "bar"}'
    assert encode_message({}, b'{"foo": "bar"}') == VECTOR_PLAIN
    [with_header] = decode(VECTOR_HEADER)
    assert dict(with_header.headers) == {"content-type": "application/json"}
    assert dict(with_header.header_types) == {"content-type": "string"}
    assert encode_message({"content-type": "application/json"}, b'{"foo": "bar"}') == VECTOR_HEADER


def test_a_bedrock_message_by_hand() -> None:
    headers = b"".join(string_header(k, v) for k, v in BEDROCK_HEADERS.items())
    payload = b'{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abc"}'
    body = raw_message(headers, payload)
    [message] = decode(body)
    assert dict(message.headers) == BEDROCK_HEADERS
    assert list(message.headers) == list(BEDROCK_HEADERS)  # wire order
    assert message.event == "contentBlockDelta"
    assert message.message_type == "event"
    assert message.content_type == "application/json"
    assert message.data == message.payload == payload
    assert bytes(message.view) == payload
    assert message.offset == 0
    assert encode_message(BEDROCK_HEADERS, payload) == body


def test_offsets_of_consecutive_messages() -> None:
    first, second = raw_message(payload=b"a"), raw_message(string_header("k", "v"), b"bc")
    body = first + second + first
    messages = decode(body)
    assert [m.offset for m in messages] == [0, len(first), len(first) + len(second)]
    decoder = EventStreamDecoder()
    decoder.feed(body[:20])
    assert decoder.offset == 20
    decoder.feed(body[20:])
    assert decoder.offset == len(body)


@pytest.mark.parametrize(
    ("headers", "payload"),
    [
        pytest.param(b"", b"", id="nothing"),
        pytest.param(b"", b"x" * 100, id="no-headers"),
        pytest.param(string_header("a", "b"), b"", id="no-payload"),
    ],
)
def test_empty_header_block_and_empty_payload(headers: bytes, payload: bytes) -> None:
    body = raw_message(headers, payload) * 3
    messages = decode(body)
    assert len(messages) == 3
    for message in messages:
        assert message.data == payload
        assert (
            encode_message(message.headers, message.data, types=message.header_types)
            == (body[: 16 + len(headers) + len(payload)])
        )


def test_a_16_byte_message_is_the_smallest() -> None:
    [message] = decode(raw_message())
    assert message.data == b""
    assert dict(message.headers) == {}
    assert message.event == "event"


# -- header types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "raw", "value", "kind"),
    [
        pytest.param(0, b"", True, "bool", id="true"),
        pytest.param(1, b"", False, "bool", id="false"),
        pytest.param(2, b"\x7f", 127, "byte", id="byte-max"),
        pytest.param(2, b"\x80", -128, "byte", id="byte-min"),
        pytest.param(3, b"\x80\x00", -32768, "short", id="short-min"),
        pytest.param(3, b"\x01\x02", 258, "short", id="short"),
        pytest.param(4, b"\x7f\xff\xff\xff", 2**31 - 1, "integer", id="integer-max"),
        pytest.param(4, b"\xff\xff\xff\xfe", -2, "integer", id="integer-negative"),
        pytest.param(5, b"\x80" + b"\x00" * 7, -(2**63), "long", id="long-min"),
        pytest.param(5, b"\x00" * 7 + b"\x05", 5, "long", id="long-small"),
        pytest.param(6, b"\x00\x03\x00\xff\x10", b"\x00\xff\x10", "bytes", id="bytes"),
        pytest.param(6, b"\x00\x00", b"", "bytes", id="bytes-empty"),
        pytest.param(7, b"\x00\x05caf\xc3\xa9", "café", "string", id="string"),
        pytest.param(7, b"\x00\x00", "", "string", id="string-empty"),
        pytest.param(
            8,
            struct.pack(">q", 1_700_000_000_123),
            EPOCH + datetime.timedelta(milliseconds=1_700_000_000_123),
            "timestamp",
            id="timestamp",
        ),
        pytest.param(
            8,
            struct.pack(">q", -1),
            EPOCH - datetime.timedelta(milliseconds=1),
            "timestamp",
            id="timestamp-before-epoch",
        ),
        pytest.param(
            9,
            bytes(range(16)),
            uuid.UUID(bytes=bytes(range(16))),
            "uuid",
            id="uuid",
        ),
    ],
)
def test_every_header_type(code: int, raw: bytes, value: object, kind: str) -> None:
    body = raw_message(header("h", code, raw) + string_header("after", "x"), b"{}")
    [message] = decode(body)
    assert message.headers["h"] == value
    assert type(message.headers["h"]) is type(value)
    assert message.header_types["h"] == kind
    assert message.headers["after"] == "x"  # the value's length was read right
    assert encode_message(message.headers, b"{}", types=message.header_types) == body


def test_timestamps_are_aware_utc_datetimes() -> None:
    [message] = decode(raw_message(header("t", 8, struct.pack(">q", 0))))
    stamp = message.headers["t"]
    assert stamp == EPOCH
    assert isinstance(stamp, datetime.datetime)
    assert stamp.tzinfo is UTC


def test_headers_are_read_only_and_shared_by_equal_blocks() -> None:
    body = raw_message(string_header("a", "b"), b"1") + raw_message(string_header("a", "b"), b"2")
    first, second = decode(body)
    with pytest.raises(TypeError):
        first.headers["a"] = "c"  # type: ignore[index]
    assert first.headers is second.headers  # parsed once
    assert first != second
    assert first == EventStreamMessage({"a": "b"}, b"1")


def test_many_distinct_header_blocks() -> None:
    """More blocks than the cache keeps, and blocks too long to keep: all read right."""
    body = b"".join(raw_message(string_header("n", str(i)), b"x") for i in range(600))
    body += raw_message(string_header("long", "y" * 3000), b"z")
    messages = decode(body)
    assert [m.headers["n"] for m in messages[:600]] == [str(i) for i in range(600)]
    assert messages[600].headers["long"] == "y" * 3000


# -- event names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "event", "message_type"),
    [
        pytest.param(
            {":message-type": "event", ":event-type": "messageStart"},
            "messageStart",
            "event",
            id="event",
        ),
        pytest.param(
            {
                ":message-type": "exception",
                ":exception-type": "throttlingException",
                ":content-type": "application/json",
            },
            "throttlingException",
            "exception",
            id="exception",
        ),
        pytest.param(
            {
                ":message-type": "error",
                ":error-code": "InternalFailure",
                ":error-message": "An internal error occurred",
            },
            "InternalFailure",
            "error",
            id="error",
        ),
        pytest.param({":event-type": "chunk"}, "chunk", None, id="no-message-type"),
        pytest.param({":message-type": "exception"}, "exception", "exception", id="unnamed"),
        pytest.param(
            {":message-type": "initial-response", ":event-type": "x"},
            "initial-response",
            "initial-response",
            id="other-type",
        ),
        pytest.param({":message-type": 3, ":event-type": "x"}, "x", None, id="type-not-str"),
        pytest.param({":event-type": b"x"}, "event", None, id="name-not-str"),
        pytest.param({}, "event", None, id="no-headers"),
    ],
)
def test_event_name(headers: dict[str, object], event: str, message_type: str | None) -> None:
    [message] = decode(encode_message(headers, b"{}"))  # type: ignore[arg-type]
    assert message.event == event
    assert message.message_type == message_type


def test_content_type_only_when_a_string() -> None:
    [message] = decode(encode_message({":content-type": b"raw"}))
    assert message.content_type is None


# -- chunking and views -------------------------------------------------------------------


def test_every_split_of_two_messages() -> None:
    first = encode_message(BEDROCK_HEADERS, b'{"a":1}')
    second = encode_message({":event-type": "x"}, b"")
    body = first + second
    whole = Decoded(EventStreamDecoder, [body])
    assert len(whole.frames) == 2
    for i in range(len(body) + 1):
        for j in range(i, len(body) + 1):
            Decoded(EventStreamDecoder, split_at(body, [i, j])).same_as(whole)


def test_empty_chunks_change_nothing() -> None:
    body = encode_message(BEDROCK_HEADERS, b"{}")
    decoder = EventStreamDecoder()
    assert decoder.feed(b"") == []
    assert decoder.feed(body[:3]) == []
    assert decoder.feed(b"") == []
    assert decoder.feed(body[3:20]) == []
    assert decoder.feed(b"") == []
    [message] = decoder.feed(body[20:])
    assert message.data == b"{}"
    assert decoder.close() == []
    assert not decoder.truncated


def test_payload_inside_one_chunk_is_a_view_of_it() -> None:
    body = encode_message(BEDROCK_HEADERS, b'{"x": "' + b"y" * 500 + b'"}')
    chunk = body * 2
    for message in EventStreamDecoder().feed(chunk):
        assert isinstance(message.view, memoryview)
        assert message.view.obj is chunk
        assert message.view.readonly
        assert message.data == bytes(message.view)
        assert type(message.data) is bytes


def test_payload_after_a_split_header_block_is_a_view_of_its_chunk() -> None:
    body = encode_message(BEDROCK_HEADERS, b"p" * 300)
    decoder = EventStreamDecoder()
    assert decoder.feed(body[:30]) == []  # the prelude and part of the headers
    rest = body[30:]
    [message] = decoder.feed(rest)
    assert isinstance(message.view, memoryview)
    assert message.view.obj is rest
    assert message.data == b"p" * 300


def test_a_mutable_chunk_is_copied_before_it_is_viewed() -> None:
    body = bytearray(encode_message({}, b"payload"))
    [message] = EventStreamDecoder().feed(body)
    body[-8:-4] = b"XXXX"
    assert message.data == b"payload"
    [again] = EventStreamDecoder().feed(memoryview(bytes(encode_message({}, b"q"))))
    assert again.data == b"q"


def test_feed_takes_bytes_like_objects_only() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        EventStreamDecoder().feed("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="bytes-like"):
        EventStreamDecoder().feed(16)  # type: ignore[arg-type]


# -- errors -------------------------------------------------------------------------------

GOOD = encode_message(BEDROCK_HEADERS, b'{"ok":true}')


def _crc_fixed(message: bytearray) -> bytes:
    """*message* with both CRCs recomputed, so only its other fields are wrong."""
    message[8:12] = struct.pack(">I", zlib.crc32(message[:8]))
    message[-4:] = struct.pack(">I", zlib.crc32(message[:-4]))
    return bytes(message)


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        pytest.param(
            raw_message(payload=b"x", prelude_crc=0xDEADBEEF),
            FrameError,
            "prelude CRC mismatch: the prelude says 0xdeadbeef",
            id="prelude-crc",
        ),
        pytest.param(
            raw_message(payload=b"x", message_crc=0xDEADBEEF),
            FrameError,
            "message CRC mismatch: the message says 0xdeadbeef",
            id="message-crc",
        ),
        pytest.param(
            raw_message(total=15) + b"\0" * 8,
            FrameError,
            "message length 15 is shorter than the 16 bytes",
            id="total-under-16",
        ),
        pytest.param(
            raw_message(total=0),
            FrameError,
            "message length 0",
            id="total-zero",
        ),
        pytest.param(
            raw_message(string_header("a", "b"), hlen=100),
            FrameError,
            "headers length 100 exceeds the 6 bytes",
            id="headers-longer-than-message",
        ),
        pytest.param(
            raw_message(header("h", 10)),
            FrameError,
            "header #0 (header byte 0): unknown value type 10 of 'h'",
            id="unknown-type",
        ),
        pytest.param(
            raw_message(header("h", 255, b"xx")),
            FrameError,
            "unknown value type 255",
            id="unknown-type-255",
        ),
        pytest.param(raw_message(b"\x05ab"), FrameError, "truncated header name", id="name-cut"),
        pytest.param(raw_message(b"\x01"), FrameError, "truncated header name", id="length-only"),
        pytest.param(raw_message(b"\x01a"), FrameError, "truncated header name", id="no-type"),
        pytest.param(
            raw_message(header("h", 3, b"\x01")),
            FrameError,
            "truncated short value of 'h'",
            id="short-cut",
        ),
        pytest.param(
            raw_message(header("h", 4, b"\x01\x02")),
            FrameError,
            "truncated integer value",
            id="integer-cut",
        ),
        pytest.param(
            raw_message(header("h", 5, b"\x01")), FrameError, "truncated long value", id="long-cut"
        ),
        pytest.param(
            raw_message(header("h", 2)), FrameError, "truncated byte value", id="byte-cut"
        ),
        pytest.param(
            raw_message(header("h", 7, b"\x00")),
            FrameError,
            "truncated length of 'h'",
            id="string-length-cut",
        ),
        pytest.param(
            raw_message(header("h", 7, b"\x00\x09abc")),
            FrameError,
            "value of 'h' is 9 bytes, the block has 3 left",
            id="string-cut",
        ),
        pytest.param(
            raw_message(header("h", 6, b"\xff\xff")),
            FrameError,
            "value of 'h' is 65535 bytes",
            id="bytes-cut",
        ),
        pytest.param(
            raw_message(header("h", 8, b"\x00" * 7)),
            FrameError,
            "truncated timestamp",
            id="timestamp-cut",
        ),
        pytest.param(
            raw_message(header("h", 9, b"\x00" * 15)), FrameError, "truncated UUID", id="uuid-cut"
        ),
        pytest.param(
            raw_message(string_header("a", "1") + string_header("a", "2")),
            FrameError,
            "header #1 (header byte 6): duplicate header 'a'",
            id="duplicate",
        ),
        pytest.param(
            raw_message(header(b"\xff", 0)), FrameError, "header name is not UTF-8", id="name-utf8"
        ),
        pytest.param(
            raw_message(header("h", 7, b"\x00\x01\xff")),
            FrameError,
            "string value of 'h' is not UTF-8",
            id="string-utf8",
        ),
        pytest.param(
            raw_message(header("h", 8, struct.pack(">q", 2**62))),
            FrameError,
            "is outside years 1-9999",
            id="timestamp-range",
        ),
    ],
)
def test_malformed_message(bad: bytes, error: type[StreamError], words: str) -> None:
    """Each malformed message fails alike in every chunking, after the good ones before it."""
    messages, exc = decode_error(GOOD + GOOD + bad + GOOD)
    assert len(messages) == 2
    assert type(exc) is error
    assert isinstance(exc, StreamError)
    assert words in exc.message
    assert exc.offset == 2 * len(GOOD)
    assert f"byte {2 * len(GOOD)}" in str(exc)
    assert exc.excerpt


def test_excerpt_of_a_header_error_starts_at_the_bad_header() -> None:
    _, exc = decode_error(raw_message(string_header("ok", "1") + header("h", 42, b"zz")))
    assert exc.excerpt == b"\x01h*zz"


def test_a_crc_error_at_every_byte() -> None:
    """Any single corrupted byte of a message is an error, and the message before survives."""
    for i in range(len(GOOD)):
        bad = bytearray(GOOD)
        bad[i] ^= 0x41
        whole = Decoded(EventStreamDecoder, [GOOD + bytes(bad)])
        assert [m.data for m in whole.frames] == [b'{"ok":true}']
        if i < 8 and whole.error is None:  # a longer length: the body now ends inside it
            assert whole.truncated
            continue
        assert isinstance(whole.error, FrameError), (i, whole.error)
        assert "CRC mismatch" in whole.error.message
        assert whole.error.offset == len(GOOD)
        expected = "prelude" if i < 12 else "message"
        assert whole.error.message.startswith(expected), (i, whole.error.message)
        Decoded(EventStreamDecoder, bytewise(GOOD + bytes(bad))).same_as(whole)


def test_lengths_are_checked_only_after_the_prelude_crc() -> None:
    # total 8 with a matching CRC: a length error; with a wrong CRC: a CRC error.
    assert "shorter" in decode_error(raw_message(total=8) + b"\0" * 4)[1].message
    assert "CRC" in decode_error(raw_message(total=8, prelude_crc=1) + b"\0" * 4)[1].message


def test_bad_lengths_with_good_crcs() -> None:
    bad = bytearray(encode_message({"a": "b"}, b"payload"))
    bad[4:8] = struct.pack(">I", 3)  # the header block cut inside its value
    _, exc = decode_error(_crc_fixed(bad))
    assert "truncated" in exc.message


def test_event_too_large_is_decided_from_the_prelude() -> None:
    prelude = raw_message(payload=b"x" * 10_000)[:12]
    decoder = EventStreamDecoder(max_event_size=1000)
    with pytest.raises(EventTooLarge, match="message of 10016 bytes exceeds max_event_size=1000"):
        decoder.feed(prelude)  # nothing of the message held yet
    assert decoder.offset == 12


def test_a_message_of_exactly_max_event_size_is_accepted() -> None:
    body = raw_message(payload=b"x" * 84)  # 100 bytes
    assert len(decode(body, max_event_size=100)) == 1
    _, exc = decode_error(body, max_event_size=99)
    assert isinstance(exc, EventTooLarge)
    assert exc.offset == 0


def test_event_too_large_after_good_messages_in_one_chunk() -> None:
    big = raw_message(payload=b"x" * 200)
    decoder = EventStreamDecoder(max_event_size=150)
    assert len(decoder.feed(GOOD + GOOD + big)) == 2  # delivered first
    with pytest.raises(EventTooLarge) as info:
        decoder.feed(b"")
    assert info.value.offset == 2 * len(GOOD)
    with pytest.raises(StreamError, match="after an earlier error"):
        decoder.feed(GOOD)
    assert decoder.close() == []


def test_pending_error_is_raised_by_close() -> None:
    decoder = EventStreamDecoder()
    assert len(decoder.feed(GOOD + raw_message(message_crc=7))) == 1
    with pytest.raises(FrameError, match="message CRC"):
        decoder.close()
    assert decoder.close() == []


def test_refuses_input_after_an_error() -> None:
    decoder = EventStreamDecoder()
    with pytest.raises(FrameError):
        decoder.feed(raw_message(prelude_crc=1))
    with pytest.raises(StreamError, match="decoder refuses input after an earlier error"):
        decoder.feed(GOOD[:3])
    with pytest.raises(StreamError, match="refuses"):
        decoder.feed(b"")


def test_refuses_input_after_close() -> None:
    decoder = EventStreamDecoder()
    decoder.feed(GOOD[:5])
    assert decoder.close() == []
    assert decoder.truncated
    assert decoder.close() == []
    with pytest.raises(StreamError, match="after close"):
        decoder.feed(GOOD)


@pytest.mark.parametrize("cut", [1, 11, 12, 13, len(GOOD) - 1])
def test_truncated_when_the_body_ends_inside_a_message(cut: int) -> None:
    whole = Decoded(EventStreamDecoder, [GOOD + GOOD[:cut]])
    assert len(whole.frames) == 1
    assert whole.error is None
    assert whole.truncated
    Decoded(EventStreamDecoder, bytewise(GOOD + GOOD[:cut])).same_as(whole)


def test_not_truncated_at_a_message_boundary() -> None:
    assert not Decoded(EventStreamDecoder, [GOOD, GOOD]).truncated
    assert not Decoded(EventStreamDecoder, []).truncated


def test_max_event_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        EventStreamDecoder(max_event_size=0)


def test_default_max_event_size_is_the_sse_one() -> None:
    from streamkit import _eventstream, _ndjson

    assert _eventstream.DEFAULT_MAX_EVENT_SIZE == streamkit.DEFAULT_MAX_EVENT_SIZE
    assert _ndjson.DEFAULT_MAX_EVENT_SIZE == streamkit.DEFAULT_MAX_EVENT_SIZE


# -- encoding -----------------------------------------------------------------------------


def test_encode_infers_types() -> None:
    stamp = datetime.datetime(2025, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)
    ident = uuid.UUID(int=12345)
    headers = {
        "b": True,
        "f": False,
        "i": -5,
        "l": 2**40,
        "s": "text",
        "y": b"\x00\x01",
        "a": bytearray(b"ab"),
        "t": stamp,
        "u": ident,
    }
    [message] = decode(encode_message(headers, b"p"))
    assert dict(message.header_types) == {
        "b": "bool",
        "f": "bool",
        "i": "integer",
        "l": "long",
        "s": "string",
        "y": "bytes",
        "a": "bytes",
        "t": "timestamp",
        "u": "uuid",
    }
    assert dict(message.headers) == {**headers, "a": b"ab"}


def test_encode_forced_int_widths() -> None:
    body = encode_message({"n": 5, "m": 5, "o": 5}, types={"n": "byte", "m": "short", "o": "long"})
    [message] = decode(body)
    assert dict(message.header_types) == {"n": "byte", "m": "short", "o": "long"}
    assert body[12:].startswith(b"\x01n\x02\x05\x01m\x03\x00\x05\x01o\x05" + b"\x00" * 7 + b"\x05")


def test_encode_timestamp_in_whole_milliseconds() -> None:
    stamp = datetime.datetime(2025, 1, 1, 0, 0, 0, 999_999, tzinfo=UTC)
    [message] = decode(encode_message({"t": stamp}))
    assert message.headers["t"] == stamp.replace(microsecond=999_000)
    other_zone = datetime.datetime(
        2025, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))
    )
    [message] = decode(encode_message({"t": other_zone}))
    assert message.headers["t"] == other_zone
    assert message.headers["t"].tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("headers", "types", "error"),
    [
        pytest.param({"x" * 256: 1}, {}, ValueError, id="name-too-long"),
        pytest.param({"é" * 128: 1}, {}, ValueError, id="name-too-long-utf8"),
        pytest.param({"s": "x" * 65536}, {}, ValueError, id="string-too-long"),
        pytest.param({"b": b"x" * 65536}, {}, ValueError, id="bytes-too-long"),
        pytest.param({"n": 2**63}, {}, ValueError, id="int-too-large"),
        pytest.param({"n": 128}, {"n": "byte"}, ValueError, id="byte-out-of-range"),
        pytest.param({"n": 2**15}, {"n": "short"}, ValueError, id="short-out-of-range"),
        pytest.param({"n": 2**31}, {"n": "integer"}, ValueError, id="integer-out-of-range"),
        pytest.param({"t": datetime.datetime(2025, 1, 1)}, {}, ValueError, id="naive-datetime"),
        pytest.param({"x": 1.5}, {}, TypeError, id="float"),
        pytest.param({"x": None}, {}, TypeError, id="none"),
        pytest.param({"x": True}, {"x": "integer"}, TypeError, id="bool-as-integer"),
        pytest.param({"x": 1}, {"x": "bool"}, TypeError, id="int-as-bool"),
        pytest.param({"x": 1}, {"x": "string"}, TypeError, id="int-as-string"),
        pytest.param({"x": "a"}, {"x": "bytes"}, TypeError, id="str-as-bytes"),
        pytest.param({"x": 1}, {"x": "timestamp"}, TypeError, id="int-as-timestamp"),
        pytest.param({"x": b"0" * 16}, {"x": "uuid"}, TypeError, id="bytes-as-uuid"),
        pytest.param({"x": 1}, {"x": "float"}, ValueError, id="unknown-type"),
        pytest.param({"x": 1}, {"y": "integer"}, ValueError, id="types-of-missing-header"),
        pytest.param({1: 1}, {}, TypeError, id="name-not-str"),
    ],
)
def test_encode_refuses_what_cannot_be_carried(
    headers: dict[object, object], types: dict[str, str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        encode_message(headers, b"", types=types)  # type: ignore[arg-type]


def test_message_made_by_hand() -> None:
    message = EventStreamMessage({":event-type": "x", "n": 1}, bytearray(b"p"), offset=3)
    assert message.event == "x"
    assert message.data == b"p"
    assert message.offset == 3
    assert dict(message.header_types) == {":event-type": "string", "n": "integer"}
    short = EventStreamMessage({":event-type": "x", "n": 1}, b"p", types={"n": "short"})
    assert message != short  # same values, other wire types
    assert message == EventStreamMessage({":event-type": "x", "n": 1}, b"p")
    assert message != "x"
    assert repr(message) == (
        "EventStreamMessage(event='x', headers={':event-type': 'x', 'n': 1}, data=b'p')"
    )
    with pytest.raises(TypeError):
        hash(message)
    assert EventStreamMessage().event == "event"


def test_public_names() -> None:
    for name in ("EventStreamDecoder", "EventStreamMessage", "encode_message", "FrameError"):
        assert name in streamkit.__all__
        assert getattr(streamkit, name).__module__ == "streamkit"
    assert issubclass(FrameError, StreamError)


# -- real captures ------------------------------------------------------------------------


@pytest.mark.parametrize("path", BEDROCK, ids=[path.stem for path in BEDROCK])
def test_real_bedrock_body(path: object) -> None:
    body = path.read_bytes()  # type: ignore[attr-defined]
    whole = Decoded(EventStreamDecoder, [body])
    assert whole.error is None
    assert not whole.truncated
    assert whole.frames
    for size in (1, 3, 64, 1000):
        Decoded(
            EventStreamDecoder, [body[i : i + size] for i in range(0, len(body), size)]
        ).same_as(whole)
    again = b"".join(encode_message(m.headers, m.data, types=m.header_types) for m in whole.frames)
    assert again == body
    for message in whole.frames:
        assert message.message_type == "event"
        assert message.content_type == "application/json"
        assert message.event == message.headers[":event-type"]


def test_real_bedrock_event_names() -> None:
    names = {
        m.event for path in BEDROCK for m in Decoded(EventStreamDecoder, [path.read_bytes()]).frames
    }
    assert {
        "messageStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    } <= names
    assert {"chunk", "trace"} <= names


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(raw_message(header("h", 42)), id="bad-header"),
        pytest.param(raw_message(message_crc=3), id="bad-crc"),
        pytest.param(raw_message(prelude_crc=3), id="bad-prelude"),
    ],
)
def test_a_bad_message_alone_in_its_chunk(bad: bytes) -> None:
    """The one-message chunk, Bedrock's usual, fails like any other and stops the decoder."""
    decoder = EventStreamDecoder()
    assert len(decoder.feed(GOOD)) == 1
    with pytest.raises(FrameError) as info:
        decoder.feed(bad)
    assert info.value.offset == len(GOOD)
    with pytest.raises(StreamError, match="refuses"):
        decoder.feed(GOOD)


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param([raw_message(prelude_crc=1)], id="one-chunk"),
        pytest.param([GOOD[:50], GOOD[50:-1] + b"!"], id="completion"),
        pytest.param([GOOD[:5], raw_message(prelude_crc=1)[5:]], id="prelude-completion"),
        pytest.param([GOOD + raw_message(message_crc=1)], id="after-a-message"),
    ],
)
def test_offset_counts_every_byte_after_an_error(chunks: list[bytes]) -> None:
    decoder = EventStreamDecoder()
    fed = 0
    try:
        for chunk in chunks:
            fed += len(chunk)
            decoder.feed(chunk)
        decoder.close()
    except StreamError:
        pass
    assert decoder.offset == fed
