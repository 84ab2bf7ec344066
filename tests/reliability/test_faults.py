"""Faults: a source that fails, a consumer that is cancelled, a disk that fails, a kill.

These extend the unit tests of each piece (``tests/test_stream.py``: a source's
exception and cancellation in ``aiter_events``; ``tests/recording/test_recorder.py``:
the recorder's end lines, a disk-full child, a killed child) to the whole chain a
chat backend runs, ``Recorder.atap`` -> ``aiter_events`` -> ``Accumulator``, over a
real stream, at every point: after each chunk, at each await, at each byte of
the file.
"""

from __future__ import annotations

import errno
import itertools
import subprocess
import sys
import textwrap
import warnings
from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
import msgspec
import pytest

import streamkit
from streamkit import assistants
from streamkit.recording import Recorder, RecordingWarning, Replayer

from .helpers import CHUNKS, EVENTS, TEXT_ANSWER, adrain, drain, fold

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

N = len(CHUNKS)


class ResetByPeer(ConnectionResetError):
    """The transport's own error, to be surfaced as is."""


def _expected(k: int) -> list[Any]:
    """The events the first *k* chunks complete."""
    return list(streamkit.iter_events(CHUNKS[:k]))


def _snapshot(acc: assistants.Accumulator) -> Any:
    return msgspec.to_builtins(
        [acc.run, acc.messages, acc.run_steps, acc.outcome.kind, acc.warnings], enc_hook=repr
    )


def _replay(path: Path) -> tuple[list[bytes], Any]:
    """The recorded chunks and the end of the only stream, read with no warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        replayer = Replayer.open(path)
    (stream,) = replayer.streams
    return [chunk for _, chunk in stream.chunks], stream


# -- a source that raises mid-stream -----------------------------------------------


@pytest.mark.parametrize("k", range(N + 1))
def test_source_raises_after_k_chunks_sync(tmp_path: Path, k: int) -> None:
    """The transport error comes out as is, after every event its chunks completed; the fold
    keeps them all; the recording's end line names the error and replays the same."""
    boom = ResetByPeer("peer closed connection without sending complete message body")

    def source() -> Iterator[bytes]:
        yield from CHUNKS[:k]
        raise boom

    path = tmp_path / "r.ndjson"
    with Recorder.open(path, dialect="assistants") as recorder:
        got, error = drain(streamkit.iter_events(recorder.tap(source())))
    assert error is boom
    assert got == _expected(k)
    assert _snapshot(fold(got)) == _snapshot(fold(_expected(k)))
    chunks, stream = _replay(path)
    assert chunks == CHUNKS[:k]
    assert (stream.end, stream.error, stream.error_message) == ("error", "ResetByPeer", str(boom))
    assert list(Replayer.open(path).iter_events()) == got


@pytest.mark.anyio
async def test_source_raises_after_k_chunks_async(tmp_path: Path) -> None:
    """The same on asyncio and trio, for every k."""
    for k in range(N + 1):
        boom = ResetByPeer(f"reset after {k}")

        async def source(k: int = k, boom: Exception = boom) -> AsyncIterator[bytes]:
            for chunk in CHUNKS[:k]:
                await anyio.lowlevel.checkpoint()
                yield chunk
            raise boom

        path = tmp_path / f"r{k}.ndjson"
        acc = assistants.Accumulator()
        with Recorder.open(path, dialect="assistants") as recorder:
            got, error = await adrain(streamkit.aiter_events(recorder.atap(source())))
        for event in got:
            acc.feed(event)
        assert error is boom
        assert _snapshot(acc) == _snapshot(fold(_expected(k)))
        chunks, stream = _replay(path)
        assert chunks == CHUNKS[:k]
        assert (stream.end, stream.error) == ("error", "ResetByPeer")


# -- cancellation at every await point -------------------------------------------------


class CountingSource:
    """An async source of CHUNKS with a checkpoint before each chunk and after the last;
    it cancels *scope* at its *k*-th checkpoint, so the cancellation lands exactly there."""

    def __init__(self, k: int, scope: anyio.CancelScope) -> None:
        self.k = k
        self.scope = scope
        self.sent = 0
        self.closed = False
        self.awaits = 0

    async def _checkpoint(self) -> None:
        if self.awaits == self.k:
            self.scope.cancel()
        self.awaits += 1
        await anyio.lowlevel.checkpoint()

    async def __call__(self) -> AsyncIterator[bytes]:
        try:
            for chunk in CHUNKS:
                await self._checkpoint()
                self.sent += 1
                yield chunk
            await self._checkpoint()
        finally:
            self.closed = True


