"""The Bedrock fold: merge rules, violations, the three APIs, reads mid-stream."""

from __future__ import annotations

import base64

import msgspec
import pytest

import streamkit
from streamkit.dialects import bedrock

from .streams import METRICS, Stream, anthropic_events, fold, invoke, text_stream, tool_stream


def content(acc: bedrock.Accumulator) -> list[object]:
    result = acc.result
    assert isinstance(result, bedrock.ConverseResponse)
    return msgspec.to_builtins(result.output.message.content)  # type: ignore[no-any-return]


def kinds(acc: bedrock.Accumulator) -> list[str]:
    return [w.kind for w in acc.warnings]


class TestConverseMerge:
    """Each delta member is merged by its rule (``bedrock.MERGE``)."""

    def test_text_is_concatenated_and_the_response_has_converse_shape(self) -> None:
        acc = text_stream("Hel", "lo", " wörld").fold(strict=True)
        assert msgspec.to_builtins(acc.result) == {
            "metrics": {"latencyMs": 321},
            "output": {"message": {"content": [{"text": "Hello wörld"}], "role": "assistant"}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 12, "outputTokens": 5, "totalTokens": 17},
        }
        assert acc.done
        assert acc.api == "converse"

    def test_citations_make_a_citations_content_block(self) -> None:
        location = {"documentPage": {"documentIndex": 0, "start": 2, "end": 3}}
        citation = {"title": "Report", "sourceContent": [{"text": "p. 2"}], "location": location}
        stream = Stream().start().text(0, "Sales grew").delta(0, {"citation": citation})
        stream.text(0, " 8%.").stop(0).end().metadata()
        acc = stream.fold(strict=True)
        assert content(acc) == [
            {
                "citationsContent": {
                    "citations": [
                        {
                            "location": location,
                            "sourceContent": [{"text": "p. 2"}],
                            "title": "Report",
                        }
                    ],
                    "content": [{"text": "Sales grew 8%."}],
                }
            }
        ]
        assert acc.text == "Sales grew 8%."

    def test_reasoning_text_and_signature(self) -> None:
        stream = Stream().start().reasoning(0, text="Think").reasoning(0, text="ing.")
        stream.reasoning(0, signature="Eu0C").reasoning(0, signature="Cgg=").stop(0)
        acc = stream.text(1, "Answer").stop(1).end().metadata().fold(strict=True)
        assert content(acc) == [
            {"reasoningContent": {"reasoningText": {"signature": "Eu0CCgg=", "text": "Thinking."}}},
            {"text": "Answer"},
        ]
        assert acc.text == "Answer"

    def test_redacted_reasoning_bytes_are_concatenated(self) -> None:
        one, two = base64.b64encode(b"\x01\x02").decode(), base64.b64encode(b"\x03").decode()
        stream = (
            Stream().start().reasoning(0, redactedContent=one).reasoning(0, redactedContent=two)
        )
        acc = stream.stop(0).end().metadata().fold(strict=True)
        result = acc.result
        assert isinstance(result, bedrock.ConverseResponse)
        [block] = result.output.message.content
        assert block.reasoning_content == bedrock.ReasoningContentBlock(
            redacted_content=b"\x01\x02\x03"
        )

    def test_tool_input_is_concatenated_and_parsed_once_at_the_stop(self) -> None:
        acc = bedrock.Accumulator(strict=True)
        events = tool_stream('{"city": ', '"Par', 'is"}').typed()
        stop_at = next(
            i
            for i, e in enumerate(events)
            if isinstance(e, bedrock.ContentBlockStopEvent) and e.content_block_index == 1
        )
        for event in events[:stop_at]:
            acc.feed(event)
        assert content(acc)[1] == {
            "toolUse": {"input": {}, "name": "get_weather", "toolUseId": "tooluse_1"}
        }
        assert acc.raw_input(1) == '{"city": "Paris"}'
        assert acc.tool_calls == [
            streamkit.ToolCall(
                id="tooluse_1", name="get_weather", arguments='{"city": "Paris"}', index=1
            )
        ]
        for event in events[stop_at:]:
            acc.feed(event)
        assert content(acc)[1]["toolUse"]["input"] == {"city": "Paris"}  # type: ignore[index]
        assert acc.raw_input(1) is None
        assert acc.outcome == streamkit.Outcome(kind="requires_action", reason="tool_use")

    def test_a_tool_without_input_has_an_empty_object(self) -> None:
        stream = Stream().start().tool(0, "now", "t0").stop(0).end("tool_use").metadata()
        acc = stream.fold(strict=True)
        assert content(acc) == [{"toolUse": {"input": {}, "name": "now", "toolUseId": "t0"}}]
        assert acc.tool_calls == [streamkit.ToolCall(id="t0", name="now", arguments="", index=0)]

    def test_a_server_tool_and_its_result(self) -> None:
        stream = Stream().start().tool(0, "nova_code_interpreter", "t0", type="server_tool_use")
        stream.json(0, '{"snippet": "1+1"}').stop(0)
        start = {"toolResult": {"status": "success", "toolUseId": "t0", "type": "code_result"}}
        stream.block(1, start)
        stream.delta(
            1,
            {
                "toolResult": [
                    {"text": "std"},
                ]
            },
        ).delta(1, {"toolResult": [{"text": "out"}]})
        stream.delta(1, {"toolResult": [{"json": {"exitCode": 0, "stdOut": "2"}}]}).stop(1)
        acc = stream.end().metadata().fold(strict=True)
        assert content(acc)[1] == {
            "toolResult": {
                "content": [{"text": "stdout"}, {"json": {"exitCode": 0, "stdOut": "2"}}],
                "status": "success",
                "toolUseId": "t0",
                "type": "code_result",
            }
        }
        assert acc.tool_calls == []  # the service's own tool: nothing for the caller to run

    def test_image_bytes_are_concatenated(self) -> None:
        one, two = base64.b64encode(b"\x89PNG").decode(), base64.b64encode(b"rest").decode()
        stream = Stream().start().block(0, {"image": {"format": "png"}})
        stream.delta(0, {"image": {"source": {"bytes": one}}}).delta(
            0, {"image": {"source": {"bytes": two}}}
        )
        acc = stream.stop(0).end().metadata().fold(strict=True)
        result = acc.result
        assert isinstance(result, bedrock.ConverseResponse)
        [block] = result.output.message.content
        assert block.image == bedrock.ImageBlock(
            format="png", source=bedrock.ImageSource(bytes_=b"\x89PNGrest")
        )

    def test_image_from_s3_and_its_error(self) -> None:
        stream = Stream().start().block(0, {"image": {"format": "jpeg"}})
        stream.delta(0, {"image": {"source": {"s3Location": {"uri": "s3://b/k"}}}})
        stream.delta(0, {"image": {"error": {"message": "blocked"}}})
        acc = stream.stop(0).end().metadata().fold(strict=True)
        assert content(acc) == [
            {
                "image": {
                    "error": {"message": "blocked"},
                    "format": "jpeg",
                    "source": {"s3Location": {"uri": "s3://b/k"}},
                }
            }
        ]

    def test_a_block_of_an_unknown_kind_is_merged_raw(self) -> None:
        stream = Stream().start().delta(0, {"audio": {"transcript": "He", "n": 1}})
        stream.delta(0, {"audio": {"transcript": "llo", "n": 2}}).stop(0)
        stream.block(1, {"video": {"format": "mp4"}}).stop(1)
        acc = stream.end().metadata().fold(strict=True)
        assert content(acc) == [
            {"streamkit.unknown": {"audio": {"transcript": "Hello", "n": 2}}},
            {"streamkit.unknown": {"video": {"format": "mp4"}}},
        ]
        assert acc.text == ""

    def test_an_unknown_delta_member_for_a_known_block_is_passed_over(self) -> None:
        stream = Stream().start().text(0, "A").delta(0, {"textMeta": {"x": 1}}).text(0, "B")
        acc = stream.stop(0).end().metadata().fold(strict=True)
        assert content(acc) == [{"text": "AB"}]

    def test_blocks_are_listed_by_index(self) -> None:
        stream = Stream().start().text(2, "second").stop(2).text(0, "first").stop(0)
        acc = stream.end().metadata().fold()
        assert content(acc) == [{"text": "first"}, {"text": "second"}]
        assert acc.text == "firstsecond"

    def test_additional_fields_trace_tier_and_performance(self) -> None:
        more = {
            "trace": {"promptRouter": {"invokedModelId": "arn:model"}},
            "performanceConfig": {"latency": "optimized"},
            "serviceTier": {"type": "priority"},
        }
        stream = Stream().start().text(0, "x").stop(0)
        stream.end("end_turn", additionalModelResponseFields={"stop_sequence": None})
        acc = stream.metadata(**more).fold(strict=True)
        result = msgspec.to_builtins(acc.result)
        assert result["additionalModelResponseFields"] == {"stop_sequence": None}
        assert result["trace"] == more["trace"]
        assert result["performanceConfig"] == {"latency": "optimized"}
        assert result["serviceTier"] == {"type": "priority"}


