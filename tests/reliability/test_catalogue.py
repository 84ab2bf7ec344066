"""The bad-input catalogue: each case, the exact error or warning, and everything before it.

Every case starts from a real stream (``recordings/assistants/text-answer.ndjson``,
34 events) and damages it at one point.  Each test asserts what comes out at
that point (an exception with its message, ordinal, offset and path; a fold
violation; a recording warning; or, where the standard says so, nothing) and
that every event before the damage was delivered, equal to the undamaged
decode.  docs/reliability.md lists the cases in one table.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from typing import TYPE_CHECKING, Any

import msgspec
import pytest

import streamkit
from streamkit import DecodeError, EventTooLarge, FoldError, SSEDecoder, assistants, dialects
from streamkit.recording import RecordingWarning, Replayer

from .helpers import BODY, CHUNKS, EVENTS, TEXT_ANSWER, drain, event_boundaries, fold, sse

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

BOUNDARIES = event_boundaries(BODY)
K = 10  # damage after the first K events (7 deltas into the message)
PREFIX = BODY[: BOUNDARIES[K - 1]]
SUFFIX = BODY[BOUNDARIES[K - 1] :]
MSG = "msg_Ne6r05mC8KlkkldqPpcSfCpM"
RUN = "run_3lbutJgnPRGY1BDfkjgm2IRR"


def delta(value: Any, index: Any = 0, id: str = MSG) -> dict[str, Any]:
    return {
        "id": id,
        "object": "thread.message.delta",
        "delta": {"content": [{"index": index, "type": "text", "text": {"value": value}}]},
    }


def text_of(acc: assistants.Accumulator, id: str = MSG) -> str:
    part = acc.messages[id].content[0]
    assert isinstance(part, assistants.TextContentBlock)
    return part.text.value


def as_json(events: list[Any]) -> list[Any]:
    return [msgspec.to_builtins(event) for event in events]


def test_the_undamaged_stream() -> None:
    """The reference: 34 events, a completed run, one message, no violation."""
    assert len(EVENTS) == 34
    acc = fold(EVENTS)
    assert (acc.outcome.kind, acc.warnings, acc.drift) == ("completed", [], [])
    assert text_of(acc).startswith("Hello! I'm just a program")


# -- truncation ----------------------------------------------------------------------

MULTIBYTE = sse("thread.message.delta", delta("Grüße, 世界 🎉"))


def _truncated(body: bytes) -> tuple[list[Any], SSEDecoder]:
    decoder = SSEDecoder()
    events = decoder.feed(body) + decoder.close()
    return events, decoder


@pytest.mark.parametrize(
    ("where", "cut"),
    [
        pytest.param("mid-line", len(PREFIX) + 40, id="mid-line"),
        pytest.param(
            "mid-event", len(PREFIX) + len(b"event: thread.message.delta\n"), id="mid-event"
        ),
        pytest.param(
            "mid-code-point", len(PREFIX) + MULTIBYTE.index("世".encode()) + 1, id="mid-code-point"
        ),
        pytest.param("before-blank-line", len(PREFIX) + len(MULTIBYTE) - 1, id="before-blank-line"),
    ],
)
def test_truncated_stream(where: str, cut: int) -> None:
    """A body cut inside event K: no error (the standard drops an unfinished event),
    ``SSEDecoder.truncated`` is set, the K events before it come out, the fold says truncated."""
    body = (PREFIX + MULTIBYTE + SUFFIX)[:cut]
    got, error = drain(streamkit.iter_events([body]))
    assert error is None
    assert got == EVENTS[:K]
    sse_events, decoder = _truncated(body)
    assert len(sse_events) == K
    assert decoder.truncated
    acc = fold(got)
    assert acc.outcome.kind == "truncated"
    assert text_of(acc) == text_of(fold(EVENTS[:K]))


def test_truncated_at_every_byte_of_an_event() -> None:
    """Cut at each byte of a multi-byte delta: K events always, K + 1 once its blank line is in."""
    body = PREFIX + MULTIBYTE
    for cut in range(len(PREFIX), len(body) + 1):
        got = list(streamkit.iter_events([body[:cut]]))
        complete = cut == len(body)
        assert got[:K] == EVENTS[:K]
        assert len(got) == K + complete, cut
        assert _truncated(body[:cut])[1].truncated is (len(PREFIX) < cut < len(body))
    assert text_of(fold(got)).endswith("Grüße, 世界 🎉")


def test_a_code_point_split_between_chunks_is_not_damage() -> None:
    """The same bytes split inside each multi-byte character decode as if whole."""
    body = PREFIX + MULTIBYTE
    for i, byte in enumerate(MULTIBYTE):
        if byte >= 0x80:
            cut = len(PREFIX) + i
            assert list(streamkit.iter_events([body[:cut], body[cut:]])) == list(
                streamkit.iter_events([body])
            )


# -- payloads ------------------------------------------------------------------------

INVALID_UTF8 = sse("thread.message.delta", msgspec.json.encode(delta("?")).replace(b"?", b"\xff"))
CASES = {
    # name: (the bad event, message, JSON path)
    "invalid-utf8": (INVALID_UTF8, "invalid UTF-8", "$"),
    "malformed-json": (
        sse("thread.message.delta", b'{"id" "x"}'),
        "malformed JSON at byte 6",
        "$",
    ),
    "truncated-json": (
        sse("thread.message.delta", b'{"id": "x", '),
        "truncated JSON",
        "$",
    ),
    "wrong-shape": (
        sse("thread.message.delta", {**delta("x"), "id": 5}),
        "expected str, got int",
        "$.id",
    ),
    "wrong-shape-deep": (
        sse("thread.message.delta", delta(["not", "a", "string"])),
        "expected str, got array",
        "$.delta.content[0].text.value",
    ),
    "missing-field": (
        sse("thread.run.completed", {"id": RUN}),
        "missing required field 'created_at'",
        "$",
    ),
    "not-an-object": (
        sse("thread.run.completed", b"[1, 2]"),
        "expected object, got array",
        "$",
    ),
    "nul-in-json": (
        sse("thread.message.delta", b'{"id": "a\x00b"}'),
        "malformed JSON at byte 9",
        "$",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_payload(case: str) -> None:
    """Under "raise": the K events, then a DecodeError naming ordinal K, its byte offset,
    the event name, the JSON path and an excerpt.  "skip" drops only it; "yield" keeps it."""
    bad, message, path = CASES[case]
    body = PREFIX + bad + SUFFIX
    got, error = drain(streamkit.iter_events([body]))
    assert got == EVENTS[:K]
    assert isinstance(error, DecodeError)
    assert error.message == message
    assert (error.ordinal, error.offset, error.path) == (K, len(PREFIX), path)
    assert error.event == bad.split(b"\n")[0].removeprefix(b"event: ").decode()
    assert error.excerpt == bad.split(b"data: ")[1].split(b"\n")[0][:60]
    assert f"at event #{K}" in str(error)
    assert f"byte {len(PREFIX)}" in str(error)
    assert list(streamkit.iter_events([body], on_error="skip")) == EVENTS
    kept = list(streamkit.iter_events([body], on_error="yield"))
    assert kept[:K] == EVENTS[:K]
    assert kept[K + 1 :] == EVENTS[K:]
    assert isinstance(kept[K], assistants.InvalidEvent)
    assert kept[K].error.message == message


# -- size ----------------------------------------------------------------------------


def _in_chunks(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


def test_enormous_event_over_max_event_size() -> None:
    """A 2 MB delta against a 1 MB limit, arriving in 64 KB chunks: the K events, then
    EventTooLarge naming the limit and where the event's unfinished line starts."""
    huge = sse("thread.message.delta", delta("x" * 2_000_000))
    body = PREFIX + huge + SUFFIX
    got, error = drain(streamkit.iter_events(_in_chunks(body, 65536), max_event_size=1 << 20))
    assert got == EVENTS[:K]
    assert isinstance(error, EventTooLarge)
    assert error.message == "unfinished event exceeds max_event_size=1048576"
    data_line = len(PREFIX) + huge.index(b"data: ")
    # The offset falls inside the event: where its line starts, or the chunk that broke the limit.
    assert error.offset is not None
    assert data_line <= error.offset <= data_line + (1 << 20) + 65536
    assert error.excerpt == huge[huge.index(b"data: ") :][:60]


