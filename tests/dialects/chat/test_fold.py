"""The Chat Completions fold: each merge rule, each violation, the result's guarantees."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit import FoldError
from streamkit.dialects import chat
from streamkit.dialects.chat import (
    MERGE,
    Accumulator,
    ChatCompletion,
    CustomToolCall,
    FunctionToolCall,
    Unknown,
    UnknownEvent,
)

from . import streams as s
from .streams import Stream


def _result(acc: Accumulator) -> ChatCompletion:
    result = acc.result
    assert result is not None
    return result


def _message(acc: Accumulator, index: int = 0) -> Any:
    """The message of choice *index*, as builtins."""
    return msgspec.to_builtins(_result(acc).choices[index].message)


def _choice(acc: Accumulator, index: int = 0) -> Any:
    return msgspec.to_builtins(_result(acc).choices[index])


# -- merge rules ---------------------------------------------------------------------


def test_merge_table_declares_the_rules() -> None:
    declared = {(cls.__name__, name): rule for (cls, name), rule in MERGE.items()}
    assert declared == {
        ("ChoiceDelta", "content"): "concat",
        ("ChoiceDelta", "refusal"): "concat",
        ("ChoiceDelta", "tool_calls"): "by_index",
        ("ChoiceDelta", "annotations"): "append",
        ("ChoiceDelta", "reasoning_content"): "concat",
        ("ChoiceDelta", "reasoning"): "concat",
        ("ChoiceDelta", "reasoning_details"): "append",
        ("FunctionCallDelta", "arguments"): "concat",
        ("CustomDelta", "input"): "concat",
        ("AudioDelta", "data"): "concat",
        ("AudioDelta", "transcript"): "concat",
        ("ToolCallDelta", "unknown"): "raw",
        ("ChoiceLogprobs", "content"): "append",
        ("ChoiceLogprobs", "refusal"): "append",
    }
    for cls, name in MERGE:
        assert name in {field.name for field in msgspec.structs.fields(cls)}


def test_content_is_concatenated() -> None:
    acc = Stream().start().text("Hel", "lo", ", ", "world").finish().done().fold(strict=True)
    assert _message(acc) == {"role": "assistant", "content": "Hello, world", "refusal": None}
    assert _choice(acc)["finish_reason"] == "stop"


def test_refusal_is_concatenated() -> None:
    stream = Stream().start()
    for piece in ("I'm", " sorry", "."):
        stream.delta(refusal=piece)
    acc = stream.finish().fold(strict=True)
    assert _message(acc) == {"role": "assistant", "content": "", "refusal": "I'm sorry."}


def test_content_and_refusal_in_one_delta_both_concatenate() -> None:
    acc = Stream().start().delta(content="a", refusal="b").delta(content="c").fold(strict=True)
    assert (_message(acc)["content"], _message(acc)["refusal"]) == ("ac", "b")


def test_tool_calls_merge_by_index() -> None:
    """id, type and function.name are replaced; arguments are concatenated."""
    stream = Stream().delta(role="assistant", content=None)
    stream.delta(tool_calls=[s.call(0, "", id="call_a", name="get_weather")])
    stream.delta(tool_calls=[s.call(0, '{"city"')])
    stream.delta(tool_calls=[s.call(0, ': "Paris"}')])
    stream.delta(tool_calls=[s.call(1, "", id="call_b", name="get_time")])
    stream.delta(tool_calls=[s.call(1, "{}")])
    acc = stream.finish("tool_calls").fold(strict=True)
    assert _message(acc) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "type": "function",
                "id": "call_a",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            },
            {
                "type": "function",
                "id": "call_b",
                "function": {"name": "get_time", "arguments": "{}"},
            },
        ],
    }
    calls = _result(acc).choices[0].message.tool_calls
    assert isinstance(calls, list)
    assert all(type(c) is FunctionToolCall for c in calls)


def test_several_tool_call_parts_in_one_delta() -> None:
    parts = [s.call(0, "", id="c0", name="f"), s.call(0, '{"a":'), s.call(1, "", id="c1", name="g")]
    acc = Stream().delta(tool_calls=parts).delta(tool_calls=[s.call(0, "1}")]).fold(strict=True)
    calls = _message(acc)["tool_calls"]
    assert [(c["id"], c["function"]["arguments"]) for c in calls] == [("c0", '{"a":1}'), ("c1", "")]


def test_tool_call_indexes_out_of_order_land_in_place() -> None:
    stream = Stream().delta(tool_calls=[s.call(0, "", id="c0", name="f")])
    stream.delta(tool_calls=[s.call(1, "", id="c1", name="g")])
    stream.delta(tool_calls=[s.call(0, "x")]).delta(tool_calls=[s.call(1, "y")])
    calls = _message(stream.fold(strict=True))["tool_calls"]
    assert [(c["id"], c["function"]["arguments"]) for c in calls] == [("c0", "x"), ("c1", "y")]


def test_identifiers_are_replaced_not_concatenated() -> None:
    """openai-python concatenates every repeated string; id, type and name are replaced."""
    first = s.call(0, "", id="call_1", name="f")
    again = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "f"}}
    acc = Stream().delta(tool_calls=[first]).delta(tool_calls=[again]).fold(strict=True)
    (call,) = _message(acc)["tool_calls"]
    assert call == {"type": "function", "id": "call_1", "function": {"name": "f", "arguments": ""}}


def test_role_sent_twice_is_replaced() -> None:
    acc = Stream().start().delta(role="assistant", content="x").fold(strict=True)
    assert _message(acc)["role"] == "assistant"


def test_legacy_function_call_merges() -> None:
    """gpt-3.5's ``function_call``: name replaced, arguments concatenated."""
    stream = Stream().delta(
        role="assistant", content=None, function_call={"name": "f", "arguments": ""}
    )
    for piece in ('{"lo', 'cation"', ': "Boston"}'):
        stream.delta(function_call={"arguments": piece})
    acc = stream.finish("function_call").fold(strict=True)
    assert _message(acc) == {
        "role": "assistant",
        "content": None,
        "function_call": {"name": "f", "arguments": '{"location": "Boston"}'},
    }
    assert _choice(acc)["finish_reason"] == "function_call"


