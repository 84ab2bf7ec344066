"""Replayer: pacing, seeking, re-chunking and fault injection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import anyio.lowlevel
import pytest

from streamkit.recording import Recorder, Replayer
from streamkit.recording._replay import YIELD_EVERY

from .helpers import FakeClock, ScriptedClock, record

if TYPE_CHECKING:
    from pathlib import Path

CHUNKS = [b"event: a\r", b"\ndata: 1\r\n\r\n", b"", b"data: \xe2\x82", b"\xac\n\n"]
TIMES = [0.5, 0.75, 0.75, 2.0, 2.0]
END = 2.5
BODY = b"".join(CHUNKS)


@pytest.fixture
def replayer(tmp_path: Path) -> Replayer:
    record(tmp_path / "r.ndjson", CHUNKS, TIMES, END)
    return Replayer.open(tmp_path / "r.ndjson")


async def _replay(replayer: Replayer, **options: Any) -> tuple[list[bytes], list[float]]:
    clock = FakeClock()
    chunks = [chunk async for chunk in replayer.aiter_chunks(clock=clock, **options)]
    return chunks, clock.sleeps


class TestPacing:
    """aiter_chunks waits out the recorded gaps, scaled by speed."""

    @pytest.mark.anyio
    @pytest.mark.parametrize("speed", [1.0, 2.0, 0.5])
    async def test_gaps(self, replayer: Replayer, speed: float) -> None:
        """The sleeps are the recorded gaps (first chunk and end included) over speed."""
        chunks, sleeps = await _replay(replayer, speed=speed)
        assert chunks == CHUNKS
        assert sleeps == pytest.approx([0.5 / speed, 0.25 / speed, 1.25 / speed, 0.5 / speed])

    @pytest.mark.anyio
    async def test_speed_zero(self, replayer: Replayer) -> None:
        """speed=0 never sleeps."""
        assert await _replay(replayer, speed=0) == (CHUNKS, [])

    @pytest.mark.anyio
    async def test_speed_zero_checkpoints(self, replayer: Replayer) -> None:
        """Even without waiting, each chunk is a checkpoint where cancellation lands."""
        seen = []
        with anyio.CancelScope() as scope:
            async for chunk in replayer.aiter_chunks(speed=0):
                seen.append(chunk)
                scope.cancel()
        assert seen == CHUNKS[:1]

    @pytest.mark.anyio
    async def test_speed_zero_lets_other_tasks_run(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without waiting, a replay checks for cancellation at every chunk and gives the
        event loop a turn at every YIELD_EVERY-th: other tasks run meanwhile."""
        chunks = [b"data: %d\n\n" % i for i in range(5 * YIELD_EVERY + 3)]
        with Recorder.open(tmp_path / "many.ndjson") as recorder:
            list(recorder.tap(chunks))
        tick = anyio.lowlevel.checkpoint  # this test's own, not counted
        calls: list[str] = []
        for name in ("checkpoint", "checkpoint_if_cancelled"):
            real = getattr(anyio.lowlevel, name)

            async def counted(real: Any = real, name: str = name) -> None:
                calls.append(name)
                await real()

            monkeypatch.setattr(anyio.lowlevel, name, counted)
        turns = 0
        seen_at: list[int] = []  # the other task's turns so far, as each chunk arrives
        done = False

        async def other() -> None:
            nonlocal turns
            while not done:
                turns += 1
                await tick()

        async with anyio.create_task_group() as tg:
            tg.start_soon(other)
            await tick()  # the other task is running
            replay = Replayer.open(tmp_path / "many.ndjson").aiter_chunks(speed=0)
            seen_at.extend([turns async for _ in replay])
            done = True
        assert len(seen_at) == len(chunks)
        assert len(calls) == len(chunks) + 1  # and one at the recorded end
        turns_at = [i for i, name in enumerate(calls) if name == "checkpoint"]
        assert turns_at == list(range(0, len(calls), YIELD_EVERY))
        assert seen_at[-1] > seen_at[0]  # the other task ran during the replay

    @pytest.mark.anyio
    async def test_start(self, replayer: Replayer) -> None:
        """start= skips chunks recorded earlier and counts time from there."""
        chunks, sleeps = await _replay(replayer, start=0.75)
        assert chunks == CHUNKS[1:]
        assert sleeps == pytest.approx([1.25, 0.5])
        assert list(replayer.iter_chunks(start=0.76)) == CHUNKS[3:]
        assert list(replayer.iter_chunks(start=3)) == []

    @pytest.mark.anyio
    async def test_one_stream_of_a_session(self, tmp_path: Path) -> None:
        """Pacing a later stream counts from that stream's start."""
        clock = ScriptedClock([0.0, 0.5, 1.0, 3.0, 3.25, 4.0])
        with Recorder.open(tmp_path / "s.ndjson", clock=clock) as recorder:
            list(recorder.tap([b"one"]))
            recorder.new_stream()
            list(recorder.tap([b"two"]))
        replayer = Replayer.open(tmp_path / "s.ndjson")
        chunks, sleeps = await _replay(replayer, stream=1)
        assert chunks == [b"two"]
        assert sleeps == pytest.approx([0.25, 0.75])
        chunks, sleeps = await _replay(replayer)
        assert chunks == [b"one", b"two"]
        assert sleeps == pytest.approx([0.5, 0.5, 2.25, 0.75])

    @pytest.mark.anyio
    async def test_negative_speed(self, replayer: Replayer) -> None:
        """A negative speed is refused."""
        with pytest.raises(ValueError, match="speed"):
            await _replay(replayer, speed=-1)


