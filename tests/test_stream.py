"""The stream layer: chunks of bytes in, typed events out (``iter_events`` / ``aiter_events``)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import anyio
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit import assistants
from tests.dialects.assistants import streams as s
from tests.helpers import split_at

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

# -- bodies ------------------------------------------------------------------------

GOOD = (
    s.Stream()
    .run("created")
    .run("in_progress")
    .step("created", "step_1", s.message_creation("msg_1"))
    .message("created", "msg_1")
    .message_delta("msg_1", s.text(0, "Héllo, 世界 🚀", []))
    .message_delta("msg_1", s.text(0, " and more"))
    .message("completed", "msg_1")
    .run("completed")
    .done()
)
BODY = GOOD.body()

HEAD = s.sse("thread.run.created", s.run_obj("queued")) + s.sse(
    "thread.message.created", s.message_obj("msg_1")
)
BAD = b'event: thread.message.delta\ndata: {"id": "msg_1", "delta": {"content": [\n\n'
TAIL = s.sse("thread.run.completed", s.run_obj("completed")) + s.sse("done", "[DONE]")


def _typed(body: bytes) -> list[Any]:
    return list(streamkit.iter_events([body]))


def _names(events: Iterable[Any]) -> list[str]:
    return [event.event for event in events]


def _drain(events: Iterable[Any]) -> tuple[list[Any], Exception | None]:
    """The events an iteration yielded before it ended, and the exception it ended with."""
    got: list[Any] = []
    try:
        for event in events:
            got.append(event)  # noqa: PERF402 - keep what came before an exception
    except Exception as exc:
        return got, exc
    return got, None


async def _adrain(events: AsyncIterator[Any]) -> tuple[list[Any], Exception | None]:
    """The events an async iteration yielded before it ended, and the exception it ended with."""
    got: list[Any] = []
    try:
        async for event in events:
            got.append(event)  # noqa: PERF401 - keep what came before an exception
    except Exception as exc:
        return got, exc
    return got, None


# -- sync --------------------------------------------------------------------------


def test_whole_body_gives_the_typed_events_in_order() -> None:
    """A whole body decodes into one typed event per SSE event, each of the dialect's classes."""
    events = _typed(BODY)
    assert _names(events) == [name for name, _ in GOOD.events]
    assert type(events[0]) is assistants.ThreadRunCreated
    assert events[0].data.id == s.RUN_ID
    delta = events[4]
    assert type(delta) is assistants.ThreadMessageDelta
    assert delta.data.delta.content[0].text.value == "Héllo, 世界 🚀"
    assert type(events[-1]) is assistants.Done


@settings(max_examples=60, deadline=None)
@given(cuts=st.lists(st.integers(0, len(BODY)), max_size=40))
def test_any_chunking_gives_the_same_events(cuts: list[int]) -> None:
    """However the body is cut into chunks (empty ones included), the same typed events come out."""
    assert list(streamkit.iter_events(split_at(BODY, cuts))) == _typed(BODY)


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param([bytearray(BODY)], id="bytearray"),
        pytest.param([memoryview(BODY)], id="memoryview"),
        pytest.param([BODY[i : i + 1] for i in range(len(BODY))], id="1-byte"),
    ],
)
def test_bytes_like_chunks_decode(chunks: list[Any]) -> None:
    """Chunks may be bytes, bytearray or memoryview, and as small as one byte."""
    assert list(streamkit.iter_events(chunks)) == _typed(BODY)


def test_unknown_event_name_yields_unknown_event() -> None:
    """An event name the dialect does not know comes out as UnknownEvent with its raw payload."""
    body = HEAD + b'event: thread.run.paused\ndata: {"x": 1}\n\n' + TAIL
    events = _typed(body)
    assert _names(events) == [
        "thread.run.created",
        "thread.message.created",
        "thread.run.paused",
        "thread.run.completed",
        "done",
    ]
    assert events[2] == assistants.UnknownEvent("thread.run.paused", b'{"x": 1}')


