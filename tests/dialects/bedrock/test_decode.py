"""Decoding Bedrock event stream messages into typed events."""

from __future__ import annotations

import base64
import json

import msgspec
import pytest
from msgspec import UNSET

import streamkit
from streamkit import dialects
from streamkit.dialects import bedrock

from .streams import METRICS, anthropic_events, dumps


def decode(name: str, payload: object) -> object:
    data = payload if isinstance(payload, bytes) else dumps(payload)
    return bedrock.decode_event(name, data)


def chunk(payload: object) -> bytes:
    raw = payload if isinstance(payload, bytes) else dumps(payload)
    return dumps({"bytes": base64.b64encode(raw).decode(), "p": "abc"})


class TestConverseEvents:
    """Each ConverseStream event decodes to its class, wire names to snake_case attributes."""

    def test_message_start(self) -> None:
        event = decode("messageStart", {"p": "abcd", "role": "assistant"})
        assert event == bedrock.MessageStartEvent(role="assistant", p="abcd")
        assert event.event == "messageStart"  # type: ignore[attr-defined]

    def test_content_block_start_of_a_tool_use(self) -> None:
        payload = {"contentBlockIndex": 1, "start": {"toolUse": {"name": "f", "toolUseId": "t1"}}}
        event = decode("contentBlockStart", payload)
        assert isinstance(event, bedrock.ContentBlockStartEvent)
        assert event.content_block_index == 1
        assert event.start.tool_use == bedrock.ToolUseBlockStart(name="f", tool_use_id="t1")
        assert event.start.tool_result is UNSET

    def test_content_block_start_of_a_tool_result_and_an_image(self) -> None:
        start = {"toolResult": {"status": "success", "toolUseId": "t1", "type": "x_result"}}
        event = decode("contentBlockStart", {"contentBlockIndex": 2, "start": start})
        assert isinstance(event, bedrock.ContentBlockStartEvent)
        assert event.start.tool_result == bedrock.ToolResultBlockStart(
            status="success", tool_use_id="t1", type="x_result"
        )
        event = decode(
            "contentBlockStart", {"contentBlockIndex": 0, "start": {"image": {"format": "png"}}}
        )
        assert isinstance(event, bedrock.ContentBlockStartEvent)
        assert event.start.image == bedrock.ImageBlockStart(format="png")

    @pytest.mark.parametrize(
        ("delta", "member", "value"),
        [
            ({"text": "Hi"}, "text", "Hi"),
            ({"toolUse": {"input": '{"a"'}}, "tool_use", bedrock.ToolUseBlockDelta(input='{"a"')),
            (
                {"reasoningContent": {"text": "hmm"}},
                "reasoning_content",
                bedrock.ReasoningContentBlockDelta(text="hmm"),
            ),
            (
                {"reasoningContent": {"signature": "Eu0C"}},
                "reasoning_content",
                bedrock.ReasoningContentBlockDelta(signature="Eu0C"),
            ),
            (
                {"reasoningContent": {"redactedContent": "AAEC"}},
                "reasoning_content",
                bedrock.ReasoningContentBlockDelta(redacted_content=b"\x00\x01\x02"),
            ),
            (
                {"toolResult": [{"json": {"b": 1, "a": 2}}, {"text": "ok"}]},
                "tool_result",
                [
                    bedrock.ToolResultBlockDelta(json={"b": 1, "a": 2}),
                    bedrock.ToolResultBlockDelta(text="ok"),
                ],
            ),
            (
                {
                    "citation": {
                        "title": "Doc",
                        "location": {"documentChar": {"documentIndex": 0, "start": 1, "end": 9}},
                    }
                },
                "citation",
                bedrock.CitationsDelta(
                    title="Doc",
                    location=bedrock.CitationLocation(
                        document_char=bedrock.DocumentCharLocation(document_index=0, start=1, end=9)
                    ),
                ),
            ),
            (
                {"image": {"source": {"bytes": "iVBO"}}},
                "image",
                bedrock.ImageBlockDelta(
                    source=bedrock.ImageSource(bytes_=base64.b64decode("iVBO"))
                ),
            ),
        ],
    )
    def test_every_delta_member(self, delta: dict[str, object], member: str, value: object) -> None:
        event = decode("contentBlockDelta", {"contentBlockIndex": 3, "delta": delta, "p": "x"})
        assert isinstance(event, bedrock.ContentBlockDeltaEvent)
        assert event.content_block_index == 3
        assert getattr(event.delta, member) == value
        assert event.delta.unknown is UNSET
        assert event.p == "x"

    def test_stop_events_and_metadata(self) -> None:
        assert decode(
            "contentBlockStop", {"contentBlockIndex": 0}
        ) == bedrock.ContentBlockStopEvent(content_block_index=0)
        stop = decode(
            "messageStop", {"stopReason": "tool_use", "additionalModelResponseFields": {"x": [1]}}
        )
        assert stop == bedrock.MessageStopEvent(
            stop_reason="tool_use", additional_model_response_fields={"x": [1]}
        )
        usage = {
            "cacheReadInputTokens": 1028,
            "cacheWriteInputTokens": 0,
            "inputTokens": 12,
            "outputTokens": 250,
            "serverToolUsage": {},
            "totalTokens": 1290,
        }
        trace = {"promptRouter": {"invokedModelId": "m"}, "guardrail": {"actionReason": "none"}}
        metadata = decode(
            "metadata",
            {
                "metrics": {"latencyMs": 9613},
                "usage": usage,
                "trace": trace,
                "performanceConfig": {"latency": "optimized"},
                "serviceTier": {"type": "flex"},
            },
        )
        assert isinstance(metadata, bedrock.MetadataEvent)
        assert metadata.usage == bedrock.TokenUsage(
            cache_read_input_tokens=1028,
            cache_write_input_tokens=0,
            input_tokens=12,
            output_tokens=250,
            server_tool_usage={},
            total_tokens=1290,
        )
        assert metadata.metrics == bedrock.ConverseMetrics(latency_ms=9613)
        assert metadata.trace == bedrock.ConverseStreamTrace(
            prompt_router=bedrock.PromptRouterTrace(invoked_model_id="m"),
            guardrail={"actionReason": "none"},
        )
        assert metadata.performance_config == bedrock.PerformanceConfiguration(latency="optimized")
        assert metadata.service_tier == bedrock.ServiceTier(type="flex")

    def test_new_stop_reasons_and_fields_decode(self) -> None:
        event = decode("messageStop", {"stopReason": "some_new_reason", "newField": 1})
        assert event == bedrock.MessageStopEvent(stop_reason="some_new_reason")

    def test_a_memoryview_decodes_like_bytes(self) -> None:
        data = dumps({"contentBlockIndex": 0, "delta": {"text": "é"}})
        assert bedrock.decode_event("contentBlockDelta", memoryview(data)) == bedrock.decode_event(
            "contentBlockDelta", data
        )


