"""The Bedrock dialect on the common face: outcome, text, tool calls, usage, deltas, lanes."""

from __future__ import annotations

import pytest

import streamkit
from streamkit.dialects import bedrock

from .streams import METRICS, Stream, anthropic_events, invoke, message, text_stream, tool_stream


class TestOutcome:
    """Every row of the outcome table (``bedrock.STOP_REASONS``, the fold's documentation)."""

    @pytest.mark.parametrize(
        ("reason", "kind"),
        [
            ("end_turn", "completed"),
            ("stop_sequence", "completed"),
            ("tool_use", "requires_action"),
            ("max_tokens", "incomplete"),
            ("model_context_window_exceeded", "incomplete"),
            ("guardrail_intervened", "incomplete"),
            ("content_filtered", "incomplete"),
            ("malformed_model_output", "failed"),
            ("malformed_tool_use", "failed"),
            ("a_reason_from_next_year", "completed"),
        ],
    )
    def test_the_stop_reason(self, reason: str, kind: str) -> None:
        acc = text_stream("x", reason=reason).fold()
        assert acc.outcome == streamkit.Outcome(kind=kind, reason=reason)  # type: ignore[arg-type]

    def test_no_message_stop_is_truncated(self) -> None:
        events = text_stream("a", "b").typed()
        for n in range(len(events) - 2):  # every prefix before messageStop
            acc = bedrock.Accumulator()
            for event in events[:n]:
                acc.feed(event)
            assert acc.outcome == streamkit.Outcome(kind="truncated")
            assert not acc.done

    def test_the_outcome_is_decided_at_message_stop(self) -> None:
        events = text_stream("a").typed()
        acc = bedrock.Accumulator()
        for event in events[:-1]:  # all but metadata
            acc.feed(event)
        assert acc.outcome == streamkit.Outcome(kind="completed", reason="end_turn")
        assert acc.usage == streamkit.Usage()

    @pytest.mark.parametrize("name", sorted(bedrock.EXCEPTIONS))
    def test_an_exception_is_errored(self, name: str) -> None:
        acc = Stream().start().text(0, "a").exception(name, "no").fold()
        outcome = acc.outcome
        assert (outcome.kind, outcome.reason) == ("errored", name)
        assert outcome.error.message == "no"
        assert acc.errors == [outcome.error]


class TestTextAndToolCalls:
    def test_text_mid_stream(self) -> None:
        events = (
            Stream().start().text(0, "Hel").text(0, "lo").stop(0).reasoning(1, text="no").typed()
        )
        acc = bedrock.Accumulator()
        texts = []
        for event in events:
            acc.feed(event)
            texts.append(acc.text)
        assert texts == ["", "Hel", "Hello", "Hello", "Hello"]
        assert acc.refusal == ""

    def test_tool_calls_mid_stream(self) -> None:
        events = tool_stream('{"ci', 'ty": "Oslo"}').typed()
        acc = bedrock.Accumulator()
        seen = []
        for event in events:
            acc.feed(event)
            seen.append([(c.id, c.name, c.arguments, c.index) for c in acc.tool_calls])
        assert seen[2] == []
        assert seen[3] == [("tooluse_1", "get_weather", "", 1)]  # the block started
        assert seen[4] == [("tooluse_1", "get_weather", '{"ci', 1)]
        assert seen[-1] == [("tooluse_1", "get_weather", '{"city": "Oslo"}', 1)]

    def test_several_tool_calls_in_index_order(self) -> None:
        stream = Stream().start().tool(0, "a", "t0").json(0, "{}").stop(0)
        stream.tool(1, "b", "t1").json(1, '{"x": 1}').stop(1).end("tool_use")
        calls = stream.fold().tool_calls
        assert [(c.name, c.arguments, c.index) for c in calls] == [
            ("a", "{}", 0),
            ("b", '{"x": 1}', 1),
        ]


