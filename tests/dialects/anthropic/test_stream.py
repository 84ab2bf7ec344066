"""The Anthropic dialect through the stream glue: keep-alive pings and the idle timeout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import pytest

import streamkit
from streamkit.dialects import anthropic as sk_anthropic

from .streams import Stream, fold, text_stream

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

HEAD = Stream().start().block(0, {"type": "text", "text": ""}).text(0, "Hi").body()
PING = Stream().ping().body()


async def _pinging(pings: int, interval: float) -> AsyncIterator[bytes]:
    """The head of an answer, then only pings, *interval* seconds apart."""
    yield HEAD
    for _ in range(pings):
        await anyio.sleep(interval)
        yield PING


@pytest.mark.anyio
async def test_pings_do_not_reset_the_idle_timer() -> None:
    """A stream that sends only pings after its events stalls: ping is a keep-alive."""
    got: list[Any] = []

    async def drain() -> None:
        async for event in streamkit.aiter_events(
            _pinging(1_000, 0.01), dialect="anthropic", idle_timeout=0.1
        ):
            got.append(event)  # noqa: PERF401 - the stall is raised inside the loop

    with anyio.fail_after(5), pytest.raises(streamkit.StreamStalled):
        await drain()
    assert [e.event for e in got[:3]] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
    ]
    assert {e.event for e in got[3:]} <= {"ping"}
    assert len(got) > 5  # the pings were delivered all the same


@pytest.mark.anyio
async def test_events_keep_a_slow_stream_alive() -> None:
    body = text_stream(*(f"w{i} " for i in range(10))).body()
    blocks = [block + b"\n\n" for block in body.split(b"\n\n")[:-1]]

    async def slow() -> AsyncIterator[bytes]:
        for block in blocks:
            await anyio.sleep(0.01)
            yield block

    with anyio.fail_after(5):
        events = [e async for e in streamkit.aiter_events(slow(), "anthropic", idle_timeout=0.2)]
    acc = fold(events, strict=True)
    result = acc.result
    assert result is not None
    assert result.content == [sk_anthropic.TextBlock(text="".join(f"w{i} " for i in range(10)))]
