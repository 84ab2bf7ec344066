"""Any chunking of the same Bedrock bytes gives the same events and the same final object."""

from __future__ import annotations

from typing import Any

import msgspec
from hypothesis import HealthCheck, given, settings, strategies as st

import streamkit
from tests.conformance.kit import state

from .streams import Stream, anthropic_events, fold

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=10)


@st.composite
def converse_streams(draw: st.DrawFn) -> bytes:
    """A ConverseStream of text, reasoning and tool blocks, maybe cut short or ended by an
    exception."""
    stream = Stream().start()
    for index in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "reasoning", "tool"]))
        if kind == "tool":
            stream.tool(index, draw(_text), f"tooluse_{index}")
        for piece in draw(st.lists(_text, max_size=5)):
            if kind == "text":
                stream.text(index, piece)
            elif kind == "reasoning":
                stream.reasoning(index, text=piece)
            else:
                stream.json(index, piece)
        stream.stop(index)
    ending = draw(st.sampled_from(["stop", "exception", "cut"]))
    if ending == "stop":
        stream.end(draw(st.sampled_from(["end_turn", "tool_use", "max_tokens"]))).metadata()
    elif ending == "exception":
        stream.exception("throttlingException")
    return stream.body()


@st.composite
def invoke_streams(draw: st.DrawFn) -> bytes:
    """An InvokeModel stream of an Anthropic model or of Llama."""
    if draw(st.booleans()):
        events = anthropic_events(*draw(st.lists(_text, max_size=6)))
        stream = Stream()
        for event in events[: draw(st.integers(0, len(events)))]:
            stream.chunk(event)
        return stream.body()
    pieces = draw(st.lists(_text, max_size=6))
    stream = Stream()
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        stream.chunk({"generation": piece, "stop_reason": "stop" if last else None})
    return stream.body()


def _cuts(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(body)) for c in cuts})
    return [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]


def _fold_state(events: list[Any]) -> Any:
    acc = fold(events)
    return state(acc), msgspec.to_builtins(acc.result, builtin_types=(bytes,))


@SETTINGS
@given(body=st.one_of(converse_streams(), invoke_streams()), cuts=st.lists(st.integers(0, 3000)))
def test_every_chunking_gives_the_same_events_and_fold(body: bytes, cuts: list[int]) -> None:
    whole = list(streamkit.iter_events([body], "bedrock"))
    again = list(streamkit.iter_events(_cuts(body, cuts), "bedrock"))
    assert again == whole
    assert _fold_state(again) == _fold_state(whole)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=converse_streams())
def test_one_byte_at_a_time(body: bytes) -> None:
    whole = list(streamkit.iter_events([body], "bedrock"))
    bytewise = list(streamkit.iter_events([body[i : i + 1] for i in range(len(body))], "bedrock"))
    assert bytewise == whole
    assert _fold_state(bytewise) == _fold_state(whole)
