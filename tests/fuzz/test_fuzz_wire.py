"""Fuzzing the event stream, NDJSON and JSON-array tokenizers: errors, time, chunking, memory."""

from __future__ import annotations

import random
import struct
import zlib
from typing import TYPE_CHECKING

from hypothesis import given, strategies as st

import streamkit
from streamkit import EventStreamDecoder, JSONArrayDecoder, NDJSONDecoder, encode_message

from ..wire.helpers import headers_and_types
from . import targets, wire_targets
from .strategies import cuts, fuzz_settings, mutated

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

# -- inputs ------------------------------------------------------------------------------

real_messages = st.sampled_from(wire_targets.real_frames("eventstream"))
made_messages = st.builds(
    lambda ht, payload: encode_message(ht[0], payload, types=ht[1]),
    headers_and_types(),
    st.binary(max_size=100),
)
messages = real_messages | made_messages


@st.composite
def damaged_message(draw: st.DrawFn) -> bytes:
    """A message with wrong fields but right CRCs, so that the checks behind them run."""
    data = bytearray(draw(messages))
    if draw(st.booleans()):  # the lengths: any values, the prelude CRC fixed
        data[0:8] = struct.pack(
            ">II", draw(st.integers(0, len(data) + 40)), draw(st.integers(0, 80))
        )
        data[8:12] = struct.pack(">I", zlib.crc32(data[:8]))
    else:  # the header block: bytes flipped, the message CRC fixed
        hlen = int.from_bytes(data[4:8], "big")
        for _ in range(draw(st.integers(1, 3))):
            if hlen:
                pos = 12 + draw(st.integers(0, hlen - 1))
                data[pos] = draw(st.integers(0, 255))
        data[-4:] = struct.pack(">I", zlib.crc32(data[:-4]))
    return bytes(data)


eventstream_bodies = st.one_of(
    st.lists(messages, max_size=6).map(b"".join),
    st.lists(messages | damaged_message(), min_size=1, max_size=5).map(b"".join),
    mutated(st.lists(real_messages, max_size=4).map(b"".join)),
    st.binary(max_size=300),
)

LINE_ATOMS = [
    b"{",
    b"}",
    b'"a":',
    b"1",
    b" ",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\n\n",
    b"\xff",
    b"\x00",
]
ndjson_bodies = st.one_of(
    st.lists(st.sampled_from(wire_targets.real_frames("ndjson")), max_size=8).map(b"".join),
    st.lists(st.sampled_from(LINE_ATOMS), max_size=80).map(b"".join),
    mutated(
        st.lists(st.sampled_from(wire_targets.real_frames("ndjson")), max_size=4).map(b"".join)
    ),
    st.binary(max_size=300),
)

ARRAY_ATOMS = [b"[", b"]", b"{", b"}", b'"', b"\\", b'"a":', b"1", b",", b" ", b"\r\n", b"\xff"]
array_elements = st.sampled_from(wire_targets.real_frames("jsonarray"))
jsonarray_bodies = st.one_of(
    st.lists(array_elements, max_size=6).map(lambda items: b"[" + b",\r\n".join(items) + b"]"),
    st.lists(st.sampled_from(ARRAY_ATOMS), max_size=80).map(b"".join),
    mutated(st.lists(array_elements, max_size=4).map(lambda items: b"[" + b",".join(items) + b"]")),
    st.binary(max_size=300),
)


# -- invariants --------------------------------------------------------------------------


@fuzz_settings(smoke=300)
@given(body=eventstream_bodies, cuts=cuts, small_max=st.integers(16, 400))
def test_eventstream_invariants(body: bytes, cuts: list[int], small_max: int) -> None:
    """Only StreamError escapes, every chunking agrees, nothing before an error is lost."""
    wire_targets.check_eventstream(body, cuts, small_max)


@fuzz_settings(smoke=300)
@given(body=ndjson_bodies, cuts=cuts, small_max=st.integers(1, 256))
def test_ndjson_invariants(body: bytes, cuts: list[int], small_max: int) -> None:
    """Only StreamError escapes, every chunking agrees, nothing before an error is lost."""
    wire_targets.check_ndjson(body, cuts, small_max)


@fuzz_settings(smoke=300)
@given(body=jsonarray_bodies, cuts=cuts, small_max=st.integers(1, 256))
def test_jsonarray_invariants(body: bytes, cuts: list[int], small_max: int) -> None:
    """Only StreamError escapes, every chunking agrees, nothing before an error is lost."""
    wire_targets.check_jsonarray(body, cuts, small_max)


