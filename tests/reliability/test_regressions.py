"""Regression tests: one per bug the fuzz campaign and the reliability work found.

Each names the file that was fixed and the input that broke it (see
docs/reliability.md, "Bugs found").
"""

from __future__ import annotations

import tracemalloc
from typing import TYPE_CHECKING

import pytest

import streamkit
from streamkit import EventTooLarge, SSEDecoder, SSEEvent
from streamkit.recording import RecordingWarning, Replayer

from .helpers import adrain, drain, sse

if TYPE_CHECKING:
    from pathlib import Path

HEADER = b'{"streamkit": 1, "dialect": "assistants", "started_at": null}\n'


# -- streamkit/_sse.py: events completed before EventTooLarge in the same chunk -------

GOOD = b"data: a\n\nevent: b\ndata: 1\n\n"
OVERSIZED = b"data: x\ndata: " + b"y" * 100 + b"\n\n"  # two data lines: the size is checked


def test_events_before_event_too_large_in_the_same_chunk_are_delivered(
    sse_decoder: type[SSEDecoder],
) -> None:
    """feed() returns the events a chunk completed before the error; the next call raises it.

    Found by the SSE fuzz target ("an error lost events that byte-at-a-time
    feeding delivers"): feed() raised at once and the two events were lost.
    """
    decoder = sse_decoder(max_event_size=64)
    assert decoder.feed(GOOD + OVERSIZED) == [SSEEvent(data=b"a"), SSEEvent("b", b"1")]
    with pytest.raises(EventTooLarge, match="max_event_size=64") as info:
        decoder.feed(b"data: more\n\n")
    with pytest.raises(streamkit.StreamError, match="after an earlier error"):
        decoder.feed(b"data: more\n\n")  # the error is raised once, then input is refused
    assert decoder.close() == []
    # The held-back error is raised by close() when no feed() follows.
    decoder = sse_decoder(max_event_size=64)
    assert len(decoder.feed(GOOD + OVERSIZED)) == 2
    with pytest.raises(EventTooLarge) as again:
        decoder.close()
    assert again.value.offset == info.value.offset


def test_iter_events_delivers_what_came_before_event_too_large() -> None:
    body = sse("thread.unknown", {}) + OVERSIZED
    got, error = drain(streamkit.iter_events([body], max_event_size=64))
    assert [event.event for event in got] == ["thread.unknown"]
    assert isinstance(error, EventTooLarge)


@pytest.mark.anyio
async def test_aiter_events_delivers_what_came_before_event_too_large() -> None:
    async def source():  # type: ignore[no-untyped-def]
        yield sse("thread.unknown", {}) + OVERSIZED

    got, error = await adrain(streamkit.aiter_events(source(), max_event_size=64))
    assert [event.event for event in got] == ["thread.unknown"]
    assert isinstance(error, EventTooLarge)


# -- streamkit/_sse.py: the event-name cache kept long names --------------------------


def test_long_event_names_are_not_cached(sse_decoder: type[SSEDecoder]) -> None:
    """256 distinct 64 KB event names leave the decoder holding kilobytes, not 32 MB.

    Found by the memory fuzz target ("distinct-names"): the name cache kept up
    to 256 names of any length, as bytes and as str, for the decoder's life,
    so memory was bounded by 512 x max_event_size rather than by it.
    """
    decoder = sse_decoder()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(256):
            name = str(i).encode().rjust(64 * 1024, b"n")
            for event in decoder.feed(b"event: " + name + b"\ndata: x\n\n"):
                assert len(event.event) == 64 * 1024
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 512 * 1024, held
    # Short names (every real one) are still cached: decoded once, the same str after.
    first = decoder.feed(b"event: thread.run.created\ndata: x\n\n")[0].event
    assert decoder.feed(b"event: thread.run.created\ndata: x\n\n")[0].event is first


# -- streamkit/recording/_format.py: invalid UTF-8 inside a JSON string ---------------


