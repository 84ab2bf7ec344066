"""The NDJSON tokenizer, rule by rule."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

import streamkit
from streamkit import EventTooLarge, NDJSONDecoder, NDJSONLine, StreamError

from .helpers import OLLAMA, Decoded, bytewise, split_at

if TYPE_CHECKING:
    from pathlib import Path


def lines(body: bytes, **kw: int) -> list[bytes]:
    """The lines of *body*, decoded whole, byte at a time and in 3-byte chunks (all agree)."""
    whole = Decoded(NDJSONDecoder, [body], **kw)
    for chunks in (bytewise(body), [body[i : i + 3] for i in range(0, len(body), 3)]):
        Decoded(NDJSONDecoder, chunks, **kw).same_as(whole)
    assert whole.error is None, whole.error
    return [line.data for line in whole.frames]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(b'{"a":1}\n{"b":2}\n', [b'{"a":1}', b'{"b":2}'], id="lf"),
        pytest.param(b'{"a":1}\r\n{"b":2}\r\n', [b'{"a":1}', b'{"b":2}'], id="crlf"),
        pytest.param(b"1\r\n2\n3\r\n", [b"1", b"2", b"3"], id="mixed"),
        pytest.param(b"\n\n1\n\n\n2\n\n", [b"1", b"2"], id="blank-lines"),
        pytest.param(b"  \n\t\n \r\n\r\n1\n", [b"1"], id="whitespace-lines"),
        pytest.param(b' {"a": 1} \n', [b' {"a": 1} '], id="spaces-kept"),
        pytest.param(b"a\rb\n", [b"a\rb"], id="lone-cr-inside"),
        pytest.param(b"a\r\r\n", [b"a\r"], id="one-cr-removed"),
        pytest.param(b"\x0c\n", [b"\x0c"], id="form-feed-is-not-json-whitespace"),
        pytest.param(b"\xff\xfe\n", [b"\xff\xfe"], id="bytes-not-decoded"),
        pytest.param(b"", [], id="empty"),
        pytest.param(b"\n", [], id="one-newline"),
    ],
)
def test_lines(body: bytes, expected: list[bytes]) -> None:
    assert lines(body) == expected


def test_every_line_is_named_message() -> None:
    [line] = NDJSONDecoder().feed(b"{}\n")
    assert line.event == "message"
    assert NDJSONLine(b"x").event == "message"


def test_offsets_are_the_first_byte_of_each_line() -> None:
    body = b'{"a":1}\r\n\n  \n{"b":2}\nlast'
    whole = Decoded(NDJSONDecoder, [body])
    assert whole.offsets == [0, 13, 21]
    for i in range(len(body) + 1):
        Decoded(NDJSONDecoder, split_at(body, [i])).same_as(whole)
    decoder = NDJSONDecoder()
    decoder.feed(body[:4])
    assert decoder.offset == 4
    decoder.feed(body[4:])
    assert decoder.offset == len(body)
    decoder.close()
    assert decoder.offset == len(body)


def test_crlf_split_between_chunks() -> None:
    decoder = NDJSONDecoder()
    assert decoder.feed(b'{"a":1}\r') == []
    [line] = decoder.feed(b'\n{"b"')
    assert line.data == b'{"a":1}'
    [last] = decoder.feed(b":2}\r\n")
    assert last.data == b'{"b":2}'


def test_final_line_without_newline_is_delivered_at_close() -> None:
    decoder = NDJSONDecoder()
    assert [line.data for line in decoder.feed(b'{"a":1}\n{"done":true}')] == [b'{"a":1}']
    [last] = decoder.close()
    assert last.data == b'{"done":true}'
    assert last.offset == 8
    assert decoder.truncated  # the body did not end with a line end


def test_a_cut_final_line_is_delivered_for_the_json_decoder_to_judge() -> None:
    decoder = NDJSONDecoder()
    decoder.feed(b'{"a":1}\n{"b":')
    [last] = decoder.close()
    assert last.data == b'{"b":'
    assert decoder.truncated
    with pytest.raises(json.JSONDecodeError):
        json.loads(last.data)


@pytest.mark.parametrize("tail", [b"", b"   ", b"\r", b" \t\r"])
def test_not_truncated_when_only_whitespace_follows_the_last_line_end(tail: bytes) -> None:
    decoder = NDJSONDecoder()
    decoder.feed(b"{}\n" + tail)
    assert decoder.close() == []
    assert not decoder.truncated


def test_a_final_cr_is_not_part_of_the_last_line() -> None:
    decoder = NDJSONDecoder()
    decoder.feed(b"{}\n[1]\r")
    [last] = decoder.close()
    assert last.data == b"[1]"


def test_line_inside_one_chunk_is_a_view_of_it() -> None:
    chunk = b'{"a":1}\n{"b":2}\r\n'
    first, second = NDJSONDecoder().feed(chunk)
    for line in (first, second):
        assert isinstance(line.view, memoryview)
        assert line.view.obj is chunk
    assert second.data == b'{"b":2}'
    assert type(second.data) is bytes


def test_line_across_chunks_is_bytes() -> None:
    decoder = NDJSONDecoder()
    decoder.feed(b'{"a"')
    [line] = decoder.feed(b":1}\n")
    assert type(line.view) is bytes
    assert line.data == b'{"a":1}'


def test_a_mutable_chunk_is_copied_before_it_is_viewed() -> None:
    chunk = bytearray(b'{"a":1}\n')
    [line] = NDJSONDecoder().feed(chunk)
    chunk[:] = b"XXXXXXXX"
    assert line.data == b'{"a":1}'


def test_feed_takes_bytes_like_objects_only() -> None:
    with pytest.raises(TypeError, match="bytes-like"):
        NDJSONDecoder().feed("{}\n")  # type: ignore[arg-type]


def test_line_equality_and_repr() -> None:
    assert NDJSONLine(b"x", 3) == NDJSONLine(memoryview(b"x"))
    assert NDJSONLine(b"x") != NDJSONLine(b"y")
    assert NDJSONLine(b"x") != "x"
    assert repr(NDJSONLine(b"{}")) == "NDJSONLine(data=b'{}')"
    with pytest.raises(TypeError):
        hash(NDJSONLine())


# -- limits and errors ---------------------------------------------------------------------


def test_a_line_of_exactly_max_event_size_is_accepted() -> None:
    assert lines(b"x" * 10 + b"\n" + b"y" * 10 + b"\r\n" + b"z" * 10, max_event_size=10) == [
        b"x" * 10,
        b"y" * 10,
        b"z" * 10,
    ]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"x" * 11 + b"\n", id="lf"),
        pytest.param(b"x" * 11 + b"\r\n", id="crlf"),
        pytest.param(b"x" * 11, id="unterminated"),
        pytest.param(b"x" * 10 + b"\r" + b"y", id="cr-then-more"),
        pytest.param(b" " * 11 + b"\n", id="blank-but-long"),
    ],
)
def test_a_line_longer_than_max_event_size(body: bytes) -> None:
    good = b'{"a":1}\n'
    whole = Decoded(NDJSONDecoder, [good + good + body + good], max_event_size=10)
    assert [line.data for line in whole.frames] == [b'{"a":1}', b'{"a":1}']
    assert type(whole.error) is EventTooLarge
    assert whole.error.offset == 2 * len(good)
    assert "line exceeds max_event_size=10" in str(whole.error)
    assert whole.error.excerpt
    for chunks in (bytewise(good + good + body + good), split_at(good + good + body, [5, 17, 19])):
        Decoded(NDJSONDecoder, chunks, max_event_size=10).same_as(whole)


def test_a_long_line_is_refused_before_it_is_held() -> None:
    decoder = NDJSONDecoder(max_event_size=1000)
    decoder.feed(b"x" * 1000)
    with pytest.raises(EventTooLarge) as info:
        decoder.feed(b"x")
    assert info.value.offset == 0
    assert decoder.offset == 1001


def test_lines_before_an_error_in_the_same_chunk_come_first() -> None:
    decoder = NDJSONDecoder(max_event_size=5)
    assert [line.data for line in decoder.feed(b"1\n2\n" + b"x" * 6 + b"\n3\n")] == [b"1", b"2"]
    with pytest.raises(EventTooLarge):
        decoder.feed(b"4\n")
    with pytest.raises(StreamError, match="after an earlier error"):
        decoder.feed(b"4\n")
    assert decoder.close() == []


def test_pending_error_is_raised_by_close() -> None:
    decoder = NDJSONDecoder(max_event_size=5)
    assert len(decoder.feed(b"1\n" + b"x" * 9)) == 1
    with pytest.raises(EventTooLarge):
        decoder.close()


def test_refuses_input_after_close() -> None:
    decoder = NDJSONDecoder()
    assert decoder.close() == []
    assert decoder.close() == []
    with pytest.raises(StreamError, match="after close"):
        decoder.feed(b"{}\n")


def test_max_event_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        NDJSONDecoder(max_event_size=0)


def test_public_names() -> None:
    for name in ("NDJSONDecoder", "NDJSONLine"):
        assert name in streamkit.__all__
        assert getattr(streamkit, name).__module__ == "streamkit"


# -- real captures -------------------------------------------------------------------------


@pytest.mark.parametrize("path", OLLAMA, ids=[path.stem for path in OLLAMA])
def test_real_ollama_body(path: Path) -> None:
    body = path.read_bytes()
    whole = Decoded(NDJSONDecoder, [body])
    assert whole.error is None
    assert not whole.truncated
    assert [line.data for line in whole.frames] == body.splitlines()
    for size in (1, 7, 64, 4096):
        Decoded(NDJSONDecoder, [body[i : i + size] for i in range(0, len(body), size)]).same_as(
            whole
        )
    objects = [json.loads(line.data) for line in whole.frames]
    assert all("created_at" in obj for obj in objects)
    assert objects[-1]["done"] is True
    assert not any(obj["done"] for obj in objects[:-1])


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param([b"x" * 20], id="one-chunk"),
        pytest.param([b"xxxx", b"x" * 20], id="tail-grows"),
        pytest.param([b"xxxx", b"x" * 20 + b"\n{}\n"], id="tail-ends"),
        pytest.param([b"{}\n" + b"x" * 20 + b"\n"], id="after-a-line"),
    ],
)
def test_offset_counts_every_byte_after_an_error(chunks: list[bytes]) -> None:
    decoder = NDJSONDecoder(max_event_size=10)
    fed = 0
    try:
        for chunk in chunks:
            fed += len(chunk)
            decoder.feed(chunk)
        decoder.close()
    except StreamError:
        pass
    assert decoder.offset == fed


def test_skip_counts_whole_lines_read_elsewhere() -> None:
    """A reader that decodes a run of whole lines itself has the decoder count them."""
    decoder = NDJSONDecoder()
    assert [line.offset for line in decoder.feed(b"{}\n")] == [0]
    decoder.skip(6)  # '{"a":1}' read elsewhere... 6 bytes of whole lines
    assert decoder.offset == 9
    (line,) = decoder.feed(b"[1]\n")
    assert (line.data, line.offset) == (b"[1]", 9)
    decoder.feed(b"[2")
    with pytest.raises(RuntimeError, match="between lines only"):
        decoder.skip(3)
    decoder.close()
    with pytest.raises(StreamError, match="after close"):
        decoder.skip(3)