class TestReadingMidStream:
    def test_the_result_never_changes_once_returned(self) -> None:
        events = text_stream("a", "b", "c").typed()
        acc = bedrock.Accumulator()
        seen = []
        for event in events:
            acc.feed(event)
            seen.append((acc.result, msgspec.to_builtins(acc.result), acc.text))
        for result, builtins, _ in seen:
            assert msgspec.to_builtins(result) == builtins
        assert [text for *_, text in seen] == ["", "a", "ab", "abc", "abc", "abc", "abc"]
        assert acc.result is acc.result  # kept until an event changes it

    def test_nothing_folded_yet(self) -> None:
        acc = bedrock.Accumulator()
        assert acc.result is None
        assert acc.outcome.kind == "truncated"
        assert (acc.text, acc.tool_calls, acc.usage) == ("", [], streamkit.Usage())
        assert acc.api is None
        acc.feed(streamkit.UnknownEvent("somethingNew", b"{}"))
        assert acc.result is None


class TestViolations:
    def test_content_before_message_start(self) -> None:
        acc = Stream().text(0, "a").text(0, "b").stop(0).end().metadata().fold()
        assert kinds(acc) == ["no-message-start"]
        assert acc.warnings[0].ordinal == 0
        assert acc.warnings[0].event == "contentBlockDelta"
        assert acc.text == "ab"
        assert msgspec.to_builtins(acc.result)["output"]["message"]["role"] == "assistant"

    def test_a_late_message_start_keeps_what_came_before(self) -> None:
        acc = Stream().text(0, "a").start().text(0, "b").stop(0).end().fold()
        assert kinds(acc) == ["no-message-start"]
        assert acc.text == "ab"

    def test_a_second_message_start_starts_over(self) -> None:
        stream = text_stream("old").start().text(0, "new").stop(0).end()
        acc = stream.fold()
        assert kinds(acc) == ["second-message-start"]
        assert acc.text == "new"
        assert acc.usage == streamkit.Usage()

    @pytest.mark.parametrize("index", [-1, bedrock.MAX_INDEX + 1])
    def test_an_index_out_of_range(self, index: int) -> None:
        acc = Stream().start().text(index, "x").stop(index).end().fold()
        assert kinds(acc) == ["index-out-of-range", "index-out-of-range"]
        assert content(acc) == []

    def test_a_duplicate_block_start(self) -> None:
        stream = Stream().start().tool(0, "a", "t1").json(0, "{}").tool(0, "b", "t2").stop(0)
        acc = stream.end("tool_use").fold()
        assert kinds(acc) == ["duplicate-block-start"]
        assert [c.name for c in acc.tool_calls] == ["b"]

    def test_a_tool_delta_without_its_start(self) -> None:
        acc = Stream().start().json(0, '{"a": 1}').stop(0).end("tool_use").fold()
        assert kinds(acc) == ["no-block-start"]
        assert acc.warnings[0].index == 0
        assert content(acc) == [{"toolUse": {"input": {"a": 1}, "name": "", "toolUseId": ""}}]

    def test_a_delta_that_does_not_fit_its_block(self) -> None:
        stream = Stream().start().tool(0, "f", "t").text(0, "text?").reasoning(0, text="r")
        acc = stream.stop(0).end("tool_use").fold()
        assert kinds(acc) == ["delta-type", "delta-type"]
        assert acc.text == ""

    def test_after_a_block_stop(self) -> None:
        acc = Stream().start().text(0, "a").stop(0).text(0, "b").stop(0).end().fold()
        assert kinds(acc) == ["after-block-stop", "after-block-stop"]
        assert acc.text == "a"

    def test_a_stop_for_a_block_never_begun(self) -> None:
        acc = Stream().start().stop(3).end().fold()
        assert kinds(acc) == ["unknown-index"]

    def test_tool_input_that_is_not_json(self) -> None:
        stream = Stream().start().tool(0, "f", "t").json(0, '{"a": ').stop(0).end("tool_use")
        acc = stream.fold()
        assert kinds(acc) == ["invalid-input-json"]
        assert content(acc)[0]["toolUse"]["input"] == {}  # type: ignore[index]
        assert acc.raw_input(0) == '{"a": '
        assert acc.tool_calls[0].arguments == '{"a": '

    def test_message_stop_with_an_open_block(self) -> None:
        acc = Stream().start().text(0, "a").end().fold()
        assert kinds(acc) == ["block-not-stopped"]
        assert acc.outcome.kind == "completed"

    def test_after_message_stop(self) -> None:
        acc = text_stream("a").text(0, "b").end().fold()
        assert kinds(acc) == ["after-message-stop", "after-block-stop", "after-message-stop"]
        assert acc.text == "a"  # the block had stopped

    def test_metadata_after_message_stop_is_no_violation(self) -> None:
        acc = (
            text_stream("a")
            .metadata({"inputTokens": 1, "outputTokens": 2, "totalTokens": 3})
            .fold()
        )
        assert kinds(acc) == []
        assert acc.usage.total_tokens == 3  # the last metadata wins

    def test_strict_raises_at_the_first(self) -> None:
        events = Stream().start().text(0, "a").stop(0).text(0, "b").typed()
        acc = bedrock.Accumulator(strict=True)
        for event in events[:3]:
            acc.feed(event)
        with pytest.raises(streamkit.FoldError) as info:
            acc.feed(events[3])
        assert info.value.ordinal == 3
        assert info.value.event == "contentBlockDelta"

    def test_an_invalid_event_is_a_violation(self) -> None:
        acc = bedrock.Accumulator()
        error = streamkit.DecodeError("bad", event="contentBlockDelta")
        acc.feed(streamkit.InvalidEvent("contentBlockDelta", b"{", error))
        assert kinds(acc) == ["invalid-event"]

    def test_events_of_the_other_api_are_ignored(self) -> None:
        events = text_stream("a").typed() + invoke({"generation": "x"}).typed()
        acc = fold(events)
        assert kinds(acc) == ["mixed-apis"]
        assert acc.text == "a"
        events = invoke({"generation": "x"}).typed() + text_stream("a").typed()[:2]
        acc = fold(events)
        assert kinds(acc) == ["mixed-apis", "mixed-apis"]
        assert acc.text == "x"

    def test_a_chunk_of_another_family(self) -> None:
        acc = invoke({"generation": "a"}, {"outputs": [{"text": "b"}]}).fold()
        assert kinds(acc) == ["mixed-apis"]
        assert (acc.family, acc.text) == ("llama", "a")

    def test_warnings_are_bounded(self) -> None:
        stream = Stream().start()
        for _ in range(5):
            stream.stop(9)
        events = stream.typed()
        acc = bedrock.Accumulator(max_warnings=2)
        for event in events:
            acc.feed(event)
        assert len(acc.warnings) == 2
        assert acc.warnings_dropped == 3


