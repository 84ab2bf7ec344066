"""Misuse is a clear error, never silence: wrong arguments, unclaimed streams, lost events."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

import streamkit
from streamkit import DecodeError, FoldError, SSEDecoder, StreamError, dialects

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

CHAT = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\n'
NOBODYS = b'event: hello\ndata: {"who": "nobody"}\n\n'


# -- not a stream of chunks ------------------------------------------------------------


@pytest.mark.parametrize("body", [CHAT, CHAT.decode(), bytearray(CHAT), memoryview(CHAT)])
def test_iter_events_refuses_a_whole_body_at_once(body: Any) -> None:
    """A bytes body iterates as ints, a str as characters: both are refused, at the call."""
    with pytest.raises(TypeError, match=r"iterable of chunks.*\[body\]"):
        streamkit.iter_events(body)


@pytest.mark.parametrize("body", [CHAT, CHAT.decode()])
def test_aiter_events_refuses_a_whole_body_at_once(body: Any) -> None:
    with pytest.raises(TypeError, match=r"iterable of chunks.*\[body\]"):
        streamkit.aiter_events(body)


def test_aiter_events_refuses_a_sync_iterable_and_says_what_to_use() -> None:
    with pytest.raises(TypeError, match=r"async iterable.*iter_events"):
        streamkit.aiter_events([CHAT])  # type: ignore[arg-type]


def test_iter_events_refuses_an_async_iterable_and_says_what_to_use() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield CHAT

    source = chunks()
    with pytest.raises(TypeError, match=r"iterable of chunks.*aiter_events"):
        streamkit.iter_events(source)  # type: ignore[arg-type]


@pytest.mark.parametrize("chunk", [5, "data: x\n\n", None])
def test_a_chunk_of_the_wrong_type_is_a_type_error(chunk: Any) -> None:
    with pytest.raises(TypeError, match=type(chunk).__name__):
        list(streamkit.iter_events([CHAT, chunk], dialect="chat"))


@pytest.mark.anyio
@pytest.mark.parametrize("chunk", [5, "data: x\n\n"])
async def test_a_chunk_of_the_wrong_type_is_a_type_error_async(chunk: Any) -> None:
    async def chunks() -> AsyncIterator[Any]:
        yield CHAT
        yield chunk

    with pytest.raises(TypeError, match=type(chunk).__name__):
        async for _ in streamkit.aiter_events(chunks(), dialect="chat"):
            pass


# -- a stream no dialect claims ------------------------------------------------------


def test_auto_raise_refuses_an_unclaimed_stream_at_its_first_event() -> None:
    with pytest.raises(DecodeError, match="no dialect recognises") as caught:
        list(streamkit.iter_events([NOBODYS], dialect="auto"))
    assert (caught.value.ordinal, caught.value.offset, caught.value.event) == (0, 0, "hello")


@pytest.mark.parametrize("policy", ["skip", "yield"])
def test_auto_skip_or_yield_refuses_an_unclaimed_stream_at_its_end(policy: Any) -> None:
    """The events none claimed are skipped or yielded as InvalidEvent; then a StreamError."""
    got: list[Any] = []
    with pytest.raises(StreamError, match="no dialect recognises"):
        got.extend(streamkit.iter_events([NOBODYS, NOBODYS], dialect="auto", on_error=policy))
    if policy == "yield":
        assert [type(e) for e in got] == [dialects.InvalidEvent, dialects.InvalidEvent]
        assert [e.event for e in got] == ["hello", "hello"]
        assert got[1].error.ordinal == 1
    else:
        assert got == []


@pytest.mark.parametrize("policy", ["skip", "yield"])
def test_auto_keeps_looking_past_an_unclaimed_event(policy: Any) -> None:
    """A stray first event does not hide the dialect of the events after it."""
    events = list(streamkit.iter_events([NOBODYS + CHAT], dialect="auto", on_error=policy))
    assert type(events[-1]).__name__ == "ChatCompletionChunkEvent"
    assert len(events) == (2 if policy == "yield" else 1)


@pytest.mark.anyio
async def test_auto_yield_refuses_an_unclaimed_stream_async() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield NOBODYS

    events = streamkit.aiter_events(chunks(), dialect="auto", on_error="yield")
    assert type(await anext(events)) is dialects.InvalidEvent
    with pytest.raises(StreamError, match="no dialect recognises"):
        await anext(events)


# -- the sync source is closed --------------------------------------------------------


class Source:
    """A chunk iterator that remembers whether it was closed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = iter(chunks)
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        return next(self.chunks)

    def close(self) -> None:
        self.closed = True