def test_enormous_event_in_many_data_lines() -> None:
    """The same as 20 data lines of 100 KB: the limit counts the event's data as it grows."""
    huge = b"event: thread.message.delta\n" + b"data: " + b"y" * 100_000 + b"\n"
    huge = huge + (b"data: " + b"y" * 100_000 + b"\n") * 19 + b"\n"
    got, error = drain(streamkit.iter_events([PREFIX + huge + SUFFIX], max_event_size=1 << 20))
    assert got == EVENTS[:K]
    assert isinstance(error, EventTooLarge)
    assert error.message == "event data exceeds max_event_size=1048576"


def test_an_event_arriving_whole_in_one_chunk_is_not_refused() -> None:
    """Documented: the limit bounds what the decoder *holds* between chunks.  A single-line
    event wholly inside one chunk is already in the caller's memory and passes."""
    huge = sse("thread.message.delta", delta("x" * 2_000_000))
    got = list(streamkit.iter_events([PREFIX + huge + SUFFIX], max_event_size=1 << 20))
    assert len(got) == len(EVENTS) + 1


# -- floods: millions of comment lines or empty events --------------------------------

FLOODS = {
    # name: (one unit, how many)
    "comments": (b": keep-alive\n", 2_000_000),
    "blank-lines": (b"\n", 2_000_000),  # empty events: a blank line with no field
    "crlf-comments": (b":\r\n", 1_000_000),
    "empty-data-events": (b"data:\n\n", 250_000),  # dispatched: UnknownEvent("message", b"")
}


