"""The Ollama dialect through the async glue: NDJSON framing, auto-detection, the idle timeout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import pytest

import streamkit
from streamkit.dialects import ollama
from tests.helpers import REAL

from .streams import Stream, fold

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

BODY = (
    REAL / "ollama" / "langchaingo_chat-done-length-non-ascii-gemma3_2025-08-20.ndjson"
).read_bytes()


async def _lines(body: bytes, pause: float = 0.0) -> AsyncIterator[bytes]:
    """The body one line at a time, as Ollama flushes it."""
    for line in body.splitlines(keepends=True):
        if pause:
            await anyio.sleep(pause)
        yield line


@pytest.mark.anyio
async def test_async_gives_what_sync_gives() -> None:
    events = [e async for e in streamkit.aiter_events(_lines(BODY), "ollama")]
    assert events == list(streamkit.iter_events([BODY], "ollama"))
    auto = [e async for e in streamkit.aiter_events(_lines(BODY))]
    assert auto == events
    assert fold(events, strict=True).outcome.reason == "length"


@pytest.mark.anyio
async def test_a_slow_stream_stays_alive_and_a_silent_one_stalls() -> None:
    body = Stream().text(*(f"w{i} " for i in range(8))).done().body()
    with anyio.fail_after(5):
        events = [
            e async for e in streamkit.aiter_events(_lines(body, 0.01), "ollama", idle_timeout=0.5)
        ]
    assert fold(events, strict=True).text == "".join(f"w{i} " for i in range(8))

    async def silent() -> AsyncIterator[bytes]:
        yield body.splitlines(keepends=True)[0]
        await anyio.sleep(10)
        yield b""

    got: list[Any] = []

    async def drain() -> None:
        async for event in streamkit.aiter_events(silent(), "ollama", idle_timeout=0.05):
            got.append(event)  # noqa: PERF401 - the stall is raised inside the loop

    with anyio.fail_after(5), pytest.raises(streamkit.StreamStalled):
        await drain()
    assert [type(e) for e in got] == [ollama.ChatChunkEvent]
