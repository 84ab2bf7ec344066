"""Recorder: a transparent tee whose file is valid however the stream ends."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel
import pytest

from streamkit.recording import Recorder, RecordingWarning, Replayer

from .helpers import ScriptedClock

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

CHUNKS = [b"event: thread.run.created\r", b"\ndata: {}\r\n\r\n", b"data: \xe2\x82", b"\xac\n\n"]


def _only_stream(path: Path) -> tuple[list[bytes], str | None]:
    (stream,) = Replayer.open(path).streams
    return [chunk for _, chunk in stream.chunks], stream.end


class TestTap:
    """Recorder.tap and Recorder.atap pass chunks through and record how the stream ended."""

    def test_same_objects(self, tmp_path: Path) -> None:
        """tap yields the very chunk objects it is given, bytes-like ones included."""
        chunks: list[bytes | bytearray | memoryview] = [
            b"a",
            bytearray(b"b\xff"),
            memoryview(b"c\r"),
        ]
        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            out = list(recorder.tap(iter(chunks)))
        assert all(a is b for a, b in zip(out, chunks, strict=True))
        assert _only_stream(tmp_path / "r.ndjson") == ([b"a", b"b\xff", b"c\r"], "eof")

    def test_source_error(self, tmp_path: Path) -> None:
        """A source that raises gets an error end line; the same exception object propagates."""
        boom = ConnectionResetError("peer reset the stream")

        def source() -> Iterator[bytes]:
            yield from CHUNKS[:2]
            raise boom

        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            seen: list[bytes] = []
            with pytest.raises(ConnectionResetError) as info:
                seen.extend(recorder.tap(source()))
            assert info.value is boom
        (stream,) = Replayer.open(tmp_path / "r.ndjson").streams
        assert [chunk for _, chunk in stream.chunks] == CHUNKS[:2]
        assert (stream.end, stream.error) == ("error", "ConnectionResetError")
        assert stream.error_message == "peer reset the stream"

    def test_consumer_stops_early(self, tmp_path: Path) -> None:
        """Closing the tap before the source ends records a cancellation."""
        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            tap = recorder.tap(CHUNKS)
            assert next(tap) is CHUNKS[0]
            tap.close()
        assert _only_stream(tmp_path / "r.ndjson") == (CHUNKS[:1], "cancelled")

    def test_abandoned_tap_at_close(self, tmp_path: Path) -> None:
        """Closing the recorder while a tap is unfinished ends that stream as cancelled, once."""
        recorder = Recorder.open(tmp_path / "r.ndjson")
        tap = recorder.tap(CHUNKS)
        next(tap)
        recorder.close()
        tap.close()  # too late to write: ignored
        recorder.close()  # idempotent
        assert _only_stream(tmp_path / "r.ndjson") == (CHUNKS[:1], "cancelled")

    def test_misuse(self, tmp_path: Path) -> None:
        """A second tap needs new_stream(); new_stream() during a tap and use after close fail."""
        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            tap = recorder.tap(CHUNKS)
            next(tap)
            with pytest.raises(RuntimeError, match="still being tapped"):
                recorder.new_stream()
            list(tap)
            with pytest.raises(RuntimeError, match="new_stream"):
                list(recorder.tap(CHUNKS))
        with pytest.raises(RuntimeError, match="closed"):
            recorder.new_stream()
        with pytest.raises(RuntimeError, match="closed"):
            list(recorder.tap([]))

    def test_fsync(self, tmp_path: Path) -> None:
        """fsync=True records the same file."""
        with Recorder.open(tmp_path / "r.ndjson", fsync=True) as recorder:
            list(recorder.tap(CHUNKS))
        assert _only_stream(tmp_path / "r.ndjson") == (CHUNKS, "eof")

    def test_clock_going_backwards(self, tmp_path: Path) -> None:
        """Times never decrease, whatever the clock says."""
        clock = ScriptedClock([10.0, 10.5, 10.2, 11.0, 11.0, 12.0])
        with Recorder.open(tmp_path / "r.ndjson", clock=clock) as recorder:
            list(recorder.tap(CHUNKS))
        times = [t for t, _ in Replayer.open(tmp_path / "r.ndjson").streams[0].chunks]
        assert times == [0.5, 0.5, 1.0, 1.0]


async def _source(chunks: list[bytes], *, then_block: bool = False) -> AsyncIterator[bytes]:
    for chunk in chunks:
        await anyio.lowlevel.checkpoint()
        yield chunk
    if then_block:
        await anyio.sleep_forever()


class TestAsyncTap:
    """atap on asyncio and trio."""

    @pytest.mark.anyio
    async def test_eof(self, tmp_path: Path) -> None:
        """atap yields the same objects and ends with eof."""
        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            out = [chunk async for chunk in recorder.atap(_source(CHUNKS))]
        assert all(a is b for a, b in zip(out, CHUNKS, strict=True))
        assert _only_stream(tmp_path / "r.ndjson") == (CHUNKS, "eof")

    @pytest.mark.anyio
    async def test_source_error(self, tmp_path: Path) -> None:
        """An async source's exception is recorded and re-raised unchanged."""
        boom = TimeoutError("read timed out")

        async def source() -> AsyncIterator[bytes]:
            yield CHUNKS[0]
            raise boom

        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            with pytest.raises(TimeoutError) as info:
                async for _ in recorder.atap(source()):
                    pass
            assert info.value is boom
        (stream,) = Replayer.open(tmp_path / "r.ndjson").streams
        assert (stream.end, stream.error, stream.error_message) == (
            "error",
            "TimeoutError",
            "read timed out",
        )

    @pytest.mark.anyio
    async def test_cancelled_while_waiting(self, tmp_path: Path) -> None:
        """Cancelling a task blocked on the source writes a cancelled end line."""
        got_two = anyio.Event()

        async def consume(recorder: Recorder) -> None:
            async for chunk in recorder.atap(_source(CHUNKS[:2], then_block=True)):
                if chunk is CHUNKS[1]:
                    got_two.set()

        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            async with anyio.create_task_group() as tg:
                tg.start_soon(consume, recorder)
                await got_two.wait()
                tg.cancel_scope.cancel()
        assert _only_stream(tmp_path / "r.ndjson") == (CHUNKS[:2], "cancelled")

    @pytest.mark.anyio
    async def test_cancelled_by_consumer_scope(self, tmp_path: Path) -> None:
        """A cancel scope around the loop ends the stream as cancelled at the next checkpoint."""
        with Recorder.open(tmp_path / "r.ndjson") as recorder:
            with anyio.CancelScope() as scope:
                async for chunk in recorder.atap(_source(CHUNKS)):
                    if chunk is CHUNKS[1]:
                        scope.cancel()
            assert scope.cancelled_caught
        assert _only_stream(tmp_path / "r.ndjson") == (CHUNKS[:2], "cancelled")