class TestUnknownMembers:
    """A delta or start of a member this dialect does not know keeps it raw."""

    def test_an_unknown_delta_member_is_kept(self) -> None:
        data = dumps({"contentBlockIndex": 0, "delta": {"audio": {"data": "AAAA"}}, "p": "ab"})
        event = bedrock.decode_event("contentBlockDelta", data)
        assert isinstance(event, bedrock.ContentBlockDeltaEvent)
        assert event.delta == bedrock.ContentBlockDelta(unknown={"audio": {"data": "AAAA"}})
        assert event.p == "ab"
        [message] = streamkit.EventStreamDecoder().feed(bedrock.DIALECT.encode(event))
        assert message.data == data

    def test_an_empty_delta_is_kept_empty(self) -> None:
        data = dumps({"contentBlockIndex": 0, "delta": {}})
        event = bedrock.decode_event("contentBlockDelta", data)
        assert isinstance(event, bedrock.ContentBlockDeltaEvent)
        assert event.delta.unknown == {}
        [message] = streamkit.EventStreamDecoder().feed(bedrock.DIALECT.encode(event))
        assert message.data == data

    def test_an_unknown_start_member_is_kept(self) -> None:
        data = dumps({"contentBlockIndex": 4, "start": {"video": {"format": "mp4"}}})
        event = bedrock.decode_event("contentBlockStart", data)
        assert isinstance(event, bedrock.ContentBlockStartEvent)
        assert event.start.unknown == {"video": {"format": "mp4"}}
        [message] = streamkit.EventStreamDecoder().feed(bedrock.DIALECT.encode(event))
        assert message.data == data

    def test_an_unknown_event_name(self) -> None:
        event = bedrock.decode_event("somethingNew", b'{"a":1}')
        assert event == streamkit.UnknownEvent("somethingNew", b'{"a":1}')


