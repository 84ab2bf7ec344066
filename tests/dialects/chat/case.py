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
        # OpenAI-compatible servers: how each ends, and the bends of the schema it shows.
        "compat-databricks_null-usage-counts_2025-12-31.sse": Expect(
            "completed", "stop", True, 0, warnings=("null-usage-count",)
        ),
        "compat-gemini_tool-call-no-index-no-id_2025-03-02.sse": Expect(
            "requires_action",
            "stop",
            True,
            1,
            warnings=("missing-field", "tool-call-without-index"),
        ),
        "compat-groq_compound-executed-tools-new-id-per-chunk_2025-09-17.sse": Expect(
            "completed", "stop", True, 0, warnings=("other-id",)
        ),
        "compat-groq_error-event-no-done_2026-02-18.sse": Expect("errored", None, False, 0),
        "compat-mistral_thinking-content-list_2025-11-28.sse": Expect(
            "completed", "stop", True, 0, warnings=("content-parts",)
        ),
        "compat-mistral_tool-call-no-index_2025-01-12.sse": Expect(
            "requires_action", "tool_calls", True, 1, warnings=("tool-call-without-index",)
        ),
        "compat-mistral_tool-call-with-index-padding_2026-08-19.sse": Expect(
            "requires_action", "tool_calls", True, 1
        ),
        "compat-ollama_tool-call-no-index_2024-11-29.sse": Expect(
            "requires_action", "stop", False, 1, warnings=("tool-call-without-index",)
        ),
        "compat-openrouter_error-chunk-reasoning-details_2025-11-03.sse": Expect(
            "errored", None, True, 0
        ),
        "compat-together_finish-eos-token-id_2025-02-20.sse": Expect("completed", "eos", True, 0),
    },
    default=Expect("completed", "stop", True, 0),
)
