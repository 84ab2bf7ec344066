"""Specific fields of specific real Gemini captures (the kit checks the face on all of them)."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest

import streamkit
from streamkit.dialects import gemini
from tests.helpers import REAL

DIR = REAL / "gemini"


def _fold(name: str) -> tuple[gemini.Accumulator, dict[str, Any]]:
    acc = gemini.Accumulator(strict=True)
    for event in streamkit.iter_events([(DIR / name).read_bytes()], "gemini"):
        acc.feed(event)
    return acc, msgspec.to_builtins(acc.result)


def _objects(name: str) -> list[Any]:
    body = (DIR / name).read_bytes()
    if name.endswith(".json"):
        return list(json.loads(body))
    return [json.loads(line[5:]) for line in body.split(b"\r\n") if line.startswith(b"data:")]


@pytest.mark.parametrize("path", sorted(DIR.iterdir()), ids=lambda p: p.name)
def test_every_chunk_reads_back_as_the_json_it_came_as(path: Any) -> None:
    """Each event's response, as builtins, is the chunk's JSON, key for key."""
    events = list(streamkit.iter_events([path.read_bytes()], "gemini"))
    assert [msgspec.to_builtins(e.data) for e in events] == _objects(path.name)


def test_code_execution_parts() -> None:
    acc, result = _fold("pydantic-ai_code-execution-gemini3flash_2026-05-12.sse")
    parts = result["candidates"][0]["content"]["parts"]
    assert [sorted(set(p) - {"thoughtSignature"}) for p in parts] == [
        ["executableCode"],
        ["text"],
        ["codeExecutionResult"],
        ["text"],
    ]
    assert parts[2]["codeExecutionResult"]["outcome"] == "OUTCOME_OK"
    assert "thoughtSignature" in parts[3]  # the empty last text part's, joined to the text
    assert acc.usage.reasoning_tokens == 168


def test_gemini_3_server_side_tool_parts() -> None:
    _, result = _fold("pydantic-ai_file-search-toolcall-toolresponse-gemini3flash_2026-07-07.sse")
    parts = result["candidates"][0]["content"]["parts"]
    kinds = [next(k for k in p if k != "thoughtSignature") for p in parts]
    assert kinds[:2] == ["toolCall", "toolResponse"]
    assert parts[0]["toolCall"]["toolType"] == "FILE_SEARCH"
    assert parts[0]["toolCall"]["id"] == parts[1]["toolResponse"]["id"]
    assert "groundingChunks" in result["candidates"][0]["groundingMetadata"]


def test_grounding_arrives_whole_on_the_last_chunk() -> None:
    name = "pydantic-ai_grounding-web-search-non-ascii-gemini25pro_2025-09-18.sse"
    _, result = _fold(name)
    last = _objects(name)[-1]["candidates"][0]["groundingMetadata"]
    assert result["candidates"][0]["groundingMetadata"] == last


def test_url_context_metadata() -> None:
    _, result = _fold("pydantic-ai_url-context-gemini25flash_2025-11-25.sse")
    [entry] = result["candidates"][0]["urlContextMetadata"]["urlMetadata"]
    assert entry["urlRetrievalStatus"] == "URL_RETRIEVAL_STATUS_SUCCESS"


def test_vertex_ai_streams_keep_create_time_and_traffic_type() -> None:
    _, result = _fold("pydantic-ai_vertex-flex-traffic-type-gemini3flash_2026-03-21.sse")
    assert result["createTime"] == "2026-03-21T18:11:55.919086Z"
    assert result["usageMetadata"]["trafficType"] == "ON_DEMAND_FLEX"


def test_usage_grows_mid_stream_and_the_last_wins() -> None:
    name = "pydantic-ai_usage-mid-stream-gemini25flash_2026-07-22.sse"
    acc, result = _fold(name)
    assert result["usageMetadata"] == _objects(name)[-1]["usageMetadata"]
    assert acc.usage.output_tokens == 80 + 35


def test_thought_signature_on_the_first_answer_part_stays_with_the_answer() -> None:
    acc, result = _fold("pydantic-ai_thinking-gemini25pro_2025-09-10.sse")
    thought, answer = result["candidates"][0]["content"]["parts"]
    assert thought["thought"] is True
    assert "thoughtSignature" not in thought
    assert answer["text"].startswith("This is a great question!")
    assert answer["thoughtSignature"]
    assert acc.usage.reasoning_tokens == 787


def test_parallel_calls_in_one_chunk_stay_apart() -> None:
    acc, _ = _fold("mirascope_parallel-function-calls-gemini25flash_2025-10-17.sse")
    assert [(c.name, c.arguments, c.index) for c in acc.tool_calls] == [
        ("secret_retrieval_tool", '{"password":"mellon"}', 0),
        ("secret_retrieval_tool", '{"password":"radiance"}', 1),
    ]


def test_gemini_3_call_ids() -> None:
    acc, _ = _fold("pydantic-ai_function-call-thought-signature-gemini3pro_2025-12-31.sse")
    [call] = acc.tool_calls
    parts = msgspec.to_builtins(acc.result)["candidates"][0]["content"]["parts"]
    expected = parts[0]["functionCall"].get("id")
    assert call.id == expected


def test_the_array_form_and_its_sse_twin_fold_alike() -> None:
    """The array body read element by element gives what its objects as SSE events give."""
    name = "llm-gemini_jsonarray-thought-structured-gemini36flash_2026-08-05.json"
    body = (DIR / name).read_bytes()
    twin = b"".join(b"data: " + json.dumps(o).encode() + b"\r\n\r\n" for o in json.loads(body))
    assert list(streamkit.iter_events([body], "gemini")) == list(
        streamkit.iter_events([twin], "gemini")
    )
    acc, _ = _fold(name)
    assert json.loads(acc.text)["name"].startswith("Zephyr")
