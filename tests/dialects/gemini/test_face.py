"""The common face of the Gemini dialect: outcome rows, usage, deltas, lanes, encode."""

from __future__ import annotations

from typing import Any

import pytest
from msgspec import UNSET

import streamkit
from streamkit import Delta, Outcome, Usage
from streamkit.dialects import gemini
from streamkit.dialects.gemini import _face as gemini_face

from . import streams as s

# -- outcome -------------------------------------------------------------------------------


def _finished(reason: object, parts: list[Any] | None = None, **fields: Any) -> gemini.Accumulator:
    chunks = [s.chunk([s.candidate([s.text("Some text")])])]
    chunks.append(s.chunk([s.candidate(parts, finishReason=reason)], **fields))
    return s.fold(chunks)


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("STOP", "completed"),
        ("MAX_TOKENS", "incomplete"),
        ("SAFETY", "incomplete"),
        ("RECITATION", "incomplete"),
        ("LANGUAGE", "incomplete"),
        ("OTHER", "incomplete"),
        ("BLOCKLIST", "incomplete"),
        ("PROHIBITED_CONTENT", "incomplete"),
        ("SPII", "incomplete"),
        ("IMAGE_SAFETY", "incomplete"),
        ("IMAGE_PROHIBITED_CONTENT", "incomplete"),
        ("MODEL_ARMOR", "incomplete"),
        ("FINISH_REASON_UNSPECIFIED", "incomplete"),
        ("A_REASON_FROM_NEXT_YEAR", "incomplete"),
        ("MALFORMED_FUNCTION_CALL", "failed"),
        ("UNEXPECTED_TOOL_CALL", "failed"),
        ("TOO_MANY_TOOL_CALLS", "failed"),
        ("MISSING_THOUGHT_SIGNATURE", "failed"),
        ("MALFORMED_RESPONSE", "failed"),
    ],
)
def test_each_finish_reason(reason: str, kind: str) -> None:
    acc = _finished(reason)
    assert acc.outcome == Outcome(kind=kind, reason=reason)  # type: ignore[arg-type]
    assert acc.done


def test_a_failed_outcome_carries_the_finish_message() -> None:
    acc = _finished("MALFORMED_FUNCTION_CALL", finishMessage="Malformed function call: x(")
    chunk = s.chunk([s.candidate(None, finishReason="MALFORMED_FUNCTION_CALL", finishMessage="m")])
    assert s.fold([chunk]).outcome == Outcome(
        kind="failed", reason="MALFORMED_FUNCTION_CALL", error="m"
    )
    assert acc.outcome.kind == "failed"


def test_stop_with_a_function_call_requires_action() -> None:
    acc = _finished("STOP", [s.call("get_weather", {"city": "Paris"})])
    assert acc.outcome == Outcome(kind="requires_action", reason="STOP")
    # A call cut off by a limit is no request for action.
    assert _finished("MAX_TOKENS", [s.call("f", {})]).outcome.kind == "incomplete"


def test_a_blocked_prompt_is_incomplete_with_its_block_reason() -> None:
    chunk = s.chunk(None, promptFeedback={"blockReason": "PROHIBITED_CONTENT"})
    acc = s.fold([chunk])
    assert acc.outcome == Outcome(kind="incomplete", reason="PROHIBITED_CONTENT")
    assert acc.done
    assert acc.result.candidates is UNSET
    numbered = s.fold([s.chunk(None, promptFeedback={"blockReason": 1})])
    assert numbered.outcome == Outcome(kind="incomplete", reason="SAFETY")


def test_an_error_in_the_stream_is_errored() -> None:
    error = {"code": 500, "message": "Internal error", "status": "INTERNAL"}
    acc = s.fold([s.chunk([s.candidate([s.text("a")], finishReason="STOP")]), {"error": error}])
    assert acc.outcome == Outcome(
        kind="errored",
        error=gemini.ErrorObject(code=500, message="Internal error", status="INTERNAL"),
    )


def test_no_finish_reason_on_candidate_0_is_truncated() -> None:
    assert s.fold([s.chunk([s.candidate([s.text("a")])])]).outcome == Outcome(kind="truncated")
    other = s.fold([s.chunk([s.candidate([s.text("a")], index=1, finishReason="STOP")])])
    assert other.outcome == Outcome(kind="truncated")
    assert s.fold([s.chunk()]).outcome == Outcome(kind="truncated")


