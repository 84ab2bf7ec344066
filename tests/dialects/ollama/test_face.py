"""Ollama on the common face: outcomes, text, tool calls, usage, deltas, lanes, bytes."""

from __future__ import annotations

from typing import Any

import pytest

import streamkit
from streamkit.dialects import ollama
from streamkit.dialects._registry import dialect_of

from . import streams as s
from .streams import Stream, call

WEATHER = call("get_weather", {"city": "Köln", "days": 3}, id="call_k3v9q2xa", index=0)
TIME = call("get_time", {"zone": "CET"}, id="call_p0d7m4tc", index=1)


# -- outcome: every row of the table ------------------------------------------------


@pytest.mark.parametrize(
    ("stream", "kind", "reason"),
    [
        (Stream().text("a").done("stop"), "completed", "stop"),
        (Stream("generate").text("a").done("stop"), "completed", "stop"),
        (Stream().text("a").done("length"), "incomplete", "length"),
        (Stream().done("load", metrics=False), "completed", "load"),
        (Stream().done("unload", metrics=False), "completed", "unload"),
        (Stream("generate").text("a").done(None), "completed", None),
        (Stream().text("a").done("a-new-reason"), "completed", "a-new-reason"),
        (Stream().tools(WEATHER).done("stop"), "requires_action", "stop"),
        (
            Stream("generate").piece("", tool_calls=[WEATHER]).done("stop"),
            "requires_action",
            "stop",
        ),
        (Stream().tools(WEATHER).done("length"), "incomplete", "length"),
        (Stream().text("a"), "truncated", None),
        (Stream().tools(WEATHER), "truncated", None),
        (Stream(), "truncated", None),
    ],
)
def test_outcome(stream: Stream, kind: str, reason: str | None) -> None:
    acc = stream.fold(strict=True)
    assert acc.outcome == streamkit.Outcome(kind=kind, reason=reason)  # type: ignore[arg-type]
    assert acc.done == (kind != "truncated")


def test_an_error_line_makes_it_errored() -> None:
    acc = Stream().text("Yes", ".").error("the model failed").fold(strict=True)
    assert acc.outcome == streamkit.Outcome(
        kind="errored", error=ollama.ErrorObject(error="the model failed")
    )
    assert acc.errors == [ollama.ErrorObject(error="the model failed")]
    assert acc.text == "Yes."
    assert not acc.done


def test_an_error_line_alone() -> None:
    acc = Stream().error().fold()
    assert acc.outcome.kind == "errored"
    assert acc.result is None


# -- text, refusal, tool calls, usage ---------------------------------------------------


def test_text_reasoning_and_tool_calls_mid_stream() -> None:
    events = Stream().think("So", "...").text("It is", " 3°C").tools(WEATHER, TIME).done().typed()
    acc = ollama.Accumulator()
    seen = []
    for event in events:
        acc.feed(event)
        seen.append((acc.text, acc.reasoning, len(acc.tool_calls), acc.refusal))
    assert seen == [
        ("", "So", 0, ""),
        ("", "So...", 0, ""),
        ("It is", "So...", 0, ""),
        ("It is 3°C", "So...", 0, ""),
        ("It is 3°C", "So...", 2, ""),
        ("It is 3°C", "So...", 2, ""),
    ]
    assert acc.tool_calls == [
        streamkit.ToolCall(
            id="call_k3v9q2xa",
            name="get_weather",
            arguments='{"city":"Köln","days":3}',
            index=0,
        ),
        streamkit.ToolCall(
            id="call_p0d7m4tc", name="get_time", arguments='{"zone":"CET"}', index=1
        ),
    ]


def test_tool_calls_without_ids_over_several_lines_are_indexed_in_order() -> None:
    first, second = call("f", {}), call("g", {"x": None})
    acc = Stream("generate").piece("", tool_calls=[first]).piece("", tool_calls=[second]).fold()
    assert acc.tool_calls == [
        streamkit.ToolCall(id=None, name="f", arguments="{}", index=0),
        streamkit.ToolCall(id=None, name="g", arguments='{"x":null}', index=1),
    ]


def test_arguments_sent_as_text_are_given_as_sent() -> None:
    acc = Stream().tools(call("f", '{"a": 1}')).fold()
    assert acc.tool_calls[0].arguments == '{"a": 1}'


def test_usage() -> None:
    acc = Stream().text("a").done(prompt_eval_count=26, eval_count=282).fold()
    usage = acc.usage
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (26, 282, 308)
    assert (usage.cached_input_tokens, usage.reasoning_tokens) == (None, None)
    assert usage.raw == acc.metrics
    assert usage.raw == ollama.Metrics(**{**s.METRICS, "prompt_eval_count": 26, "eval_count": 282})