@pytest.mark.anyio
async def test_cancelled_at_every_await_point(tmp_path: Path) -> None:
    """Cancel the consumer at each of the N + 1 awaits of the chain: nothing is left running,
    the source is closed, the fold has exactly the events of the chunks received, and the
    recording is valid, ending ``cancelled`` (or ``eof`` when the cancel came too late)."""
    tasks = len(anyio.get_running_tasks())
    for k in range(N + 2):
        path = tmp_path / f"c{k}.ndjson"
        acc = assistants.Accumulator()
        with anyio.CancelScope() as scope, Recorder.open(path, dialect="assistants") as recorder:
            source = CountingSource(k, scope)
            async for event in streamkit.aiter_events(recorder.atap(source())):
                acc.feed(event)
        assert scope.cancelled_caught is (k <= N), k
        assert source.closed
        assert len(anyio.get_running_tasks()) == tasks
        received = min(k, N)
        assert source.sent == received
        assert _snapshot(acc) == _snapshot(fold(_expected(received)))
        chunks, stream = _replay(path)
        assert chunks == CHUNKS[:received]
        assert stream.end == ("cancelled" if k <= N else "eof")


@pytest.mark.anyio
async def test_cancelled_replay_after_every_event(tmp_path: Path) -> None:
    """Cancel a speed-0 replay's task group from the consumer after each event j: the task
    ends at its next await (the end of the chunk being decoded), no task is left, and
    the fold has exactly the events received, a chunk-aligned prefix of the stream."""
    replayer = Replayer.open(TEXT_ANSWER)
    tasks = len(anyio.get_running_tasks())
    aligned = {len(_expected(k)) for k in range(N + 1)}
    for j in range(len(EVENTS)):
        got: list[Any] = []

        async def consume(j: int = j, got: list[Any] = got) -> None:
            async for event in replayer.aiter_events(speed=0):
                got.append(event)
                if len(got) == j + 1:
                    tg.cancel_scope.cancel()

        async with anyio.create_task_group() as tg:
            tg.start_soon(consume)
        assert len(anyio.get_running_tasks()) == tasks
        assert len(got) > j
        assert len(got) in aligned
        assert got == EVENTS[: len(got)]
        assert _snapshot(fold(got)) == _snapshot(fold(EVENTS[: len(got)]))


@pytest.mark.anyio
async def test_cancelled_while_the_source_is_stuck(tmp_path: Path) -> None:
    """A source stuck in a read: a timeout around the consumer cancels it there, inside the
    source; the source's shielded cleanup runs, and the recording ends ``cancelled``."""
    closed = anyio.Event()

    async def stuck() -> AsyncIterator[bytes]:
        try:
            yield CHUNKS[0]
            await anyio.sleep_forever()
            yield b""  # pragma: no cover
        finally:
            with anyio.CancelScope(shield=True):  # as an HTTP client's cleanup is
                await anyio.sleep(0.01)
            closed.set()

    path = tmp_path / "stuck.ndjson"
    got = []
    with anyio.move_on_after(0.1) as scope, Recorder.open(path, dialect="assistants") as recorder:
        async for event in streamkit.aiter_events(recorder.atap(stuck())):
            got.append(event)  # noqa: PERF401 - the scope is cancelled inside the loop
    assert scope.cancelled_caught
    assert closed.is_set()
    assert got == _expected(1)
    assert _replay(path)[1].end == "cancelled"


# -- a recorder whose disk write fails -------------------------------------------------


class FailingFile:
    """An unbuffered file that takes *budget* bytes, then fails like a full disk."""

    def __init__(self, real: Any, budget: int) -> None:
        self.real = real
        self.budget = budget

    def write(self, data: Any) -> int:
        if self.budget <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = self.real.write(bytes(data)[: self.budget])  # a short write, like a real disk
        self.budget -= n
        return n  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _line_ends(path: Path) -> list[int]:
    data = path.read_bytes()
    return [i + 1 for i, byte in enumerate(data) if byte == 10]


