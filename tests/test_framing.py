"""The stream glue reads each framing: auto tells the framing from the first bytes."""

from __future__ import annotations

import pytest

from streamkit._eventstream import EventStreamDecoder, encode_message
from streamkit._ndjson import NDJSONDecoder
from streamkit._pipeline import Pipeline, sniff
from streamkit._sse import SSEDecoder

EVENTSTREAM = encode_message({":event-type": "messageStart", ":message-type": "event"}, b"{}")


@pytest.mark.parametrize(
    ("head", "framing"),
    [
        (b"data: x\n\n", "sse"),
        (b"event: message_start\n", "sse"),
        (b": keep-alive\n", "sse"),
        (b"\xef\xbb\xbfdata: x\n\n", "sse"),
        (b'{"model":"llama3"}\n', "ndjson"),
        (b'\r\n {"model":"llama3"}\n', "ndjson"),
        (EVENTSTREAM, "eventstream"),
        (EVENTSTREAM[:1], "eventstream"),
    ],
)
def test_the_first_bytes_tell_the_framing(head: bytes, framing: str) -> None:
    assert sniff(head) == framing
    assert sniff(head, final=True) == framing


@pytest.mark.parametrize("head", [b"", b"\n\n  ", b"\xef", b"\xef\xbb"])
def test_bytes_that_cannot_tell_wait_and_are_sse_at_the_end(head: bytes) -> None:
    assert sniff(head) is None
    assert sniff(head, final=True) == "sse"


@pytest.mark.parametrize(
    ("body", "tokenizer"),
    [
        (
            b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m"}\n\n',
            SSEDecoder,
        ),
        (EVENTSTREAM, EventStreamDecoder),
        (b'{"model":"m"}\n', NDJSONDecoder),
    ],
)
def test_auto_picks_the_tokenizer_byte_by_byte(body: bytes, tokenizer: type) -> None:
    pipeline = Pipeline("auto", "yield", 1 << 20)
    frames = []
    for i in range(len(body)):
        frames += pipeline.feed(body[i : i + 1])
    frames += pipeline.close()
    assert type(pipeline.decoder) is tokenizer
    assert len(frames) == 1
    assert pipeline.offset == len(body)


def test_a_body_of_blank_lines_is_an_sse_body_of_no_events() -> None:
    pipeline = Pipeline("auto", "raise", 1 << 20)
    assert pipeline.feed(b"\n\n") == []
    assert pipeline.close() == []
    assert type(pipeline.decoder) is SSEDecoder