def test_usage_where_counts_are_missing() -> None:
    assert Stream().done("load", metrics=False).fold().usage == streamkit.Usage()
    acc = Stream().done("stop", metrics=False, eval_count=4).fold()
    assert acc.usage == streamkit.Usage(output_tokens=4, raw=ollama.Metrics(eval_count=4))
    assert Stream().text("a").fold().usage == streamkit.Usage()


def test_it_is_a_fold_and_auto_folds_the_same() -> None:
    events = Stream().think("h").text("a").tools(WEATHER).done().typed()
    acc = s.fold(events)
    auto = streamkit.Accumulator()
    for event in events:
        auto.feed(event)
    assert isinstance(acc, streamkit.Fold)
    assert auto.dialect == "ollama"
    assert auto.result == acc.result
    assert auto.tool_calls == acc.tool_calls
    assert auto.outcome == acc.outcome


# -- deltas and lanes ------------------------------------------------------------------

CHAT = Stream().think("hm").text("Hi").tools(WEATHER, call("g", {})).done().error().typed()
GENERATE = Stream("generate").think("hm").text("Hi").piece("", tool_calls=[TIME]).done().typed()


def test_deltas_of_each_chat_line() -> None:
    assert [list(streamkit.deltas([event])) for event in CHAT] == [
        [streamkit.Delta("reasoning", 0, "hm")],
        [streamkit.Delta("text", 0, "Hi")],
        [
            streamkit.Delta("tool_arguments", 0, '{"city":"Köln","days":3}', 0),
            streamkit.Delta("tool_arguments", 0, "{}", 1),  # its position in the line
        ],
        [],
        [],
    ]


def test_deltas_of_each_generate_line() -> None:
    assert [list(streamkit.deltas([event])) for event in GENERATE] == [
        [streamkit.Delta("reasoning", 0, "hm")],
        [streamkit.Delta("text", 0, "Hi")],
        [streamkit.Delta("tool_arguments", 0, '{"zone":"CET"}', 1)],  # its function.index
        [],
    ]


def test_a_line_with_thinking_and_text_gives_both() -> None:
    (event,) = Stream().piece("a", thinking="b").typed()
    assert ollama.DIALECT.deltas(event) == [
        streamkit.Delta("reasoning", 0, "b"),
        streamkit.Delta("text", 0, "a"),
    ]


def test_text_deltas_are_the_answer() -> None:
    for events in (CHAT, GENERATE):
        assert list(streamkit.text_deltas(events)) == ["Hi"]
        assert "".join(streamkit.text_deltas(events)) == s.fold(events).text


def test_lanes() -> None:
    assert [ollama.DIALECT.kind(event) for event in CHAT] == [
        "reasoning",
        "content",
        "tool",
        "lifecycle",
        "error",
    ]
    assert [ollama.DIALECT.kind(event) for event in GENERATE] == [
        "reasoning",
        "content",
        "tool",
        "lifecycle",
    ]
    (early,) = streamkit.iter_events([b'{"model":"m","created_at":"t","done":true}\n'], "ollama")
    assert ollama.DIALECT.kind(early) == "lifecycle"
    assert ollama.DIALECT.kind(streamkit.UnknownEvent("message", b"{}")) == "other"


def test_no_event_is_a_keepalive() -> None:
    assert not any(ollama.DIALECT.is_keepalive(event) for event in CHAT)


# -- encode ----------------------------------------------------------------------------


@pytest.mark.parametrize("event", [*CHAT, *GENERATE], ids=lambda e: type(e).__name__)
def test_encode_gives_one_line_that_decodes_to_the_event(event: Any) -> None:
    data = streamkit.encode(event)
    assert data.endswith(b"\n")
    assert data.count(b"\n") == 1
    assert list(streamkit.iter_events([data], "ollama")) == [event]
    assert dialect_of(event) is ollama.DIALECT


def test_encode_keeps_the_key_order_of_the_server() -> None:
    (event,) = Stream().piece("Hi").typed()
    assert streamkit.encode(event) == Stream().piece("Hi").body()


def test_encode_of_an_unknown_line_and_of_no_event() -> None:
    assert ollama.DIALECT.encode(streamkit.UnknownEvent("message", b'{"status":"x"}')) == (
        b'{"status":"x"}\n'
    )
    with pytest.raises(TypeError, match="not an event of the ollama dialect"):
        ollama.DIALECT.encode(object())
