"""The responses dialect's entry in the conformance kit (``tests/conformance``)."""

from __future__ import annotations

from typing import Any

from streamkit.dialects import responses
from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files


def _responses_text(acc: Any) -> str:
    result = acc.result
    return "" if result is None else str(result.output_text)


def _responses_tool_calls(acc: Any) -> list[tuple[str, str]]:
    result = acc.result
    out = []
    for item in (result.output or ()) if result is not None else ():
        if isinstance(item, responses.FunctionCall):
            out.append((item.name, item.arguments))
        elif isinstance(item, responses.CustomToolCall):
            out.append((item.name, item.input))
    return out


_ONE_CALL = Expect("requires_action", None, True, 1)

CASE = Case(
    dialect="responses",
    recordings=files(RECORDINGS / "responses", "*.ndjson"),
    captures=files(REAL / "responses", "*.sse"),
    final_text=_responses_text,
    final_tool_calls=_responses_tool_calls,
    expect={
        "reasoning-function-call.ndjson": _ONE_CALL,
        "openai-dotnet_custom-tool-call_2026-08-07.sse": _ONE_CALL,
        "openai-dotnet_function-call_2025-12-03.sse": _ONE_CALL,
        "pydantic-ai_function-call-early_2025-03-27.sse": _ONE_CALL,
        "pydantic-ai_function-call-usage_2025-09-16.sse": _ONE_CALL,
        "pydantic-ai_phase-function-call_2026-07-28.sse": _ONE_CALL,
    },
    default=Expect("completed", None, True, 0),
)