class TestUsage:
    def test_metadata_usage(self) -> None:
        usage = {
            "cacheReadInputTokens": 1028,
            "cacheWriteInputTokens": 3,
            "inputTokens": 12,
            "outputTokens": 250,
            "totalTokens": 1293,
        }
        acc = Stream().start().text(0, "x").stop(0).end().metadata(usage).fold()
        got = acc.usage
        assert (got.input_tokens, got.output_tokens, got.total_tokens) == (12, 250, 1293)
        assert got.cached_input_tokens == 1028
        assert got.reasoning_tokens is None
        assert got.raw == bedrock.TokenUsage(
            cache_read_input_tokens=1028,
            cache_write_input_tokens=3,
            input_tokens=12,
            output_tokens=250,
            total_tokens=1293,
        )

    def test_the_count_spelling_of_the_cache_and_no_total(self) -> None:
        usage = {"cacheReadInputTokenCount": 7, "inputTokens": 1, "outputTokens": 2}
        got = Stream().start().end().metadata(usage).fold().usage
        assert (got.cached_input_tokens, got.total_tokens) == (7, 3)

    def test_invocation_metrics(self) -> None:
        metrics = METRICS | {"cacheReadInputTokenCount": 5}
        got = invoke({"generation": "x", "amazon-bedrock-invocationMetrics": metrics}).fold().usage
        assert got == streamkit.Usage(
            input_tokens=10,
            output_tokens=7,
            total_tokens=17,
            cached_input_tokens=5,
            raw=bedrock.InvocationMetrics(
                input_token_count=10,
                output_token_count=7,
                invocation_latency=812,
                first_byte_latency=301,
                cache_read_input_token_count=5,
            ),
        )


class TestDeltas:
    """The content each event carries, as ``streamkit.deltas`` yields it."""

    def test_converse_deltas(self) -> None:
        stream = Stream().start().text(0, "Hi").text(0, "").reasoning(1, text="hmm")
        stream.reasoning(1, signature="sig").json(2, '{"a"').delta(3, {"citation": {"title": "t"}})
        got = list(streamkit.deltas(stream.typed()))
        assert got == [
            streamkit.Delta("text", 0, "Hi"),
            streamkit.Delta("reasoning", 1, "hmm"),
            streamkit.Delta("tool_arguments", 2, '{"a"'),
        ]

    def test_anthropic_chunk_deltas(self) -> None:
        thinking = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "so"},
        }
        partial = {
            "type": "content_block_delta",
            "index": 2,
            "delta": {"type": "input_json_delta", "partial_json": "{"},
        }
        events = invoke(thinking, *anthropic_events("Hi")[1:3], partial).typed()
        assert list(streamkit.deltas(events)) == [
            streamkit.Delta("reasoning", 0, "so"),
            streamkit.Delta("text", 0, "Hi"),
            streamkit.Delta("tool_arguments", 2, "{"),
        ]

    def test_model_family_deltas(self) -> None:
        events = invoke(
            {"generation": "a"},
            {"outputs": [{"text": "b"}]},
            {"outputText": "c"},
            {"event_type": "text-generation", "text": "d", "is_finished": False},
            {"event_type": "stream-end", "response": {"text": "d"}, "is_finished": True},
            {"completion": "e"},
            {"choices": [{"delta": {"content": "f"}}]},
            {"something": "else"},
        ).typed()
        assert list(streamkit.text_deltas(events)) == list("abcdef")

    def test_nova_deltas(self) -> None:
        events = invoke(
            {"contentBlockDelta": {"delta": {"text": "Hi"}, "contentBlockIndex": 0}},
            {
                "contentBlockDelta": {
                    "delta": {"reasoningContent": {"text": "r"}},
                    "contentBlockIndex": 1,
                }
            },
            {"contentBlockDelta": {"delta": {"toolUse": {"input": "{}"}}, "contentBlockIndex": 2}},
            {"contentBlockDelta": {"delta": {"text": "x"}, "contentBlockIndex": "?"}},
            {"messageStop": {"stopReason": "end_turn"}},
        ).typed()
        assert list(streamkit.deltas(events)) == [
            streamkit.Delta("text", 0, "Hi"),
            streamkit.Delta("reasoning", 1, "r"),
            streamkit.Delta("tool_arguments", 2, "{}"),
        ]

    def test_agent_text_deltas(self) -> None:
        stream = Stream()
        stream.chunk(b"Answer.")
        assert list(streamkit.deltas(stream.typed())) == [streamkit.Delta("text", 0, "Answer.")]

    def test_the_text_deltas_are_the_folds_text(self) -> None:
        events = tool_stream('{"a": 1}').typed()
        acc = bedrock.Accumulator()
        for event in events:
            acc.feed(event)
        assert "".join(streamkit.text_deltas(events)) == acc.text == "Let me check."