def test_custom_tool_call_input_is_concatenated() -> None:
    first = {"index": 0, "id": "call_c", "type": "custom", "custom": {"name": "sql", "input": ""}}
    stream = Stream().delta(tool_calls=[first])
    for piece in ("SELECT", " 1"):
        stream.delta(tool_calls=[{"index": 0, "custom": {"input": piece}}])
    calls = _result(stream.fold(strict=True)).choices[0].message.tool_calls
    assert calls == [CustomToolCall(id="call_c", custom=chat.Custom(name="sql", input="SELECT 1"))]


def test_audio_data_and_transcript_concatenate_id_and_expiry_replace() -> None:
    audio_id = "audio_6a233a354ee081918e294494ab803d56"
    stream = Stream().delta(role="assistant", audio={"id": audio_id, "transcript": "Hel"})
    stream.delta(audio={"transcript": "lo"})
    stream.delta(role="assistant", audio={"id": audio_id, "data": "AAAA"})
    stream.delta(audio={"data": "BBBB"})
    stream.usage()
    stream.chunk({"index": 0, "delta": {"audio": {"expires_at": 1780697157}}})
    acc = stream.done().fold()
    # The real audio stream sends no finish_reason: [DONE] ends it all the same.
    assert [(w.kind, w.index) for w in acc.warnings] == [("unfinished-choice", 0)]
    assert (acc.outcome.kind, acc.outcome.reason) == ("completed", None)
    assert acc.text == "Hello"
    assert _message(acc) == {
        "role": "assistant",
        "audio": {
            "id": audio_id,
            "data": "AAAABBBB",
            "expires_at": 1780697157,
            "transcript": "Hello",
        },
    }
    assert _choice(acc)["finish_reason"] is None
    assert acc.usage.raw is not None


