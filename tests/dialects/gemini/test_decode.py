"""Decoding Gemini frames: every payload kind, integer enums, unknown parts, errors, detection."""

from __future__ import annotations

import json

import msgspec
import pytest
from msgspec import UNSET

import streamkit
from streamkit.dialects import gemini

from . import streams as s


def decode(payload: object) -> object:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return gemini.decode_event("message", data)


def test_a_chunk_decodes_to_a_response_event() -> None:
    event = decode(s.chunk([s.candidate([s.text("Hi")], finishReason="STOP")]))
    assert type(event) is gemini.GenerateContentResponseEvent
    assert event.event == "message"
    response = event.data
    [candidate] = response.candidates
    assert candidate.content.parts == [gemini.Part(text="Hi")]
    assert candidate.content.role == "model"
    assert candidate.finish_reason == "STOP"
    assert candidate.index == 0
    assert response.model_version == s.MODEL
    assert response.response_id == s.RESPONSE_ID
    assert response.usage_metadata.prompt_token_count == 9


def test_every_part_kind_decodes() -> None:
    parts = [
        s.text("thinking", thought=True, signature="c2ln"),
        s.call("get_weather", {"city": "Paris"}, id="a1"),
        {"functionResponse": {"name": "f", "response": {"ok": True}}},
        {"executableCode": {"language": "PYTHON", "code": "print(1)", "id": "x"}},
        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1\n", "id": "x"}},
        {"inlineData": {"mimeType": "image/png", "data": "iVBORw0KGgo="}},
        {"fileData": {"mimeType": "application/pdf", "fileUri": "gs://b/f.pdf"}},
        {"toolCall": {"id": "t", "toolType": "FILE_SEARCH"}, "thoughtSignature": "c2ln"},
        {"toolResponse": {"id": "t", "toolType": "FILE_SEARCH", "response": {}}},
    ]
    event = decode(s.chunk([s.candidate(parts)]))
    got = event.data.candidates[0].content.parts
    assert got[0].thought is True
    assert got[0].thought_signature == "c2ln"
    assert got[1].function_call == gemini.FunctionCall(
        id="a1", name="get_weather", args={"city": "Paris"}
    )
    assert got[2].function_response.response == {"ok": True}
    assert got[3].executable_code.code == "print(1)"
    assert got[4].code_execution_result.outcome == "OUTCOME_OK"
    assert got[5].inline_data.mime_type == "image/png"
    assert got[6].file_data.file_uri == "gs://b/f.pdf"
    assert got[7].tool_call.tool_type == "FILE_SEARCH"
    assert got[8].tool_response.response == {}
    assert all(part.unknown is UNSET for part in got)
    # Back to the JSON it came as.
    assert msgspec.to_builtins(got) == parts


def test_metadata_decodes() -> None:
    candidate = s.candidate(
        [s.text("x")],
        finishReason="MAX_TOKENS",
        finishMessage="m",
        safetyRatings=[{"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "LOW"}],
        citationMetadata={"citationSources": [{"startIndex": 1, "endIndex": 5, "uri": "u"}]},
        groundingMetadata={"webSearchQueries": ["q"]},
        urlContextMetadata={"urlMetadata": []},
        avgLogprobs=-0.5,
        tokenCount=3,
    )
    chunk = s.chunk(
        [candidate],
        promptFeedback={"safetyRatings": []},
        createTime="2026-03-21T18:11:55.919086Z",
    )
    response = decode(chunk).data
    got = response.candidates[0]
    assert got.safety_ratings == [
        gemini.SafetyRating(category="HARM_CATEGORY_HATE_SPEECH", probability="LOW")
    ]
    assert got.citation_metadata.citation_sources[0].end_index == 5
    assert got.grounding_metadata == {"webSearchQueries": ["q"]}
    assert response.create_time == "2026-03-21T18:11:55.919086Z"
    assert msgspec.to_builtins(response) == chunk


def test_integer_enums_are_kept_as_numbers() -> None:
    """``$alt=json;enum-encoding=int`` sends enum values as numbers."""
    chunk = s.chunk(
        [
            s.candidate(
                [s.text("1")], finishReason=1, safetyRatings=[{"category": 8, "probability": 1}]
            )
        ],
        usage_metadata={
            "promptTokenCount": 3,
            "promptTokensDetails": [{"modality": 1, "tokenCount": 3}],
        },
    )
    response = decode(chunk).data
    assert response.candidates[0].finish_reason == 1
    assert response.candidates[0].safety_ratings[0].category == 8
    assert response.usage_metadata.prompt_tokens_details[0].modality == 1
    assert msgspec.to_builtins(response) == chunk


def test_new_enum_values_decode() -> None:
    response = decode(s.chunk([s.candidate([], finishReason="SOMETHING_NEW")])).data
    assert response.candidates[0].finish_reason == "SOMETHING_NEW"


def test_a_part_of_an_unknown_kind_is_kept_whole() -> None:
    new = {"audioTranscription": {"text": "hello"}, "meta": [1]}
    chunk = s.chunk([s.candidate([s.text("a"), new, {}])])
    response = decode(chunk).data
    first, kept, empty = response.candidates[0].content.parts
    assert first.text == "a"
    assert kept.unknown == new
    assert empty.unknown == {}
    # encode writes it back as it came.
    [again] = streamkit.iter_events(
        [streamkit.encode(gemini.GenerateContentResponseEvent(data=response))], "gemini"
    )
    assert again.data == response
    body = streamkit.encode(again).removeprefix(b"data: ")
    assert json.loads(body)["candidates"][0]["content"]["parts"] == [{"text": "a"}, new, {}]


def test_too_many_parts_of_unknown_kinds_is_a_decode_error() -> None:
    parts = [{"x": i} for i in range(10_001)]
    with pytest.raises(streamkit.DecodeError, match="more than 10000 parts"):
        decode(s.chunk([s.candidate(parts)]))


def test_an_error_object_is_an_error_event() -> None:
    error = {"code": 429, "message": "Resource exhausted", "status": "RESOURCE_EXHAUSTED"}
    event = decode({"error": error})
    assert type(event) is gemini.ErrorEvent
    assert event.event == "message"
    assert event.data == gemini.ErrorObject(
        code=429, message="Resource exhausted", status="RESOURCE_EXHAUSTED"
    )
    details = {
        "error": {**error, "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo"}]}
    }
    assert decode(details).data.details == details["error"]["details"]
    assert decode({"error": "plain words"}).data == gemini.ErrorObject(message="plain words")


