"""The chat dialect's entry in the conformance kit (``tests/conformance``)."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files


def _chat_text(acc: Any) -> str:
    result = acc.result
    if result is None or not result.choices:
        return ""
    message = result.choices[0].message
    if isinstance(message.content, str):
        return message.content
    audio = message.audio
    return "" if audio is None or audio is UNSET else audio.transcript


def _chat_tool_calls(acc: Any) -> list[tuple[str, str]]:
    result = acc.result
    if result is None or not result.choices:
        return []
    message = result.choices[0].message
    out = []
    if message.function_call:
        out.append((message.function_call.name, message.function_call.arguments))
    for call in message.tool_calls or ():
        body = getattr(call, "function", None) or getattr(call, "custom", None)
        if body is not None:
            out.append((body.name, getattr(body, "arguments", None) or getattr(body, "input", "")))
    return out


CASE = Case(
    dialect="chat",
    recordings=files(RECORDINGS / "chat", "*.ndjson"),
    captures=files(REAL / "chat", "*.sse"),
    final_text=_chat_text,
    final_tool_calls=_chat_tool_calls,
    expect={
        "audio-output.ndjson": Expect("completed", None, True, 0, warnings=("unfinished-choice",)),
        "openai-dotnet_audio-output_2026-06-05.sse": Expect(
            "completed", None, True, 0, warnings=("unfinished-choice",)
        ),
        "openai-python_finish-length_2024-09-26.sse": Expect("incomplete", "length", True),
        "openai-python_parallel-tool-calls_2024-09-26.sse": Expect(
            "requires_action", "tool_calls", True, 2
        ),
        "parallel-tool-calls.ndjson": Expect("requires_action", "tool_calls", True, 2),
        "openai-python_tool-call-nonstrict_2024-09-26.sse": Expect(
            "requires_action", "tool_calls", True, 1
        ),
        "openai-python_tool-call-strict_2024-09-26.sse": Expect(
            "requires_action", "tool_calls", True, 1
        ),
        "openllmetry_parallel-tool-calls-gpt35_2024-07-01.sse": Expect(
            "requires_action", "tool_calls", False, 2
        ),
        "openllmetry_tool-call-gpt35_2024-06-08.sse": Expect(
            "requires_action", "tool_calls", False, 1
        ),
        "pydantic-ai_tool-call-usage_2026-07-02.sse": Expect(
            "requires_action", "tool_calls", True, 1
        ),
        "openllmetry_azure-content-filter_2024-04-25.sse": Expect("completed", "stop", False, 0),
        "ruby-openai_text-gpt35-0301_2023-04-29.sse": Expect("completed", "stop", False, 0),
    },
    default=Expect("completed", "stop", True, 0),
)