def test_recording_line_with_invalid_utf8_is_a_recording_error(tmp_path: Path) -> None:
    """A complete line whose JSON string holds invalid UTF-8 is a RecordingError naming it.

    Found by the recording fuzz target: msgspec raises UnicodeDecodeError (not
    msgspec.DecodeError) there, and it escaped bare.
    """
    path = tmp_path / "r.ndjson"
    path.write_bytes(HEADER + b'[0.1, "o", "data: \xff"]\n[0.2, "x", "eof"]\n')
    with pytest.raises(streamkit.RecordingError, match=r"r\.ndjson:2: invalid JSON"):
        Replayer.open(path)
    path.write_bytes(b'{"\xf3treamkit": 1}\n')
    with pytest.raises(streamkit.RecordingError, match=r"r\.ndjson:1: invalid JSON"):
        Replayer.open(path)


def test_torn_final_line_with_invalid_utf8_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "r.ndjson"
    path.write_bytes(HEADER + b'[0.1, "o", "data: 1\\n\\n"]\n[0.2, "o", "\xe2\x82"]')
    with pytest.warns(RecordingWarning, match="torn final line"):
        replayer = Replayer.open(path)
    assert list(replayer.iter_chunks()) == [b"data: 1\n\n"]


# -- streamkit/recording/_replay.py: a recorded dialect that is not known -------------


@pytest.mark.anyio
async def test_unknown_recorded_dialect_is_a_recording_error(tmp_path: Path) -> None:
    """A header naming an unknown dialect fails replay with RecordingError, not a bare ValueError.

    Found by the recording fuzz target (header mutated to ``"dialect": "nope"``).
    """
    path = tmp_path / "r.ndjson"
    path.write_bytes(
        b'{"streamkit": 1, "dialect": "nope"}\n'
        b'[0.1, "o", "event: thread.run.step.created\\ndata: {}\\n\\n"]\n[0.2, "x", "eof"]\n'
    )
    replayer = Replayer.open(path)  # reading the file is fine: the chunks replay
    assert list(replayer.iter_chunks()) == [b"event: thread.run.step.created\ndata: {}\n\n"]
    message = r"r\.ndjson: recorded in dialect 'nope', which is not known .*pass dialect="
    with pytest.raises(streamkit.RecordingError, match=message):
        list(replayer.iter_events())
    with pytest.raises(streamkit.RecordingError, match=message):
        await anext(replayer.aiter_events(speed=0))
    # Naming a dialect reads it; naming an unknown one is the caller's ValueError.
    events = list(replayer.iter_events(dialect="assistants", on_error="yield"))
    assert [event.event for event in events] == ["thread.run.step.created"]
    with pytest.raises(ValueError, match="unknown dialect 'other'") as info:
        list(replayer.iter_events(dialect="other"))
    assert not isinstance(info.value, streamkit.StreamError)


# -- streamkit/_sse.py: deferred lines did not count the event's data ------------------


def test_deferred_lines_count_against_max_event_size(sse_decoder: type[SSEDecoder]) -> None:
    """Lines deferred after a parsed data line count with it: the decoder never holds more
    than max_event_size for one event.

    Found by the atheris SSE target (crash-sse-bd64054f): byte-at-a-time
    feeding of an event whose data was parsed and whose next lines were then
    deferred held data + a deferred tail of up to ``min(64 KB, max_event_size)``,
    past the bound, without an error (and later than a coarser chunking
    reported it).
    """
    body = b"data: " + b"a" * 20 + b"\n" + b":" * 10 + b"\n" + b":" * 20 + b"\n\n"
    decoder = sse_decoder(max_event_size=32)
    error = None
    for i in range(len(body)):
        try:
            decoder.feed(body[i : i + 1])
        except EventTooLarge as exc:
            error = exc
            break
        assert len(decoder._tail) + decoder._data_size <= 32  # what it holds
    assert isinstance(error, EventTooLarge)
    assert error.message == "unfinished event exceeds max_event_size=32"
    assert error.offset == 50
    # Whole, the decoder holds nothing between chunks: the event passes (documented).
    assert sse_decoder(max_event_size=32).feed(body) == [SSEEvent(data=b"a" * 20)]


# -- streamkit/recording/_replay.py: a stream whose times go backwards -----------------