def test_logprobs_content_and_refusal_are_appended() -> None:
    stream = Stream().start(logprobs={"content": [], "refusal": None})
    stream.delta(content="Foo", logprobs={"content": [s.token("Foo")], "refusal": None})
    stream.delta(content="!", logprobs={"content": [s.token("!")], "refusal": None})
    stream.delta(refusal="No", logprobs={"content": None, "refusal": [s.token("No")]})
    stream.delta(finish_reason="stop", logprobs=None)
    choice = _choice(stream.fold(strict=True))
    assert choice["logprobs"] == {
        "content": [s.token("Foo"), s.token("!")],
        "refusal": [s.token("No")],
    }


def test_logprobs_null_and_absent_stay_apart() -> None:
    assert _choice(Stream().start(logprobs=None).fold())["logprobs"] is None
    assert "logprobs" not in _choice(Stream().start().fold())


def test_annotations_are_appended() -> None:
    def citation(n: int) -> dict[str, Any]:
        return {
            "type": "url_citation",
            "url_citation": {"start_index": n, "end_index": n + 1, "title": "t", "url": "u"},
        }

    unknown = {"type": "file_citation", "file_id": "f"}
    stream = Stream().start().text("ab")
    stream.delta(annotations=[citation(0)]).delta(annotations=[citation(1), unknown])
    message = _result(stream.fold(strict=True)).choices[0].message
    wrapped = {"type": "streamkit.unknown", "data": unknown}  # how an Unknown encodes
    assert msgspec.to_builtins(message.annotations) == [citation(0), citation(1), wrapped]
    assert isinstance(message.annotations, list)
    assert message.annotations[2] == Unknown(data=unknown)


def test_null_never_erases_what_was_folded() -> None:
    stream = Stream().start().text("abc")
    stream.delta(role=None, content=None, refusal=None, finish_reason="stop")
    stream.delta(finish_reason=None)
    stream.delta(tool_calls=[s.call(0, "", id="c", name="f")])
    stream.delta(tool_calls=[{"index": 0, "id": None, "type": None, "function": {"name": None}}])
    choice = _choice(stream.fold(strict=True))
    assert choice["message"]["content"] == "abc"
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "stop"
    (call,) = choice["message"]["tool_calls"]
    assert (call["id"], call["function"]["name"]) == ("c", "f")


def test_choices_fold_by_index_in_any_order() -> None:
    stream = Stream().start(2).start(0).text("c", index=2).text("a", index=0).start(1)
    stream.text("b", index=1).finish(index=1).finish(index=0).finish("length", index=2)
    result = _result(stream.fold(strict=True))
    assert [(c.index, c.message.content, c.finish_reason) for c in result.choices] == [
        (0, "a", "stop"),
        (1, "b", "stop"),
        (2, "c", "length"),
    ]


# -- the completion's own fields -------------------------------------------------------