def _random_chunks(data: bytes, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    chunks, pos = [], 0
    while pos < len(data):
        size = rng.randint(1, 512)
        chunks.append(data[pos : pos + size])
        pos += size
    return chunks


@fuzz_settings(smoke=10)
@given(body=st.lists(messages, min_size=1, max_size=4).map(b"".join), seed=st.integers(0, 2**32))
def test_eventstream_time_is_linear_in_bytes(body: bytes, seed: int) -> None:
    """Messages repeated to 256 KB decode, in small random chunks, within the per-byte budget."""
    big = body * (256 * 1024 // len(body) + 1)
    chunks = _random_chunks(big, seed)
    with targets.time_bound(len(big), "256 KB in random chunks"):
        result = wire_targets.Wire(EventStreamDecoder, chunks)
    assert result.error is None


@fuzz_settings(smoke=10)
@given(body=ndjson_bodies.filter(bool), seed=st.integers(0, 2**32))
def test_ndjson_time_is_linear_in_bytes(body: bytes, seed: int) -> None:
    """Any body repeated to 256 KB decodes, in small random chunks, within the per-byte budget."""
    big = body * (256 * 1024 // len(body) + 1)
    chunks = _random_chunks(big, seed)
    with targets.time_bound(len(big), "256 KB in random chunks"):
        wire_targets.Wire(NDJSONDecoder, chunks)


@fuzz_settings(smoke=10)
@given(body=jsonarray_bodies.filter(bool), seed=st.integers(0, 2**32))
def test_jsonarray_time_is_linear_in_bytes(body: bytes, seed: int) -> None:
    """Any body's elements repeated to 256 KB decode, in small random chunks, within budget."""
    inner = body.strip()[1:-1] or body
    big = b"[" + inner * (256 * 1024 // len(inner) + 1)
    chunks = _random_chunks(big, seed)
    with targets.time_bound(len(big), "256 KB in random chunks"):
        wire_targets.Wire(JSONArrayDecoder, chunks)


# -- memory ------------------------------------------------------------------------------


Tokenizer = type[EventStreamDecoder | NDJSONDecoder | JSONArrayDecoder]


def _sink(kind: Tokenizer, limit: int) -> Callable[[Iterable[bytes]], None]:
    def feed(chunks: Iterable[bytes]) -> None:
        decoder = kind(max_event_size=limit)
        try:
            for chunk in chunks:
                decoder.feed(chunk)
            decoder.close()
        except streamkit.StreamError:
            pass

    return feed


def _messages_forever(size: int) -> Callable[[int, int], Iterator[bytes]]:
    """Valid messages of about *size* bytes each, in chunks of *chunk* bytes."""

    def chunks(total: int, chunk: int) -> Iterator[bytes]:
        one = encode_message({":event-type": "x"}, b"p" * max(0, size - 40))
        return targets.hostile_chunks(one, total, chunk)

    return chunks


def _endless_message(total: int, chunk: int) -> Iterator[bytes]:
    """A prelude announcing a 64 MiB message, then bytes that never end it."""
    prelude = struct.pack(">II", 64 * 1024 * 1024, 0)
    yield prelude + struct.pack(">I", zlib.crc32(prelude))
    yield from targets.hostile_chunks(b"z", total, chunk)


def _array_of(pattern: bytes) -> Callable[[int, int], Iterator[bytes]]:
    """A JSON array opened, then *pattern* over and over (never closed)."""

    def chunks(total: int, chunk: int) -> Iterator[bytes]:
        yield b"["
        yield from targets.hostile_chunks(pattern, total, chunk)

    return chunks


HOSTILE: dict[str, tuple[Tokenizer, Callable[[int, int, int], Iterator[bytes]]]] = {
    "largest-messages": (
        EventStreamDecoder,
        lambda total, chunk, m: _messages_forever(m)(total, chunk),
    ),
    "tiny-messages": (
        EventStreamDecoder,
        lambda total, chunk, m: _messages_forever(16)(total, chunk),
    ),
    "endless-message": (EventStreamDecoder, lambda total, chunk, m: _endless_message(total, chunk)),
    "endless-line": (
        NDJSONDecoder,
        lambda total, chunk, m: targets.hostile_chunks(b"x", total, chunk),
    ),
    "blank-lines": (
        NDJSONDecoder,
        lambda total, chunk, m: targets.hostile_chunks(b" \r\n", total, chunk),
    ),
    "long-lines": (
        NDJSONDecoder,
        lambda total, chunk, m: targets.hostile_chunks(b"y" * (m - 1) + b"\n", total, chunk),
    ),
    "endless-string-element": (
        JSONArrayDecoder,
        lambda total, chunk, m: _array_of(b'"' + b'x\\"' * 4096)(total, chunk),
    ),
    "endless-deep-element": (
        JSONArrayDecoder,
        lambda total, chunk, m: _array_of(b'{"a":[')(total, chunk),
    ),
    "tiny-elements": (
        JSONArrayDecoder,
        lambda total, chunk, m: _array_of(b"1,\r\n")(total, chunk),
    ),
    "largest-elements": (
        JSONArrayDecoder,
        lambda total, chunk, m: _array_of(b'"' + b"z" * max(0, m - 2) + b'",')(total, chunk),
    ),
}


@fuzz_settings(smoke=12)
@given(
    kind=st.sampled_from(sorted(HOSTILE)),
    max_event_size=st.sampled_from([64, 4096, 16384]),
    chunk=st.sampled_from([1, 100, 4096, 16384]),
)
def test_memory_bounded_by_max_event_size(kind: str, max_event_size: int, chunk: int) -> None:
    """Up to 512 KB of hostile input: a decoder holds one frame and a chunk, not the stream."""
    total = max(64 * 1024, min(512 * 1024, 2000 * chunk))
    decoder, make = HOSTILE[kind]
    bound = 4 * max_event_size + 64 * chunk + 256 * 1024
    targets.check_memory(_sink(decoder, max_event_size), make(total, chunk, max_event_size), bound)
