"""The stream glue reads each framing: auto tells the framing from the first bytes."""

from __future__ import annotations

import pytest

import streamkit
from streamkit import FrameError
from streamkit._eventstream import EventStreamDecoder, encode_message
from streamkit._jsonarray import JSONArrayDecoder
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
        (b'[{"candidates": []}]', "jsonarray"),
        (b"\r\n [", "jsonarray"),
        (b"\xef\xbb\xbf[", "sse"),
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
        (b'[{"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}]', JSONArrayDecoder),
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


GEMINI_SSE = b'data: {"candidates":[{"content":{"parts":[{"text":"hi"}]},"index":0}]}\r\n\r\n'
GEMINI_ARRAY = b'[{"candidates":[{"content":{"parts":[{"text":"hi"}]},"index":0}]}\r\n]'


@pytest.mark.parametrize(
    ("body", "tokenizer"), [(GEMINI_SSE, SSEDecoder), (GEMINI_ARRAY, JSONArrayDecoder)]
)
@pytest.mark.parametrize("dialect", ["gemini", "auto"])
def test_a_dialect_of_two_framings_reads_either_byte_by_byte(
    body: bytes, tokenizer: type, dialect: str
) -> None:
    """A named dialect with several framings tells its framing from the first bytes, too."""
    pipeline = Pipeline(dialect, "raise", 1 << 20)
    events = []
    for i in range(len(body)):
        events += pipeline.events(pipeline.feed(body[i : i + 1]))
    events += pipeline.events(pipeline.close())
    assert type(pipeline.decoder) is tokenizer
    [event] = events
    assert type(event).__name__ == "GenerateContentResponseEvent"


def test_a_named_dialect_reads_bytes_of_another_framing_as_its_first() -> None:
    """NDJSON-looking bytes under the SSE-and-array dialect are read as SSE, its first framing."""
    pipeline = Pipeline("gemini", "raise", 1 << 20)
    assert pipeline.feed(b'{"candidates": []}\n') == []
    assert type(pipeline.decoder) is SSEDecoder
    empty = Pipeline("gemini", "raise", 1 << 20)
    assert empty.close() == []
    assert type(empty.decoder) is SSEDecoder


def test_a_named_dialect_of_two_framings_checks_max_event_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        Pipeline("gemini", "raise", 0)


@pytest.mark.parametrize("policy", ["raise", "skip", "yield"])
def test_a_broken_framing_ends_the_stream_under_every_policy(policy: str) -> None:
    """The error policy is for payloads; a malformed JSON array is no payload to skip.

    (Found by the atheris campaign: the fuzz target expected skip and yield never to raise.)
    """
    good = b'{"candidates":[{"content":{"parts":[{"text":"hi"}]}}]}'
    body = b"[" + good + b" : " + good + b"]"
    events = []
    with pytest.raises(FrameError) as info:
        events += streamkit.iter_events([body], "gemini", on_error=policy)  # type: ignore[arg-type]
    assert info.value.offset == 1 + len(good) + 1
    assert len(events) == 1