def test_header_fields_come_from_the_chunks() -> None:
    acc = Stream().start().text("x").finish().usage(7, 3).done().fold(strict=True)
    result = msgspec.to_builtins(_result(acc))
    del result["choices"]
    assert result == {
        "id": s.ID,
        "object": "chat.completion",
        "created": s.CREATED,
        "model": s.MODEL,
        "usage": {
            "prompt_tokens": 7,
            "completion_tokens": 3,
            "total_tokens": 10,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
        "service_tier": "default",
        "system_fingerprint": "fp_d0469e1700",
    }
    assert acc.usage.raw == _result(acc).usage
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (7, 3, 10)
    assert (acc.usage.cached_input_tokens, acc.usage.reasoning_tokens) == (0, 0)


def test_usage_survives_later_chunks_with_null_usage() -> None:
    """The audio and moderation streams send chunks after the usage chunk (usage: null)."""
    stream = Stream().start().text("x").finish().usage(7, 3)
    stream.chunk(moderation={"input": {"type": "moderation_results"}})
    acc = stream.done().fold(strict=True)
    assert acc.usage.total_tokens == 10
    assert _result(acc).moderation == {"input": {"type": "moderation_results"}}


def test_usage_null_only_and_absent_stay_apart() -> None:
    assert _result(Stream().start().fold()).usage is None
    plain = {k: v for k, v in s.chunk([]).items() if k not in ("usage", "service_tier")}
    acc = s.fold(Stream().emit(plain).typed())
    assert _result(acc).usage is msgspec.UNSET
    assert _result(acc).service_tier is msgspec.UNSET
    assert acc.usage == streamkit.Usage()


def test_usage_only_chunk_adds_no_choice() -> None:
    acc = Stream().usage().done().fold(strict=True)
    assert _result(acc).choices == []
    assert acc.done


def test_chunks_without_choices_change_no_choice() -> None:
    stream = Stream().start().text("a")
    stream.emit(s.chunk(obfuscation="yA6OsJKe"))
    acc = stream.text("b").fold(strict=True)
    assert _message(acc)["content"] == "ab"


def test_azure_empty_first_chunk_gives_way_to_the_real_header() -> None:
    first = {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {}}],
    }
    acc = s.fold(Stream().emit(first).typed())
    assert (_result(acc).id, _result(acc).model) == ("", "")
    stream = Stream().emit(first).start().text("a")
    stream.emit(
        {**first, "prompt_filter_results": None, "choices": [{"index": 0, "finish_reason": None}]}
    )
    acc = stream.finish().fold(strict=True)
    result = _result(acc)
    assert (result.id, result.created, result.model) == (s.ID, s.CREATED, s.MODEL)
    assert result.prompt_filter_results == first["prompt_filter_results"]
    assert result.choices[0].message.content == "a"
    assert "content_filter_results" not in msgspec.to_builtins(result.choices[0])


def test_service_tier_and_fingerprint_keep_the_last_value_sent() -> None:
    stream = Stream().start()
    stream.chunk(system_fingerprint="fp_2", service_tier="priority")
    stream.chunk(system_fingerprint=None, service_tier=None)
    result = _result(stream.fold(strict=True))
    assert (result.system_fingerprint, result.service_tier) == ("fp_2", "priority")


# -- tool calls the dialect cannot type -------------------------------------------------


def test_unknown_tool_call_kind_folds_into_unknown() -> None:
    stream = Stream()
    stream.delta(
        tool_calls=[
            {"index": 0, "id": "call_m", "type": "mcp", "mcp": {"name": "n", "arguments": "{"}}
        ]
    )
    stream.delta(tool_calls=[{"index": 0, "mcp": {"arguments": "}"}}])
    stream.delta(tool_calls=[s.call(1, "{}", id="call_f", name="f")])
    calls = _result(stream.fold(strict=True)).choices[0].message.tool_calls
    assert isinstance(calls, list)
    assert calls[0] == Unknown(
        data={"id": "call_m", "type": "mcp", "mcp": {"name": "n", "arguments": "{}"}}
    )
    assert type(calls[1]) is FunctionToolCall


def test_tool_call_without_type_is_a_function_call() -> None:
    """Some OpenAI-compatible servers leave out ``type``: a ``function`` says what it is."""
    first = {"index": 0, "id": "c", "function": {"name": "f", "arguments": "{"}}
    acc = Stream().delta(tool_calls=[first]).delta(tool_calls=[s.call(0, "}")]).fold(strict=True)
    calls = _result(acc).choices[0].message.tool_calls
    assert calls == [FunctionToolCall(id="c", function=chat.Function(name="f", arguments="{}"))]


def test_tool_call_cut_short_is_kept_as_unknown() -> None:
    acc = Stream().delta(tool_calls=[s.call(0, '{"a')]).fold(strict=True)
    calls = _result(acc).choices[0].message.tool_calls
    assert calls == [Unknown(data={"function": {"arguments": '{"a'}})]


# -- violations -----------------------------------------------------------------------


def _kinds(acc: Accumulator) -> list[tuple[str, int]]:
    return [(w.kind, w.ordinal) for w in acc.warnings]


def test_chunk_after_done_is_a_violation_and_still_folded() -> None:
    stream = Stream().start().text("a").finish().done().text("b")
    acc = stream.error("late").done().fold()
    assert _kinds(acc) == [("after-done", 4), ("after-done", 5), ("after-done", 6)]
    assert _message(acc)["content"] == "ab"
    warning = acc.warnings[0]
    assert (warning.event, warning.object_id) == ("message", s.ID)
    with pytest.raises(FoldError, match=r"a chunk after \[DONE\] \(at event #4, 'message'\)"):
        stream.fold(strict=True)