def test_replaying_one_stream_keeps_chunks_timed_before_its_start(tmp_path: Path) -> None:
    """A damaged or hand-edited file whose times go backwards loses no chunk on replay.

    Found by the atheris recording target (crash-recording-a932249b): replaying
    stream 1 alone dropped its chunks stamped earlier than its ``"s"`` line,
    silently, because they fell before ``start=0``.
    """
    path = tmp_path / "r.ndjson"
    path.write_bytes(
        HEADER + b'[1.0, "o", "data: 1\\n\\n"]\n[1.5, "x", "eof"]\n[3.0, "s", {}]\n'
        b'[4.0, "o", "data: 2\\n\\n"]\n[2.0, "o", "data: 3\\n\\n"]\n[2.5, "x", "eof"]\n'
    )
    replayer = Replayer.open(path)
    expected = [b"data: 2\n\n", b"data: 3\n\n"]
    assert [chunk for _, chunk in replayer.streams[1].chunks] == expected
    assert list(replayer.iter_chunks(1)) == expected
    assert [event.data for event in replayer.iter_events(stream=1)] == [b"2", b"3"]
    # An explicit start still skips what was recorded before it.
    assert list(replayer.iter_chunks(1, start=0.5)) == [b"data: 2\n\n"]


# -- streamkit/recording/_record.py: atap did not close its source ---------------------


@pytest.mark.anyio
async def test_atap_closes_its_source_when_the_consumer_is_cancelled(tmp_path: Path) -> None:
    """A consumer cancelled between events closes the chain; the tap now closes its source
    at once, so the source's own async cleanup (say, releasing a connection) completes.

    Found by tests/reliability/test_faults.py: ``aiter_events`` closed the tap
    (shielded), but ``Recorder.atap`` left its source to garbage collection;
    on trio the source's cleanup never finished.
    """
    import contextlib

    import anyio

    from streamkit.recording import Recorder

    log: list[str] = []

    async def source():  # type: ignore[no-untyped-def]
        try:
            yield sse("thread.unknown", {})
            yield sse("thread.unknown", {})
        finally:
            await anyio.sleep(0.001)  # unshielded: it runs only inside a shielded close
            log.append("closed")

    with Recorder.open(tmp_path / "r.ndjson") as recorder:
        with anyio.move_on_after(0.05):
            events = streamkit.aiter_events(recorder.atap(source()))
            async with contextlib.aclosing(events):
                async for _ in events:
                    await anyio.sleep(10)  # cancelled here, between two events
        assert log == ["closed"]
    (stream,) = Replayer.open(tmp_path / "r.ndjson").streams
    assert (len(stream.chunks), stream.end) == (1, "cancelled")


# -- streamkit/recording/_format.py: a "b" line with non-ASCII data --------------------


def test_base64_line_with_non_ascii_data_is_a_recording_error(tmp_path: Path) -> None:
    """A ``"b"`` line whose string is not ASCII is a RecordingError naming the line.

    Found by the atheris recording target (crash-recording-e73451d8):
    ``base64.b64decode`` raises a plain ValueError for non-ASCII text, which
    escaped bare.
    """
    path = tmp_path / "r.ndjson"
    path.write_bytes(HEADER + '[0.1, "b", "4oKs€"]\n'.encode())
    with pytest.raises(streamkit.RecordingError, match=r"r\.ndjson:2: bad 'b' data: "):
        Replayer.open(path)


# -- reported, not fixed: dialect code belongs to its owner ----------------------------


def test_snapshot_event_after_a_folded_step_completed_is_only_a_violation() -> None:
    """A step that got deltas and completed, then another non-final event for it: a
    "transition" violation, not a bare AssertionError from the fold.

    Found by the hypothesis fold target (plausible streams, ids retargeted).
    """
    from streamkit import assistants

    step = {
        "id": "step_1",
        "object": "thread.run.step",
        "created_at": 0,
        "run_id": "run_1",
        "assistant_id": "a",
        "thread_id": "t",
        "type": "tool_calls",
        "status": "in_progress",
        "step_details": {"type": "tool_calls", "tool_calls": []},
    }
    call = {"index": 0, "type": "function", "id": "c", "function": {"name": "f", "arguments": ""}}
    details = {"type": "tool_calls", "tool_calls": [call]}
    body = (
        sse("thread.run.step.created", step)
        + sse("thread.run.step.delta", {"id": "step_1", "delta": {"step_details": details}})
        + sse("thread.run.step.completed", {**step, "status": "completed"})
        + sse("thread.run.step.in_progress", step)
    )
    acc = assistants.Accumulator()
    for event in streamkit.iter_events([body]):
        acc.feed(event)
    assert [v.kind for v in acc.warnings] == ["transition"]
