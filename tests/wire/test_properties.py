"""Properties of both tokenizers for all inputs: chunking, round trips, errors, time."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, given, settings, strategies as st

from streamkit import (
    EventStreamDecoder,
    EventStreamMessage,
    NDJSONDecoder,
    StreamError,
    encode_message,
)

from .helpers import BEDROCK, OLLAMA, Decoded, bytewise, headers_and_types, split_at

if TYPE_CHECKING:
    from collections.abc import Callable

cuts = st.lists(st.integers(0, 1 << 12), max_size=12)
payloads = st.binary(max_size=300)
messages = st.tuples(headers_and_types(), payloads)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def encode_all(items: list[tuple[tuple[dict[str, Any], dict[str, str]], bytes]]) -> bytes:
    return b"".join(
        encode_message(headers, payload, types=types)  # type: ignore[arg-type]
        for (headers, types), payload in items
    )


@st.composite
def corrupted(draw: st.DrawFn, body: bytes) -> bytes:
    """*body* with one mutation: a bit flipped, bytes deleted or inserted, or cut short."""
    data = bytearray(body)
    op = draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
    pos = draw(st.integers(0, max(0, len(data) - 1)))
    if op == "flip" and data:
        data[pos] ^= 1 << draw(st.integers(0, 7))
    elif op == "delete":
        del data[pos : pos + draw(st.integers(1, 20))]
    elif op == "insert":
        data[pos:pos] = draw(st.binary(min_size=1, max_size=20))
    else:
        del data[pos:]
    return bytes(data)


# -- event stream ------------------------------------------------------------------------


@SETTINGS
@given(item=messages, cuts=cuts)
def test_encode_then_decode_gives_the_message_and_its_bytes(
    item: tuple[tuple[dict[str, Any], dict[str, str]], bytes], cuts: list[int]
) -> None:
    (headers, types), payload = item
    body = encode_message(headers, payload, types=types)  # type: ignore[arg-type]
    decoded = Decoded(EventStreamDecoder, split_at(body, cuts))
    assert decoded.error is None
    [message] = decoded.frames
    assert dict(message.headers) == headers
    assert dict(message.header_types) == types
    assert message.data == payload
    assert encode_message(message.headers, message.data, types=message.header_types) == body
    assert message == EventStreamMessage(headers, payload, types=types)  # type: ignore[arg-type]


@SETTINGS
@given(items=st.lists(messages, max_size=6), cuts=cuts)
def test_any_chunking_gives_the_same_messages(items: list[Any], cuts: list[int]) -> None:
    body = encode_all(items)
    whole = Decoded(EventStreamDecoder, [body])
    assert whole.error is None
    assert len(whole.frames) == len(items)
    Decoded(EventStreamDecoder, split_at(body, cuts)).same_as(whole)
    Decoded(EventStreamDecoder, bytewise(body)).same_as(whole)


@SETTINGS
@given(data=st.data(), items=st.lists(messages, min_size=1, max_size=4), cuts=cuts)
def test_any_chunking_gives_the_same_error(
    data: st.DataObject, items: list[Any], cuts: list[int]
) -> None:
    """A damaged body: the same messages, then the same error (or truncation), in any chunking."""
    body = data.draw(corrupted(encode_all(items)))
    whole = Decoded(EventStreamDecoder, [body])
    Decoded(EventStreamDecoder, split_at(body, cuts)).same_as(whole)
    Decoded(EventStreamDecoder, bytewise(body)).same_as(whole)
    # What came before the damage is what the undamaged body gives.
    good = Decoded(EventStreamDecoder, [encode_all(items)])
    n = len(whole.frames)
    if whole.error is not None:
        assert whole.frames == good.frames[:n]


@SETTINGS
@given(body=st.binary(max_size=400), cuts=cuts, limit=st.integers(16, 400))
def test_arbitrary_bytes_raise_only_stream_errors(body: bytes, cuts: list[int], limit: int) -> None:
    whole = Decoded(EventStreamDecoder, [body], max_event_size=limit)
    Decoded(EventStreamDecoder, split_at(body, cuts), max_event_size=limit).same_as(whole)


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, len(BEDROCK) - 1), cuts=st.lists(st.integers(0, 40_000), max_size=40))
def test_real_bodies_in_any_chunking(index: int, cuts: list[int]) -> None:
    body = BEDROCK[index].read_bytes()
    whole = Decoded(EventStreamDecoder, [body])
    assert whole.error is None
    Decoded(EventStreamDecoder, split_at(body, cuts)).same_as(whole)


# -- NDJSON --------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, len(OLLAMA) - 1), cuts=st.lists(st.integers(0, 30_000), max_size=40))
def test_real_ndjson_bodies_in_any_chunking(index: int, cuts: list[int]) -> None:
    body = OLLAMA[index].read_bytes()
    whole = Decoded(NDJSONDecoder, [body])
    assert whole.error is None
    assert [line.data for line in whole.frames] == body.splitlines()
    Decoded(NDJSONDecoder, split_at(body, cuts)).same_as(whole)


ATOMS = [b"{", b"}", b'"a"', b":", b"1", b" ", b"\t", b"\n", b"\r", b"\r\n", b"\n\n", b"x", b"\xff"]
nd_bodies = st.lists(st.sampled_from(ATOMS), max_size=60).map(b"".join) | st.binary(max_size=200)


def reference_lines(body: bytes, *, blank: bool = False) -> list[tuple[int, bytes]]:
    """What NDJSON's rules give, the plain way: split at LF, drop one CR, skip blank lines.

    With *blank*, blank lines are kept: ``max_event_size`` counts them too.
    """
    out, pos = [], 0
    pieces = body.split(b"\n")
    for i, piece in enumerate(pieces):
        line = piece[:-1] if piece.endswith(b"\r") else piece
        if line.strip(b" \t\r") or (blank and line):
            out.append((pos, line))
        pos += len(piece) + (i < len(pieces) - 1)
    return out


@SETTINGS
@given(body=nd_bodies, cuts=cuts)
def test_ndjson_agrees_with_the_plain_reading(body: bytes, cuts: list[int]) -> None:
    whole = Decoded(NDJSONDecoder, [body])
    assert whole.error is None
    assert [(line.offset, line.data) for line in whole.frames] == reference_lines(body)
    last = body.rsplit(b"\n", 1)[-1]
    assert whole.truncated == bool(last.strip(b" \t\r"))
    Decoded(NDJSONDecoder, split_at(body, cuts)).same_as(whole)
    Decoded(NDJSONDecoder, bytewise(body)).same_as(whole)


@SETTINGS
@given(body=nd_bodies, cuts=cuts, limit=st.integers(1, 12))
def test_ndjson_limit_is_the_same_in_any_chunking(body: bytes, cuts: list[int], limit: int) -> None:
    whole = Decoded(NDJSONDecoder, [body], max_event_size=limit)
    Decoded(NDJSONDecoder, split_at(body, cuts), max_event_size=limit).same_as(whole)
    Decoded(NDJSONDecoder, bytewise(body), max_event_size=limit).same_as(whole)
    expected = reference_lines(body)
    too_long = [offset for offset, line in reference_lines(body, blank=True) if len(line) > limit]
    if too_long:
        assert whole.error is not None
        assert whole.error.offset == too_long[0]
        assert [(line.offset, line.data) for line in whole.frames] == [
            item for item in expected if item[0] < too_long[0]
        ]
    else:
        assert whole.error is None
        assert [(line.offset, line.data) for line in whole.frames] == expected


# -- linear time ---------------------------------------------------------------------------


def _seconds(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def _bytewise_cost(kind: type[EventStreamDecoder | NDJSONDecoder], body: bytes) -> float:
    chunks = bytewise(body)

    def run() -> None:
        decoder = kind()
        feed = decoder.feed
        for chunk in chunks:
            feed(chunk)
        decoder.close()

    return _seconds(run)


def _check_linear(
    kind: type[EventStreamDecoder | NDJSONDecoder], make: Callable[[int], bytes]
) -> None:
    """Four times the bytes, one byte at a time, in less than eight times the time."""
    small, large = make(64 * 1024), make(256 * 1024)
    assert len(large) >= 4 * len(small) - 1024
    t_small, t_large = _bytewise_cost(kind, small), _bytewise_cost(kind, large)
    assert t_large < 8 * t_small + 0.05, (t_small, t_large)


def test_event_stream_one_byte_at_a_time_is_linear_in_one_large_message() -> None:
    _check_linear(EventStreamDecoder, lambda n: encode_message({":event-type": "x"}, b"y" * n))


def test_event_stream_one_byte_at_a_time_is_linear_in_many_messages() -> None:
    one = encode_message({":event-type": "contentBlockDelta"}, b'{"delta":{"text":"hi"}}')
    _check_linear(EventStreamDecoder, lambda n: one * (n // len(one)))


def test_ndjson_one_byte_at_a_time_is_linear_in_one_long_line() -> None:
    _check_linear(NDJSONDecoder, lambda n: b"x" * n + b"\n")


def test_ndjson_one_byte_at_a_time_is_linear_in_many_lines() -> None:
    _check_linear(NDJSONDecoder, lambda n: b'{"a": 1}\r\n\n' * (n // 11))


def test_decoders_hold_no_more_than_the_unfinished_frame() -> None:
    """Between chunks only the unfinished message or line is held, not what came before."""
    es, nd = EventStreamDecoder(), NDJSONDecoder()
    one = encode_message({":event-type": "x"}, b"z" * 100)
    for _ in range(1000):
        es.feed(one + one[:50])
        es.feed(one[50:])
        nd.feed(b"{}\n{")
        nd.feed(b"}\n")
    assert len(es._tail) == 0
    assert len(nd._tail) == 0
    es.feed(one[:70])
    assert len(es._tail) == 70


def test_no_error_but_stream_error() -> None:
    """The error types a tokenizer raises for bad input: all StreamError."""
    for body in (b"\0" * 12, b"\xff" * 40, encode_message({}, b"x")[:-1] + b"!"):
        error = Decoded(EventStreamDecoder, [body]).error
        assert error is None or isinstance(error, StreamError)
