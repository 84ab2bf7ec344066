"""Replaying recordings as typed events, sessions, and event-level faults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import streamkit
from streamkit import Recorder, Replayer, assistants

from ..helpers import REAL

if TYPE_CHECKING:
    from pathlib import Path

ASSISTANTS = REAL / "assistants"


def session(tmp_path: Path) -> Path:
    """A recording of the function call that stops at requires_action, then its continuation."""
    path = tmp_path / "session.ndjson"
    first = (ASSISTANTS / "openai-dotnet_function-requires-action_2025-09-16a.sse").read_bytes()
    second = (ASSISTANTS / "openai-dotnet_submit-tool-outputs_2025-09-16a.sse").read_bytes()
    with Recorder.open(path, dialect="assistants") as recorder:
        list(recorder.tap([first[:1000], first[1000:]]))
        recorder.new_stream()
        list(recorder.tap([second[:777], second[777:]]))
    return path


def names(events: list[Any]) -> list[str]:
    return [event.event for event in events]


def test_a_session_replays_into_one_run(tmp_path: Path) -> None:
    replay = Replayer.open(session(tmp_path))
    acc = assistants.Accumulator()
    for event in replay.iter_events():
        acc.feed(event)
    assert acc.outcome.kind == "completed"
    assert acc.warnings == []
    assert len(acc.run_steps) == 2
    first = list(replay.iter_events(stream=0))
    assert first[-1].event == "done"
    assert acc.run is not None
    assert first[0].data.id == acc.run.id or first[1].data.id == acc.run.id


def test_events_match_a_direct_decode() -> None:
    path = ASSISTANTS / "openai-dotnet_text-run_2025-09-16a.sse"
    expected = list(streamkit.iter_events([path.read_bytes()]))
    assert list(Replayer.open(path).iter_events()) == expected
    assert list(Replayer.open(path).iter_events(rechunk="bytes")) == expected
    assert list(Replayer.open(path).iter_events(start_event=5)) == expected[5:]


def test_event_faults() -> None:
    path = ASSISTANTS / "openai-dotnet_text-run_2025-09-16a.sse"
    replay = Replayer.open(path)
    events = list(replay.iter_events())
    error = assistants.ErrorEvent(data=assistants.ErrorObject(message="boom"))
    shaken = list(replay.iter_events(drop=[1], duplicate=[2], delay={3: 5}, inject={4: error}))
    expected = [events[0], events[2], events[2], error, events[4], events[5], events[3]]
    assert shaken[:7] == expected
    assert shaken[7:] == events[6:]
    acc = assistants.Accumulator()
    for event in replay.iter_events(inject={len(events) - 3: error}):
        acc.feed(event)
    assert acc.errors == [error.data]
    with pytest.raises(ValueError, match="later"):
        list(replay.iter_events(delay={3: 2}))
    assert list(replay.iter_events(cut_event=4, delay={2: 9})) == [*events[:2], events[3]]
    assert list(replay.iter_events(cut_event=0)) == []
    held = list(replay.iter_events(delay={0: 10_000}))
    assert held[-1] == events[0]
    assert len(held) == len(events)


@pytest.mark.anyio
async def test_async_events_at_speed_zero(tmp_path: Path) -> None:
    replay = Replayer.open(session(tmp_path))
    got = [event async for event in replay.aiter_events(speed=0)]
    assert got == list(replay.iter_events())
    cut = [event async for event in replay.aiter_events(speed=0, cut_event=12)]
    assert cut == got[:12]
    with pytest.raises(IndexError):
        list(replay.iter_events(stream=2))


def test_recorder_writes_the_given_start_time(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    path = tmp_path / "fixed.ndjson"
    start = datetime(2025, 9, 16, 12, 0, 0, 123456, tzinfo=UTC)
    with Recorder.open(path, started_at=start) as recorder:
        list(recorder.tap([b"data: x\n\n"]))
    assert Replayer.open(path).header.started_at == start
    assert b'"started_at":"2025-09-16T12:00:00.123456Z"' in path.read_bytes().split(b"\n")[0]


def test_iter_timed_gives_the_recorded_times(tmp_path: Path) -> None:
    path = session(tmp_path)
    replay = Replayer.open(path)
    timed = list(replay.iter_timed(1))
    assert [c for _, c in timed if c is not None] == list(replay.iter_chunks(1))
    assert timed[-1][1] is None  # the end of the stream
    times = [t for t, _ in timed]
    assert times == sorted(times)
    assert times[0] == replay.streams[1].chunks[0][0] - replay.streams[1].t0
