"""The real Bedrock captures (``tests/data/real/bedrock``): their exact bytes again, their folds.

The conformance kit checks the common face on every capture; here are the
checks specific to this dialect: every message written back byte for byte,
and particular fields of particular captures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
import pytest
from msgspec import UNSET

import streamkit
from streamkit.dialects import bedrock
from tests.helpers import REAL

from .streams import fold

if TYPE_CHECKING:
    from pathlib import Path

DIR = REAL / "bedrock"
CAPTURES = sorted(DIR.glob("*.bin"))


def events(name: str) -> list[Any]:
    return list(streamkit.iter_events([(DIR / name).read_bytes()], "bedrock"))


def result(name: str) -> Any:
    acc = fold(events(name), strict=True)
    return acc, msgspec.to_builtins(acc.result)


def test_there_are_captures_of_both_apis() -> None:
    assert len(CAPTURES) == 26
    apis = {fold(events(path.name)).api for path in CAPTURES}
    assert apis == {"converse", "invoke", "agent"}


@pytest.mark.parametrize("path", CAPTURES, ids=[p.stem for p in CAPTURES])
def test_every_message_is_written_back_byte_for_byte(path: Path) -> None:
    body = path.read_bytes()
    messages = streamkit.EventStreamDecoder().feed(body)
    typed = list(streamkit.iter_events([body], "bedrock"))
    assert len(typed) == len(messages)
    ends = [m.offset for m in messages[1:]] + [len(body)]
    for message, end, event in zip(messages, ends, typed, strict=True):
        assert streamkit.encode(event) == body[message.offset : end]


@pytest.mark.parametrize("path", CAPTURES, ids=[p.stem for p in CAPTURES])
def test_every_capture_folds_strictly(path: Path) -> None:
    acc = fold(events(path.name), strict=True)
    assert acc.warnings == []
    assert acc.result is not None


def test_prompt_cache_reads() -> None:
    acc, response = result("dd-trace-py_converse-stream-cache-read-claude37sonnet_2025-06-27.bin")
    assert response["usage"] == {
        "cacheReadInputTokenCount": 1028,
        "cacheReadInputTokens": 1028,
        "cacheWriteInputTokenCount": 0,
        "cacheWriteInputTokens": 0,
        "inputTokens": 12,
        "outputTokens": 250,
        "totalTokens": 1290,
    }
    assert acc.usage.cached_input_tokens == 1028
    assert response["metrics"] == {"latencyMs": 9613}


def test_reasoning_with_its_signature() -> None:
    acc, response = result(
        "pydantic-ai_converse-stream-reasoning-signature-claude-sonnet4_2025-09-03.bin"
    )
    thinking, answer = response["output"]["message"]["content"]
    reasoning = thinking["reasoningContent"]["reasoningText"]
    assert reasoning["text"].startswith('The user has greeted me with a simple "Hello".')
    assert reasoning["signature"].startswith("Eu0CCkgIBxABGAIqQJDccbDQkr81n7Qj")
    assert answer == {"text": "Hello! It's nice to meet you. How can I help you today?"}
    assert acc.text == answer["text"]


def test_redacted_reasoning() -> None:
    acc, _ = result("pydantic-ai_converse-stream-redacted-reasoning-claude37sonnet_2025-09-10.bin")
    first, second, text = acc.result.output.message.content
    for block in (first, second):
        redacted = block.reasoning_content.redacted_content
        assert isinstance(redacted, bytes)
        assert len(redacted) > 100
        assert block.reasoning_content.reasoning_text is UNSET
    assert text.text.startswith("I notice you've sent what appears to be some kind of command")


def test_gpt_oss_empty_text_then_reasoning_then_the_answer() -> None:
    _, response = result(
        "pydantic-ai_converse-stream-reasoning-empty-text-gpt-oss-120b_2025-10-22.bin"
    )
    empty, reasoning, answer = response["output"]["message"]["content"]
    assert empty == {"text": ""}
    assert reasoning["reasoningContent"]["reasoningText"]["text"].startswith(
        'The user just says "Hi".'
    )
    assert answer == {"text": "Hello! How can I help you today?"}


def test_a_server_tool_its_result_and_the_callers_tool() -> None:
    acc, response = result(
        "pydantic-ai_converse-stream-code-interpreter-tool-result-nova2lite_2026-01-16.bin"
    )
    server, outcome, final = response["output"]["message"]["content"]
    assert server["toolUse"] == {
        "input": {"snippet": "1234 * 5678"},
        "name": "nova_code_interpreter",
        "toolUseId": "tooluse_VQNZJRUFMoqZzszVsRd4og",
        "type": "server_tool_use",
    }
    assert outcome["toolResult"] == {
        "content": [{"json": {"stdOut": "7006652", "stdErr": "", "exitCode": 0, "isError": False}}],
        "status": "success",
        "toolUseId": "tooluse_VQNZJRUFMoqZzszVsRd4og",
        "type": "nova_code_interpreter_result",
    }
    assert final["toolUse"]["input"] == {"result": 7006652.0}
    assert [(c.name, c.arguments) for c in acc.tool_calls] == [
        ("final_result", '{"result":7006652.0}')
    ]


def test_a_tool_without_parameters() -> None:
    acc, response = result("ruby_llm_converse-stream-tool-use-empty-input-nova2lite_2026-08-19.bin")
    [block] = response["output"]["message"]["content"]
    assert block["toolUse"]["input"] == {}
    assert acc.tool_calls[0].arguments == "{}"


def test_invoke_anthropic_text_and_two_tool_uses() -> None:
    acc, message = result(
        "openinference_invoke-stream-claude35sonnet-text-and-tool-use_2025-01-31.bin"
    )
    assert acc.family == "anthropic"
    assert message["id"] == "msg_bdrk_01UgUptJTW7LFg8dn1kcyjpz"
    assert [block["type"] for block in message["content"]] == ["text", "tool_use", "tool_use"]
    assert message["content"][1]["input"] == {"city": "San Francisco"}
    assert message["usage"] == {"input_tokens": 702, "output_tokens": 130}
    assert acc.invocation_metrics == bedrock.InvocationMetrics(
        input_token_count=702,
        output_token_count=98,
        invocation_latency=3042,
        first_byte_latency=791,
    )


def test_invoke_nova_one_block_per_text_delta() -> None:
    acc, response = result(
        "opentelemetry-python-contrib_invoke-stream-nova-micro-tool-use_2025-03-25.bin"
    )
    assert acc.family == "nova"
    blocks = response["output"]["message"]["content"]
    assert len(blocks) == 24  # 22 text blocks (0..21), tool uses at 22 and 24
    assert acc.text.startswith("<thinking> The User has requested the current weather")
    assert response["usage"]["cacheReadInputTokenCount"] == 0
    assert acc.usage.total_tokens == 427 + 156


@pytest.mark.parametrize(
    ("name", "family", "start", "reason"),
    [
        (
            "dd-trace-js_invoke-stream-claude-v21-completion_2025-09-09.bin",
            "anthropic-text",
            " The capital",
            "stop_sequence",
        ),
        (
            "dd-trace-js_invoke-stream-cohere-command-r_2025-09-09.bin",
            "cohere",
            "The capital of France",
            "COMPLETE",
        ),
        (
            "dd-trace-js_invoke-stream-mistral7b_2025-09-09.bin",
            "mistral",
            " Paris is the capital",
            "stop",
        ),
        ("openinference_invoke-stream-llama3-length_2025-07-29.bin", "llama", "Here is", "length"),
    ],
)
def test_the_other_families(name: str, family: str, start: str, reason: str) -> None:
    acc, _ = result(name)
    assert acc.family == family
    assert acc.text.startswith(start)
    assert acc.outcome.reason == reason
    assert acc.invocation_metrics is not None


def test_cohere_folds_to_its_stream_end_response() -> None:
    acc, response = result("dd-trace-js_invoke-stream-cohere-command-r_2025-09-09.bin")
    assert response["text"] == acc.text == "The capital of France is Paris."
    assert response["finish_reason"] == "COMPLETE"
    assert response["chat_history"][0] == {
        "role": "USER",
        "message": "What is the capital of France?",
    }


def test_the_agent_answer() -> None:
    _, response = result("openinference_invoke-agent-inline-traces_2025-10-03.bin")
    assert response == {"text": "The President of the United States in 2001 was George W. Bush."}
    traces = [
        e
        for e in events("openinference_invoke-agent-inline-traces_2025-10-03.bin")
        if isinstance(e, bedrock.Trace)
    ]
    assert len(traces) == 4
    assert traces[0].data["sessionId"] == "default_session_id2"