class TestRechunk:
    """rechunk= re-splits each stream's bytes and keeps them identical."""

    @pytest.mark.parametrize(
        ("rechunk", "sizes"),
        [
            ("bytes", {1}),
            (1, {1}),
            (4, {4, len(BODY) % 4}),
            (("random", 7), set(range(1, 65))),
        ],
    )
    def test_bytes_kept(self, replayer: Replayer, rechunk: Any, sizes: set[int]) -> None:
        """Every variant yields the same bytes, in pieces of the sizes asked for."""
        pieces = list(replayer.iter_chunks(rechunk=rechunk))
        assert b"".join(pieces) == BODY
        assert {len(piece) for piece in pieces} <= sizes

    def test_random_is_seeded(self, replayer: Replayer) -> None:
        """The same seed gives the same pieces."""
        first = list(replayer.iter_chunks(rechunk=("random", 3)))
        assert first == list(replayer.iter_chunks(rechunk=("random", 3)))
        assert len(first) > 1

    def test_streams_not_merged(self, tmp_path: Path) -> None:
        """No piece spans two streams of a session."""
        with Recorder.open(tmp_path / "s.ndjson") as recorder:
            list(recorder.tap([b"abc", b"de"]))
            recorder.new_stream()
            list(recorder.tap([b"fgh"]))
        replayer = Replayer.open(tmp_path / "s.ndjson")
        assert list(replayer.iter_chunks(rechunk=2)) == [b"ab", b"cd", b"e", b"fg", b"h"]

    @pytest.mark.anyio
    async def test_paced(self, replayer: Replayer) -> None:
        """Re-split pieces come when their last byte was recorded."""
        chunks, sleeps = await _replay(replayer, rechunk=10)
        assert chunks == [BODY[:10], BODY[10:20], BODY[20:30], BODY[30:]]
        assert sleeps == pytest.approx([0.75, 1.25, 0.5])  # at 0.75, 0.75, 2.0, 2.0; end 2.5

    @pytest.mark.parametrize("rechunk", [0, -2, True, "words", ("random",), ("dice", 1)])
    def test_bad_values(self, replayer: Replayer, rechunk: Any) -> None:
        """Anything but "bytes", a positive size or ("random", seed) is refused."""
        with pytest.raises(ValueError, match="rechunk"):
            list(replayer.iter_chunks(rechunk=rechunk))


