"""aiter_events' idle timeout: each wait bounded, ready chunks free, the source's scopes intact.

The glue bounds a wait only where the source really suspends, entering its
own cancel scope around each suspension (see ``streamkit/_async.py``).
These tests give it sources that wait in every way a real one does: inside
their own cancel scopes (as an HTTP client's read timeout is), in several
suspensions per chunk, after ready chunks, and under an outer cancellation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anyio
import pytest

import streamkit

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CHUNK = (
    b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\n'
)
PING = b": ping\n\n"

pytestmark = pytest.mark.anyio


async def _drain(source: AsyncIterator[bytes], idle: float) -> tuple[int, BaseException | None]:
    n = 0
    try:
        async for _ in streamkit.aiter_events(source, "chat", idle_timeout=idle):
            n += 1
    except streamkit.StreamStalled as exc:
        return n, exc
    return n, None


async def test_ready_chunks_then_a_stall_inside_the_sources_own_scope() -> None:
    """A source that waits inside its own cancel scope (an HTTP read timeout) still stalls
    at the idle deadline; its scope is left intact and it sees the cancellation."""
    seen: list[str] = []

    async def source() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield CHUNK  # ready: no wait at all
        try:
            with anyio.move_on_after(60):  # the source's own, longer, timeout
                await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            seen.append("cancelled")
            raise
        finally:
            seen.append("finally")
        yield CHUNK  # never

    with anyio.fail_after(5):
        n, error = await _drain(source(), 0.1)
    assert n == 5
    assert isinstance(error, streamkit.StreamStalled)
    assert seen == ["cancelled", "finally"]


async def test_several_suspensions_per_chunk_keep_the_deadline() -> None:
    """Each suspension gets the same deadline: many short waits add up to a stall."""

    async def source() -> AsyncIterator[bytes]:
        yield CHUNK
        while True:  # never another event, only keep-alives after several checkpoints
            for _ in range(3):
                await anyio.lowlevel.checkpoint()
            await anyio.sleep(0.01)
            yield PING

    started = anyio.current_time()
    with anyio.fail_after(5):
        n, error = await _drain(source(), 0.1)
    assert n == 1
    assert isinstance(error, streamkit.StreamStalled)
    assert 0.09 <= anyio.current_time() - started < 2


async def test_waits_shorter_than_the_timeout_never_stall() -> None:
    async def source() -> AsyncIterator[bytes]:
        for _ in range(10):
            with anyio.fail_after(5):  # a scope of the source's own around each wait
                await anyio.sleep(0.02)
            yield CHUNK

    with anyio.fail_after(5):
        n, error = await _drain(source(), 0.1)
    assert (n, error) == (10, None)


async def test_an_outer_cancellation_during_a_wait_is_not_a_stall() -> None:
    closed = []

    async def source() -> AsyncIterator[bytes]:
        try:
            yield CHUNK
            await anyio.sleep_forever()
            yield CHUNK
        finally:
            closed.append(True)

    got: list[Any] = []
    with anyio.move_on_after(0.05) as scope:
        async for event in streamkit.aiter_events(source(), "chat", idle_timeout=10):
            got.append(event)  # noqa: PERF401 - the scope is cancelled inside the loop
    assert scope.cancelled_caught
    assert len(got) == 1
    assert closed == [True]


async def test_the_consumers_time_does_not_count_as_the_sources_silence() -> None:
    """The deadline runs from when the glue waits for the source, not from the last event."""

    async def source() -> AsyncIterator[bytes]:
        for _ in range(3):
            await anyio.sleep(0.01)
            yield CHUNK

    n = 0
    with anyio.fail_after(5):
        async for _ in streamkit.aiter_events(source(), "chat", idle_timeout=0.1):
            n += 1
            await anyio.sleep(0.2)  # longer than the timeout, between events
    assert n == 3


async def test_a_source_whose_awaitable_is_not_a_coroutine() -> None:
    """A hand-written async iterator returning another kind of awaitable is bounded too."""

    class Source:
        def __init__(self) -> None:
            self.sent = 0

        def __aiter__(self) -> Source:
            return self

        def __anext__(self) -> Any:
            self.sent += 1
            if self.sent == 1:
                return _ready(CHUNK)
            return _Forever()

    with anyio.fail_after(5):
        n, error = await _drain(Source(), 0.05)  # type: ignore[arg-type]
    assert n == 1
    assert isinstance(error, streamkit.StreamStalled)


async def _ready(value: bytes) -> bytes:
    return value


class _Forever:
    """An awaitable whose iterator has ``send`` but no ``throw``: the glue falls back to a
    plain scope around the ``await``."""

    def __await__(self) -> Any:
        return _Steps(anyio.sleep_forever().__await__())


class _Steps:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __iter__(self) -> _Steps:
        return self

    def __next__(self) -> Any:
        return self.inner.send(None)

    def send(self, value: Any) -> Any:
        return self.inner.send(value)

    def __del__(self) -> None:  # an iterator without throw() is never closed by the await
        self.inner.close()


async def test_a_class_source_that_waits_then_fails() -> None:
    """A hand-written async iterator (``async def __anext__``) that waits on some steps:
    every chunk arrives, and an error it raises while waiting comes out as it is."""

    class Source:
        def __init__(self) -> None:
            self.step = 0
            self.closed = False

        def __aiter__(self) -> Source:
            return self

        async def __anext__(self) -> bytes:
            self.step += 1
            if self.step % 2:
                await anyio.sleep(0.01)  # a real wait, shorter than the timeout
            if self.step > 6:
                raise OSError("connection reset")
            return CHUNK

        async def aclose(self) -> None:
            self.closed = True

    got: list[Any] = []

    async def drain(source: Source) -> None:
        async for event in streamkit.aiter_events(source, "chat", idle_timeout=1):
            got.append(event)  # noqa: PERF401 - the loop is cut by the error

    source = Source()
    with anyio.fail_after(5), pytest.raises(OSError, match="connection reset"):
        await drain(source)
    assert len(got) == 6
    assert source.closed