def test_an_object_with_none_of_a_response_s_keys_is_an_unknown_event() -> None:
    assert decode({}) == streamkit.UnknownEvent("message", b"{}")
    assert type(decode({"id": "x", "choices": []})) is streamkit.UnknownEvent
    only_id = decode({"responseId": "r"})
    assert type(only_id) is gemini.GenerateContentResponseEvent


@pytest.mark.parametrize(
    ("payload", "path", "message"),
    [
        pytest.param(b'{"candidates": "x"}', "$.candidates", "expected array", id="wrong-type"),
        pytest.param(
            b'{"candidates": [{"index": "0"}]}', "$.candidates[0].index", "expected int", id="index"
        ),
        pytest.param(
            b'{"candidates": [{"content": {"parts": [{"text": 1}]}}]}',
            "$.candidates[0].content.parts[0].text",
            "expected str",
            id="text",
        ),
        pytest.param(b"[1]", "$", "expected object", id="not-an-object"),
        pytest.param(b'{"candidates": [', "$", "truncated", id="truncated"),
        pytest.param(b"", "$", "empty", id="empty"),
        pytest.param(b"data", "$", "malformed", id="malformed"),
    ],
)
def test_a_bad_payload_is_a_decode_error_with_its_path(
    payload: bytes, path: str, message: str
) -> None:
    with pytest.raises(streamkit.DecodeError) as info:
        gemini.decode_event("message", payload)
    assert info.value.path == path
    assert message in info.value.message
    assert info.value.event == "message"
    assert info.value.excerpt == payload[:60]


def test_a_bad_payload_in_a_stream_names_its_place() -> None:
    body = s.sse(s.chunk([s.candidate([s.text("a")])]), '{"candidates": 7}')
    with pytest.raises(streamkit.DecodeError) as info:
        list(streamkit.iter_events([body], "gemini"))
    assert (info.value.ordinal, info.value.offset) == (
        1,
        len(s.sse(s.chunk([s.candidate([s.text("a")])]))),
    )
    array = s.array(s.chunk([s.candidate([s.text("a")])]), '{"candidates": 7}')
    with pytest.raises(streamkit.DecodeError) as info:
        list(streamkit.iter_events([array], "gemini"))
    assert info.value.ordinal == 1
    assert info.value.offset == array.index(b'{"candidates": 7}')


def test_another_frame_name_is_an_unknown_event() -> None:
    event = gemini.decode_event("ping", b"{}")
    assert event == streamkit.UnknownEvent("ping", b"{}")


def test_a_view_decodes_without_a_copy() -> None:
    data = json.dumps(s.chunk([s.candidate([s.text("v")])])).encode()
    assert gemini.decode_event("message", memoryview(data)) == gemini.decode_event("message", data)


@pytest.mark.parametrize(
    ("payload", "claimed"),
    [
        (b'{"candidates": []}', True),
        (b'{"promptFeedback": {"blockReason": "SAFETY"}}', True),
        (b'{"usageMetadata": {}}', True),
        (b'{"error": {"code": 429, "message": "m", "status": "RESOURCE_EXHAUSTED"}}', True),
        (b'{"error": {"message": "m", "type": "server_error"}}', False),  # OpenAI's shape
        (b'{"error": {"code": 5, "status": 7}}', False),
        (b'{"id": "chatcmpl-1", "object": "chat.completion.chunk"}', False),
        (b"[DONE]", False),
    ],
)
def test_detection(payload: bytes, claimed: bool) -> None:
    assert gemini.looks_like_gemini("message", payload) is claimed
    assert gemini.looks_like_gemini("error", payload) is False


def test_the_dialect_is_registered_with_both_framings() -> None:
    dialect = streamkit.dialects.get("gemini")
    assert dialect is gemini.DIALECT
    assert dialect.framings == ("sse", "jsonarray")
    assert set(dialect.events) == {gemini.GenerateContentResponseEvent, gemini.ErrorEvent}
    assert streamkit.gemini is gemini
    assert "gemini" in streamkit.dialects.names()
    assert {"text", "functionCall", "thoughtSignature"} <= gemini.KNOWN_PART_KEYS