def test_raise_policy_names_the_bad_event_after_yielding_all_before_it() -> None:
    """on_error="raise" yields every event before the bad one, then raises DecodeError naming it."""
    got, error = _drain(streamkit.iter_events([HEAD + BAD + TAIL], on_error="raise"))
    assert _names(got) == ["thread.run.created", "thread.message.created"]
    assert isinstance(error, streamkit.DecodeError)
    assert error.ordinal == 2
    assert error.offset == len(HEAD)
    assert error.event == "thread.message.delta"
    assert error.path == "$"
    assert error.excerpt is not None
    assert error.excerpt.startswith(b'{"id": "msg_1"')
    assert "thread.message.delta" in str(error)


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        pytest.param(
            b'{"id": "msg_1", "delta": {"content": 7}}', "$.delta.content", id="ill-typed"
        ),
        pytest.param(b'{"delta": {}}', "$", id="missing-id"),
        pytest.param(b'{"id": "msg_\xff", "delta": {}}', "$", id="invalid-utf8"),
        pytest.param(b"[DONE]", "$", id="not-json"),
    ],
)
def test_decode_error_carries_the_json_path(payload: bytes, path: str) -> None:
    """A malformed, ill-typed or incomplete payload is a DecodeError naming the JSON path."""
    body = HEAD + b"event: thread.message.delta\ndata: " + payload + b"\n\n" + TAIL
    with pytest.raises(streamkit.DecodeError) as info:
        list(streamkit.iter_events([body]))
    assert info.value.path == path
    assert (info.value.ordinal, info.value.offset) == (2, len(HEAD))


@settings(max_examples=40, deadline=None)
@given(cuts=st.lists(st.integers(0, len(HEAD + BAD + TAIL)), max_size=20))
def test_decode_error_offset_does_not_depend_on_chunking(cuts: list[int]) -> None:
    """The byte offset and ordinal of a DecodeError are the same in every chunking."""
    with pytest.raises(streamkit.DecodeError) as info:
        list(streamkit.iter_events(split_at(HEAD + BAD + TAIL, cuts)))
    assert (info.value.ordinal, info.value.offset) == (2, len(HEAD))


def test_decode_error_offset_counts_comments_and_crlf() -> None:
    """The offset is that of the bad event's first line, whatever comments and line ends precede."""
    head = b": keep-alive\r\n\r\n" + HEAD.replace(b"\n", b"\r\n")
    with pytest.raises(streamkit.DecodeError) as info:
        list(streamkit.iter_events([head + BAD + TAIL]))
    assert info.value.offset == len(head)


def test_skip_policy_drops_the_bad_event() -> None:
    """on_error="skip" leaves the bad event out and goes on with the next one."""
    events = list(streamkit.iter_events([HEAD + BAD + TAIL], on_error="skip"))
    assert _names(events) == _names(_typed(HEAD + TAIL))


def test_yield_policy_gives_invalid_event_with_raw_bytes_and_error() -> None:
    """on_error="yield" gives an InvalidEvent holding the raw payload and the located error."""
    events = list(streamkit.iter_events([HEAD + BAD + TAIL], on_error="yield"))
    assert _names(events) == [
        "thread.run.created",
        "thread.message.created",
        "thread.message.delta",
        "thread.run.completed",
        "done",
    ]
    invalid = events[2]
    assert type(invalid) is assistants.InvalidEvent
    assert invalid.data == b'{"id": "msg_1", "delta": {"content": ['
    assert isinstance(invalid.error, streamkit.DecodeError)
    assert (invalid.error.ordinal, invalid.error.offset) == (2, len(HEAD))
    assert invalid.error.event == "thread.message.delta"


def test_ordinal_counts_every_event_before_the_bad_one() -> None:
    """The ordinal counts the events before the bad one, skipped, invalid and unknown ones too."""
    body = BAD + b"event: mystery\ndata: 1\n\n" + BAD + TAIL
    events = list(streamkit.iter_events([body], on_error="yield"))
    assert [getattr(e, "error", None) and e.error.ordinal for e in events[:3]] == [0, None, 2]
    assert events[2].error.offset == len(BAD) + len(b"event: mystery\ndata: 1\n\n")


@pytest.mark.parametrize("policy", ["ignore", "", "RAISE", None])
def test_unknown_policy_is_a_value_error(policy: Any) -> None:
    """An on_error value other than raise / skip / yield is a ValueError, not a decode error."""
    with pytest.raises(ValueError, match="on_error") as info:
        list(streamkit.iter_events([BODY], on_error=policy))
    assert not isinstance(info.value, streamkit.StreamError)