class TestExceptions:
    def test_an_exception_ends_the_stream_errored(self) -> None:
        stream = Stream().start().text(0, "Hal").exception("throttlingException", "Too many tokens")
        acc = stream.fold(strict=True)
        assert acc.done
        [error] = acc.errors
        assert error == bedrock.ThrottlingException(message="Too many tokens")
        assert acc.outcome == streamkit.Outcome(
            kind="errored", reason="throttlingException", error=error
        )
        assert acc.text == "Hal"

    def test_an_exception_in_an_invoke_stream(self) -> None:
        acc = invoke({"generation": "a"}).exception("modelTimeoutException", "slow").fold()
        assert acc.outcome.kind == "errored"
        assert acc.outcome.reason == "modelTimeoutException"


class TestInvokeAnthropic:
    """Anthropic chunks are folded by the anthropic dialect's fold, found in the registry."""

    def test_the_result_is_the_anthropic_message(self) -> None:
        acc = invoke(*anthropic_events("Hello", " there")).fold(strict=True)
        assert (acc.api, acc.family) == ("invoke", "anthropic")
        assert type(acc.inner) is type(streamkit.dialects.get("anthropic").accumulator())
        message = msgspec.to_builtins(acc.result)
        assert message["content"] == [{"type": "text", "text": "Hello there"}]
        assert message["stop_reason"] == "end_turn"
        assert acc.text == "Hello there"
        assert acc.done
        assert acc.outcome == streamkit.Outcome(kind="completed", reason="end_turn")
        assert acc.invocation_metrics == msgspec.convert(METRICS, bedrock.InvocationMetrics)
        usage = acc.usage
        assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (10, 7, 17)

    def test_tool_arguments_are_the_streamed_text(self) -> None:
        events = anthropic_events("Checking.", stop_reason="tool_use")
        tool = {"type": "tool_use", "id": "toolu_bdrk_1", "name": "get", "input": {}}
        json_delta = {"type": "input_json_delta", "partial_json": ""}
        tool_events = [
            {"type": "content_block_start", "index": 1, "content_block": tool},
            {"type": "content_block_delta", "index": 1, "delta": json_delta},
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": json_delta | {"partial_json": '{"k": '},
            },
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": json_delta | {"partial_json": "1}"},
            },
            {"type": "content_block_stop", "index": 1},
        ]
        acc = invoke(*events[:4], *tool_events, *events[4:]).fold(strict=True)
        assert acc.tool_calls == [
            streamkit.ToolCall(id="toolu_bdrk_1", name="get", arguments='{"k": 1}', index=1)
        ]
        assert acc.outcome.kind == "requires_action"

    @pytest.mark.parametrize(
        ("reason", "kind"),
        [("max_tokens", "incomplete"), ("pause_turn", "incomplete"), ("refusal", "completed")],
    )
    def test_the_stop_reason(self, reason: str, kind: str) -> None:
        acc = invoke(*anthropic_events("x", stop_reason=reason)).fold()
        assert acc.outcome == streamkit.Outcome(kind=kind, reason=reason)  # type: ignore[arg-type]

    def test_cut_before_message_stop(self) -> None:
        acc = invoke(*anthropic_events("x")[:-1]).fold()
        assert acc.outcome.kind == "truncated"

    def test_an_anthropic_error_event(self) -> None:
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        acc = invoke(*anthropic_events("x")[:3], error).fold()
        assert acc.outcome.kind == "errored"
        assert acc.outcome.reason == "overloaded_error"
        assert acc.outcome.error.message == "Overloaded"

    def test_the_anthropic_folds_violations_are_reported_with_this_folds_ordinals(self) -> None:
        events = anthropic_events("x")
        # An exception nobody folds into the anthropic fold, then a stray delta.
        stray = {
            "type": "content_block_delta",
            "index": 5,
            "delta": {"type": "text_delta", "text": "?"},
        }
        stream = invoke(*events[:3])
        stream.messages.append(Stream(pad=False).exception("internalServerException").messages[0])
        stream.chunk(stray)
        acc = stream.fold()
        violation = [w for w in acc.warnings if w.kind == "unknown-index"]
        assert [w.ordinal for w in violation] == [4]
        assert all(isinstance(w, streamkit.Violation) for w in acc.warnings)

    def test_strict_raises_with_this_folds_ordinal(self) -> None:
        stray = {
            "type": "content_block_delta",
            "index": 5,
            "delta": {"type": "text_delta", "text": "?"},
        }
        events = invoke(*anthropic_events("x")[:2], stray).typed()
        acc = bedrock.Accumulator(strict=True)
        acc.feed(streamkit.UnknownEvent("somethingNew", b"{}"))
        acc.feed(events[0])
        acc.feed(events[1])
        with pytest.raises(streamkit.FoldError) as info:
            acc.feed(events[2])
        assert (info.value.ordinal, info.value.event) == (3, "chunk")