def test_closing_iter_events_early_closes_its_source() -> None:
    source = Source([CHAT, CHAT])
    events = streamkit.iter_events(source, dialect="chat")
    next(events)
    assert not source.closed
    events.close()
    assert source.closed


def test_dropping_iter_events_early_closes_its_source() -> None:
    source = Source([CHAT, CHAT])
    events = streamkit.iter_events(source, dialect="chat")
    next(events)
    del events
    gc.collect()
    assert source.closed


def test_iter_events_closes_its_source_at_the_end_and_on_an_error() -> None:
    source = Source([CHAT])
    assert len(list(streamkit.iter_events(source, dialect="chat"))) == 1
    assert source.closed
    broken = Source([CHAT, b"data: {\n\n"])
    with pytest.raises(DecodeError):
        list(streamkit.iter_events(broken, dialect="chat"))
    assert broken.closed


def test_a_generator_source_is_closed_early_too() -> None:
    finished = []

    def chunks() -> Iterator[bytes]:
        try:
            yield CHAT
            yield CHAT
        finally:
            finished.append(True)

    events = streamkit.iter_events(chunks(), dialect="chat")
    next(events)
    events.close()
    assert finished == [True]


# -- an invalid event is a lost delta, in every dialect ------------------------------

BROKEN = {
    "assistants": b'event: thread.message.delta\ndata: {"id": 5}\n\n',
    "chat": b'data: {"id": "c", "created": "soon"}\n\n',
    "responses": (
        b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta"}\n\n'
    ),
    "anthropic": (
        b'event: content_block_delta\ndata: {"type": "content_block_delta", "index": "x"}\n\n'
    ),
}


@pytest.mark.parametrize("dialect", sorted(BROKEN))
def test_an_invalid_event_fed_to_a_fold_is_a_violation(dialect: str) -> None:
    (invalid,) = streamkit.iter_events([BROKEN[dialect]], dialect=dialect, on_error="yield")
    assert type(invalid) is dialects.InvalidEvent
    acc = dialects.get(dialect).accumulator()
    acc.feed(invalid)
    (violation,) = acc.warnings  # type: ignore[attr-defined]
    assert violation.kind == "invalid-event"
    assert violation.event == invalid.event
    assert violation.ordinal == 0
    assert invalid.error.message in violation.message


@pytest.mark.parametrize("dialect", sorted(BROKEN))
def test_an_invalid_event_fed_to_a_strict_fold_raises(dialect: str) -> None:
    (invalid,) = streamkit.iter_events([BROKEN[dialect]], dialect=dialect, on_error="yield")
    acc = dialects.get(dialect).accumulator(strict=True)  # type: ignore[call-arg]
    with pytest.raises(FoldError, match="could not be decoded"):
        acc.feed(invalid)


# -- small things -----------------------------------------------------------------


def test_an_empty_data_event_in_a_chat_stream_says_so() -> None:
    with pytest.raises(DecodeError) as caught:
        list(streamkit.iter_events([CHAT, b"data:\n\n"], dialect="chat"))
    assert caught.value.message == "empty payload"
    assert (caught.value.ordinal, caught.value.offset) == (1, len(CHAT))


def test_feeding_a_closed_decoder_is_a_runtime_error_not_bad_input() -> None:
    decoder = SSEDecoder()
    decoder.close()
    with pytest.raises(RuntimeError) as caught:
        decoder.feed(b"data: x\n\n")
    assert not isinstance(caught.value, StreamError)


def test_feeding_a_decoder_after_its_error_is_bad_input_again() -> None:
    """The decoder that refused the input keeps refusing it, naming the first error."""
    decoder = SSEDecoder(max_event_size=8)
    with pytest.raises(StreamError):
        decoder.feed(b"data: 0123456789\n")
    with pytest.raises(StreamError, match="after an earlier error"):
        decoder.feed(b"\n")