def test_unknown_dialect_is_a_value_error() -> None:
    """A dialect name that is not registered is a ValueError naming the known ones."""
    with pytest.raises(ValueError, match="assistants"):
        list(streamkit.iter_events([BODY], dialect="klingon"))


def test_source_exception_propagates_as_is() -> None:
    """An exception raised by the chunk iterable comes out unchanged after the events before it."""
    boom = OSError("connection reset")

    def chunks() -> Iterable[bytes]:
        yield HEAD
        raise boom

    got, error = _drain(streamkit.iter_events(chunks()))
    assert error is boom
    assert _names(got) == ["thread.run.created", "thread.message.created"]


# -- async -------------------------------------------------------------------------


class Source:
    """An async chunk source that records whether it was closed.

    It yields *chunks* (sleeping *interval* seconds before each after the
    first), then raises *error*, or yields *then_forever* every *interval*
    seconds, or, with *stall*, waits forever.
    """

    def __init__(
        self,
        chunks: Iterable[bytes],
        *,
        interval: float = 0.0,
        stall: bool = False,
        error: BaseException | None = None,
        then_forever: bytes | None = None,
    ) -> None:
        self.chunks = list(chunks)
        self.interval = interval
        self.stall = stall
        self.error = error
        self.then_forever = then_forever
        self.closed = False
        self.sent = 0
        self.repeats = 0

    async def __call__(self) -> AsyncIterator[bytes]:
        try:
            for i, chunk in enumerate(self.chunks):
                if i and self.interval:
                    await anyio.sleep(self.interval)
                self.sent += 1
                yield chunk
            if self.error is not None:
                raise self.error
            while self.then_forever is not None:
                await anyio.sleep(self.interval)
                self.repeats += 1
                yield self.then_forever
            if self.stall:
                await anyio.sleep_forever()
        finally:
            self.closed = True


async def _acollect(source: Source, **kwargs: Any) -> list[Any]:
    return [event async for event in streamkit.aiter_events(source(), **kwargs)]


@pytest.mark.anyio
@pytest.mark.parametrize(
    "size",
    [pytest.param(1, id="1-byte"), pytest.param(7, id="7-byte"), pytest.param(None, id="whole")],
)
async def test_async_gives_the_same_events_as_sync(size: int | None) -> None:
    """aiter_events yields the events iter_events does, in any chunking, and closes the source."""
    step = size or len(BODY)
    source = Source(BODY[i : i + step] for i in range(0, len(BODY), step))
    assert await _acollect(source) == _typed(BODY)
    assert source.closed


@settings(max_examples=15, deadline=None)
@given(cuts=st.lists(st.integers(0, len(BODY)), max_size=30))
def test_async_any_chunking_on_both_backends(cuts: list[int]) -> None:
    """On asyncio and on trio, any chunking of the body gives the same typed events."""
    for backend in ("asyncio", "trio"):
        events = anyio.run(_acollect, Source(split_at(BODY, cuts)), backend=backend)
        assert events == _typed(BODY)


@pytest.mark.anyio
@pytest.mark.parametrize("policy", ["raise", "skip", "yield"])
async def test_async_error_policies_match_sync(policy: Any) -> None:
    """The async glue applies the error policies exactly as the sync glue does."""
    body = HEAD + BAD + TAIL
    chunks = [body[i : i + 5] for i in range(0, len(body), 5)]
    if policy == "raise":
        got, error = await _adrain(streamkit.aiter_events(Source(chunks)(), on_error=policy))
        assert isinstance(error, streamkit.DecodeError)
        assert (error.ordinal, error.offset) == (2, len(HEAD))
        assert _names(got) == ["thread.run.created", "thread.message.created"]
    else:
        events = await _acollect(Source(chunks), on_error=policy)
        expected = list(streamkit.iter_events([body], on_error=policy))
        assert _names(events) == _names(expected)
        assert [type(e) for e in events] == [type(e) for e in expected]


@pytest.mark.anyio
async def test_async_unknown_policy_is_a_value_error() -> None:
    """A bad on_error value is a ValueError in the async glue too."""
    with pytest.raises(ValueError, match="on_error"):
        await _acollect(Source([BODY]), on_error="ignore")