KILL_CHILD = textwrap.dedent(
    """
    import sys
    from streamkit.recording import Recorder

    def source():
        for line in sys.stdin.buffer:  # one chunk per line, at the parent's pace
            yield line

    with Recorder.open(sys.argv[1], dialect=None) as recorder:
        for chunk in recorder.tap(source()):
            sys.stdout.write("recorded\\n")
            sys.stdout.flush()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("suffix", [".ndjson", ".ndjson.gz"])
def test_killed_mid_stream(tmp_path: Path, suffix: str) -> None:
    """A recorder killed mid-stream leaves every chunk it yielded, in a truncated stream."""
    path = tmp_path / f"r{suffix}"
    chunks = [b"event: a\n", b"data: \xc3\n", b"\n", b"data: 2\n"]
    command = [sys.executable, "-c", KILL_CHILD, str(path)]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
        assert child.stdin is not None
        assert child.stdout is not None
        for chunk in chunks:
            child.stdin.write(chunk)
            child.stdin.flush()
            assert child.stdout.readline() == b"recorded\n"
        child.kill()
    assert child.returncode == -9
    (stream,) = Replayer.open(path).streams
    assert [chunk for _, chunk in stream.chunks] == chunks
    assert (stream.end, stream.end_t) == (None, None)


DISK_FULL_CHILD = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from streamkit.recording import Recorder

    path = sys.argv[1]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the limit: EFBIG, not death
    recorder = Recorder.open(path, dialect=None, clock=lambda: 0.0)
    line = len(b'[0.0,"o","data: 000"]\\n')
    limit = os.path.getsize(path) + 2 * line + line // 2  # room for 2.5 lines
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    yielded = []
    try:
        for chunk in recorder.tap(b"data: %03d" % i for i in range(100)):
            yielded.append(chunk.decode())
    except OSError as exc:
        error = exc.errno
    recorder.close()
    print(json.dumps({"yielded": yielded, "errno": error}))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_disk_write_failure(tmp_path: Path) -> None:
    """A failing write raises OSError to the consumer; chunks yielded before stay readable."""
    import errno

    path = tmp_path / "r.ndjson"
    command = [sys.executable, "-c", DISK_FULL_CHILD, str(path)]
    result = json.loads(subprocess.run(command, check=True, capture_output=True).stdout)
    assert result == {"yielded": ["data: 000", "data: 001"], "errno": errno.EFBIG}
    with pytest.warns(RecordingWarning, match="torn final line"):
        replayer = Replayer.open(path)
    (stream,) = replayer.streams
    assert [chunk for _, chunk in stream.chunks] == [b"data: 000", b"data: 001"]
    assert stream.end is None


# -- dialect="auto" (the default): the opening line names the dialect of the first event


CHAT_CHUNK = (
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\n'
)


def test_auto_names_the_dialect_of_each_streams_first_event(tmp_path: Path) -> None:
    path = tmp_path / "auto.ndjson"
    anthropic = b'event: message_start\ndata: {"type":"message_start"}\n\n'
    with Recorder.open(path) as recorder:
        list(recorder.tap([CHAT_CHUNK[:10], CHAT_CHUNK[10:]]))
        recorder.new_stream(meta={"n": 2})
        list(recorder.tap([anthropic]))
    replayer = Replayer.open(path)
    assert replayer.header.dialect == "chat"
    assert [s.dialect for s in replayer.streams] == ["chat", "anthropic"]
    assert [c for _, c in replayer.streams[0].chunks] == [CHAT_CHUNK[:10], CHAT_CHUNK[10:]]


def test_auto_waits_for_the_first_event_then_writes_as_it_goes(tmp_path: Path) -> None:
    """Until the first event the lines wait (a crash then loses the stream); after it, every
    line is on disk when its chunk is passed on."""
    path = tmp_path / "auto.ndjson"
    recorder = Recorder.open(path)
    tap = recorder.tap(iter([CHAT_CHUNK[:10], CHAT_CHUNK[10:], CHAT_CHUNK]))
    next(tap)
    assert path.read_bytes() == b""
    next(tap)
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3  # the header, then both chunks
    next(tap)
    assert len(path.read_bytes().splitlines()) == 4
    recorder.close()


def test_auto_gives_up_on_a_stream_without_events_and_holds_no_more(tmp_path: Path) -> None:
    """A stream that brings no event in its first 64 KiB is recorded with no dialect, and
    from then on every line is written at once: what waits is bounded."""
    path = tmp_path / "auto.ndjson"
    recorder = Recorder.open(path)
    tap = recorder.tap(iter([b"x" * 40_000, b"y" * 40_000, b"z"]))
    next(tap)
    assert path.read_bytes() == b""
    next(tap)
    assert len(path.read_bytes().splitlines()) == 3
    next(tap)
    assert len(path.read_bytes().splitlines()) == 4
    recorder.close()
    assert Replayer.open(path).header.dialect is None


def test_auto_with_no_stream_tapped_still_writes_the_header(tmp_path: Path) -> None:
    path = tmp_path / "auto.ndjson"
    Recorder.open(path, meta={"k": 1}).close()
    replayer = Replayer.open(path)
    assert (replayer.header.dialect, replayer.header.meta) == (None, {"k": 1})