def _flood(unit: bytes, count: int) -> Iterator[bytes]:
    """PREFIX, *count* units in 64 KB chunks made lazily, then SUFFIX."""
    yield PREFIX
    per_chunk = 65536 // len(unit)
    block = unit * per_chunk
    for _ in range(count // per_chunk):
        yield block
    yield unit * (count % per_chunk)
    yield SUFFIX


def _consume(unit: bytes, count: int) -> None:
    """Typed events of a flooded stream: the real ones all there, plus one per empty event."""
    real = extra = 0
    for event in streamkit.iter_events(_flood(unit, count)):
        if type(event) is assistants.UnknownEvent and event.event == "message":
            extra += 1
        else:
            real += 1
    assert (real, extra) == (len(EVENTS), count if unit.startswith(b"data") else 0)


@pytest.mark.parametrize("flood", sorted(FLOODS))
def test_flood_is_linear_and_holds_no_memory(flood: str) -> None:
    """Millions of lines between two halves of the stream: every real event is delivered,
    time grows linearly (4x the lines < 8x the time) and memory stays flat."""
    unit, count = FLOODS[flood]

    def timed(count: int) -> float:
        # A full collection of the rest of the suite's heap is not the stream's cost:
        # with the compiled tokenizer the small run is short enough for one to swamp it.
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            _consume(unit, count)
            return time.process_time() - start
        finally:
            gc.enable()

    # The best of up to three tries each: a loaded machine slows single runs, never all.
    small, large = timed(count // 4), timed(count)
    for _ in range(2):
        if large < 8 * small + 0.5:
            break
        small, large = min(small, timed(count // 4)), min(large, timed(count))
    assert large < 8 * small + 0.5, (small, large)

    gc.collect()
    tracemalloc.start()
    try:
        peaks = []
        for n in (count // 16, count // 4):
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            _consume(unit, n)
            peaks.append(tracemalloc.get_traced_memory()[1] - before)
    finally:
        tracemalloc.stop()
    # One 64 KB chunk and the events it makes (up to ~4 MB for 9,362 empty events),
    # whatever the flood's length.
    assert peaks[1] < 8 * 1024 * 1024, peaks
    assert peaks[1] < 2 * peaks[0] + 256 * 1024, peaks


# -- odd bytes -----------------------------------------------------------------------


def test_nul_bytes() -> None:
    """NUL in an id: the id is ignored (standard).  NUL in a name: an UnknownEvent with it.
    A line of NUL: an unknown field, ignored.  The stream around them is intact."""
    odd = (
        b"id: a\x00b\n"
        + b"event: thread.run.\x00step\ndata: {}\n\n"
        + b"\x00\n\x00\x00: x\n\n"
        + b"id: ok\n"
        + sse("thread.unknown", b"\x00")
    )
    decoder = SSEDecoder()
    sse_events = decoder.feed(PREFIX + odd + SUFFIX) + decoder.close()
    assert [e.id for e in sse_events[K : K + 2]] == ["", "ok"]
    got = list(streamkit.iter_events([PREFIX + odd + SUFFIX]))
    assert got[:K] == EVENTS[:K]
    assert got[K + 2 :] == EVENTS[K:]
    assert got[K : K + 2] == [
        assistants.UnknownEvent("thread.run.\x00step", b"{}"),
        assistants.UnknownEvent("thread.unknown", b"\x00"),
    ]


def test_bom_in_the_middle() -> None:
    """Only a BOM that starts the stream is dropped.  One in the middle belongs to the
    field name after it: ``\\ufeffevent`` is an unknown field, so the event after it comes
    out as an UnknownEvent named "message" with its data intact; nothing else changes."""
    assert list(streamkit.iter_events([b"\xef\xbb\xbf" + BODY])) == EVENTS
    payload = msgspec.json.encode(delta(" BOM"))
    bad = b"\xef\xbb\xbf" + sse("thread.message.delta", payload)
    got = list(streamkit.iter_events([PREFIX + bad + SUFFIX]))
    assert got[:K] == EVENTS[:K]
    assert got[K + 1 :] == EVENTS[K:]
    assert got[K] == assistants.UnknownEvent("message", payload)
    # A BOM before "data" makes the data line unknown too: the event has no data, no dispatch.
    got = list(streamkit.iter_events([PREFIX + b"\xef\xbb\xbfdata: {}\n\n" + SUFFIX]))
    assert got == EVENTS


# -- protocol violations, found by the fold ---------------------------------------------


def _violations(events: list[Any]) -> list[tuple[str, str]]:
    return [(v.kind, v.event) for v in fold(events).warnings]


def _strict_error(events: list[Any]) -> FoldError:
    with pytest.raises(FoldError) as info:
        fold(events, strict=True)
    return info.value


def _with(*extra: bytes, at: int = K) -> list[Any]:
    body = BODY[: BOUNDARIES[at - 1]] + b"".join(extra) + BODY[BOUNDARIES[at - 1] :]
    return list(streamkit.iter_events([body]))


def test_delta_for_an_unknown_id() -> None:
    """An "unknown-id" violation; the delta creates nothing and the real message is whole."""
    events = _with(sse("thread.message.delta", delta("ghost", id="msg_unknown")))
    assert _violations(events) == [("unknown-id", "thread.message.delta")]
    acc = fold(events)
    assert list(acc.messages) == [MSG]
    assert text_of(acc) == text_of(fold(EVENTS))
    error = _strict_error(events)
    assert (error.ordinal, error.event) == (K, "thread.message.delta")
    assert error.message == "delta for msg_unknown, never created"


def test_indexes_out_of_order() -> None:
    """Content parts by index 2, then 0, then 1: each lands in place, no violation."""
    events = _with(
        sse("thread.message.delta", delta("C", index=2)),
        sse("thread.message.delta", delta("A", index=0)),
        sse("thread.message.delta", delta("B", index=1)),
        at=8,  # right after the message's first delta (index 0 exists)
    )
    assert _violations(events) == []
    acc = fold(events[:11])  # before the server's final message replaces the fold
    texts = [part.text.value for part in acc.messages[MSG].content]  # type: ignore[union-attr]
    assert texts == ["HelloA", "B", "C"]


def test_indexes_with_a_gap() -> None:
    """Index 2 with no index 1 ever: the part is kept where it belongs; when the message
    completes, an "index-gap" violation names the missing index, and the drift shows the
    part the server's final object does not have."""
    events = _with(sse("thread.message.delta", delta("C", index=2)), at=8)
    acc = fold(events)
    completed = len(events) - 4  # thread.message.completed
    assert [(v.kind, v.ordinal, v.event, v.message) for v in acc.warnings] == [
        ("index-gap", completed, "thread.message.completed", f"{MSG}: no index 1 at $.content")
    ]
    assert [(d.path, d.kind) for d in acc.drift] == [("$.content[1]", "only_in_fold")]
    error = _strict_error(events)
    assert (error.ordinal, error.message) == (completed, f"{MSG}: no index 1 at $.content")


@pytest.mark.parametrize("index", [-1, 10_001, 2**40])
def test_index_out_of_range(index: int) -> None:
    events = _with(sse("thread.message.delta", delta("x", index=index)))
    assert _violations(events) == [("index-out-of-range", "thread.message.delta")]
    assert text_of(fold(events)) == text_of(fold(EVENTS))


def test_events_after_done() -> None:
    """Events after ``done``: an "after-done" violation each, and the delta to the completed
    message a "transition" violation too; the final objects do not change."""
    extra = sse("thread.message.delta", delta(" more")) + sse("thread.run.in_progress", b"{}")
    events = list(streamkit.iter_events([BODY + extra], on_error="skip"))
    assert events[: len(EVENTS)] == EVENTS
    assert _violations(events) == [
        ("after-done", "thread.message.delta"),
        ("transition", "thread.message.delta"),
    ]
    reference, acc = fold(EVENTS), fold(events)
    assert as_json([acc.messages[MSG], acc.run]) == as_json(
        [reference.messages[MSG], reference.run]
    )
    assert acc.outcome.kind == "completed"


def test_a_second_run_created() -> None:
    """A second ``thread.run.created`` in one stream: a "second-run" violation naming it."""
    second = EVENTS[0].data.id.replace("run_", "run_2")
    run = {**msgspec.to_builtins(EVENTS[0].data), "id": second}
    events = _with(sse("thread.run.created", run))
    acc = fold(events)
    assert (acc.warnings[0].kind, acc.warnings[0].object_id) == ("second-run", second)
    assert _strict_error(events).message == f"a second run {second} after {RUN}"


# -- recordings ------------------------------------------------------------------------


def _lines() -> list[bytes]:
    return TEXT_ANSWER.read_bytes().splitlines(keepends=True)


def test_recording_with_a_torn_last_line(tmp_path: Path) -> None:
    """A RecordingWarning naming the file and line; every chunk before it replays."""
    lines = _lines()
    path = tmp_path / "torn.ndjson"
    path.write_bytes(b"".join(lines[:20]) + lines[20][:15])
    with pytest.warns(RecordingWarning, match=r"torn\.ndjson:21: skipped a torn final line"):
        replayer = Replayer.open(path)
    assert list(replayer.iter_chunks()) == CHUNKS[:19]
    (stream,) = replayer.streams
    assert stream.end is None  # no end line: the recorder was killed
    got = list(replayer.iter_events())
    assert got == list(streamkit.iter_events(CHUNKS[:19]))
    assert got == EVENTS[: len(got)]


def test_recording_with_a_corrupt_middle_line(tmp_path: Path) -> None:
    """A RecordingError naming the file and the line; the reader is all-or-nothing for
    complete lines (only a torn last line is tolerated), so nothing replays."""
    lines = _lines()
    lines[5] = lines[5][:10] + b"\n"
    path = tmp_path / "corrupt.ndjson"
    path.write_bytes(b"".join(lines))
    with pytest.raises(
        streamkit.RecordingError, match=r"corrupt\.ndjson:6: invalid JSON: "
    ) as info:
        Replayer.open(path)
    assert (info.value.path, info.value.line) == (str(path), 6)


@pytest.mark.parametrize(
    ("version", "shown"),
    [(b"2", "2"), (b"0", "0"), (b'"1"', "'1'"), (b"1.0", "1.0"), (b"null", "None")],
)
def test_recording_of_an_unknown_version(tmp_path: Path, version: bytes, shown: str) -> None:
    lines = _lines()
    lines[0] = lines[0].replace(b'"streamkit":1', b'"streamkit":' + version)
    path = tmp_path / "v.ndjson"
    path.write_bytes(b"".join(lines))
    message = rf"v\.ndjson:1: unsupported recording version {shown} \(this reader knows 1\)$"
    with pytest.raises(streamkit.RecordingError, match=message):
        Replayer.open(path)


def test_recording_of_the_wrong_dialect(tmp_path: Path) -> None:
    """The header says ``chat`` but the bytes are Assistants.  Loud, and nothing lost: a
    DialectMismatch warning naming ``assistants``; every event is an UnknownEvent keeping its
    Assistants name and exact bytes; the chat fold records a ``dialect-mismatch`` violation.
    Re-reading with ``dialect="assistants"`` gives the real events."""
    chat = dialects.get("chat")
    lines = _lines()
    lines[0] = lines[0].replace(b'"dialect":"assistants"', b'"dialect":"chat"')
    path = tmp_path / "chat.ndjson"
    path.write_bytes(b"".join(lines))
    replayer = Replayer.open(path)
    assert replayer.header.dialect == "chat"
    with pytest.warns(streamkit.DialectMismatch, match="'assistants'"):
        got = list(replayer.iter_events())
    assert [(e.event, e.data) for e in got] == [
        (e.event, BODY[s : BOUNDARIES[i]].split(b"data: ", 1)[1][:-2])
        for i, (e, s) in enumerate(zip(EVENTS, [0, *BOUNDARIES], strict=False))
    ]
    assert {type(e).__name__ for e in got} == {"UnknownEvent"}
    acc = chat.accumulator()
    for event in got:
        acc.feed(event)
    assert [(w.kind, w.ordinal) for w in acc.warnings] == [("dialect-mismatch", 0)]
    assert "'assistants'" in acc.warnings[0].message
    assert acc.outcome.kind == "truncated"
    assert list(replayer.iter_events(dialect="assistants")) == EVENTS