class TestInvokeNova:
    """Nova chunks are ConverseStream events by name: folded by the Converse rules."""

    def test_a_nova_stream_folds_to_a_converse_response(self) -> None:
        acc = invoke(
            {"messageStart": {"role": "assistant"}},
            {"contentBlockDelta": {"delta": {"text": "Hi"}, "contentBlockIndex": 0}},
            {"contentBlockStop": {"contentBlockIndex": 0}},
            {
                "contentBlockStart": {
                    "start": {"toolUse": {"toolUseId": "u1", "name": "f"}},
                    "contentBlockIndex": 1,
                }
            },
            {
                "contentBlockDelta": {
                    "delta": {"toolUse": {"input": '{"a":1}'}},
                    "contentBlockIndex": 1,
                }
            },
            {"contentBlockStop": {"contentBlockIndex": 1}},
            {"messageStop": {"stopReason": "tool_use"}},
            {
                "metadata": {
                    "usage": {"inputTokens": 4, "outputTokens": 6},
                    "metrics": {},
                    "trace": {},
                },
                "amazon-bedrock-invocationMetrics": METRICS,
            },
        ).fold(strict=True)
        assert (acc.api, acc.family) == ("invoke", "nova")
        assert content(acc) == [
            {"text": "Hi"},
            {"toolUse": {"input": {"a": 1}, "name": "f", "toolUseId": "u1"}},
        ]
        assert acc.outcome == streamkit.Outcome(kind="requires_action", reason="tool_use")
        assert acc.tool_calls == [
            streamkit.ToolCall(id="u1", name="f", arguments='{"a":1}', index=1)
        ]
        assert (acc.usage.input_tokens, acc.usage.output_tokens, acc.usage.total_tokens) == (
            4,
            6,
            10,
        )

    def test_a_nova_chunk_that_is_no_converse_event(self) -> None:
        acc = invoke({"messageStart": {"role": 5}}).fold()
        assert kinds(acc) == ["invalid-chunk"]


