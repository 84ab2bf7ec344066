"""The Gemini fold: every merge rule, every violation, reads mid-stream, any chunking."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given, settings, strategies as st

import streamkit
from streamkit.dialects import gemini

from . import streams as s

SIG = "c2lnbmF0dXJl"


def parts_of(acc: gemini.Accumulator, index: int = 0) -> list[dict[str, object]]:
    result = msgspec.to_builtins(acc.result)
    candidate = next(c for c in result["candidates"] if c["index"] == index)
    return candidate.get("content", {}).get("parts", [])


# -- parts ---------------------------------------------------------------------------------


def test_text_parts_are_joined_thoughts_apart() -> None:
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("Let me ", thought=True)])]),
            s.chunk([s.candidate([s.text("think.", thought=True), s.text("The ")])]),
            s.chunk([s.candidate([s.text("answer"), s.text(" is 4.")])]),
        ]
    )
    assert parts_of(acc) == [
        {"text": "Let me think.", "thought": True},
        {"text": "The answer is 4."},
    ]
    assert acc.text == "The answer is 4."
    assert acc.reasoning == "Let me think."


def test_a_signature_joins_the_text_it_ends_and_a_second_starts_a_part() -> None:
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("A", signature=SIG)])]),
            s.chunk([s.candidate([s.text("B")])]),
            s.chunk([s.candidate([s.text("", signature="b3RoZXI=")])]),
            s.chunk([s.candidate([s.text("C")])]),
        ]
    )
    assert parts_of(acc) == [
        {"text": "AB", "thoughtSignature": SIG},
        {"text": "C", "thoughtSignature": "b3RoZXI="},
    ]
    # An empty text part carrying the signature at the end (as Gemini 3 streams it).
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("Hello")])]),
            s.chunk([s.candidate([s.text("", signature=SIG)], finishReason="STOP")]),
        ]
    )
    assert parts_of(acc) == [{"text": "Hello", "thoughtSignature": SIG}]


def test_function_calls_stay_apart_and_in_order() -> None:
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("Checking.")])]),
            s.chunk([s.candidate([s.call("a", {"x": 1}, id="c1"), s.call("b", {})])]),
            s.chunk([s.candidate([s.call("a", {"x": 2})])]),
            s.chunk([s.candidate([s.text("")], finishReason="STOP")]),
        ]
    )
    assert [p.get("functionCall") for p in parts_of(acc)] == [
        None,
        {"id": "c1", "name": "a", "args": {"x": 1}},
        {"name": "b", "args": {}},
        {"name": "a", "args": {"x": 2}},
        None,
    ]
    assert [(c.id, c.name, c.arguments, c.index) for c in acc.tool_calls] == [
        ("c1", "a", '{"x":1}', 0),
        (None, "b", "{}", 1),
        (None, "a", '{"x":2}', 2),
    ]


def test_other_parts_are_kept_as_they_came_and_break_the_text() -> None:
    code = {"executableCode": {"language": "PYTHON", "code": "print(1)"}}
    result = {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n"}}
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("Run: "), code])]),
            s.chunk([s.candidate([result, s.text("It printed ")])]),
            s.chunk([s.candidate([s.text("1.")])]),
        ]
    )
    assert parts_of(acc) == [{"text": "Run: "}, code, result, {"text": "It printed 1."}]
    assert acc.text == "Run: It printed 1."
    assert acc.tool_calls == []


def test_candidates_fold_by_index_and_index_0_may_be_left_out() -> None:
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("a")], index=None), s.candidate([s.text("x")], index=1)]),
            s.chunk([s.candidate([s.text("y")], index=1), s.candidate([s.text("b")], index=0)]),
        ]
    )
    assert [c.index for c in acc.result.candidates] == [0, 1]
    assert parts_of(acc, 0) == [{"text": "ab"}]
    assert parts_of(acc, 1) == [{"text": "xy"}]
    assert acc.text == "ab"


# -- metadata ------------------------------------------------------------------------------


def test_candidate_metadata() -> None:
    ratings = [{"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"}]
    later = [{"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "LOW"}]
    acc = s.fold(
        [
            s.chunk(
                [
                    s.candidate(
                        [s.text("a")],
                        safetyRatings=ratings,
                        groundingMetadata={},
                        citationMetadata={"citationSources": [{"startIndex": 0, "endIndex": 1}]},
                        logprobsResult={
                            "chosenCandidates": [{"token": "a"}],
                            "logProbabilitySum": -1,
                        },
                    )
                ]
            ),
            s.chunk(
                [
                    s.candidate(
                        [s.text("b")],
                        finishReason="STOP",
                        finishMessage="done",
                        safetyRatings=later,
                        groundingMetadata={"webSearchQueries": ["q"], "groundingChunks": []},
                        urlContextMetadata={"urlMetadata": [{"retrievedUrl": "u"}]},
                        citationMetadata={"citations": [{"uri": "v"}]},
                        logprobsResult={
                            "chosenCandidates": [{"token": "b"}],
                            "logProbabilitySum": -2,
                        },
                        avgLogprobs=-0.25,
                        tokenCount=2,
                    )
                ]
            ),
        ]
    )
    candidate = msgspec.to_builtins(acc.result)["candidates"][0]
    assert candidate["finishReason"] == "STOP"
    assert candidate["finishMessage"] == "done"
    assert candidate["safetyRatings"] == later
    assert candidate["groundingMetadata"] == {"webSearchQueries": ["q"], "groundingChunks": []}
    assert candidate["urlContextMetadata"] == {"urlMetadata": [{"retrievedUrl": "u"}]}
    assert candidate["citationMetadata"] == {
        "citationSources": [{"startIndex": 0, "endIndex": 1}],
        "citations": [{"uri": "v"}],
    }
    assert candidate["logprobsResult"] == {
        "chosenCandidates": [{"token": "a"}, {"token": "b"}],
        "logProbabilitySum": -2,
    }
    assert candidate["avgLogprobs"] == -0.25
    assert candidate["tokenCount"] == 2
    assert candidate["content"]["role"] == "model"


def test_response_metadata_last_wins_and_the_response_id_is_the_first() -> None:
    first = s.usage(9)
    last = s.usage(9, 30, 7)
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("a")])], usage_metadata=first),
            s.chunk(
                [s.candidate([s.text("b")], finishReason="STOP")],
                usage_metadata=last,
                createTime="2026-01-01T00:00:00Z",
            ),
        ]
    )
    result = msgspec.to_builtins(acc.result)
    assert result["usageMetadata"] == last
    assert result["modelVersion"] == s.MODEL
    assert result["responseId"] == s.RESPONSE_ID
    assert result["createTime"] == "2026-01-01T00:00:00Z"
    assert set(result) == {
        "candidates",
        "usageMetadata",
        "modelVersion",
        "responseId",
        "createTime",
    }


# -- reading -------------------------------------------------------------------------------


def test_nothing_before_the_first_chunk() -> None:
    acc = gemini.Accumulator()
    assert acc.result is None
    assert acc.text == acc.reasoning == acc.refusal == ""
    assert acc.tool_calls == []
    assert acc.usage == streamkit.Usage()
    assert acc.outcome.kind == "truncated"
    assert not acc.done


def test_reads_mid_stream_and_results_never_change() -> None:
    acc = gemini.Accumulator()
    events = s.events(
        s.chunk([s.candidate([s.text("Hel")])]),
        s.chunk([s.candidate([s.text("lo"), s.call("f", {"a": 1})])]),
        s.chunk([s.candidate([s.text("!")], finishReason="STOP")]),
    )
    acc.feed(events[0])
    first = acc.result
    assert acc.text == "Hel"
    assert acc.result is first  # unchanged: the same object
    acc.feed(events[1])
    assert acc.text == "Hello"
    assert [c.name for c in acc.tool_calls] == ["f"]
    assert acc.outcome.kind == "truncated"
    assert not acc.done
    acc.feed(events[2])
    assert acc.text == "Hello!"
    assert acc.done
    assert msgspec.to_builtins(first)["candidates"][0]["content"]["parts"] == [{"text": "Hel"}]
    assert parts_of(acc) == [
        {"text": "Hello"},
        {"functionCall": {"name": "f", "args": {"a": 1}}},
        {"text": "!"},
    ]


def test_done_waits_for_every_candidate() -> None:
    acc = s.fold(
        [
            s.chunk(
                [
                    s.candidate([s.text("a")], index=0, finishReason="STOP"),
                    s.candidate([s.text("b")], index=1),
                ]
            ),
        ]
    )
    assert not acc.done
    assert acc.outcome.kind == "completed"  # candidate 0 decides
    acc.feed(s.events(s.chunk([s.candidate([], index=1, finishReason="STOP")]))[0])
    assert acc.done


def test_errors_are_collected() -> None:
    error = {"code": 503, "message": "The model is overloaded.", "status": "UNAVAILABLE"}
    acc = s.fold([s.chunk([s.candidate([s.text("a")])]), {"error": error}])
    assert acc.errors == [
        gemini.ErrorObject(code=503, message=error["message"], status="UNAVAILABLE")
    ]
    assert acc.text == "a"


# -- violations ----------------------------------------------------------------------------


def test_a_chunk_of_another_response_is_not_folded() -> None:
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("a")])]),
            s.chunk([s.candidate([s.text("b")])], response_id="other"),
            s.chunk([s.candidate([s.text("c")])], response_id=None),
        ]
    )
    assert acc.text == "ac"
    [warning] = acc.warnings
    assert (warning.kind, warning.ordinal, warning.object_id) == (
        "other-response",
        1,
        s.RESPONSE_ID,
    )
    with pytest.raises(streamkit.FoldError, match="a chunk of other"):
        s.fold(
            [s.chunk([s.candidate([s.text("a")])]), s.chunk([], response_id="other")], strict=True
        )


@pytest.mark.parametrize("index", [-1, 10_001])
def test_a_candidate_index_out_of_range_is_not_folded(index: int) -> None:
    acc = s.fold([s.chunk([s.candidate([s.text("a")], index=index), s.candidate([s.text("b")])])])
    assert acc.text == "b"
    assert [c.index for c in acc.result.candidates] == [0]
    assert [w.kind for w in acc.warnings] == ["index-out-of-range"]


def test_parts_after_the_finish_reason_are_folded_with_a_warning() -> None:
    acc = s.fold(
        [
            s.chunk([s.candidate([s.text("a")], finishReason="STOP")]),
            s.chunk([s.candidate([s.text("b")])]),
        ]
    )
    assert acc.text == "ab"
    [warning] = acc.warnings
    assert (warning.kind, warning.index) == ("after-finish", 0)


def test_an_invalid_event_is_a_violation() -> None:
    events = list(streamkit.iter_events([s.sse('{"candidates": 1}')], "gemini", on_error="yield"))
    acc = s.fold(events)
    assert [w.kind for w in acc.warnings] == ["invalid-event"]
    with pytest.raises(streamkit.FoldError):
        s.fold(events, strict=True)


def test_another_dialect_s_events_are_a_dialect_mismatch() -> None:
    chunk = '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}'
    chat = f"data: {chunk}\n\n".encode()
    with pytest.warns(streamkit.DialectMismatch):
        events = list(streamkit.iter_events([chat], "gemini"))
    acc = s.fold(events)
    assert [w.kind for w in acc.warnings] == ["dialect-mismatch"]


def test_warnings_are_bounded() -> None:
    chunks = [s.chunk([s.candidate([s.text("a")], index=-1)]) for _ in range(20)]
    acc = gemini.Accumulator(max_warnings=5)
    for event in s.events(*chunks):
        acc.feed(event)
    assert len(acc.warnings) == 5
    assert acc.warnings_dropped == 15


# -- any chunking, either form -------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    cuts=st.lists(st.integers(0, 1 << 14), max_size=20),
    form=st.sampled_from(["sse", "array"]),
)
def test_any_chunking_of_either_form_gives_the_same_events_and_result(
    seed: int, cuts: list[int], form: str
) -> None:
    chunks, expected = s.random_stream(seed)
    body = s.sse(*chunks) if form == "sse" else s.array(*chunks)
    whole = list(streamkit.iter_events([body], "gemini"))
    assert whole == list(streamkit.iter_events([s.sse(*chunks)], "gemini"))  # one form, one event
    points = sorted(min(c, len(body)) for c in cuts)
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]
    assert list(streamkit.iter_events(pieces, "gemini")) == whole
    assert list(streamkit.iter_events(pieces, "auto")) == whole
    acc = s.fold(whole, strict=True)
    assert acc.text == expected["text"]
    assert acc.reasoning == expected["reasoning"]
    assert [(c.name, c.arguments) for c in acc.tool_calls] == expected["calls"]
    assert (
        msgspec.to_builtins(acc.result)["candidates"][0].get("content", {}).get("parts", [])
        == expected["parts"]
    )
    assert acc.outcome.kind == ("requires_action" if expected["calls"] else "completed")


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32), form=st.sampled_from(["sse", "array"]))
def test_one_byte_at_a_time_gives_the_same(seed: int, form: str) -> None:
    chunks, _ = s.random_stream(seed)
    body = s.sse(*chunks) if form == "sse" else s.array(*chunks)
    whole = list(streamkit.iter_events([body], "gemini"))
    assert (
        list(streamkit.iter_events([body[i : i + 1] for i in range(len(body))], "gemini")) == whole
    )
