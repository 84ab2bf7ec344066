"""The Ollama dialect's entry in the conformance kit (``tests/conformance``)."""

from __future__ import annotations

from typing import Any

import msgspec

from streamkit.dialects import ollama
from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files


def _final_text(acc: Any) -> str:
    result = acc.result
    if result is None:
        return ""
    if isinstance(result, ollama.ChatResponse):
        return result.message.content
    return str(result.response)


def _final_tool_calls(acc: Any) -> list[tuple[str, str]]:
    result = acc.result
    if result is None:
        return []
    calls = result.message.tool_calls if isinstance(result, ollama.ChatResponse) else None
    if isinstance(result, ollama.GenerateResponse):
        calls = result.tool_calls
    out = []
    for call in calls or ():
        arguments = call.function.arguments
        text = arguments if isinstance(arguments, str) else msgspec.json.encode(arguments).decode()
        out.append((call.function.name, text))
    return out


_OLD_GENERATE = Expect("completed", None, True, 0)  # servers before mid-2024: no done_reason

CASE = Case(
    dialect="ollama",
    recordings=files(RECORDINGS / "ollama", "*.ndjson"),
    captures=files(REAL / "ollama", "*.ndjson"),
    final_text=_final_text,
    final_tool_calls=_final_tool_calls,
    expect={
        "chat-length.ndjson": Expect("incomplete", "length", True, 0),
        "langchaingo_chat-done-length-non-ascii-gemma3_2025-08-20.ndjson": Expect(
            "incomplete", "length", True, 0
        ),
        "generate-context.ndjson": _OLD_GENERATE,
        "langchainrb_generate-llama3-summarize_2024-05-02.ndjson": _OLD_GENERATE,
        "langchainrb_generate-llama2_2024-02-05.ndjson": _OLD_GENERATE,
        "thinking-tool-calls.ndjson": Expect("requires_action", "stop", True, 2),
        "generate-error.ndjson": Expect("errored", None, False, 0),
    },
    default=Expect("completed", "stop", True, 0),
)