class TestInvokeFamilies:
    """The other families are read best-effort, into the model's own response."""

    def test_llama(self) -> None:
        acc = invoke(
            {
                "generation": "Here",
                "prompt_token_count": 23,
                "generation_token_count": 1,
                "stop_reason": None,
            },
            {
                "generation": " is",
                "prompt_token_count": None,
                "generation_token_count": 2,
                "stop_reason": "length",
                "amazon-bedrock-invocationMetrics": METRICS,
            },
        ).fold(strict=True)
        assert acc.result == {
            "generation": "Here is",
            "prompt_token_count": 23,
            "generation_token_count": 2,
            "stop_reason": "length",
        }
        assert acc.outcome == streamkit.Outcome(kind="incomplete", reason="length")
        assert acc.usage.raw == acc.invocation_metrics

    def test_llama_usage_without_metrics(self) -> None:
        acc = invoke(
            {"generation": "x", "prompt_token_count": 3, "generation_token_count": 1}
        ).fold()
        assert acc.usage == streamkit.Usage(input_tokens=3, output_tokens=1, total_tokens=4)
        assert acc.outcome.kind == "truncated"

    def test_mistral(self) -> None:
        acc = invoke(
            {"outputs": [{"text": " Paris", "stop_reason": None}]},
            {
                "outputs": [{"text": "", "stop_reason": "stop"}],
                "amazon-bedrock-invocationMetrics": METRICS,
            },
        ).fold(strict=True)
        assert acc.result == {"outputs": [{"text": " Paris", "stop_reason": "stop"}]}
        assert acc.outcome == streamkit.Outcome(kind="completed", reason="stop")

    def test_cohere(self) -> None:
        response = {"response_id": "r", "text": "Hi!", "finish_reason": "COMPLETE"}
        events = [
            {"is_finished": False, "event_type": "stream-start", "generation_id": "g"},
            {"is_finished": False, "event_type": "text-generation", "text": "Hi"},
            {"is_finished": False, "event_type": "text-generation", "text": "!"},
        ]
        acc = invoke(*events).fold()
        assert acc.result == {"text": "Hi!", "finish_reason": None}
        assert acc.outcome.kind == "truncated"
        end = {
            "is_finished": True,
            "event_type": "stream-end",
            "response": response,
            "finish_reason": "COMPLETE",
        }
        acc = invoke(*events, end).fold(strict=True)
        assert acc.result == response
        assert acc.text == "Hi!"
        assert acc.outcome == streamkit.Outcome(kind="completed", reason="COMPLETE")

    def test_cohere_generate(self) -> None:
        acc = invoke(
            {"text": "Hi", "is_finished": False},
            {"is_finished": True, "finish_reason": "MAX_TOKENS"},
        ).fold()
        assert (acc.text, acc.outcome.kind, acc.outcome.reason) == (
            "Hi",
            "incomplete",
            "MAX_TOKENS",
        )

    def test_titan(self) -> None:
        acc = invoke(
            {
                "outputText": "Hel",
                "index": 0,
                "totalOutputTextTokenCount": 1,
                "completionReason": None,
                "inputTextTokenCount": 5,
            },
            {
                "outputText": "lo",
                "index": 0,
                "totalOutputTextTokenCount": 2,
                "completionReason": "FINISH",
            },
        ).fold()
        assert acc.result == {
            "inputTextTokenCount": 5,
            "results": [{"tokenCount": 2, "outputText": "Hello", "completionReason": "FINISH"}],
        }
        assert acc.outcome == streamkit.Outcome(kind="completed", reason="FINISH")
        assert acc.usage == streamkit.Usage(input_tokens=5, output_tokens=2, total_tokens=7)

    @pytest.mark.parametrize(
        ("reason", "kind"),
        [
            ("CONTENT_FILTERED", "incomplete"),
            ("LENGTH", "incomplete"),
            ("ERROR_TOXIC", "failed"),
            ("USER_CANCEL", "cancelled"),
            ("SOMETHING_NEW", "completed"),
        ],
    )
    def test_family_stop_reasons(self, reason: str, kind: str) -> None:
        acc = invoke({"outputText": "x", "completionReason": reason}).fold()
        assert acc.outcome == streamkit.Outcome(kind=kind, reason=reason)  # type: ignore[arg-type]

    def test_legacy_anthropic_completions(self) -> None:
        acc = invoke(
            {"type": "completion", "completion": " The", "stop_reason": None, "stop": None},
            {
                "type": "completion",
                "completion": "",
                "stop_reason": "stop_sequence",
                "stop": "\n\nHuman:",
            },
        ).fold()
        assert acc.family == "anthropic-text"
        assert acc.result == {
            "type": "completion",
            "completion": " The",
            "stop_reason": "stop_sequence",
            "stop": "\n\nHuman:",
        }

    def test_openai_style(self) -> None:
        acc = invoke(
            {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]},
            {
                "choices": [{"index": 0, "delta": {"content": "!"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 3, "completion_tokens": 2},
            },
        ).fold()
        assert acc.result == {
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi!"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2},
        }
        assert (acc.usage.input_tokens, acc.usage.output_tokens) == (3, 2)
        deepseek = invoke(
            {"choices": [{"text": "a", "stop_reason": None}]},
            {"choices": [{"text": "b", "stop_reason": "stop"}]},
        )
        assert (deepseek.fold().text, deepseek.fold().outcome.kind) == ("ab", "completed")

    def test_an_unknown_family_says_what_the_metrics_say(self) -> None:
        acc = invoke(
            {"tokens": ["a"]}, {"tokens": ["b"], "amazon-bedrock-invocationMetrics": METRICS}
        ).fold()
        assert acc.family == "unknown"
        assert (acc.result, acc.text) == ({}, "")
        assert acc.outcome == streamkit.Outcome(kind="completed")
        assert acc.usage.input_tokens == 10


class TestInvokeAgent:
    def test_the_answer_text_is_folded(self) -> None:
        stream = Stream()
        stream.add("trace", {"trace": {"orchestrationTrace": {}}})
        stream.chunk(b"The answer ")
        stream.chunk("is 42. ✓".encode())
        acc = stream.fold(strict=True)
        assert acc.api == "agent"
        assert acc.result == {"text": "The answer is 42. ✓"}
        assert acc.text == "The answer is 42. ✓"
        assert acc.outcome.kind == "truncated"  # the stream has no end the fold can see
        assert acc.usage == streamkit.Usage()
