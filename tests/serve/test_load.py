"""``streamkit serve`` holds 1,000 concurrent streams on one core at the recorded pace.

A bounded load test on loopback: 1,000 connections opened at once, each
sending one request and reading its response to the end, then the server
is stopped.  Every body must be the recorded bytes, every stream must take
about the recorded time (paced, not sent at once), and all of them together
must finish within a little more than one stream's recorded time: the
server kept the pace for all of them at once.
"""

from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("uvicorn")

from streamkit.recording import Replayer

from .helpers import RECORDINGS, running

RECORDING = RECORDINGS / "chat" / "text-usage.ndjson"
STREAMS = 1_000
REQUEST = (
    b"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
    b"connection: close\r\ncontent-length: 15\r\n\r\n" + b'{"stream":true}'
)


def dechunk(data: bytes) -> bytes:
    """The body of an HTTP/1.1 response with chunked transfer coding."""
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head[:80]
    out = bytearray()
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += rest[:size]
        rest = rest[size + 2 :]


async def one(host: str, port: int, deadline: float) -> tuple[bytes, float]:
    started = time.monotonic()
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), deadline)
    try:
        writer.write(REQUEST)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(-1), deadline)
    finally:
        writer.close()
    return dechunk(data), time.monotonic() - started


async def load(url: str, deadline: float) -> tuple[list[tuple[bytes, float]], float]:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    started = time.monotonic()
    results = await asyncio.gather(*(one(host, int(port), deadline) for _ in range(STREAMS)))
    return results, time.monotonic() - started


def _enough_files() -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 2 * STREAMS + 256
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            pytest.skip(f"{STREAMS} connections need {want} open files; the limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))  # the server inherits it


@pytest.mark.slow
def test_a_thousand_concurrent_streams_at_the_recorded_pace() -> None:
    _enough_files()
    recorded = Replayer.open(RECORDING).streams[0]
    duration = recorded.end_t or recorded.chunks[-1][0]
    with running("serve", str(RECORDING), "--quiet", "--max-requests", str(STREAMS)) as server:
        results, elapsed = asyncio.run(load(server.url, deadline=30))
        assert server.process.wait(10) == 0  # it stopped by itself after the last request
    assert len(results) == STREAMS
    assert all(body == recorded.body for body, _ in results)
    times = sorted(t for _, t in results)
    assert times[0] >= 0.9 * recorded.chunks[-1][0]  # paced: none came at once
    assert elapsed < duration + 3.0, (elapsed, duration, times[len(times) // 2], times[-1])
