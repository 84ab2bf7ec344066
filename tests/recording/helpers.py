"""Clocks and a recording helper shared by the recording tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.lowlevel

from streamkit.recording import Recorder

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


class ScriptedClock:
    """A recorder clock returning *times* in turn, then the last one forever."""

    def __init__(self, times: Sequence[float]) -> None:
        self.times = list(times)
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.times[min(self.calls, len(self.times)) - 1]


class FakeClock:
    """A replay clock whose sleeps return at once, advance ``now`` and are logged."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def current_time(self) -> float:
        return self.now

    async def sleep(self, seconds: float, /) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()


def record(path: Path, chunks: Sequence[bytes], times: Sequence[float], end: float) -> None:
    """Record *chunks* at *times* (seconds after the start), the clean end at *end*."""
    with Recorder.open(path, clock=ScriptedClock([0.0, *times, end])) as recorder:
        for _ in recorder.tap(chunks):
            pass