class TestFaults:
    """cut_at, raise_at and stall change the replay as documented."""

    @pytest.mark.parametrize("offset", range(len(BODY) + 2))
    def test_cut_at(self, replayer: Replayer, offset: int) -> None:
        """cut_at=n yields exactly the first n bytes, boundaries kept up to the cut."""
        pieces = list(replayer.iter_chunks(cut_at=offset))
        assert b"".join(pieces) == BODY[:offset]
        assert all(piece in CHUNKS for piece in pieces[:-1])

    @pytest.mark.parametrize("offset", [0, 5, 9, 21, len(BODY), len(BODY) + 10])
    def test_raise_at(self, replayer: Replayer, offset: int) -> None:
        """raise_at=(n, exc) yields n bytes (or all there are), then raises exc itself."""
        boom = ConnectionResetError("injected")
        pieces: list[bytes] = []
        with pytest.raises(ConnectionResetError) as info:
            pieces.extend(replayer.iter_chunks(raise_at=(offset, boom)))
        assert info.value is boom
        assert b"".join(pieces) == BODY[:offset]

    def test_nearest_fault_wins(self, replayer: Replayer) -> None:
        """With both, whichever offset comes first applies."""
        boom = OSError("injected")
        assert b"".join(replayer.iter_chunks(cut_at=3, raise_at=(5, boom))) == BODY[:3]
        with pytest.raises(OSError, match="injected"):
            list(replayer.iter_chunks(cut_at=5, raise_at=(3, boom)))

    def test_negative_offset(self, replayer: Replayer) -> None:
        """A negative offset is refused."""
        with pytest.raises(ValueError, match="offset"):
            list(replayer.iter_chunks(cut_at=-1))

    @pytest.mark.anyio
    async def test_raise_at_paced(self, replayer: Replayer) -> None:
        """The injected error comes at the time its byte was recorded."""
        boom = ConnectionResetError("injected")
        clock = FakeClock()
        chunks = replayer.aiter_chunks(clock=clock, raise_at=(len(CHUNKS[0]) + 1, boom))
        assert await anext(chunks) == CHUNKS[0]
        assert await anext(chunks) == CHUNKS[1][:1]
        with pytest.raises(ConnectionResetError):
            await anext(chunks)
        assert clock.sleeps == pytest.approx([0.5, 0.25])

    @pytest.mark.anyio
    async def test_cut_at_paced(self, replayer: Replayer) -> None:
        """A cut stream stops at the cut: no wait for the recorded end."""
        chunks, sleeps = await _replay(replayer, cut_at=len(CHUNKS[0]))
        assert chunks == CHUNKS[:1]
        assert sleeps == pytest.approx([0.5])

    @pytest.mark.anyio
    @pytest.mark.parametrize("speed", [1.0, 0.0])
    async def test_stall(self, replayer: Replayer, speed: float) -> None:
        """stall=(at, seconds) freezes the stream at recording time `at`, at any speed."""
        chunks, sleeps = await _replay(replayer, speed=speed, stall=(1.0, 30.0))
        assert chunks == CHUNKS
        if speed:
            assert sleeps == pytest.approx([0.5, 0.25, 0.25, 30.0, 1.0, 0.5])
        else:
            assert sleeps == [30.0]

    @pytest.mark.anyio
    async def test_stall_before_end(self, replayer: Replayer) -> None:
        """A stall after the last chunk holds the stream open before it ends."""
        chunks, sleeps = await _replay(replayer, stall=(2.25, 30.0))
        assert chunks == CHUNKS
        assert sleeps == pytest.approx([0.5, 0.25, 1.25, 0.25, 30.0, 0.25])

    @pytest.mark.anyio
    async def test_stall_beyond_end(self, replayer: Replayer) -> None:
        """A stall later than the recorded end never happens."""
        assert (await _replay(replayer, speed=0, stall=(9.0, 30.0)))[1] == []
