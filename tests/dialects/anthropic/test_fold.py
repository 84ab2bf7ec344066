"""The Anthropic fold: each merge rule, each violation, snapshots, and the cost per delta."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest

from streamkit import FoldError
from streamkit.dialects import anthropic as sk_anthropic
from streamkit.dialects._builders import RUN as _RUN
from streamkit.dialects.anthropic import (
    MERGE,
    Accumulator,
    CitationWebSearchResultLocation,
    CompactionBlock,
    ErrorObject,
    InvalidEvent,
    Message,
    TextBlock,
    ThinkingBlock,
    ToolUseBlock,
    Unknown,
    UnknownEvent,
)
from streamkit.dialects.anthropic._fold import CONCAT, JSON, REPLACE

from .streams import MSG, Stream, fold, text_stream

TEXT = {"type": "text", "text": ""}
THINKING = {"type": "thinking", "thinking": "", "signature": ""}
TOOL = {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {}}
CITATION = {
    "type": "web_search_result_location",
    "cited_text": "It is sunny.",
    "url": "https://weather.example/",
    "title": "Weather",
    "encrypted_index": "EpAB",
}


def _result(acc: Accumulator) -> Message:
    result = acc.result
    assert result is not None
    return result


def _kinds(acc: Accumulator) -> list[str]:
    return [w.kind for w in acc.warnings]


# -- the merge rules -----------------------------------------------------------------


def test_the_rules_are_declared() -> None:
    assert MERGE[sk_anthropic.TextDelta] == (("text", "text", CONCAT),)
    assert MERGE[sk_anthropic.SignatureDelta] == (("signature", "signature", REPLACE),)
    assert MERGE[sk_anthropic.InputJSONDelta] == (("partial_json", "input", JSON),)


def test_text_is_concatenated() -> None:
    acc = text_stream("Hel", "lo", ", ", "world", "!").fold(strict=True)
    message = _result(acc)
    assert message.content == [TextBlock(text="Hello, world!")]
    assert message.stop_reason == "end_turn"
    assert acc.done
    assert acc.warnings == acc.errors == []


def test_a_start_block_with_text_keeps_it() -> None:
    stream = Stream().start().block(0, {"type": "text", "text": "Pre"}).text(0, "fix").stop(0)
    assert _result(stream.fold(strict=True)).content == [TextBlock(text="Prefix")]


def test_many_fragments_join_to_the_same_text() -> None:
    pieces = [f"{i}," for i in range(3 * _RUN + 7)]
    acc = text_stream(*pieces).fold(strict=True)
    assert _result(acc).content == [TextBlock(text="".join(pieces))]


def test_thinking_is_concatenated_and_the_signature_replaced() -> None:
    stream = Stream().start().block(0, THINKING).thinking(0, "Let me ").thinking(0, "think.")
    stream.delta(0, {"type": "signature_delta", "signature": "old"})
    stream.delta(0, {"type": "signature_delta", "signature": "EqQBCkYIBx"}).stop(0)
    stream.block(1, TEXT).text(1, "42").stop(1).message_delta().end()
    message = _result(stream.fold(strict=True))
    assert message.content == [
        ThinkingBlock(thinking="Let me think.", signature="EqQBCkYIBx"),
        TextBlock(text="42"),
    ]


@pytest.mark.parametrize("start", [TEXT, TEXT | {"citations": None}, TEXT | {"citations": []}])
def test_citations_are_appended(start: dict[str, Any]) -> None:
    other = CITATION | {"cited_text": "Wind is low."}
    stream = Stream().start().block(0, start).text(0, "Sunny")
    stream.delta(0, {"type": "citations_delta", "citation": CITATION}).text(0, ", calm")
    stream.delta(0, {"type": "citations_delta", "citation": other}).stop(0)
    (block,) = _result(stream.fold(strict=True)).content
    assert isinstance(block, TextBlock)
    assert block.text == "Sunny, calm"
    assert block.citations == [
        msgspec.convert(CITATION, CitationWebSearchResultLocation),
        msgspec.convert(other, CitationWebSearchResultLocation),
    ]


def test_a_block_without_citations_has_none() -> None:
    assert "citations" not in msgspec.to_builtins(_result(text_stream("x").fold()).content[0])


def _tool_stream(*fragments: str, block: dict[str, Any] = TOOL) -> Stream:
    stream = Stream().start().block(0, block)
    for fragment in fragments:
        stream.json(0, fragment)
    return stream


def test_input_json_is_parsed_once_at_block_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    parse = Accumulator._parse_input

    def counting(self: Accumulator, block: Any, text: str, index: int) -> None:
        calls.append(text)
        parse(self, block, text, index)

    monkeypatch.setattr(Accumulator, "_parse_input", counting)
    fragments = ["", '{"loc', 'ation": "San F', 'rancisco", "unit"', ': "c"}']
    acc = fold(_tool_stream(*fragments).typed(), strict=True)
    # Before the stop: the start block's input; the text so far is there to see.
    assert _result(acc).content == [ToolUseBlock(id="toolu_01A", name="get_weather", input={})]
    assert acc.raw_input(0) == "".join(fragments)
    assert calls == []
    for event in Stream().stop(0).message_delta("tool_use").end().typed():
        acc.feed(event)
    assert calls == ["".join(fragments)]
    (block,) = _result(acc).content
    assert block == ToolUseBlock(
        id="toolu_01A", name="get_weather", input={"location": "San Francisco", "unit": "c"}
    )
    assert acc.raw_input(0) is None
    assert _result(acc).stop_reason == "tool_use"


def test_a_tool_without_arguments_keeps_its_start_input() -> None:
    acc = _tool_stream("", "").stop(0).fold(strict=True)
    assert _result(acc).content == [ToolUseBlock(id="toolu_01A", name="get_weather", input={})]


@pytest.mark.parametrize(
    "block",
    [
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}},
        {
            "type": "mcp_tool_use",
            "id": "mcptoolu_1",
            "name": "ask",
            "server_name": "wiki",
            "input": {},
        },
    ],
)
def test_server_and_mcp_tool_input_is_parsed(block: dict[str, Any]) -> None:
    acc = _tool_stream('{"query": ', '"weather"}', block=block).stop(0).fold(strict=True)
    assert msgspec.to_builtins(_result(acc).content[0]) == block | {"input": {"query": "weather"}}


@pytest.mark.parametrize(
    ("fragments", "problem"),
    [(('{"a": ', "tru"), "truncated"), (("[1, ", "2]"), "list"), (('"x', '"'), "str")],
)
def test_input_that_is_not_a_json_object_is_a_warning(
    fragments: tuple[str, ...], problem: str
) -> None:
    stream = _tool_stream(*fragments).stop(0).message_delta("tool_use").end()
    acc = stream.fold()
    assert _kinds(acc) == ["invalid-input-json"]
    warning = acc.warnings[0]
    assert (warning.index, warning.event, warning.ordinal) == (0, "content_block_stop", 4)
    assert _result(acc).content == [ToolUseBlock(id="toolu_01A", name="get_weather", input={})]
    assert acc.raw_input(0) == "".join(fragments)
    with pytest.raises(FoldError) as info:
        stream.fold(strict=True)
    assert info.value.ordinal == 4


def test_compaction_content_is_replaced() -> None:
    stream = Stream().start().block(0, {"type": "compaction", "content": None})
    stream.delta(0, {"type": "compaction_delta", "content": "The user asked for a summary."})
    stream.delta(0, {"type": "compaction_delta", "encrypted_content": "Ex9"}).stop(0)
    (block,) = _result(stream.fold(strict=True)).content
    assert block == CompactionBlock(
        content="The user asked for a summary.", encrypted_content="Ex9"
    )


def test_message_delta_sets_the_stop_fields_and_replaces_usage() -> None:
    """Usage counts in message_delta are totals so far: replaced, never summed."""
    stream = text_stream("x")
    stream.events.pop()  # message_stop
    stream.message_delta(
        "max_tokens",
        {"output_tokens": 9, "input_tokens": None, "cache_read_input_tokens": 40},
        context_management={"applied_edits": []},
    )
    stream.events[-1][1]["delta"] |= {
        "stop_sequence": "\n\nHuman:",
        "container": {"id": "container_1", "expires_at": "2026-01-01T00:00:00Z"},
    }
    acc = stream.end().fold(strict=True)
    message = _result(acc)
    assert message.stop_reason == "max_tokens"
    assert message.stop_sequence == "\n\nHuman:"
    assert message.usage.output_tokens == 9  # not 1 + 5 + 9
    assert message.usage.input_tokens == 12  # null: the message_start value stands
    assert message.usage.cache_read_input_tokens == 40
    assert message.usage.cache_creation_input_tokens == 0
    assert message.context_management == {"applied_edits": []}
    assert msgspec.to_builtins(message.container) == {
        "id": "container_1",
        "expires_at": "2026-01-01T00:00:00Z",
    }


def test_the_result_is_shaped_like_the_api_message() -> None:
    acc = text_stream("Hi").fold(strict=True)
    assert msgspec.to_builtins(acc.result) == {
        "id": MSG,
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": "Hi"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {
            "input_tokens": 12,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 0,
            "output_tokens": 5,
            "service_tier": "standard",
        },
    }


def test_other_blocks_pass_through_whole() -> None:
    redacted = {"type": "redacted_thinking", "data": "EmwKAhgBEgy3"}
    result = {"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_1", "content": {"a": [1]}}
    stream = Stream().start().block(0, redacted).stop(0).block(1, result).stop(1)
    message = _result(stream.message_delta().end().fold(strict=True))
    assert msgspec.to_builtins(message.content) == [redacted, result]


# -- snapshots -----------------------------------------------------------------------


def test_the_result_is_none_before_message_start() -> None:
    assert Accumulator().result is None


def test_a_returned_result_never_changes() -> None:
    acc = Accumulator()
    events = text_stream("a", "b", "c").typed()
    for event in events[:3]:
        acc.feed(event)
    first = acc.result
    assert first is acc.result  # nothing changed: the same snapshot
    assert first is not None
    assert first.content == [TextBlock(text="a")]
    for event in events[3:]:
        acc.feed(event)
    assert first.content == [TextBlock(text="a")]
    assert first.stop_reason is None
    assert _result(acc).content == [TextBlock(text="abc")]


def test_reading_between_every_delta_gives_every_prefix() -> None:
    acc = Accumulator()
    seen = []
    for event in text_stream("a", "b", "c").typed():
        acc.feed(event)
        if acc.result is not None and acc.result.content:
            block = acc.result.content[0]
            assert isinstance(block, TextBlock)
            seen.append(block.text)
    assert seen == ["", "a", "ab", "abc", "abc", "abc", "abc"]


# -- forward compatibility -----------------------------------------------------------


def test_an_unknown_block_takes_the_deltas_whose_field_it_has() -> None:
    start = {"type": "transcript", "text": "", "speaker": "Claude"}
    stream = Stream().start().block(0, start).text(0, "Hel").text(0, "lo")
    stream.delta(0, {"type": "citations_delta", "citation": CITATION})
    stream.delta(0, {"type": "citations_delta", "citation": {"type": "holo", "x": 1}}).stop(0)
    (block,) = _result(stream.fold(strict=True)).content
    assert block == Unknown(
        data=start | {"text": "Hello", "citations": [CITATION, {"type": "holo", "x": 1}]}
    )


def test_an_unknown_block_without_the_field_is_a_delta_type_violation() -> None:
    stream = Stream().start().block(0, {"type": "hologram"}).thinking(0, "hm").stop(0)
    acc = stream.fold()
    assert _kinds(acc) == ["delta-type"]
    assert _result(acc).content == [Unknown(data={"type": "hologram"})]


def test_an_unknown_block_takes_any_json_input() -> None:
    stream = Stream().start().block(0, {"type": "robot_tool_use", "input": {}})
    acc = stream.json(0, "[1, 2]").stop(0).fold(strict=True)
    assert _result(acc).content == [Unknown(data={"type": "robot_tool_use", "input": [1, 2]})]


def test_unknown_deltas_and_events_are_passed_over_invalid_events_are_violations() -> None:
    stream = Stream().start().block(0, TEXT).text(0, "a")
    stream.delta(0, {"type": "hologram_delta", "frame": 1}).text(0, "b")
    stream.add({"type": "message_pause"}).stop(0).message_delta().end()
    events = stream.typed()
    assert any(type(e) is UnknownEvent for e in events)
    events.insert(3, InvalidEvent("content_block_delta", b"{", sk_anthropic_error()))
    acc = fold(events)
    assert _result(acc).content == [TextBlock(text="ab")]
    # An undecodable event may have carried a delta: it is never passed over in silence.
    assert [(w.kind, w.ordinal) for w in acc.warnings] == [("invalid-event", 3)]


def sk_anthropic_error() -> Any:
    from streamkit import DecodeError

    return DecodeError("broken")


# -- violations ----------------------------------------------------------------------


def _violations(stream: Stream) -> tuple[list[str], Accumulator]:
    acc = stream.fold()
    with pytest.raises(FoldError) as info:
        stream.fold(strict=True)
    assert info.value.ordinal == acc.warnings[0].ordinal
    return _kinds(acc), acc


def test_a_delta_for_a_block_never_started() -> None:
    kinds, acc = _violations(Stream().start().text(0, "x").block(0, TEXT).text(0, "y"))
    assert kinds == ["unknown-index"]
    assert acc.warnings[0].index == 0
    assert _result(acc).content == [TextBlock(text="y")]


def test_a_delta_after_the_block_stopped() -> None:
    kinds, acc = _violations(Stream().start().block(0, TEXT).text(0, "x").stop(0).text(0, "y"))
    assert kinds == ["after-block-stop"]
    assert _result(acc).content == [TextBlock(text="x")]


def test_a_second_stop() -> None:
    kinds, _ = _violations(Stream().start().block(0, TEXT).stop(0).stop(0))
    assert kinds == ["after-block-stop"]


def test_a_stop_for_a_block_never_started() -> None:
    kinds, _ = _violations(Stream().start().stop(3))
    assert kinds == ["unknown-index"]


def test_events_after_message_stop() -> None:
    stream = text_stream("x").ping().message_delta("refusal")
    kinds, acc = _violations(stream)
    assert kinds == ["after-message-stop"]
    assert _result(acc).stop_reason == "refusal"  # folded all the same


def test_a_delta_after_message_stop_to_a_finished_block() -> None:
    kinds, _ = _violations(text_stream("x").text(0, "y"))
    assert kinds == ["after-message-stop", "after-block-stop"]


@pytest.mark.parametrize("index", [-1, 10_001, 2**40])
def test_an_index_out_of_range(index: int) -> None:
    kinds, acc = _violations(Stream().start().block(index, TEXT).text(index, "x").stop(index))
    assert kinds == ["index-out-of-range"] * 3
    assert _result(acc).content == []


def test_the_largest_index_is_allowed() -> None:
    acc = Stream().start().block(10_000, TEXT).text(10_000, "x").stop(10_000).fold()
    assert _kinds(acc) == ["index-order"]
    assert _result(acc).content == [TextBlock(text="x")]


def test_blocks_out_of_order_are_listed_by_index() -> None:
    stream = Stream().start().block(1, TEXT).text(1, "second").block(0, TEXT).text(0, "first")
    kinds, acc = _violations(stream.stop(0).stop(1))
    assert kinds == ["index-order", "index-order"]
    assert _result(acc).content == [TextBlock(text="first"), TextBlock(text="second")]


def test_a_block_started_twice() -> None:
    stream = Stream().start().block(0, TEXT).text(0, "old").block(0, TEXT).text(0, "new")
    kinds, acc = _violations(stream)
    assert kinds == ["duplicate-block-start"]
    assert _result(acc).content == [TextBlock(text="new")]


def test_a_delta_of_the_wrong_type() -> None:
    stream = Stream().start().block(0, TOOL).text(0, "x").json(0, "{}").stop(0)
    kinds, acc = _violations(stream)
    assert kinds == ["delta-type"]
    assert _result(acc).content == [ToolUseBlock(id="toolu_01A", name="get_weather", input={})]


def test_events_before_message_start_are_reported_once() -> None:
    stream = Stream().block(0, TEXT).text(0, "x").text(0, "y")
    kinds, acc = _violations(stream)
    assert kinds == ["no-message-start"]
    assert acc.result is None
    for event in Stream().start().typed():
        acc.feed(event)
    assert _result(acc).content == [TextBlock(text="xy")]


def test_a_second_message_starts_over() -> None:
    stream = text_stream("first")
    stream.events.pop()
    stream.start(id="msg_02").block(0, TEXT).text(0, "second")
    kinds, acc = _violations(stream)
    assert kinds == ["second-message-start"]
    message = _result(acc)
    assert (message.id, message.content, message.stop_reason) == (
        "msg_02",
        [TextBlock(text="second")],
        None,
    )


def test_message_stop_with_a_block_open() -> None:
    kinds, _ = _violations(Stream().start().block(0, TEXT).text(0, "x").message_delta().end())
    assert kinds == ["block-not-stopped"]


def test_errors_are_collected() -> None:
    stream = Stream().start().block(0, TEXT).text(0, "x")
    stream.add({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    acc = stream.fold(strict=True)
    assert acc.errors == [ErrorObject(type="overloaded_error", message="Overloaded")]
    assert not acc.done
    assert _result(acc).content == [TextBlock(text="x")]


# -- cost ----------------------------------------------------------------------------


BATCH = 1_000
BATCHES = 50


def _batch_costs(
    block: dict[str, Any], delta: dict[str, Any], around: tuple[str, str] | None
) -> tuple[float, float]:
    """Seconds to fold a batch of 1,000 deltas into one block: early on, and 50,000 deltas in.

    The least time of the first ten batches and of the last ten: the least
    of several filters out a batch the machine interrupted.
    """
    head = Stream().start().block(0, block)
    tail = Stream()
    if around is not None:
        head.json(0, around[0])
        tail.json(0, around[1])
    acc = fold(head.typed(), strict=True)
    one = Stream().delta(0, delta).typed()[0]
    feed = acc.feed
    times = []
    for _ in range(BATCHES):
        start = time.process_time()
        for _ in range(BATCH):
            feed(one)
        times.append(time.process_time() - start)
    for event in tail.stop(0).typed():
        feed(event)
    assert acc.warnings == []
    assert acc.result is not None
    return min(times[:10]), min(times[-10:])


@pytest.mark.parametrize(
    ("block", "delta", "around"),
    [
        (TEXT, {"type": "text_delta", "text": "token "}, None),
        (THINKING, {"type": "thinking_delta", "thinking": "hmm "}, None),
        (TOOL, {"type": "input_json_delta", "partial_json": "abc"}, ('{"k": "', '"}')),
        (TEXT, {"type": "citations_delta", "citation": CITATION}, None),
    ],
    ids=["text", "thinking", "input_json", "citations"],
)
def test_fold_cost_per_delta_does_not_grow_with_the_block(
    block: dict[str, Any], delta: dict[str, Any], around: tuple[str, str] | None
) -> None:
    """A delta costs the same 50,000 deltas into a block as at its start (within 2x)."""
    early, late = _batch_costs(block, delta, around)
    assert late < 2 * early, (early, late)


def test_reading_the_result_costs_the_size_of_the_message() -> None:
    """Reading a finished 50,000-delta message once is cheap next to folding it."""
    acc = fold(text_stream(*(["token "] * 50_000)).typed(), strict=True)
    start = time.process_time()
    result = acc.result
    elapsed = time.process_time() - start
    assert result is not None
    assert len(result.content[0].text) == 300_000  # type: ignore[union-attr]
    assert elapsed < 0.05, elapsed