@pytest.mark.anyio
@pytest.mark.parametrize("seconds", [0, -1.0, math.nan])
async def test_idle_timeout_must_be_positive(seconds: float) -> None:
    """An idle_timeout that is not a positive number is a ValueError."""
    with pytest.raises(ValueError, match="idle_timeout"):
        await _acollect(Source([BODY]), idle_timeout=seconds)


@pytest.mark.anyio
async def test_idle_timeout_raises_stream_stalled_after_the_events_so_far() -> None:
    """A source that stops sending raises StreamStalled after the events it did send."""
    source = Source([HEAD], stall=True)
    with anyio.fail_after(5):
        got, error = await _adrain(streamkit.aiter_events(source(), idle_timeout=0.05))
    assert _names(got) == ["thread.run.created", "thread.message.created"]
    assert isinstance(error, streamkit.StreamStalled)
    assert isinstance(error, streamkit.StreamError)
    assert (error.ordinal, error.offset) == (2, len(HEAD))
    assert source.closed


@pytest.mark.anyio
async def test_keepalive_comments_do_not_reset_the_idle_timer() -> None:
    """A stream that sends only ``: ping`` comments after its events still stalls."""
    source = Source([HEAD], interval=0.01, then_forever=b": ping\n\n")
    started = anyio.current_time()
    with anyio.fail_after(5), pytest.raises(streamkit.StreamStalled):
        await _acollect(source, idle_timeout=0.1)
    assert anyio.current_time() - started < 2
    assert source.sent == 1
    assert source.repeats >= 3  # pings did arrive while the timer ran
    assert source.closed


@pytest.mark.anyio
async def test_events_reset_the_idle_timer() -> None:
    """Events arriving more often than the idle timeout keep a long stream alive."""
    chunks = [s.sse("thread.run.in_progress", s.run_obj("in_progress"))] * 20
    source = Source(chunks, interval=0.01)
    started = anyio.current_time()
    with anyio.fail_after(5):
        events = await _acollect(source, idle_timeout=0.1)
    assert anyio.current_time() - started > 0.1  # longer than the timeout in all
    assert len(events) == 20


@pytest.mark.anyio
async def test_cancelling_the_consumer_closes_the_source_and_leaves_no_task() -> None:
    """Cancelling a scope around the ``async for`` ends the iteration and closes the source."""
    source = Source([HEAD], stall=True)
    tasks_before = len(anyio.get_running_tasks())
    got: list[Any] = []
    with anyio.move_on_after(0.05) as scope:
        async for event in streamkit.aiter_events(source(), idle_timeout=10):
            got.append(event)  # noqa: PERF401 - the scope is cancelled inside the loop
    assert scope.cancelled_caught
    assert _names(got) == ["thread.run.created", "thread.message.created"]
    assert source.closed
    assert len(anyio.get_running_tasks()) == tasks_before


@pytest.mark.anyio
async def test_aclose_closes_the_source() -> None:
    """Closing the events generator early closes the source it reads from."""
    source = Source([HEAD, TAIL])
    events = streamkit.aiter_events(source())
    first = await anext(events)
    assert first.event == "thread.run.created"
    assert not source.closed
    await events.aclose()
    assert source.closed
    assert source.sent == 1


class UpstreamError(Exception):
    """An exception of the source's own."""


@pytest.mark.anyio
@pytest.mark.parametrize(
    "error",
    [
        pytest.param(OSError("connection reset"), id="OSError"),
        pytest.param(UpstreamError("boom"), id="custom"),
        pytest.param(TimeoutError("upstream read timeout"), id="TimeoutError"),
    ],
)
@pytest.mark.parametrize("idle_timeout", [None, 10.0])
async def test_source_exception_propagates_as_is_async(
    error: Exception, idle_timeout: float | None
) -> None:
    """A source's exception comes out as is (never as StreamStalled), after the events before it."""
    source = Source([HEAD], error=error)
    got, raised = await _adrain(streamkit.aiter_events(source(), idle_timeout=idle_timeout))
    assert raised is error
    assert _names(got) == ["thread.run.created", "thread.message.created"]
    assert source.closed