class TestLanes:
    def lanes(self, stream: Stream) -> list[str]:
        return [bedrock.DIALECT.kind(event) for event in stream.typed()]

    def test_converse_lanes(self) -> None:
        stream = Stream().start().text(0, "x").delta(0, {"citation": {"title": "t"}})
        stream.reasoning(1, text="r").tool(2, "f", "t").json(2, "{}").stop(2)
        stream.block(3, {"toolResult": {"toolUseId": "t"}}).delta(
            3, {"toolResult": [{"text": "o"}]}
        )
        stream.block(4, {"image": {"format": "png"}}).end().metadata().exception(
            "throttlingException"
        )
        assert self.lanes(stream) == [
            "lifecycle",
            "content",
            "content",
            "reasoning",
            "tool",
            "tool",
            "lifecycle",
            "tool",
            "tool",
            "lifecycle",
            "lifecycle",
            "lifecycle",
            "error",
        ]

    def test_chunk_lanes(self) -> None:
        thinking = {
            "type": "content_block_delta",
            "index": 0,
            "delta": {"type": "thinking_delta", "thinking": "so"},
        }
        error = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        tool = {
            "type": "content_block_start",
            "index": 1,
            "content_block": {"type": "tool_use", "id": "t", "name": "f", "input": {}},
        }
        partial = {
            "type": "content_block_delta",
            "index": 1,
            "delta": {"type": "input_json_delta", "partial_json": "{"},
        }
        stream = invoke(
            anthropic_events("x")[0],
            {"type": "ping"},
            thinking,
            anthropic_events("x")[2],
            tool,
            partial,
            error,
        )
        assert self.lanes(stream) == [
            "lifecycle",
            "keepalive",
            "reasoning",
            "content",
            "tool",
            "tool",
            "error",
        ]
        stream = invoke({"generation": "a"}, {"generation": "", "stop_reason": "stop"})
        stream.chunk(b"plain text")
        stream.add("trace", {"trace": {}})
        assert self.lanes(stream) == ["content", "lifecycle", "content", "lifecycle"]
        assert bedrock.DIALECT.kind(streamkit.UnknownEvent("x", b"")) == "other"

    def test_only_a_ping_chunk_is_a_keepalive(self) -> None:
        events = invoke({"type": "ping"}, *anthropic_events("x")[:2]).typed()
        assert [bedrock.DIALECT.is_keepalive(e) for e in events] == [True, False, False]


class TestEncode:
    """Each event written back is its message's bytes again."""

    def test_every_converse_event(self) -> None:
        stream = Stream().start().text(0, 'é "q" \n').reasoning(1, text="r", signature="s")
        stream.reasoning(2, redactedContent="AAEC").tool(3, "f", "t", type="server_tool_use")
        stream.json(3, "{}").block(4, {"toolResult": {"status": "error", "toolUseId": "t"}})
        stream.delta(4, {"toolResult": [{"json": {"z": 1, "a": [None, 1.5]}}]})
        stream.block(5, {"image": {"format": "png"}}).delta(
            5, {"image": {"source": {"bytes": "iVBO"}}}
        )
        stream.delta(0, {"citation": {"location": {"web": {"url": "https://x"}}, "title": "t"}})
        stream.stop(0).end("end_turn", additionalModelResponseFields={"b": 1, "a": 2})
        stream.metadata(trace={"guardrail": {"z": {}, "a": []}}, serviceTier={"type": "flex"})
        self.check(stream)

    def test_exceptions_and_unknown_events(self) -> None:
        stream = Stream().start()
        for name in sorted(bedrock.EXCEPTIONS):
            stream.exception(name, "m")
        stream.exception(
            "modelStreamErrorException", "m", originalMessage="o", originalStatusCode=500
        )
        stream.messages.append(message("somethingNew", {"x": 1}))
        self.check(stream)

    def test_every_kind_of_chunk(self) -> None:
        stream = invoke(
            *anthropic_events("a"), {"generation": "x", "amazon-bedrock-invocationMetrics": METRICS}
        )
        stream.chunk(b"agent text")
        stream.add("trace", {"trace": {"b": 1, "a": 2}})
        self.check(stream)

    def check(self, stream: Stream) -> None:
        body = stream.body()
        events = list(streamkit.iter_events([body], "bedrock"))
        assert b"".join(bedrock.DIALECT.encode(event) for event in events) == body
        for event, raw in zip(events, stream.messages, strict=True):
            if type(event) is not streamkit.UnknownEvent:
                assert streamkit.encode(event) == raw

    def test_an_object_of_another_kind_is_refused(self) -> None:
        with pytest.raises(TypeError, match="not an event of the bedrock dialect"):
            bedrock.DIALECT.encode(object())


def test_the_dialect_record() -> None:
    dialect = streamkit.dialects.get("bedrock")
    assert dialect is bedrock.DIALECT
    assert dialect.framing == "eventstream"
    assert set(dialect.events) >= {
        bedrock.ContentBlockDeltaEvent,
        bedrock.AnthropicChunk,
        bedrock.Trace,
    }
    assert all(isinstance(cls.event, str) for cls in dialect.events)
    acc = dialect.accumulator()
    assert isinstance(acc, streamkit.Fold)
    assert acc.dialect == "bedrock"
