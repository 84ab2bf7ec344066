"""The gemini dialect's entry in the conformance kit (``tests/conformance``)."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files


def _parts(acc: Any) -> list[Any]:
    result = acc.result
    if result is None or not result.candidates:
        return []
    first = next((c for c in result.candidates if c.index == 0), None)
    if first is None or first.content is UNSET or not first.content.parts:
        return []
    return list(first.content.parts)


def _gemini_text(acc: Any) -> str:
    return "".join(
        part.text for part in _parts(acc) if isinstance(part.text, str) and part.thought is not True
    )


def _gemini_tool_calls(acc: Any) -> list[tuple[str, str]]:
    out = []
    for part in _parts(acc):
        call = part.function_call
        if call is not UNSET:
            args = {} if call.args is UNSET else call.args
            out.append((call.name, msgspec.json.encode(args).decode()))
    return out


CASE = Case(
    dialect="gemini",
    recordings=files(RECORDINGS / "gemini", "*.ndjson"),
    captures=files(REAL / "gemini", "*.sse", "*.json"),
    final_text=_gemini_text,
    final_tool_calls=_gemini_tool_calls,
    expect={
        "chatlas_text-and-function-call-one-chunk-gemini35flash_2026-07-21.sse": Expect(
            "requires_action", "STOP", True, 1
        ),
        "llm-gemini_jsonarray-thought-function-call-gemini25flash_2026-08-05.json": Expect(
            "requires_action", "STOP", True, 1
        ),
        "mirascope_parallel-function-calls-gemini25flash_2025-10-17.sse": Expect(
            "requires_action", "STOP", True, 2
        ),
        "openinference_parallel-function-calls-thought-signature-gemini35flash_2026-06-10.sse": (
            Expect("requires_action", "STOP", True, 2)
        ),
        "pydantic-ai_function-call-thought-signature-gemini3pro_2025-12-31.sse": Expect(
            "requires_action", "STOP", True, 1
        ),
        "ruby_llm_vertex-function-call-gemini25flash_2026-08-19.sse": Expect(
            "requires_action", "STOP", True, 1
        ),
        "mirascope_max-tokens-gemini25flash_2026-01-31.sse": Expect(
            "incomplete", "MAX_TOKENS", True, 0
        ),
        "array-function-call.ndjson": Expect("requires_action", "STOP", True, 1),
        "parallel-function-calls.ndjson": Expect("requires_action", "STOP", True, 2),
        "safety-stop.ndjson": Expect("incomplete", "SAFETY", True, 0),
        "error-in-array.ndjson": Expect("errored", None, True, 0),
        "prompt-blocked.ndjson": Expect("incomplete", "PROHIBITED_CONTENT", True, 0),
    },
    default=Expect("completed", "STOP", True, 0),
)