def test_chunk_of_another_completion_is_a_violation_and_still_folded() -> None:
    """One stream is one completion: a chunk of another id joins it (reported once)."""
    stream = Stream().start().text("a")
    stream.emit(s.chunk([{"index": 0, "delta": {"content": "X"}}], id="chatcmpl-other"))
    stream.emit(s.chunk([{"index": 0, "delta": {"content": "Y"}}], id=""))
    stream.emit(s.chunk([{"index": 0, "delta": {"content": "Z"}}], id="chatcmpl-third"))
    acc = stream.text("b").fold()
    assert _kinds(acc) == [("other-id", 2)]
    assert "chatcmpl-other" in acc.warnings[0].message
    assert _message(acc)["content"] == "aXYZb"
    assert _result(acc).id == s.ID
    with pytest.raises(FoldError, match="other"):
        stream.fold(strict=True)


@pytest.mark.parametrize("index", [-1, 10_001, 2**63])
def test_absurd_choice_index_is_a_violation_without_allocation(index: int) -> None:
    stream = Stream().start().delta(index, content="x").text("y")
    acc = stream.fold()
    assert _kinds(acc) == [("index-out-of-range", 1)]
    assert [c.index for c in _result(acc).choices] == [0]
    with pytest.raises(FoldError):
        stream.fold(strict=True)


@pytest.mark.parametrize("index", [-1, 10_001])
def test_absurd_tool_call_index_is_a_violation(index: int) -> None:
    stream = Stream().delta(tool_calls=[s.call(index, "", id="c", name="f")])
    acc = stream.fold()
    assert _kinds(acc) == [("index-out-of-range", 0)]
    assert _result(acc).choices[0].message.tool_calls == []


def test_index_at_the_limit_is_accepted() -> None:
    acc = Stream().delta(10_000, content="x").fold()
    assert acc.warnings == []
    assert _result(acc).choices[0].index == 10_000


def test_tool_call_index_gap_is_a_violation_and_keeps_the_parts() -> None:
    stream = Stream().delta(tool_calls=[s.call(1, "{}", id="c1", name="g")])
    stream.delta(tool_calls=[s.call(0, "{}", id="c0", name="f")])
    acc = stream.fold()
    assert _kinds(acc) == [("index-gap", 0)]
    assert [c["id"] for c in _message(acc)["tool_calls"]] == ["c0", "c1"]
    with pytest.raises(FoldError, match="tool call 1 before tool call 0"):
        stream.fold(strict=True)


def test_errors_are_collected() -> None:
    stream = Stream().start().text("a").error("Overloaded", code="overloaded")
    body = stream.body() + b'event: error\ndata: {"message": "x"}\n\n'
    acc = s.fold(list(streamkit.iter_events([body], dialect="chat")), strict=True)
    assert [e.message for e in acc.errors] == ["Overloaded", "x"]
    assert acc.errors[0].code == "overloaded"
    assert _message(acc)["content"] == "a"
    assert not acc.done


def test_unknown_events_are_ignored_invalid_events_are_violations() -> None:
    acc = Accumulator(strict=True)
    acc.feed(UnknownEvent("keepalive", b"{}"))
    with pytest.raises(streamkit.FoldError, match="could not be decoded"):
        acc.feed(chat.InvalidEvent("message", b"{", streamkit.DecodeError("bad")))
    acc = Accumulator()
    acc.feed(UnknownEvent("keepalive", b"{}"))
    acc.feed(chat.InvalidEvent("message", b"{", streamkit.DecodeError("bad")))
    assert acc.result is None
    assert [(w.kind, w.ordinal) for w in acc.warnings] == [("invalid-event", 1)]
    for event in Stream().start().text("a").typed():
        acc.feed(event)
    assert _message(acc)["content"] == "a"


# -- the result --------------------------------------------------------------------------