class TestExceptions:
    @pytest.mark.parametrize("name", sorted(bedrock.EXCEPTIONS))
    def test_every_exception(self, name: str) -> None:
        event = decode(name, {"message": "it broke"})
        assert isinstance(event, bedrock.BedrockException)
        assert type(event) is bedrock.EXCEPTIONS[name]
        assert event.event == name
        assert event.message == "it broke"

    def test_model_stream_error_has_the_models_own_status(self) -> None:
        payload = {"message": "m", "originalMessage": "upstream said no", "originalStatusCode": 424}
        event = decode("modelStreamErrorException", payload)
        assert event == bedrock.ModelStreamErrorException(
            message="m", original_message="upstream said no", original_status_code=424
        )


class TestChunks:
    """InvokeModel chunks: the base64 bytes decoded, then read by their family."""

    def test_an_anthropic_chunk_is_decoded_by_the_anthropic_dialect(self) -> None:
        inner = anthropic_events("Hi")[2]
        event = bedrock.decode_event("chunk", chunk(inner))
        assert isinstance(event, bedrock.AnthropicChunk)
        assert event.body == dumps(inner)
        assert event.p == "abc"
        anthropic = dialects.get("anthropic")
        assert event.payload == anthropic.decode("content_block_delta", dumps(inner))
        assert type(event.payload) in anthropic.events
        assert event.invocation_metrics is UNSET

    def test_the_anthropic_type_need_not_come_first(self) -> None:
        inner = {"index": 0, "type": "content_block_stop"}
        event = bedrock.decode_event("chunk", chunk(json.dumps(inner).encode()))
        assert isinstance(event, bedrock.AnthropicChunk)
        assert event.payload.event == "content_block_stop"

    def test_the_last_anthropic_chunk_has_the_invocation_metrics(self) -> None:
        event = bedrock.decode_event("chunk", chunk(anthropic_events("x")[-1]))
        assert isinstance(event, bedrock.AnthropicChunk)
        assert event.payload.event == "message_stop"
        assert event.invocation_metrics == bedrock.InvocationMetrics(
            input_token_count=10,
            output_token_count=7,
            invocation_latency=812,
            first_byte_latency=301,
        )

    def test_another_family_is_kept_as_builtins(self) -> None:
        inner = {
            "generation": " is",
            "stop_reason": "length",
            "amazon-bedrock-invocationMetrics": METRICS,
        }
        event = bedrock.decode_event("chunk", chunk(inner))
        assert isinstance(event, bedrock.Chunk)
        assert event.payload == inner
        assert event.invocation_metrics == msgspec.convert(METRICS, bedrock.InvocationMetrics)

    def test_a_legacy_anthropic_completion_is_another_family(self) -> None:
        inner = {"type": "completion", "completion": " Hi", "stop_reason": None, "stop": None}
        event = bedrock.decode_event("chunk", chunk(inner))
        assert isinstance(event, bedrock.Chunk)
        assert event.payload == inner

    @pytest.mark.parametrize("body", [b"The answer is 42.", b"42", b"", "€".encode()])
    def test_bytes_that_are_no_json_object_are_text(self, body: bytes) -> None:
        event = bedrock.decode_event("chunk", dumps({"bytes": base64.b64encode(body).decode()}))
        assert event == bedrock.TextChunk(body=body)
        assert isinstance(event, bedrock.TextChunk)
        assert event.text == body.decode()

    def test_text_that_is_not_utf8_is_replaced_not_raised(self) -> None:
        event = bedrock.decode_event(
            "chunk", dumps({"bytes": base64.b64encode(b"\xff ok").decode()})
        )
        assert isinstance(event, bedrock.TextChunk)
        assert event.text == "\ufffd ok"

    def test_a_trace(self) -> None:
        payload = {"sessionId": "s", "trace": {"orchestrationTrace": {}}}
        assert decode("trace", payload) == bedrock.Trace(data=payload)