def _no_time() -> float:
    return 0.0


@pytest.mark.anyio
async def test_disk_fails_at_every_line(tmp_path: Path) -> None:
    """The disk fills at each line boundary, halfway through each line and just before each
    LF: the consumer gets the OSError; every event it got before stays right and complete;
    every chunk it got is on disk and replays (a torn last line is skipped with a warning)."""
    full = tmp_path / "full.ndjson"
    # A fixed clock, so that every recording's lines have the same lengths as these.
    with Recorder.open(full, dialect="assistants", clock=_no_time) as recorder:
        list(recorder.tap(CHUNKS))
    ends = _line_ends(full)
    halves = ((a + b) // 2 for a, b in itertools.pairwise(ends))
    budgets = sorted({*ends[:-1], *halves, *(end - 1 for end in ends[1:])})
    for budget in budgets:
        path = tmp_path / f"b{budget}.ndjson"
        recorder = Recorder.open(path, dialect="assistants", clock=_no_time)
        recorder._sink._file = FailingFile(recorder._sink._file, budget - ends[0])  # type: ignore[assignment]

        async def source() -> AsyncIterator[bytes]:
            for chunk in CHUNKS:
                await anyio.lowlevel.checkpoint()
                yield chunk

        seen: list[bytes] = []

        async def watched(recorder: Recorder = recorder, seen: list[bytes] = seen) -> Any:
            async for chunk in recorder.atap(source()):
                seen.append(chunk)
                yield chunk

        got, error = await adrain(streamkit.aiter_events(watched()))
        recorder.close()
        assert isinstance(error, OSError)
        assert error.errno == errno.ENOSPC
        assert error.strerror == "No space left on device"
        acc = fold(got)
        assert _snapshot(acc) == _snapshot(fold(_expected(len(seen))))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            (stream,) = Replayer.open(path).streams
        assert all(w.category is RecordingWarning for w in caught)
        recorded = [chunk for _, chunk in stream.chunks]
        # Every chunk handed out is on disk.  The chunk whose line the disk cut short is
        # there too when only its LF was lost (a final line without LF that parses).
        assert recorded in (seen, CHUNKS[: len(seen) + 1]), budget
        if len(seen) < N:
            assert stream.end is None  # no end line could be written
        else:  # the disk failed on the end line: whole but its LF (it parses), or torn
            assert stream.end in (None, "eof")


# -- a process killed mid-recording ----------------------------------------------------

KILL_CHILD = textwrap.dedent(
    """
    import sys
    from streamkit.recording import Recorder, Replayer

    chunks = list(Replayer.open(sys.argv[2]).iter_chunks())
    with Recorder.open(sys.argv[1], dialect="assistants", fsync=sys.argv[3] == "fsync") as recorder:
        for i, chunk in enumerate(recorder.tap(chunks)):
            print(i, flush=True)
            sys.stdin.readline()  # wait for the parent
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize(("suffix", "sync"), [(".ndjson", "fsync"), (".ndjson.gz", "no")])
def test_sigkill_after_k_chunks(tmp_path: Path, suffix: str, sync: str) -> None:
    """A recorder killed after it handed out chunk k (for k across the stream): every chunk
    handed out replays, and decodes to the events the consumer had."""
    for k in (0, 7, N // 2, N - 1):
        path = tmp_path / f"k{k}{suffix}"
        command = [sys.executable, "-c", KILL_CHILD, str(path), str(TEXT_ANSWER), sync]
        with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as child:
            assert child.stdin is not None
            assert child.stdout is not None
            for i in range(k + 1):
                assert child.stdout.readline() == f"{i}\n".encode()
                if i < k:
                    child.stdin.write(b"\n")
                    child.stdin.flush()
            child.kill()
        assert child.returncode == -9
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # each line was whole before it was handed out
            replayer = Replayer.open(path)
        (stream,) = replayer.streams
        assert [chunk for _, chunk in stream.chunks] == CHUNKS[: k + 1]
        assert stream.end is None
        assert list(replayer.iter_events()) == _expected(k + 1)
