"""A stream that breaks a rule with every event costs the fold bounded memory.

Each dialect's accumulator keeps the first ``max_warnings`` violations and
only counts the rest, so a flood of bad events (deltas for objects never
started, chunks for a choice index out of range) cannot grow it without end.
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any

import pytest

import streamkit
from streamkit import anthropic, assistants, chat, responses
from streamkit.dialects._violations import MAX_WARNINGS

# One event per dialect that is a violation each time it is fed (after FIRST).
BAD = {
    "assistants": b'event: thread.message.delta\ndata: {"id":"msg_x","object":'
    b'"thread.message.delta","delta":{"content":[{"index":0,"type":"text",'
    b'"text":{"value":"a"}}]}}\n\n',
    "chat": b'data: {"id":"a","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[{"index":10001,"delta":{"content":"a"},"finish_reason":null}]}\n\n',
    "responses": b'event: response.output_text.delta\ndata: {"type":'
    b'"response.output_text.delta","item_id":"msg_x","output_index":0,'
    b'"content_index":0,"delta":"a","sequence_number":1,"logprobs":[]}\n\n',
    "anthropic": b'event: content_block_delta\ndata: {"type":"content_block_delta",'
    b'"index":0,"delta":{"type":"text_delta","text":"a"}}\n\n',
}
FIRST = {
    "chat": b'data: {"id":"a","object":"chat.completion.chunk","created":1,"model":"m",'
    b'"choices":[]}\n\n'
}
ACCUMULATORS: dict[str, Any] = {
    "assistants": assistants.Accumulator,
    "chat": chat.Accumulator,
    "responses": responses.Accumulator,
    "anthropic": anthropic.Accumulator,
}
DIALECTS = sorted(BAD)


def _events(dialect: str, n: int) -> list[Any]:
    body = FIRST.get(dialect, b"") + BAD[dialect] * n
    return list(streamkit.iter_events([body], dialect=dialect))


def _fold(dialect: str, events: list[Any], **options: Any) -> Any:
    acc = ACCUMULATORS[dialect](**options)
    for event in events:
        acc.feed(event)
    return acc


@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_first_violations_are_kept_and_the_rest_counted(dialect: str) -> None:
    events = _events(dialect, 3 * MAX_WARNINGS)
    every = _fold(dialect, events, max_warnings=10 * MAX_WARNINGS)
    assert every.warnings_dropped == 0
    assert len(every.warnings) >= 3 * MAX_WARNINGS  # one at least per bad event

    capped = _fold(dialect, events)
    assert capped.warnings == every.warnings[:MAX_WARNINGS]
    assert capped.warnings_dropped == len(every.warnings) - MAX_WARNINGS


@pytest.mark.parametrize("dialect", DIALECTS)
def test_max_warnings_zero_keeps_none_and_negative_is_refused(dialect: str) -> None:
    acc = _fold(dialect, _events(dialect, 5), max_warnings=0)
    assert acc.warnings == []
    assert acc.warnings_dropped >= 5
    with pytest.raises(ValueError, match="max_warnings"):
        ACCUMULATORS[dialect](max_warnings=-1)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_strict_still_raises_on_the_first(dialect: str) -> None:
    with pytest.raises(streamkit.FoldError):
        _fold(dialect, _events(dialect, 2), strict=True, max_warnings=0)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_memory_does_not_grow_with_the_flood(dialect: str) -> None:
    """What the accumulator holds after 20,000 bad events is what it held after 2,000."""

    def held(n: int) -> int:
        events = _events(dialect, n)
        gc.collect()
        tracemalloc.start()
        try:
            acc = _fold(dialect, events)
            size, _ = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert acc.warnings_dropped > 0
        return size

    small, large = held(2 * MAX_WARNINGS), held(20 * MAX_WARNINGS)
    assert large < 1.1 * small + 16 * 1024, (small, large)