class TestErrors:
    """A payload that is not what its name says is a DecodeError naming where, in our words."""

    def test_a_missing_required_field(self) -> None:
        with pytest.raises(streamkit.DecodeError) as info:
            decode("contentBlockDelta", {"delta": {"text": "x"}})
        assert info.value.path == "$"
        assert info.value.event == "contentBlockDelta"
        assert "contentBlockIndex" in info.value.message

    def test_a_wrong_type_deep_inside(self) -> None:
        with pytest.raises(streamkit.DecodeError) as info:
            decode(
                "contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolUse": {"input": 5}}}
            )
        assert info.value.path == "$.delta.toolUse.input"

    @pytest.mark.parametrize("data", [b"", b"{", b'{"role": "assistant"', b"\xff", b"[1]"])
    def test_broken_json(self, data: bytes) -> None:
        with pytest.raises(streamkit.DecodeError) as info:
            bedrock.decode_event("messageStart", data)
        assert info.value.event == "messageStart"

    @pytest.mark.parametrize(
        "data",
        [b'{"bytes": "not base64!"}', b'{"bytes": 5}', b"{}", b"nope", b'{"bytes": null}'],
    )
    def test_a_broken_chunk_envelope(self, data: bytes) -> None:
        with pytest.raises(streamkit.DecodeError) as info:
            bedrock.decode_event("chunk", data)
        assert info.value.event == "chunk"

    def test_a_broken_anthropic_event_inside_a_chunk(self) -> None:
        inner = {
            "type": "content_block_delta",
            "index": "zero",
            "delta": {"type": "text_delta", "text": "x"},
        }
        with pytest.raises(streamkit.DecodeError) as info:
            bedrock.decode_event("chunk", chunk(inner))
        assert info.value.event == "chunk"
        assert info.value.path == "$.index"
        assert info.value.message.startswith("chunk bytes: ")

    def test_broken_invocation_metrics(self) -> None:
        for inner in (
            {"type": "message_stop", "amazon-bedrock-invocationMetrics": {"inputTokenCount": "x"}},
            {"generation": "", "amazon-bedrock-invocationMetrics": {"inputTokenCount": "x"}},
        ):
            with pytest.raises(streamkit.DecodeError) as info:
                bedrock.decode_event("chunk", chunk(inner))
            assert info.value.event == "chunk"
            assert "amazon-bedrock-invocationMetrics" in (info.value.path or "")

    @pytest.mark.parametrize("data", [b"[]", b"nope"])
    def test_a_broken_trace(self, data: bytes) -> None:
        with pytest.raises(streamkit.DecodeError) as info:
            bedrock.decode_event("trace", data)
        assert info.value.event == "trace"

    def test_the_stream_layer_locates_the_error(self) -> None:
        from .streams import message, text_stream

        body = text_stream("a").body() + message("contentBlockDelta", {"contentBlockIndex": "x"})
        events = list(streamkit.iter_events([body], "bedrock", on_error="yield"))
        bad = events[-1]
        assert isinstance(bad, streamkit.InvalidEvent)
        assert bad.error.ordinal == len(events) - 1
        assert bad.error.offset == len(text_stream("a").body())
        with pytest.raises(streamkit.DecodeError):
            list(streamkit.iter_events([body], "bedrock"))


class TestDetection:
    @pytest.mark.parametrize(
        "name", sorted(bedrock.CONVERSE_EVENTS) + sorted(bedrock.EXCEPTIONS) + ["trace"]
    )
    def test_claims_its_names(self, name: str) -> None:
        assert bedrock.looks_like_bedrock(name, b"{}")

    def test_claims_a_chunk_with_bytes_only(self) -> None:
        assert bedrock.looks_like_bedrock("chunk", memoryview(b'{"bytes":"e30="}'))
        assert not bedrock.looks_like_bedrock("chunk", b'{"data":"e30="}')

    @pytest.mark.parametrize(
        "name", ["message", "message_start", "error", "event", "response.created"]
    )
    def test_claims_no_other_name(self, name: str) -> None:
        assert not bedrock.looks_like_bedrock(name, b"{}")

    def test_auto_reads_an_event_stream_as_bedrock(self) -> None:
        from .streams import text_stream

        body = text_stream("Hello", " there").body()
        assert list(streamkit.iter_events([body])) == list(streamkit.iter_events([body], "bedrock"))
        acc = streamkit.Accumulator()
        for event in streamkit.iter_events([body[i : i + 7] for i in range(0, len(body), 7)]):
            acc.feed(event)
        assert (acc.dialect, acc.text) == ("bedrock", "Hello there")
