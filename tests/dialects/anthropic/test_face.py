"""The anthropic dialect on the common face: outcome, text, tool calls, usage, deltas, lanes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit.dialects import anthropic as sk_anthropic
from streamkit.dialects.anthropic import OUTCOMES, Accumulator, ErrorObject, Usage

from .streams import MSG, Stream, fold, text_stream

if TYPE_CHECKING:
    from collections.abc import Callable

TEXT = {"type": "text", "text": ""}
THINKING = {"type": "thinking", "thinking": "", "signature": ""}
TOOL = {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}
SERVER_TOOL = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}
MCP_TOOL = {
    "type": "mcp_tool_use",
    "id": "mcptoolu_1",
    "name": "ask",
    "server_name": "wiki",
    "input": {},
}
OVERLOADED = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
CITATION = {
    "type": "char_location",
    "cited_text": "sunny",
    "document_index": 0,
    "start_char_index": 0,
    "end_char_index": 5,
}


def _outcome(acc: Accumulator) -> tuple[str, str | None]:
    return acc.outcome.kind, acc.outcome.reason


def _ended(stop_reason: str | None) -> Stream:
    """A one-text-block answer that ends with *stop_reason*."""
    stream = Stream().start().block(0, TEXT).text(0, "Hi").stop(0)
    return stream.message_delta(stop_reason).end()


# -- outcome -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop_reason", "kind"),
    [
        ("end_turn", "completed"),
        ("stop_sequence", "completed"),
        ("refusal", "completed"),
        ("tool_use", "requires_action"),
        ("max_tokens", "incomplete"),
        ("pause_turn", "incomplete"),
        ("model_context_window_exceeded", "incomplete"),
        ("a_reason_of_2030", "completed"),
    ],
)
def test_the_stop_reason_decides_the_outcome(stop_reason: str, kind: str) -> None:
    acc = _ended(stop_reason).fold(strict=True)
    assert acc.done
    assert _outcome(acc) == (kind, stop_reason)
    assert acc.outcome.error is None
    assert OUTCOMES.get(stop_reason, "completed") == kind


def test_every_documented_stop_reason_has_its_kind() -> None:
    assert OUTCOMES == {
        "end_turn": "completed",
        "stop_sequence": "completed",
        "refusal": "completed",
        "tool_use": "requires_action",
        "max_tokens": "incomplete",
        "pause_turn": "incomplete",
        "model_context_window_exceeded": "incomplete",
    }


def test_without_message_stop_the_outcome_is_truncated() -> None:
    """A stop reason is not the end: the stream may still have been cut before message_stop."""
    stream = _ended("end_turn")
    stream.events.pop()
    acc = stream.fold(strict=True)
    assert acc.result is not None
    assert acc.result.stop_reason == "end_turn"
    assert not acc.done
    assert _outcome(acc) == ("truncated", None)
    assert _outcome(Accumulator()) == ("truncated", None)
    assert _outcome(Stream().start().fold()) == ("truncated", None)


def test_message_stop_without_a_stop_reason_is_completed_without_a_reason() -> None:
    acc = Stream().start().block(0, TEXT).text(0, "Hi").stop(0).end().fold(strict=True)
    assert acc.done
    assert _outcome(acc) == ("completed", None)


def test_an_error_event_makes_it_errored() -> None:
    stream = Stream().start().block(0, TEXT).text(0, "Hal").add(OVERLOADED)
    acc = stream.fold(strict=True)
    outcome = acc.outcome
    assert (outcome.kind, outcome.reason) == ("errored", None)
    assert outcome.error == ErrorObject(type="overloaded_error", message="Overloaded")
    assert outcome.error is acc.errors[-1]
    assert acc.text == "Hal"
    assert not acc.done


def test_an_error_event_outweighs_an_ending() -> None:
    acc = _ended("end_turn").add(OVERLOADED).fold()
    assert acc.outcome.kind == "errored"


# -- text and refusal ----------------------------------------------------------------


def test_text_is_the_text_blocks_in_block_order_mid_stream() -> None:
    stream = Stream().start().block(0, THINKING).thinking(0, "Let me think.").stop(0)
    stream.block(1, TEXT).text(1, "It is ").text(1, "sunny")
    stream.delta(1, {"type": "citations_delta", "citation": CITATION}).stop(1)
    stream.block(2, TOOL).json(2, '{"city": "Paris"}').stop(2)
    stream.block(3, {"type": "text", "text": "Pre"}).text(3, "fix.").stop(3)
    stream.message_delta("tool_use").end()
    acc = Accumulator(strict=True)
    seen = []
    for event in stream.typed():
        acc.feed(event)
        seen.append(acc.text)
    assert seen[-1] == "It is sunnyPrefix."
    assert "It is " in seen
    assert "It is sunny" in seen
    assert "It is sunnyPre" in seen  # a start block's own text counts, before any delta
    assert all(seen[-1].startswith(text) for text in seen)
    assert acc.refusal == ""


def test_text_follows_the_block_index_not_the_arrival() -> None:
    stream = Stream().start().block(1, TEXT).text(1, "second").block(0, TEXT).text(0, "first")
    acc = stream.fold()
    assert acc.text == "firstsecond"


def test_a_refusal_is_a_stop_reason_with_the_text_that_came() -> None:
    acc = _ended("refusal").fold(strict=True)
    assert _outcome(acc) == ("completed", "refusal")
    assert acc.refusal == ""
    assert acc.text == "Hi"


# -- tool calls ----------------------------------------------------------------------


def test_tool_calls_are_the_client_tool_use_blocks_as_streamed() -> None:
    stream = Stream().start().block(0, TEXT).text(0, "Let me look.").stop(0)
    stream.block(1, SERVER_TOOL).json(1, '{"query": "w"}').stop(1)
    stream.block(2, MCP_TOOL).json(2, '{"q": 1}').stop(2)
    stream.block(3, TOOL)
    for piece in ("", '{"location"', ':  "Paris",\n', ' "unit": "c"}'):
        stream.json(3, piece)
    stream.stop(3).block(4, TOOL | {"id": "toolu_01B", "name": "get_time"}).stop(4)
    acc = stream.message_delta("tool_use").end().fold(strict=True)
    assert acc.tool_calls == [
        streamkit.ToolCall(
            id="toolu_01A",
            name="get_weather",
            arguments='{"location":  "Paris",\n "unit": "c"}',  # exactly as streamed
            index=3,
        ),
        streamkit.ToolCall(id="toolu_01B", name="get_time", arguments="{}", index=4),
    ]
    assert _outcome(acc) == ("requires_action", "tool_use")


def test_tool_call_arguments_grow_mid_stream() -> None:
    stream = Stream().start().block(0, TOOL)
    acc = stream.fold(strict=True)
    assert [c.arguments for c in acc.tool_calls] == ["{}"]
    for piece, so_far in (("", "{}"), ('{"a', '{"a'), ('": 1}', '{"a": 1}')):
        for event in Stream().json(0, piece).typed():
            acc.feed(event)
        assert [c.arguments for c in acc.tool_calls] == [so_far]
    for event in Stream().stop(0).typed():
        acc.feed(event)
    assert [c.arguments for c in acc.tool_calls] == ['{"a": 1}']
    assert acc.raw_input(0) is None  # parsed: the message has it as input


@pytest.mark.parametrize("pieces", [(), ("",), ("", "")])
def test_a_tool_call_that_streamed_no_json_has_its_start_input(pieces: tuple[str, ...]) -> None:
    stream = Stream().start().block(0, TOOL | {"input": {"city": "Paris"}})
    for piece in pieces:
        stream.json(0, piece)
    (call,) = stream.stop(0).fold(strict=True).tool_calls
    assert json.loads(call.arguments) == {"city": "Paris"}


def test_a_tool_call_whose_json_does_not_parse_keeps_the_text() -> None:
    acc = Stream().start().block(0, TOOL).json(0, '{"a": tru').stop(0).fold()
    assert [w.kind for w in acc.warnings] == ["invalid-input-json"]
    assert [c.arguments for c in acc.tool_calls] == ['{"a": tru']


# -- usage ---------------------------------------------------------------------------


def test_usage_is_the_message_usage_as_message_delta_updated_it() -> None:
    stream = text_stream("x")
    stream.events[-2][1]["usage"] = {"output_tokens": 9, "cache_read_input_tokens": 40}
    acc = stream.fold(strict=True)
    usage = acc.usage
    result = acc.result
    assert result is not None
    assert usage == streamkit.Usage(
        input_tokens=12,
        output_tokens=9,
        total_tokens=21,
        cached_input_tokens=40,
        reasoning_tokens=None,
        raw=result.usage,
    )
    assert type(usage.raw) is Usage


def test_usage_mid_stream_and_before_the_message() -> None:
    assert Accumulator().usage == streamkit.Usage()
    acc = Stream().start().fold()
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (12, 1, 13)
    assert acc.usage.cached_input_tokens == 0


@pytest.mark.parametrize("cache", [{}, {"cache_read_input_tokens": None}])
def test_no_cache_count_is_none(cache: dict[str, Any]) -> None:
    usage = {"input_tokens": 3, "output_tokens": 1} | cache
    acc = Stream().start(usage=usage).fold()
    assert acc.usage.cached_input_tokens is None
    assert acc.usage.total_tokens == 4


# -- violations ------------------------------------------------------------------------


def test_violations_are_the_shared_ones_naming_the_message_and_block() -> None:
    acc = Stream().start().block(0, TEXT).stop(0).text(0, "late").fold()
    (warning,) = acc.warnings
    assert type(warning) is streamkit.Violation
    assert (warning.kind, warning.object_id, warning.index) == ("after-block-stop", MSG, 0)
    assert (warning.ordinal, warning.event) == (3, "content_block_delta")


def test_a_violation_before_message_start_names_no_message() -> None:
    (warning,) = Stream().block(0, TEXT).fold().warnings
    assert (warning.kind, warning.object_id, warning.index) == ("no-message-start", None, None)


def test_a_second_message_start_names_the_new_message() -> None:
    (warning,) = Stream().start().start(id="msg_02").fold().warnings
    assert (warning.kind, warning.object_id) == ("second-message-start", "msg_02")


def test_an_invalid_event_names_the_message() -> None:
    events = Stream().start().typed()
    error = streamkit.DecodeError("broken")
    events.append(streamkit.InvalidEvent("content_block_delta", b"{", error))
    (warning,) = fold(events).warnings
    assert (warning.kind, warning.object_id, warning.ordinal) == ("invalid-event", MSG, 1)


def test_a_chat_stream_folded_as_anthropic_is_a_dialect_mismatch() -> None:
    chunk = b'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,'
    chunk += b'"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\n'
    with pytest.warns(streamkit.DialectMismatch):
        events = list(streamkit.iter_events([chunk], dialect="anthropic"))
    assert [type(e) for e in events] == [streamkit.UnknownEvent]
    acc = fold(events)
    assert [w.kind for w in acc.warnings] == ["dialect-mismatch"]
    assert acc.result is None


def test_the_fold_is_a_fold_and_auto_picks_it() -> None:
    events = text_stream("Hi").typed()
    assert isinstance(Accumulator(), streamkit.Fold)
    auto = streamkit.Accumulator()
    for event in events:
        auto.feed(event)
    assert auto.dialect == "anthropic"
    assert (auto.text, auto.outcome) == ("Hi", fold(events).outcome)


# -- deltas --------------------------------------------------------------------------


def _deltas(stream: Stream) -> list[tuple[str, int, str]]:
    return [(d.kind, d.index, d.text) for d in streamkit.deltas(stream.typed())]


def test_the_deltas_of_each_delta_type() -> None:
    stream = Stream().start().block(0, THINKING).thinking(0, "Hm.")
    stream.delta(0, {"type": "signature_delta", "signature": "EqQB"}).stop(0)
    stream.block(1, TEXT).text(1, "Sun").text(1, "")
    stream.delta(1, {"type": "citations_delta", "citation": CITATION}).stop(1)
    stream.block(2, SERVER_TOOL).json(2, "").json(2, '{"q": 1}').stop(2)
    stream.block(3, TOOL).json(3, "{}").stop(3)
    stream.block(4, {"type": "compaction", "content": None})
    stream.delta(4, {"type": "compaction_delta", "content": "Summary."}).stop(4)
    stream.delta(4, {"type": "hologram_delta", "frame": 1})
    stream.ping().message_delta().end().add(OVERLOADED)
    assert _deltas(stream) == [
        ("reasoning", 0, "Hm."),
        ("text", 1, "Sun"),
        ("tool_arguments", 2, '{"q": 1}'),
        ("tool_arguments", 3, "{}"),
    ]
    events = stream.typed()
    assert list(streamkit.text_deltas(events)) == ["Sun"]
    assert all(type(d) is streamkit.Delta and d.call is None for d in streamkit.deltas(events))


def test_the_joined_text_deltas_are_the_text() -> None:
    stream = text_stream("Hel", "lo", "!")
    assert "".join(streamkit.text_deltas(stream.typed())) == stream.fold().text == "Hello!"


# -- lanes ---------------------------------------------------------------------------


def _lanes(stream: Stream) -> list[tuple[str, str]]:
    return [(e.event, sk_anthropic.DIALECT.kind(e)) for e in stream.typed()]


def test_the_lane_of_each_event() -> None:
    stream = Stream().start().ping().block(0, THINKING).thinking(0, "Hm.")
    stream.delta(0, {"type": "signature_delta", "signature": "EqQB"}).stop(0)
    stream.block(1, TEXT).text(1, "Sun")
    stream.delta(1, {"type": "citations_delta", "citation": CITATION}).stop(1)
    stream.block(2, TOOL).json(2, "{}").stop(2).message_delta().end().add(OVERLOADED)
    assert _lanes(stream) == [
        ("message_start", "lifecycle"),
        ("ping", "keepalive"),
        ("content_block_start", "lifecycle"),
        ("content_block_delta", "reasoning"),
        ("content_block_delta", "reasoning"),
        ("content_block_stop", "lifecycle"),
        ("content_block_start", "lifecycle"),
        ("content_block_delta", "content"),
        ("content_block_delta", "content"),
        ("content_block_stop", "lifecycle"),
        ("content_block_start", "tool"),
        ("content_block_delta", "tool"),
        ("content_block_stop", "lifecycle"),
        ("message_delta", "lifecycle"),
        ("message_stop", "lifecycle"),
        ("error", "error"),
    ]


@pytest.mark.parametrize(
    ("block", "lane"),
    [
        (SERVER_TOOL, "tool"),
        (MCP_TOOL, "tool"),
        ({"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}, "tool"),
        ({"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_1", "content": {}}, "tool"),
        ({"type": "mcp_tool_result", "tool_use_id": "mcptoolu_1", "content": "ok"}, "tool"),
        ({"type": "robot_tool_use", "id": "r1", "input": {}}, "tool"),
        ({"type": "robot_tool_result", "tool_use_id": "r1"}, "tool"),
        ({"type": "redacted_thinking", "data": "Emw"}, "lifecycle"),
        ({"type": "container_upload", "file_id": "file_1"}, "lifecycle"),
        ({"type": "hologram"}, "lifecycle"),
    ],
)
def test_the_lane_of_a_block_start(block: dict[str, Any], lane: str) -> None:
    (event,) = Stream().block(0, block).typed()
    assert sk_anthropic.DIALECT.kind(event) == lane


def test_the_lane_of_other_deltas_and_of_events_of_no_dialect() -> None:
    stream = Stream().delta(0, {"type": "compaction_delta", "content": "S."})
    stream.delta(0, {"type": "hologram_delta"}).add({"type": "message_pause"})
    assert [lane for _, lane in _lanes(stream)] == ["content", "content", "other"]


# -- encode --------------------------------------------------------------------------


def test_encode_gives_back_each_event() -> None:
    stream = Stream().start().ping().block(0, THINKING).thinking(0, "Hm.")
    stream.delta(0, {"type": "signature_delta", "signature": "EqQB"}).stop(0)
    stream.block(1, TEXT).text(1, "Sun")
    stream.delta(1, {"type": "citations_delta", "citation": CITATION | {"type": "holo"}})
    stream.stop(1).block(2, {"type": "hologram", "frames": [1, 2]})
    stream.delta(2, {"type": "hologram_delta", "frame": 3}).stop(2)
    stream.block(3, TOOL).json(3, '{"a": 1}').stop(3)
    stream.message_delta("tool_use", context_management={"applied_edits": []})
    stream.end().add(OVERLOADED | {"request_id": "req_1"}).add({"type": "message_pause"})
    events = stream.typed()
    for event in events:
        encoded = streamkit.encode(event)
        assert encoded.startswith(f"event: {event.event}\ndata: ".encode())
        assert list(streamkit.iter_events([encoded], dialect="anthropic")) == [event]
    payloads = [json.loads(line[6:]) for line in stream.body().split(b"\n") if line[:5] == b"data:"]
    again = [json.loads(streamkit.encode(e).split(b"\n")[1][6:]) for e in events]
    assert again == payloads  # unknown parts as received, field for field


def test_encode_refuses_an_event_of_another_dialect() -> None:
    with pytest.raises(TypeError, match="anthropic"):
        sk_anthropic.DIALECT.encode(msgspec.Struct())


# -- the face mid-stream, for any stream ---------------------------------------------

_PIECE = st.text(alphabet="ab é{}\"':,\n", max_size=6)
_BLOCK = st.tuples(st.sampled_from(["text", "thinking", "tool_use"]), st.lists(_PIECE, max_size=5))


@settings(max_examples=60, deadline=None)
@given(blocks=st.lists(_BLOCK, max_size=5), cut=st.integers(0, 60))
def test_the_face_mid_stream_is_a_prefix_of_the_end(
    blocks: list[tuple[str, list[str]]], cut: int
) -> None:
    """Cut anywhere, a stream's text and tool arguments are prefixes of the whole stream's,
    and the text is its joined text deltas."""
    stream = Stream().start()
    for index, (kind, pieces) in enumerate(blocks):
        add: Callable[[int, str], Stream]
        if kind == "text":
            stream.block(index, TEXT)
            add = stream.text
        elif kind == "thinking":
            stream.block(index, THINKING)
            add = stream.thinking
        else:
            stream.block(index, TOOL | {"id": f"toolu_{index}"})
            add = stream.json
        for piece in pieces:
            add(index, piece)
    events = stream.typed()
    whole, part = fold(events), fold(events[:cut])
    assert whole.text.startswith(part.text)
    assert part.text == "".join(streamkit.text_deltas(events[:cut]))
    assert whole.text == "".join(p for kind, pieces in blocks if kind == "text" for p in pieces)
    calls = {call.id: call.arguments for call in whole.tool_calls}
    for call in part.tool_calls:
        assert calls[call.id].startswith(call.arguments) or call.arguments == "{}"
    assert part.outcome.kind == whole.outcome.kind == "truncated"
