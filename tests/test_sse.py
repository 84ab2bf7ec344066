"""The tokenizer against the WHATWG "Interpreting an event stream" rules.

Every case runs three ways (whole, byte by byte, in small chunks with empty
ones between), so each rule is also checked across chunk boundaries.
"""

from __future__ import annotations

import array
from typing import Any

import pytest

import streamkit
from streamkit import EventTooLarge, SSEDecoder, SSEEvent, StreamError

from .helpers import decode_chunks, three_ways

E = SSEEvent

# (id, body, events, state after close: (last_event_id, retry, truncated))
CASES = [
    # -- dispatch ------------------------------------------------------------
    ("simple", b"data: hi\n\n", [E(data=b"hi")], ("", None, False)),
    ("two-events", b"data: a\n\ndata: b\n\n", [E(data=b"a"), E(data=b"b")], ("", None, False)),
    ("default-type-message", b"data: x\n\n", [E("message", b"x")], ("", None, False)),
    ("event-type", b"event: thread.run.created\ndata: {}\n\n", [E("thread.run.created", b"{}")], ("", None, False)),
    ("empty-event-type-is-message", b"event:\ndata: x\n\n", [E("message", b"x")], ("", None, False)),
    ("event-type-resets-after-dispatch", b"event: a\ndata: 1\n\ndata: 2\n\n", [E("a", b"1"), E("message", b"2")], ("", None, False)),
    ("last-event-type-wins", b"event: a\nevent: b\ndata: x\n\n", [E("b", b"x")], ("", None, False)),
    ("no-data-no-dispatch", b"event: a\n\n", [], ("", None, False)),
    ("event-type-dropped-when-no-data", b"event: a\n\ndata: x\n\n", [E("message", b"x")], ("", None, False)),
    ("several-blank-lines", b"\n\n\ndata: x\n\n\n\n", [E(data=b"x")], ("", None, False)),
    # -- data ----------------------------------------------------------------
    ("data-lines-joined-with-lf", b"data: a\ndata: b\ndata: c\n\n", [E(data=b"a\nb\nc")], ("", None, False)),
    ("empty-data-dispatches-empty", b"data\n\n", [E(data=b"")], ("", None, False)),
    ("empty-data-colon", b"data:\n\n", [E(data=b"")], ("", None, False)),
    ("two-empty-data-lines", b"data\ndata\n\n", [E(data=b"\n")], ("", None, False)),
    ("final-lf-stripped-once", b"data: a\ndata:\n\n", [E(data=b"a\n")], ("", None, False)),
    ("one-space-stripped", b"data:  two spaces\n\n", [E(data=b" two spaces")], ("", None, False)),
    ("no-space-needed", b"data:x\n\n", [E(data=b"x")], ("", None, False)),
    ("tab-not-stripped", b"data:\tx\n\n", [E(data=b"\tx")], ("", None, False)),
    ("split-at-first-colon", b"data: a:b: c\n\n", [E(data=b"a:b: c")], ("", None, False)),
    ("trailing-space-kept", b"data: x \n\n", [E(data=b"x ")], ("", None, False)),
    ("field-names-case-sensitive", b"Data: x\nDATA: y\n\n", [], ("", None, False)),
    ("field-name-with-space-is-unknown", b"data : x\n\n", [], ("", None, False)),
    ("data-prefix-field-is-unknown", b"database: x\ndata: y\n\n", [E(data=b"y")], ("", None, False)),
    # -- line endings --------------------------------------------------------
    ("crlf", b"event: e\r\ndata: a\r\ndata: b\r\n\r\n", [E("e", b"a\nb")], ("", None, False)),
    ("cr", b"event: e\rdata: a\rdata: b\r\r", [E("e", b"a\nb")], ("", None, False)),
    ("mixed-endings", b"data: a\rdata: b\r\ndata: c\n\r\n", [E(data=b"a\nb\nc")], ("", None, False)),
    ("cr-cr-is-blank-line", b"data: a\r\rdata: b\r\n\r\n", [E(data=b"a"), E(data=b"b")], ("", None, False)),
    ("lf-cr-is-blank-line", b"data: a\n\rdata: b\n\n", [E(data=b"a"), E(data=b"b")], ("", None, False)),
    ("crlf-then-cr", b"data: a\r\n\rdata: b\r\n\n", [E(data=b"a"), E(data=b"b")], ("", None, False)),
    # -- comments and unknown fields ------------------------------------------
    ("comment-ignored", b": keep-alive\ndata: x\n\n", [E(data=b"x")], ("", None, False)),
    ("comment-only-block-no-dispatch", b": ping\n\n", [], ("", None, False)),
    ("colon-alone-is-comment", b":\ndata: x\n\n", [E(data=b"x")], ("", None, False)),
    ("comment-between-data", b"data: a\n: c\ndata: b\n\n", [E(data=b"a\nb")], ("", None, False)),
    ("unknown-field-ignored", b"foo: bar\ndata: x\n\n", [E(data=b"x")], ("", None, False)),
    ("no-colon-unknown-field", b"foo\ndata: x\n\n", [E(data=b"x")], ("", None, False)),
    # -- id ------------------------------------------------------------------
    ("id", b"id: 1\ndata: x\n\n", [E(data=b"x", id="1")], ("1", None, False)),
    ("id-persists", b"id: 1\ndata: a\n\ndata: b\n\n", [E(data=b"a", id="1"), E(data=b"b", id="1")], ("1", None, False)),
    ("id-reset-by-empty", b"id: 1\ndata: a\n\nid\ndata: b\n\n", [E(data=b"a", id="1"), E(data=b"b", id="")], ("", None, False)),
    ("id-with-nul-ignored", b"id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n", [E(data=b"a", id="1"), E(data=b"b", id="1")], ("1", None, False)),
    ("id-updated-without-dispatch", b"id: 5\n\n", [], ("5", None, False)),
    ("id-set-after-data-in-block", b"data: a\nid: 9\n\n", [E(data=b"a", id="9")], ("9", None, False)),
    ("id-space-stripped-once", b"id:  7\ndata: x\n\n", [E(data=b"x", id=" 7")], (" 7", None, False)),
    ("id-pending-not-in-force", b"id: 1\ndata: a\n\nid: 2\ndata: b", [E(data=b"a", id="1")], ("1", None, True)),
    # -- retry ---------------------------------------------------------------
    ("retry", b"retry: 3000\ndata: x\n\n", [E(data=b"x", retry=3000)], ("", 3000, False)),
    ("retry-without-dispatch", b"retry: 10\n\n", [], ("", 10, False)),
    ("retry-takes-effect-immediately", b"retry: 10\ndata: x", [], ("", 10, True)),
    ("retry-non-digit-ignored", b"retry: 10\n\nretry: 1a\ndata: x\n\n", [E(data=b"x")], ("", 10, False)),
    ("retry-negative-ignored", b"retry: -1\ndata: x\n\n", [E(data=b"x")], ("", None, False)),
    ("retry-empty-ignored", b"retry:\ndata: x\n\n", [E(data=b"x")], ("", None, False)),
    ("retry-non-ascii-digit-ignored", "retry: \u0663\ndata: x\n\n".encode(), [E(data=b"x")], ("", None, False)),
    ("retry-leading-zeros", b"retry: 007\ndata: x\n\n", [E(data=b"x", retry=7)], ("", 7, False)),
    ("retry-not-carried-to-next-event", b"retry: 5\ndata: a\n\ndata: b\n\n", [E(data=b"a", retry=5), E(data=b"b")], ("", 5, False)),
    # -- BOM -----------------------------------------------------------------
    ("bom-stripped", b"\xef\xbb\xbfdata: x\n\n", [E(data=b"x")], ("", None, False)),
    ("bom-stripped-once", b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n", [E(data=b"y")], ("", None, False)),
    ("bom-only", b"\xef\xbb\xbf", [], ("", None, False)),
    ("bom-mid-stream-kept", b"data: a\n\n\xef\xbb\xbfdata: b\n\ndata: c\n\n", [E(data=b"a"), E(data=b"c")], ("", None, False)),
    ("bom-prefix-not-bom", b"\xef\xbbdata: x\n\n", [], ("", None, False)),
    # -- end of stream ---------------------------------------------------------
    ("unterminated-event-discarded", b"data: a\n\ndata: b\n", [E(data=b"a")], ("", None, True)),
    ("unterminated-line-discarded", b"data: a\n\ndata: b", [E(data=b"a")], ("", None, True)),
    ("event-line-only-is-truncated", b"event: a\n", [], ("", None, True)),
    ("partial-comment-is-truncated", b": ke", [], ("", None, True)),
    ("clean-end", b"data: a\n\n: bye\n", [E(data=b"a")], ("", None, False)),
    ("empty-stream", b"", [], ("", None, False)),
    ("cr-at-very-end", b"data: a\r\r", [E(data=b"a")], ("", None, False)),
    # -- UTF-8 ---------------------------------------------------------------
    ("utf8-data", "data: héllo 世界 🎉\n\n".encode(), [E(data="héllo 世界 🎉".encode())], ("", None, False)),
    ("utf8-event-and-id", "event: é\nid: ü\ndata: x\n\n".encode(), [E("é", b"x", "ü")], ("ü", None, False)),
    ("invalid-utf8-kept-raw", b"event: a\xffb\nid: \xc3\ndata: \xfe\xc3(\n\n", [E("a\ufffdb", b"\xfe\xc3(", "\ufffd")], ("\ufffd", None, False)),
    ("nul-in-data-kept", b"data: a\x00b\n\n", [E(data=b"a\x00b")], ("", None, False)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "expected", "state"), [pytest.param(*c[1:], id=c[0]) for c in CASES]
)
def test_conformance(
    body: bytes,
    expected: list[SSEEvent],
    state: tuple[str, int | None, bool],
    sse_decoder: type[SSEDecoder],
) -> None:
    events = three_ways(body, sse_decoder)
    assert events == expected
    _, decoder = decode_chunks([body], sse_decoder)
    assert (decoder.last_event_id, decoder.retry, decoder.truncated) == state


def test_text_replaces_invalid_utf8(sse_decoder: type[SSEDecoder]) -> None:
    [event] = three_ways(b"data: ok \xff \xe4\xb8 end\n\n", sse_decoder)
    assert event.data == b"ok \xff \xe4\xb8 end"
    assert event.text == "ok \ufffd \ufffd end"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"data: x\r\n\r\n", id="crlf"),
        pytest.param(b"data: x\r\r", id="cr"),
        pytest.param(b"\xef\xbb\xbfdata: x\n\n", id="bom"),
    ],
)
def test_every_split_point(body: bytes, sse_decoder: type[SSEDecoder]) -> None:
    """A CR ending one chunk pairs with an LF opening the next; a BOM may be split anywhere."""
    for i in range(len(body) + 1):
        for j in range(i, len(body) + 1):
            events, _ = decode_chunks([body[:i], body[i:j], body[j:]], sse_decoder)
            assert events == [E(data=b"x")], (i, j)


