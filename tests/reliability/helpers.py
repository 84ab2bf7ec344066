"""Shared material for the reliability tests: a real stream, its events, and drains."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamkit
from streamkit import assistants
from streamkit.recording import Replayer

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Iterable

REPO = Path(__file__).resolve().parents[2]
RECORDINGS = REPO / "recordings" / "assistants"
TEXT_ANSWER = RECORDINGS / "text-answer.ndjson"

#: A real Assistants stream (gpt-4o-mini text answer): its chunks as recorded, and its body.
CHUNKS: list[bytes] = list(Replayer.open(TEXT_ANSWER).iter_chunks())
BODY = b"".join(CHUNKS)
#: Its typed events, decoded whole: what every case below must deliver before it fails.
EVENTS: list[Any] = list(streamkit.iter_events([BODY]))


def sse(name: str, data: Any) -> bytes:
    """One SSE event; *data* as compact JSON unless it is bytes already."""
    payload = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
    return streamkit.encode_event(event=name, data=payload)


def drain(events: Iterable[Any]) -> tuple[list[Any], BaseException | None]:
    """Everything an iteration delivered, and the exception it ended with (or None)."""
    got: list[Any] = []
    try:
        for event in events:
            got.append(event)  # noqa: PERF402 - keep what came before the exception
    except Exception as exc:
        return got, exc
    return got, None


async def adrain(events: AsyncIterable[Any]) -> tuple[list[Any], BaseException | None]:
    got: list[Any] = []
    try:
        async for event in events:
            got.append(event)  # noqa: PERF401 - keep what came before the exception
    except Exception as exc:
        return got, exc
    return got, None


def fold(events: Iterable[Any], *, strict: bool = False) -> assistants.Accumulator:
    acc = assistants.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


def event_boundaries(body: bytes) -> list[int]:
    """The offset just past each event of *body* (after its blank line)."""
    out, pos = [], 0
    while (end := body.find(b"\n\n", pos)) >= 0:
        out.append(end + 2)
        pos = end + 2
    return out
