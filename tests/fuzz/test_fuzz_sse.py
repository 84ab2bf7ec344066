"""Fuzzing the SSE decoders: exceptions, time, chunking, and memory bounded by max_event_size.

Every test runs on the pure-Python decoder and on the compiled one (the
``sse_decoder`` fixture); ``tests/test_sse_differential.py`` holds the two to
each other.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from hypothesis import given, strategies as st

import streamkit
from streamkit import SSEDecoder

from . import targets
from .strategies import cuts, fuzz_settings, sse_bodies

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


@fuzz_settings(smoke=300)
@given(body=sse_bodies, cuts=cuts, small_max=st.integers(1, 256))
def test_decoder_invariants(
    body: bytes, cuts: list[int], small_max: int, sse_decoder: type[SSEDecoder]
) -> None:
    """Only EventTooLarge escapes, every chunking agrees, nothing before an error is lost."""
    targets.check_sse(body, cuts, small_max, sse_decoder)


@fuzz_settings(smoke=10)
@given(body=sse_bodies.filter(bool), seed=st.integers(0, 2**32))
def test_time_is_linear_in_bytes(body: bytes, seed: int, sse_decoder: type[SSEDecoder]) -> None:
    """Any body repeated to 256 KB decodes, in small random chunks, within the per-byte budget."""
    import random

    big = body * (256 * 1024 // len(body) + 1)
    rng = random.Random(seed)
    chunks, pos = [], 0
    while pos < len(big):
        size = rng.randint(1, 512)
        chunks.append(big[pos : pos + size])
        pos += size
    with targets.time_bound(len(big), "256 KB in random chunks"):
        result = targets.Decoded(chunks, streamkit.DEFAULT_MAX_EVENT_SIZE, sse_decoder)
    assert result.error is None


# -- memory ------------------------------------------------------------------------


def _lines(make: Callable[[int], bytes]) -> Callable[[int, int], Iterator[bytes]]:
    """A hostile stream of numbered lines *make(i)*, in chunks of about *chunk* bytes."""

    def chunks(total: int, chunk: int) -> Iterator[bytes]:
        sent, pending = 0, bytearray()
        for i in itertools.count():
            pending += make(i)
            while len(pending) >= chunk:
                yield bytes(pending[:chunk])
                del pending[:chunk]
                sent += chunk
                if sent >= total:
                    return

    return chunks


def _pad(i: int, width: int) -> bytes:
    return str(i).encode().rjust(width, b"x")


HOSTILE: dict[str, Callable[[int, int, int], Iterator[bytes]]] = {
    # One event whose data never ends.
    "endless-data": lambda total, chunk, m: _lines(lambda i: b"data: " + _pad(i, 50) + b"\n")(
        total, chunk
    ),
    # One line that never ends.
    "endless-line": lambda total, chunk, m: targets.hostile_chunks(b"x", total, chunk),
    "endless-comment": lambda total, chunk, m: targets.hostile_chunks(
        b":" + b"c" * 99, total, chunk
    ),
    # Many events with a different, long name each.
    "distinct-names": lambda total, chunk, m: _lines(
        lambda i: b"event: " + _pad(i, m // 2) + b"\ndata: x\n\n"
    )(total, chunk),
    # Long ids, names and unknown fields, forever, in events with no data.
    "long-fields": lambda total, chunk, m: _lines(
        lambda i: b"id: " + _pad(i, m // 2) + b"\nevent: " + _pad(i, m // 3) + b"\nfoo: bar\n\n"
    )(total, chunk),
    # Blank lines and empty events.
    "empty-events": lambda total, chunk, m: targets.hostile_chunks(b"data:\n\n\n", total, chunk),
    "retry-lines": lambda total, chunk, m: targets.hostile_chunks(b"retry: 99\n", total, chunk),
}


@fuzz_settings(smoke=14)
@given(
    kind=st.sampled_from(sorted(HOSTILE)),
    max_event_size=st.sampled_from([64, 1000, 4096, 65536]),
    chunk=st.sampled_from([1, 7, 100, 4096, 65536]),
)
def test_memory_bounded_by_max_event_size(
    kind: str, max_event_size: int, chunk: int, sse_decoder: type[SSEDecoder]
) -> None:
    """Up to 1 MB of hostile input: the decoder holds a few max_event_sizes and a chunk."""
    total = max(64 * 1024, min(1024 * 1024, 2000 * chunk))
    # A chunk of empty events returns a list of many small SSEEvents: output, not state.
    bound = 8 * max_event_size + 64 * chunk + 256 * 1024
    chunks = HOSTILE[kind](total, chunk, max_event_size)
    targets.check_memory(targets.sse_sink(max_event_size, sse_decoder), chunks, bound)