@pytest.mark.parametrize(
    ("number", "name", "kind", "vertex"),
    [
        (1, "STOP", "completed", False),
        (2, "MAX_TOKENS", "incomplete", False),
        (3, "SAFETY", "incomplete", False),
        (6, "LANGUAGE", "incomplete", False),
        (10, "MALFORMED_FUNCTION_CALL", "failed", False),
        (6, "BLOCKLIST", "incomplete", True),
        (9, "MALFORMED_FUNCTION_CALL", "failed", True),
        (10, "MODEL_ARMOR", "incomplete", True),
        (99, "99", "incomplete", False),
    ],
)
def test_a_finish_reason_as_a_number(number: int, name: str, kind: str, vertex: bool) -> None:
    """Gemini API numbers unless the stream is Vertex AI's (it alone sends createTime)."""
    extra = {"createTime": "2025-10-10T15:43:34.219431Z"} if vertex else {}
    acc = _finished(number, **extra)
    assert (acc.outcome.kind, acc.outcome.reason) == (kind, name)
    # The result keeps the number as it came.
    assert acc.result.candidates[0].finish_reason == number


# -- usage ---------------------------------------------------------------------------------


def test_usage_maps_the_last_usage_metadata() -> None:
    last = {
        "promptTokenCount": 34,
        "candidatesTokenCount": 469,
        "totalTokenCount": 1290,
        "thoughtsTokenCount": 787,
        "cachedContentTokenCount": 12,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 34}],
    }
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("a")])], usage_metadata=s.usage(34)),
            s.chunk([s.candidate([s.text("b")], finishReason="STOP")], usage_metadata=last),
        ]
    )
    usage = acc.usage
    assert usage == Usage(
        input_tokens=34,
        output_tokens=469 + 787,
        total_tokens=1290,
        cached_input_tokens=12,
        reasoning_tokens=787,
        raw=acc.result.usage_metadata,
    )
    assert type(usage.raw) is gemini.UsageMetadata


def test_usage_counts_left_out_are_zero_and_breakdowns_none() -> None:
    acc = s.fold([s.chunk([s.candidate([s.text("a")])], usage_metadata={"promptTokenCount": 5})])
    assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (5, 0, 0)
    assert acc.usage.cached_input_tokens is None
    assert acc.usage.reasoning_tokens is None
    assert s.fold([{"candidates": [s.candidate([s.text("a")])]}]).usage == Usage()


def test_usage_mid_stream_is_the_latest() -> None:
    events = s.events(
        s.chunk([s.candidate([s.text("a")])], usage_metadata=s.usage(9, 3)),
        s.chunk([s.candidate([s.text("b")])], usage_metadata=s.usage(9, 8)),
    )
    acc = gemini.Accumulator()
    acc.feed(events[0])
    assert acc.usage.output_tokens == 3
    acc.feed(events[1])
    assert acc.usage.output_tokens == 8


# -- text and tool calls mid-stream --------------------------------------------------------


def test_text_refusal_and_tool_calls_mid_stream() -> None:
    events = s.events(
        s.chunk([s.candidate([s.text("Thinking", thought=True)])]),
        s.chunk([s.candidate([s.text("Let me"), s.call("search", {"q": "東京"}, id="c9")])]),
        s.chunk([s.candidate([s.text(" check.")], finishReason="STOP")]),
    )
    acc = gemini.Accumulator()
    seen = []
    for event in events:
        acc.feed(event)
        seen.append((acc.text, acc.reasoning, acc.refusal, [c.arguments for c in acc.tool_calls]))
    assert seen == [
        ("", "Thinking", "", []),
        ("Let me", "Thinking", "", ['{"q":"東京"}']),
        ("Let me check.", "Thinking", "", ['{"q":"東京"}']),
    ]
    assert acc.tool_calls == [
        streamkit.ToolCall(id="c9", name="search", arguments='{"q":"東京"}', index=0)
    ]


def test_a_call_without_args_has_empty_object_arguments() -> None:
    acc = s.fold([s.chunk([s.candidate([s.call("ping")], finishReason="STOP")])])
    assert acc.tool_calls == [streamkit.ToolCall(id=None, name="ping", arguments="{}", index=0)]


def test_only_candidate_0_is_the_face() -> None:
    acc = s.fold(
        [
            s.chunk(
                [s.candidate([s.text("zero")]), s.candidate([s.text("one"), s.call("f")], index=1)]
            )
        ]
    )
    assert acc.text == "zero"
    assert acc.tool_calls == []


# -- deltas, lanes, encode -----------------------------------------------------------------


def _event(*parts: Any, index: int | None = 0) -> Any:
    [event] = s.events(s.chunk([s.candidate(list(parts), index=index)]))
    return event


def test_deltas_of_each_part() -> None:
    event = _event(
        s.text("think", thought=True),
        s.text("answer"),
        s.text(""),
        s.call("f", {"a": [1]}),
        {"executableCode": {"code": "print(1)"}},
    )
    assert list(streamkit.deltas([event])) == [
        Delta("reasoning", 0, "think"),
        Delta("text", 0, "answer"),
        Delta("tool_arguments", 0, '{"a":[1]}', 0),
    ]
    assert list(streamkit.text_deltas([event])) == ["answer"]
    other = _event(s.text("second"), index=None)
    assert list(streamkit.deltas([other])) == [Delta("text", 0, "second")]


