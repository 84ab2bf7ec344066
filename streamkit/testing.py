"""Helpers for testing code that consumes streams: re-chunkers, bodies, recordings.

Your stream consumer should give the same result however the network splits
the bytes.  These helpers make the splits, build SSE bodies from typed
events, and turn a recording into the sync or async byte stream your code
reads::

    from streamkit import testing

    body = testing.sse_body(events)
    for chunks in testing.chunkings(body):
        assert consume(chunks) == expected

    async for chunk in testing.async_chunks("run.ndjson"):
        ...
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from ._encode import encode
from ._sse import SSEEvent, encode_event
from .recording import Replayer

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncIterator, Iterable, Iterator

    from .recording import Rechunk

__all__ = (
    "async_chunks",
    "chunk_sizes",
    "chunkings",
    "every_split",
    "random_chunks",
    "recorded_chunks",
    "sse_body",
)


def chunk_sizes(data: bytes, size: int) -> list[bytes]:
    """*data* in pieces of *size* bytes (the last one may be shorter)."""
    if size < 1:
        raise ValueError(f"size must be positive, got {size!r}")
    return [data[i : i + size] for i in range(0, len(data), size)]


def random_chunks(data: bytes, seed: int, *, largest: int = 64) -> list[bytes]:
    """*data* in pieces of random sizes from 1 to *largest*, the same for the same *seed*."""
    rng = random.Random(seed)
    out = []
    pos = 0
    while pos < len(data):
        size = rng.randint(1, largest)
        out.append(data[pos : pos + size])
        pos += size
    return out


def every_split(data: bytes) -> Iterator[list[bytes]]:
    """Every way to cut *data* in two pieces (one of them may be empty)."""
    for i in range(len(data) + 1):
        yield [data[:i], data[i:]]


def chunkings(data: bytes, *, seeds: Iterable[int] = range(3)) -> Iterator[list[bytes]]:
    """The chunkings worth trying on a consumer: whole, 1-byte, small fixed, random."""
    yield [data]
    yield chunk_sizes(data, 1)
    yield chunk_sizes(data, 7)
    yield chunk_sizes(data, 4096)
    for seed in seeds:
        yield random_chunks(data, seed)


def sse_body(events: Iterable[Any]) -> bytes:
    """The body that carries *events*: typed events of any dialect, or ``SSEEvent``\\ s.

    Each typed event is written with :func:`streamkit.encode`, so that
    decoding the body gives events equal to *events*; an ``SSEEvent`` is
    written as it is.
    """
    out = []
    for event in events:
        if isinstance(event, SSEEvent):
            out.append(
                encode_event(
                    event=event.event, data=event.data, id=event.id or None, retry=event.retry
                )
            )
        else:
            out.append(encode(event))
    return b"".join(out)


def recorded_chunks(
    path: str | os.PathLike[str], *, stream: int | None = None, rechunk: Rechunk | None = None
) -> Iterator[bytes]:
    """The chunks of a recording (or raw ``.sse`` body), with their original boundaries."""
    return Replayer.open(path).iter_chunks(stream, rechunk=rechunk)


async def async_chunks(
    path: str | os.PathLike[str],
    *,
    speed: float = 0.0,
    stream: int | None = None,
    rechunk: Rechunk | None = None,
) -> AsyncIterator[bytes]:
    """A recording as the async byte stream a response would give, at *speed* (0: instantly)."""
    replay = Replayer.open(path)
    async for chunk in replay.aiter_chunks(speed, stream=stream, rechunk=rechunk):
        yield chunk
