"""streamkit.emit: streamkit's own SSE protocol and its async twin, keep-alives included."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
import msgspec
import pytest

import streamkit
from streamkit import emit
from streamkit.recording import Replayer

from .helpers import REPO

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

RECORDINGS = sorted((REPO / "recordings").glob("*/*.ndjson"))


def events_of(path: Any) -> list[Any]:
    return list(Replayer.open(path).iter_events())


def parse(data: bytes) -> list[tuple[str, int | None, Any]]:
    """``(event, id, data)`` of every event in *data*, with streamkit's own SSE decoder."""
    decoder = streamkit.SSEDecoder()
    return [
        (event.event, int(event.id) if event.id else None, msgspec.json.decode(event.data))
        for event in decoder.feed(data) + decoder.close()
    ]


def folded(events: Iterable[Any]) -> streamkit.Accumulator:
    acc = streamkit.Accumulator()
    for event in events:
        acc.feed(event)
    return acc


def _has_face(acc: streamkit.Accumulator) -> bool:
    return hasattr(acc.inner, "text") and hasattr(acc.inner, "tool_calls")


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_protocol_carries_the_fold(path: Any) -> None:
    events = events_of(path)
    acc = folded(events)
    if not _has_face(acc):
        pytest.skip(f"the {acc.dialect} fold has no common face yet")
    parsed = parse(b"".join(emit.sse(events)))
    names = [name for name, _, _ in parsed]
    assert names[0] == "start"
    assert parsed[0][2] == {"version": emit.VERSION}
    assert names[-1] == "outcome"
    assert names.count("outcome") == 1
    assert [number for _, number, _ in parsed] == list(range(len(parsed)))
    text = "".join(d["text"] for name, _, d in parsed if name == "text")
    assert text == acc.text
    calls = {d["index"]: d for name, _, d in parsed if name == "tool_call"}
    arguments: dict[int, str] = {}
    for name, _, d in parsed:
        if name == "tool_arguments":
            assert d["index"] in calls  # named before its arguments
            arguments[d["index"]] = arguments.get(d["index"], "") + d["text"]
    expected = [(c.index, c.id, c.name, c.arguments) for c in acc.tool_calls]
    assert [(i, calls[i]["id"], calls[i]["name"], arguments.get(i, "")) for i in calls] == expected
    outcome = parsed[-1][2]
    assert outcome["kind"] == acc.outcome.kind
    assert outcome["reason"] == acc.outcome.reason
    assert outcome["text"] == acc.text
    assert [c["arguments"] for c in outcome["tool_calls"]] == [c.arguments for c in acc.tool_calls]
    assert outcome["usage"]["output_tokens"] == acc.usage.output_tokens


def test_resuming_after_an_id_sends_the_rest() -> None:
    events = events_of(REPO / "recordings" / "chat" / "text-usage.ndjson")
    whole = parse(b"".join(emit.sse(events)))
    for last in (0, 3, len(whole) - 2, len(whole) - 1):
        rest = parse(b"".join(emit.sse(events, last_event_id=str(last))))
        assert rest == whole[last + 1 :]
    with pytest.raises(ValueError, match="last_event_id"):
        list(emit.sse(events, last_event_id="abc"))


def test_a_failing_source_ends_with_an_outcome_then_raises() -> None:
    events = events_of(REPO / "recordings" / "chat" / "text-usage.ndjson")

    def broken() -> Iterable[Any]:
        yield from events[:4]
        raise streamkit.DecodeError("bad", ordinal=4)

    out: list[bytes] = []
    with pytest.raises(streamkit.DecodeError):
        out.extend(emit.sse(broken()))
    last = parse(b"".join(out))[-1]
    assert last[0] == "outcome"
    assert last[2]["kind"] == "truncated"
    assert last[2]["failure"] == "the stream failed with bad input: DecodeError"


def test_no_events_is_a_start_and_a_truncated_outcome() -> None:
    parsed = parse(b"".join(emit.sse([])))
    assert [name for name, _, _ in parsed] == ["start", "outcome"]
    assert parsed[1][2]["kind"] == "truncated"


async def _slow(events: list[Any], pause: float, at: int) -> AsyncIterator[Any]:
    for i, event in enumerate(events):
        if i == at:
            await anyio.sleep(pause)
        yield event


@pytest.mark.anyio
async def test_the_async_twin_gives_the_same_bytes() -> None:
    events = events_of(REPO / "recordings" / "chat" / "parallel-tool-calls.ndjson")
    stream = emit.asse(_slow(events, 0, 0))
    assert stream.headers == emit.HEADERS
    got = b"".join([chunk async for chunk in stream])
    assert got == b"".join(emit.sse(events))


@pytest.mark.anyio
async def test_keepalives_are_sent_while_the_source_is_silent_and_nothing_is_lost() -> None:
    events = events_of(REPO / "recordings" / "chat" / "text-usage.ndjson")
    closed = []

    async def source() -> AsyncIterator[Any]:
        try:
            async for event in _slow(events, 0.35, 3):
                yield event
        finally:
            closed.append(True)

    async with emit.asse(source(), keepalive=0.1) as stream:
        chunks = [chunk async for chunk in stream]
    keepalives = [c for c in chunks if c == emit.KEEPALIVE]
    assert 2 <= len(keepalives) <= 4
    assert b"".join(c for c in chunks if c != emit.KEEPALIVE) == b"".join(emit.sse(events))
    assert closed == [True]


@pytest.mark.anyio
async def test_keepalive_needs_async_with_and_closing_early_closes_the_source() -> None:
    events = events_of(REPO / "recordings" / "chat" / "text-usage.ndjson")
    closed = []

    async def source() -> AsyncIterator[Any]:
        try:
            for event in events:
                await anyio.lowlevel.checkpoint()
                yield event
        finally:
            closed.append(True)

    stream = emit.asse(source(), keepalive=1)
    with pytest.raises(RuntimeError, match="async with"):
        aiter(stream)
    async with stream:
        async for _ in stream:
            break
    assert closed == [True]
    with pytest.raises(ValueError, match="keepalive"):
        emit.asse(source(), keepalive=0)


@pytest.mark.anyio
async def test_a_failing_async_source_is_raised_through_async_with() -> None:
    events = events_of(REPO / "recordings" / "chat" / "text-usage.ndjson")

    async def source() -> AsyncIterator[Any]:
        for event in events[:3]:
            yield event
        raise streamkit.DecodeError("bad", ordinal=3)

    chunks: list[bytes] = []
    with pytest.raises(streamkit.DecodeError):  # noqa: PT012
        async with emit.asse(source(), keepalive=5) as stream:
            async for chunk in stream:
                chunks.append(chunk)  # noqa: PERF401 - each kept up to the error
    assert parse(b"".join(chunks))[-1][2]["failure"].endswith("DecodeError")


def test_importing_streamkit_imports_no_server() -> None:
    import subprocess
    import sys

    code = (
        "import sys, streamkit\n"
        "banned = {'uvicorn', 'httptools', 'starlette', 'streamkit.emit', 'streamkit.asgi',"
        " 'streamkit._serve'}\n"
        "print(sorted(banned & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