def test_result_before_any_chunk_is_none() -> None:
    acc = Accumulator()
    assert acc.result is None
    assert acc.usage == streamkit.Usage()
    assert (acc.warnings, acc.errors, acc.done) == ([], [], False)
    assert (acc.outcome.kind, acc.text, acc.refusal, acc.tool_calls) == ("truncated", "", "", [])


def test_result_is_frozen() -> None:
    result = _result(Stream().start().text("a").fold())
    with pytest.raises(AttributeError):
        result.id = "x"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        result.choices[0].message.content = "x"  # type: ignore[misc]


def test_result_handed_out_does_not_change_after_later_chunks() -> None:
    acc = Accumulator()
    stream = Stream().start(logprobs={"content": [], "refusal": None}).text("a")
    stream.delta(tool_calls=[s.call(0, "{", id="c", name="f")])
    for event in stream.typed():
        acc.feed(event)
    before = _result(acc)
    frozen = msgspec.to_builtins(before)
    later = Stream().text("b").delta(logprobs={"content": [s.token("b")], "refusal": None})
    later.delta(tool_calls=[s.call(0, "}")]).delta(annotations=[{"type": "x"}]).usage()
    for event in later.typed():
        acc.feed(event)
    assert msgspec.to_builtins(before) == frozen
    after = msgspec.to_builtins(_result(acc))
    assert after != frozen
    assert after["choices"][0]["message"]["content"] == "ab"


def test_reading_twice_without_news_returns_the_same_result() -> None:
    acc = Stream().start().text("a").start(1).fold()
    first = _result(acc)
    assert _result(acc) is first
    acc.feed(UnknownEvent("ping", b""))
    assert _result(acc) is first
    for event in Stream().text("b", index=1).typed():
        acc.feed(event)
    second = _result(acc)
    assert second is not first
    assert second.choices[0] is first.choices[0]  # unchanged choices are not built again


def test_events_fed_are_not_mutated() -> None:
    events = (
        Stream().start().text("a", "b").delta(tool_calls=[s.call(0, "{", id="c", name="f")]).typed()
    )
    copies = [msgspec.to_builtins(e) for e in events]
    s.fold(events)
    s.fold(events)
    assert [msgspec.to_builtins(e) for e in events] == copies


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), usage=st.booleans(), ordered=st.booleans())
def test_random_streams_fold_to_their_completion(seed: int, usage: bool, ordered: bool) -> None:
    body, expected = s.random_completion(seed, usage=usage, ordered=ordered)
    acc = s.fold(list(streamkit.iter_events([body], dialect="chat")), strict=True)
    assert msgspec.to_builtins(acc.result) == expected
    assert acc.done


# -- cost ------------------------------------------------------------------------------


def _fold_cost(n: int) -> float:
    """Seconds per delta to fold one choice of *n* content deltas and read it once (best of 3)."""
    head = Stream().start().typed()
    (delta,) = Stream().text("token ").typed()
    best = float("inf")
    for _ in range(3):
        acc = s.fold(head)
        feed = acc.feed
        start = time.process_time()
        for _ in range(n):
            feed(delta)
        result = acc.result
        best = min(best, time.process_time() - start)
    assert result is not None
    assert len(result.choices[0].message.content or "") == 6 * n
    return best / n


def test_fold_cost_per_delta_does_not_grow_with_the_message() -> None:
    """Folding 50,000 content deltas costs per delta less than three times what 1,000 do."""
    small = _fold_cost(1_000)
    large = _fold_cost(50_000)
    assert large < 3 * small, (small, large)


def test_tool_call_arguments_fold_in_linear_time() -> None:
    def cost(n: int) -> float:
        events = Stream().delta(tool_calls=[s.call(0, "", id="c", name="f")]).typed()
        (part,) = Stream().delta(tool_calls=[s.call(0, "ab")]).typed()
        best = float("inf")
        for _ in range(3):
            acc = s.fold(events)
            start = time.process_time()
            for _ in range(n):
                acc.feed(part)
            acc.result  # noqa: B018
            best = min(best, time.process_time() - start)
        return best / n

    small, large = cost(1_000), cost(50_000)
    assert large < 3 * small, (small, large)