def test_parallel_function_calls_are_numbered_across_chunks() -> None:
    """The stream's reader numbers each call (``call``) as the fold indexes it."""
    events = s.events(
        s.chunk([s.candidate([s.call("f", {"n": 1}), s.call("g", {})])]),
        s.chunk([s.candidate([s.call("h", {"n": 3})], finishReason="STOP")]),
    )
    calls = [(d.call, d.text) for d in streamkit.deltas(events) if d.kind == "tool_arguments"]
    assert calls == [(0, '{"n":1}'), (1, "{}"), (2, '{"n":3}')]
    acc = streamkit.Accumulator()
    for event in events:
        acc.feed(event)
    assert [(c.index, c.name, c.arguments) for c in acc.tool_calls] == [
        (0, "f", '{"n":1}'),
        (1, "g", "{}"),
        (2, "h", '{"n":3}'),
    ]
    # One chunk alone cannot know the calls before it.
    assert [d.call for d in gemini_face.deltas(events[1])] == [None]


def test_only_candidate_0_text_is_answer_text() -> None:
    [event] = s.events(s.chunk([s.candidate([s.text("a")]), s.candidate([s.text("b")], index=1)]))
    assert list(streamkit.deltas([event])) == [Delta("text", 0, "a"), Delta("text", 1, "b")]
    assert list(streamkit.text_deltas([event])) == ["a"]


def test_events_without_content_have_no_deltas() -> None:
    error = s.events({"error": {"code": 1, "message": "m", "status": "CANCELLED"}})
    done = s.events(s.chunk([s.candidate(None, finishReason="STOP")]), s.chunk(None))
    assert list(streamkit.deltas([*error, *done])) == []


@pytest.mark.parametrize(
    ("parts", "lane"),
    [
        ([s.text("a")], "content"),
        ([s.text("a", thought=True)], "reasoning"),
        ([s.text("a", thought=True), s.text("b")], "content"),
        ([s.text("")], "lifecycle"),
        ([s.call("f", {})], "tool"),
        ([s.text("a"), {"executableCode": {"code": "1"}}], "tool"),
        ([{"codeExecutionResult": {"output": "1"}}], "tool"),
        ([{"toolCall": {"id": "t"}}], "tool"),
        ([{"toolResponse": {"id": "t"}}], "tool"),
        ([{"functionResponse": {"name": "f"}}], "tool"),
        ([{"inlineData": {"mimeType": "image/png", "data": ""}}], "content"),
        ([{"somethingNew": {}}], "content"),
    ],
)
def test_lanes(parts: list[Any], lane: str) -> None:
    assert gemini.DIALECT.kind(_event(*parts)) == lane


def test_lanes_of_other_events() -> None:
    [error] = s.events({"error": {"code": 1, "message": "m", "status": "CANCELLED"}})
    [finish] = s.events(s.chunk([s.candidate(None, finishReason="STOP")]))
    assert gemini.DIALECT.kind(error) == "error"
    assert gemini.DIALECT.kind(finish) == "lifecycle"
    assert gemini.DIALECT.kind(streamkit.UnknownEvent("x", b"")) == "other"


@pytest.mark.parametrize(
    "payload",
    [
        s.chunk(
            [s.candidate([s.text("é", thought=True, signature="c2ln"), s.call("f", {"x": None})])]
        ),
        s.chunk(
            [s.candidate(None, finishReason=3, safetyRatings=[{"category": 8, "blocked": True}])]
        ),
        s.chunk(None, promptFeedback={"blockReason": "SAFETY"}),
        s.chunk([s.candidate([{"new": 1}])]),
        {"error": {"code": 503, "message": "m", "status": "UNAVAILABLE", "details": [{"a": 1}]}},
    ],
    ids=["parts", "int-enums", "blocked", "unknown-part", "error"],
)
def test_encode_writes_an_sse_event_that_decodes_to_the_same(payload: Any) -> None:
    [event] = s.events(payload)
    body = streamkit.encode(event)
    assert body.startswith(b"data: {")
    assert body.endswith(b"\n\n")
    assert list(streamkit.iter_events([body], "gemini")) == [event]
    # An event read from the array form is written the same way.
    [again] = list(streamkit.iter_events([s.array(payload)], "gemini"))
    assert streamkit.encode(again) == body


def test_encode_of_shared_and_foreign_events() -> None:
    assert streamkit.encode(streamkit.UnknownEvent("x", b"{}")) == b"event: x\ndata: {}\n\n"
    with pytest.raises(TypeError, match="not an event of the gemini dialect"):
        gemini.DIALECT.encode(object())


def test_the_fold_is_a_fold() -> None:
    acc = gemini.Accumulator()
    assert isinstance(acc, streamkit.Fold)
    auto = streamkit.Accumulator()
    for event in s.events(s.chunk([s.candidate([s.text("hi")], finishReason="STOP")])):
        auto.feed(event)
    assert auto.dialect == "gemini"
    assert auto.text == "hi"
