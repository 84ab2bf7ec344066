"""Properties of the tokenizer that hold for all inputs."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit import SSEDecoder, SSEEvent, StreamError

from .helpers import decode_chunks, split_at

# Bytes that exercise the grammar: field names, separators, line ends, a BOM,
# NUL and invalid UTF-8, in any order.
ATOMS = [b"data", b"event", b"id", b"retry", b"x", b":", b" ", b"\n", b"\r", b"\r\n", b"1"]
atoms = st.sampled_from([*ATOMS, b"\x00", b"\xef\xbb\xbf", b"\xff", "é".encode(), b": c\n"])
sse_bodies = st.lists(atoms, max_size=80).map(b"".join) | st.binary(max_size=300)


@settings(max_examples=1000)
@given(body=sse_bodies, cuts=st.lists(st.integers(0, 400), max_size=12))
def test_any_chunking_gives_the_same_events(
    body: bytes, cuts: list[int], sse_decoder: type[SSEDecoder]
) -> None:
    whole, d1 = decode_chunks([body], sse_decoder)
    split, d2 = decode_chunks(split_at(body, cuts), sse_decoder)
    assert split == whole
    assert [e.offset for e in split] == [e.offset for e in whole]
    assert (d2.last_event_id, d2.retry, d2.truncated) == (d1.last_event_id, d1.retry, d1.truncated)


@settings(max_examples=500)
@given(body=sse_bodies)
def test_one_byte_chunks_and_empty_chunks(body: bytes, sse_decoder: type[SSEDecoder]) -> None:
    whole, _ = decode_chunks([body], sse_decoder)
    bytewise, _ = decode_chunks(
        (chunk for i in range(len(body)) for chunk in (b"", body[i : i + 1])), sse_decoder
    )
    assert bytewise == whole


@given(body=st.binary(max_size=500), cuts=st.lists(st.integers(0, 500), max_size=8))
def test_arbitrary_bytes_raise_only_stream_errors(
    body: bytes, cuts: list[int], sse_decoder: type[SSEDecoder]
) -> None:
    decoder = sse_decoder(max_event_size=64)
    try:
        for chunk in split_at(body, cuts):
            for event in decoder.feed(chunk):
                assert isinstance(event.text, str)
        decoder.close()
    except StreamError:
        pass


names = st.text(min_size=1, max_size=20).filter(lambda s: not set(s) & {"\r", "\n", "\0"})
ids = st.none() | st.text(max_size=20).filter(lambda s: not set(s) & {"\r", "\n", "\0"})
retries = st.none() | st.integers(0, 2**40)


@given(event=names, data=st.binary(max_size=200), id=ids, retry=retries)
def test_decode_of_encode_is_identity(
    event: str, data: bytes, id: str | None, retry: int | None, sse_decoder: type[SSEDecoder]
) -> None:
    wire = streamkit.encode_event(event=event, data=data, id=id, retry=retry)
    [decoded] = decode_chunks([wire], sse_decoder)[0]
    # SSE cannot carry a CR inside data: CR and CRLF come back as LF.
    expected_data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    assert decoded == SSEEvent(event, expected_data, id or "", retry)
    if b"\r" not in data:
        assert decoded.data == data


@given(
    events=st.lists(st.tuples(names, st.binary(max_size=50), ids, retries), max_size=10),
    cuts=st.lists(st.integers(0, 2000), max_size=10),
)
def test_encoded_streams_decode_in_any_chunking(
    events: list[tuple[str, bytes, str | None, int | None]],
    cuts: list[int],
    sse_decoder: type[SSEDecoder],
) -> None:
    body = b"".join(
        streamkit.encode_event(event=e, data=d.replace(b"\r", b""), id=i, retry=r)
        for e, d, i, r in events
    )
    decoded, _ = decode_chunks(split_at(body, cuts), sse_decoder)
    last_id = ""
    expected = []
    starts = []
    start = 0
    for e, d, i, r in events:
        last_id = i if i is not None else last_id
        expected.append(SSEEvent(e, d.replace(b"\r", b""), last_id, r))
        starts.append(start)
        start += len(streamkit.encode_event(event=e, data=d.replace(b"\r", b""), id=i, retry=r))
    assert decoded == expected
    assert [e.offset for e in decoded] == starts


# -- a realistic Assistants stream ---------------------------------------------------


def assistants_body() -> tuple[bytes, list[tuple[str, object]]]:
    run = {"id": "run_1", "object": "thread.run", "status": "queued"}
    delta = lambda text: {  # noqa: E731
        "id": "msg_1",
        "object": "thread.message.delta",
        "delta": {"content": [{"index": 0, "type": "text", "text": {"value": text}}]},
    }
    events: list[tuple[str, object]] = [
        ("thread.run.created", run),
        ("thread.run.queued", run),
        ("thread.message.created", {"id": "msg_1", "object": "thread.message"}),
        *(("thread.message.delta", delta(w)) for w in ["Hé", "llo", " 世界", " 🎉", "\n", ":"]),
        ("thread.run.completed", {**run, "status": "completed"}),
    ]
    body = b"".join(
        f"event: {name}\ndata: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()
        for name, obj in events
    )
    return body + b"event: done\ndata: [DONE]\n\n", [*events, ("done", "[DONE]")]


@given(cuts=st.lists(st.integers(0, 3000), max_size=30))
def test_assistants_stream_in_any_chunking(cuts: list[int], sse_decoder: type[SSEDecoder]) -> None:
    body, expected = assistants_body()
    events, decoder = decode_chunks(split_at(body, cuts), sse_decoder)
    assert not decoder.truncated
    got = [(e.event, e.text if e.event == "done" else json.loads(e.data)) for e in events]
    assert got == expected


# -- linear cost ---------------------------------------------------------------------


def _feed_bytewise(size: int, decoder_class: type[SSEDecoder]) -> float:
    body = b"data: " + b"x" * size + b"\n\n"
    decoder = decoder_class(max_event_size=size + 100)
    feed = decoder.feed
    view = memoryview(body)
    start = time.process_time()
    for i in range(len(body)):
        out = feed(view[i : i + 1])
    elapsed = time.process_time() - start
    assert len(out) == 1
    assert len(out[0].data) == size
    return elapsed


@pytest.mark.slow
def test_one_byte_feeding_is_linear(sse_decoder: type[SSEDecoder]) -> None:
    """A 10 MB event fed one byte at a time costs about 10x a 1 MB one, not 100x."""
    small = min(_feed_bytewise(1_000_000, sse_decoder) for _ in range(2))
    large = _feed_bytewise(10_000_000, sse_decoder)
    assert large / small < 25, (small, large)
