"""The public test helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import streamkit
from streamkit import Recorder, assistants, testing

from .helpers import REAL

if TYPE_CHECKING:
    from pathlib import Path

TEXT_RUN = REAL / "assistants" / "openai-dotnet_text-run_2025-09-16a.sse"


def test_chunkings_keep_the_bytes() -> None:
    data = bytes(range(256)) * 3
    for chunks in testing.chunkings(data):
        assert b"".join(chunks) == data
    assert testing.chunk_sizes(data, 100)[0] == data[:100]
    assert all(1 <= len(c) <= 64 for c in testing.random_chunks(data, 1)[:-1])
    assert testing.random_chunks(data, 5) == testing.random_chunks(data, 5)
    assert len(list(testing.every_split(b"abc"))) == 4
    with pytest.raises(ValueError, match="positive"):
        testing.chunk_sizes(data, 0)


def test_sse_body_round_trips_typed_events() -> None:
    body = TEXT_RUN.read_bytes()
    events = list(streamkit.iter_events([body]))
    rebuilt = testing.sse_body(events)
    assert list(streamkit.iter_events([rebuilt])) == events
    unknown = assistants.UnknownEvent("thread.future", b'{"x": 1}')
    assert list(streamkit.iter_events([testing.sse_body([unknown])])) == [unknown]


def test_recorded_chunks_and_async_chunks(tmp_path: Path) -> None:
    path = tmp_path / "run.ndjson"
    chunks = [b"event: done\n", b"data: [DONE]\n", b"\n"]
    with Recorder.open(path) as recorder:
        assert list(recorder.tap(chunks)) == chunks
    assert list(testing.recorded_chunks(path)) == chunks
    assert list(testing.recorded_chunks(path, rechunk="bytes")) == [
        bytes([b]) for b in b"".join(chunks)
    ]


@pytest.mark.anyio
async def test_async_chunks_feed_aiter_events() -> None:
    events = [e async for e in streamkit.aiter_events(testing.async_chunks(TEXT_RUN))]
    assert events == list(streamkit.iter_events([TEXT_RUN.read_bytes()]))