def test_cr_then_lf_in_next_chunk_is_one_line_end(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []
    assert decoder.feed(b"\n\r") == [E(data=b"a\nb")]
    assert decoder.feed(b"\n") == []  # the LF of the final CRLF, not a second blank line


def test_single_line_payload_is_a_view_of_the_chunk(sse_decoder: type[SSEDecoder]) -> None:
    chunk = b'event: a\ndata: {"x": 1}\n\n'
    [event] = sse_decoder().feed(chunk)
    view = event.view
    assert isinstance(view, memoryview)
    assert view.obj is chunk
    assert event.data == b'{"x": 1}'


def test_offset_names_the_first_line_of_each_event(sse_decoder: type[SSEDecoder]) -> None:
    body = b"\xef\xbb\xbf: hi\ndata: a\n\nid: 1\r\ndata: b\r\n\r\nevent: x\ndata: c\n\n"
    for chunks in ([body], [body[i : i + 1] for i in range(len(body))]):
        events, _ = decode_chunks(chunks, sse_decoder)
        assert [e.offset for e in events] == [
            body.index(b"data: a"),
            body.index(b"id: 1"),
            body.index(b"event: x"),
        ]


def test_mutable_chunks_are_not_aliased(sse_decoder: type[SSEDecoder]) -> None:
    chunk = bytearray(b"data: abc\n\n")
    [event] = sse_decoder().feed(chunk)
    chunk[6:9] = b"xyz"
    assert event.data == b"abc"


def test_pending_data_does_not_pin_chunks(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder()
    decoder.feed(b"data: a\r\n")
    assert type(decoder._data) is bytes  # copied out of the chunk when feed returned


def test_accepts_memoryview_and_bytearray(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder()
    assert decoder.feed(memoryview(b"data: a\n")) == []
    assert decoder.feed(bytearray(b"\n")) == [E(data=b"a")]


def test_offset_counts_every_byte(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder()
    decoder.feed(b"\xef\xbb")
    decoder.feed(b"\xbfdata: x\n")
    assert decoder.offset == 11


def test_event_equality_and_repr() -> None:
    assert E("a", b"x", "1", 5) == E("a", memoryview(b"x"), "1", 5)
    assert E("a", b"x") != E("b", b"x")
    assert E("a", b"x") != "a"
    assert repr(E("a", b"x", "1", 5)) == "SSEEvent(event='a', data=b'x', id='1', retry=5)"
    with pytest.raises(TypeError):
        hash(E())


# -- bounded memory and errors ---------------------------------------------------


def test_event_too_large_in_data_lines(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder(max_event_size=100)
    decoder.feed(b"data: " + b"a" * 60 + b"\n")
    with pytest.raises(EventTooLarge, match="max_event_size=100") as info:
        decoder.feed(b"data: " + b"b" * 60 + b"\n")
    assert isinstance(info.value, StreamError)
    assert info.value.offset == 134
    assert "byte 134" in str(info.value)


def test_event_too_large_in_one_unterminated_line(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder(max_event_size=1000)
    for _ in range(100):
        decoder.feed(b"x" * 10)
    with pytest.raises(EventTooLarge) as info:
        decoder.feed(b"x")
    assert info.value.offset == 1001


def test_bound_counts_one_event_only(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder(max_event_size=64)
    body = b"data: " + b"a" * 50 + b"\n\n"
    events = []
    for _ in range(1000):
        events += decoder.feed(body)
    assert len(events) == 1000


def test_refuses_input_after_error(sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder(max_event_size=10)
    with pytest.raises(EventTooLarge):
        decoder.feed(b"data: 0123456789abc\n")
    with pytest.raises(StreamError, match="after an earlier error"):
        decoder.feed(b"\n")


def test_refuses_input_after_close(sse_decoder: type[SSEDecoder]) -> None:
    """Feeding a closed decoder is a mistake of the caller, not bad input: RuntimeError."""
    decoder = sse_decoder()
    decoder.close()
    assert decoder.close() == []
    with pytest.raises(RuntimeError, match="after close") as caught:
        decoder.feed(b"data: x\n\n")
    assert not isinstance(caught.value, StreamError)


@pytest.mark.parametrize("chunk", ["data: x\n\n", 5, None, 1.5, [b"data: x\n\n"]])
def test_a_chunk_that_is_not_bytes_like_is_a_type_error(
    chunk: object, sse_decoder: type[SSEDecoder]
) -> None:
    """``bytes(5)`` would be five NULs and a str has no one encoding: both are refused."""
    decoder = sse_decoder()
    with pytest.raises(TypeError, match=type(chunk).__name__):
        decoder.feed(chunk)  # type: ignore[arg-type]
    assert decoder.feed(b"data: x\n\n") == [SSEEvent(data=b"x")]


@pytest.mark.parametrize("make", [bytearray, memoryview, lambda b: array.array("B", b)])
def test_any_bytes_like_chunk_is_taken(make: Any, sse_decoder: type[SSEDecoder]) -> None:
    decoder = sse_decoder()
    assert decoder.feed(make(b"data: x\n\n")) == [SSEEvent(data=b"x")]


def test_max_event_size_must_be_positive(sse_decoder: type[SSEDecoder]) -> None:
    with pytest.raises(ValueError, match="positive"):
        sse_decoder(max_event_size=0)


def test_huge_retry_value_is_ignored_not_fatal(sse_decoder: type[SSEDecoder]) -> None:
    events = three_ways(b"retry: " + b"9" * 5000 + b"\ndata: x\n\n", sse_decoder)
    assert events == [E(data=b"x")]


# -- encode_event ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "wire"),
    [
        pytest.param({"data": b"x"}, b"data: x\n\n", id="data"),
        pytest.param({"data": ""}, b"data: \n\n", id="empty"),
        pytest.param(
            {"event": "done", "data": "[DONE]"}, b"event: done\ndata: [DONE]\n\n", id="named"
        ),
        pytest.param({"data": "a\nb"}, b"data: a\ndata: b\n\n", id="lf"),
        pytest.param({"data": "a\r\nb\rc"}, b"data: a\ndata: b\ndata: c\n\n", id="crlf-cr"),
        pytest.param({"data": " x"}, b"data:  x\n\n", id="leading-space"),
        pytest.param(
            {"data": "x", "id": "7", "retry": 10}, b"id: 7\nretry: 10\ndata: x\n\n", id="id-retry"
        ),
    ],
)
def test_encode_event(kwargs: dict[str, object], wire: bytes) -> None:
    assert streamkit.encode_event(**kwargs) == wire  # type: ignore[arg-type]


def test_encode_roundtrip_examples(sse_decoder: type[SSEDecoder]) -> None:
    for data in (b"", b"\n", b"a\n", b"\na", b" lead", b"x:y", "é".encode()):
        [event] = three_ways(
            streamkit.encode_event(event="t", data=data, id="i", retry=3), sse_decoder
        )
        assert event == E("t", data, "i", 3)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"event": ""}, id="empty-name"),
        pytest.param({"event": "a\nb"}, id="name-lf"),
        pytest.param({"event": "a\rb"}, id="name-cr"),
        pytest.param({"event": "a\0b"}, id="name-nul"),
        pytest.param({"id": "1\n2"}, id="id-lf"),
        pytest.param({"id": "1\r"}, id="id-cr"),
        pytest.param({"id": "1\x002"}, id="id-nul"),
        pytest.param({"retry": -1}, id="negative-retry"),
    ],
)
def test_encode_refuses_what_cannot_be_carried(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        streamkit.encode_event(**kwargs)  # type: ignore[arg-type]
