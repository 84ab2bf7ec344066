"""The stream glue reads each framing: auto tells the framing from the first bytes."""

from __future__ import annotations

import contextlib

import pytest

from streamkit import DecodeError, iter_events
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


# -- runs of NDJSON lines decoded at once ----------------------------------------------

LINE = (
    b'{"model":"m","created_at":"t","message":{"role":"assistant","content":"%d"},"done":false}\n'
)
BODY = b"".join(LINE % i for i in range(200))


def _typed(chunks: list[bytes], on_error: str = "yield") -> list[object]:
    from tests.fuzz.targets import event_key

    return [event_key(e) for e in iter_events(chunks, "ollama", on_error=on_error)]  # type: ignore[arg-type]


def _line_by_line(body: bytes, on_error: str = "yield") -> list[object]:
    return _typed([body[i : i + 1] for i in range(len(body))], on_error)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(BODY, id="plain"),
        pytest.param(BODY.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(BODY.replace(LINE % 50, LINE % 50 + b"\n  \n"), id="blank-lines"),
        pytest.param(BODY.replace(LINE % 50, b'{"error":"boom"}\n'), id="an-error-line"),
        pytest.param(BODY.replace(LINE % 50, b'{"status":"x"}\n'), id="an-unknown-line"),
        pytest.param(BODY.replace(LINE % 50, b'{"model":1}\n'), id="a-bad-line"),
        pytest.param(
            BODY.replace(LINE % 50, (LINE % 50)[:-1] + b" " + LINE % 51), id="two-objects-a-line"
        ),
        pytest.param(
            # One line holding two objects and an object spanning two lines: as many
            # objects as lines, which only the shape of the run tells apart.
            BODY.replace(
                LINE % 50 + LINE % 51,
                (LINE % 50)[:-1] + b" " + (LINE % 51).replace(b'"done":', b'"done":\n'),
            ),
            id="spanning-and-doubled",
        ),
        pytest.param(
            BODY.replace(LINE % 50, b'{"model":"m","created_at":"t","response":"x"}\n'),
            id="another-endpoints-line",
        ),
    ],
)
def test_a_run_decoded_at_once_gives_what_line_by_line_gives(body: bytes) -> None:
    expected = _line_by_line(body)
    for size in (1024, 4096, 16384, len(body)):
        assert _typed([body[i : i + size] for i in range(0, len(body), size)]) == expected
    with (
        pytest.raises(DecodeError)
        if any(type(k) is tuple for k in expected)
        else contextlib.nullcontext()
    ):
        assert _typed([body], "raise") == expected


def test_errors_after_a_run_are_located_as_line_by_line() -> None:
    body = BODY + b'{"model":"m","created_at":"t","done":3}\n'
    with pytest.raises(DecodeError) as whole:
        list(iter_events([body], "ollama"))
    with pytest.raises(DecodeError) as bytewise:
        list(iter_events([body[i : i + 1] for i in range(len(body))], "ollama"))
    assert (whole.value.ordinal, whole.value.offset) == (200, len(BODY))
    assert (bytewise.value.ordinal, bytewise.value.offset) == (200, len(BODY))


def test_a_run_is_decoded_at_once_only_once_the_dialect_is_known() -> None:
    pipeline = Pipeline("auto", "raise", 1 << 20)
    frames = pipeline.feed(BODY[:4096])
    assert type(frames) is list  # the first chunk: line by line, the dialect detected
    assert len(list(pipeline.events(frames))) == BODY[:4096].count(b"\n")
    later = pipeline.feed(BODY[4096:8192])
    assert getattr(later, "run", None)  # then whole runs of lines at once
