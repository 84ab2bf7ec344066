"""The bedrock dialect's entry in the conformance kit (``tests/conformance``)."""

from __future__ import annotations

import json
from typing import Any

from msgspec import UNSET

from streamkit.dialects.bedrock import ConverseResponse
from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files

#: Where each best-effort model family's own response keeps its text.
_FAMILY_TEXT = {
    "llama": lambda r: r["generation"],
    "mistral": lambda r: r["outputs"][0]["text"],
    "cohere": lambda r: r["text"],
    "titan": lambda r: r["results"][0]["outputText"],
    "anthropic-text": lambda r: r["completion"],
    "openai": lambda r: r["choices"][0]["message"]["content"],
}


def _bedrock_text(acc: Any) -> str:
    result = acc.result
    if result is None:
        return ""
    if isinstance(result, ConverseResponse):
        return "".join(
            block.text
            if block.text is not UNSET
            else "".join(c.text for c in block.citations_content.content)
            for block in result.output.message.content
            if block.text is not UNSET or block.citations_content is not UNSET
        )
    if isinstance(result, dict):
        if acc.api == "agent":
            return str(result["text"])
        return str(_FAMILY_TEXT[acc.family](result))
    # An Anthropic Message (an Anthropic invoke stream).
    return "".join(block.text for block in result.content if block.type == "text")


def _same_input(streamed: str, value: Any) -> bool:
    try:
        return bool(json.loads(streamed or "{}") == value)
    except ValueError:
        return False


def _bedrock_tool_calls(acc: Any) -> list[tuple[str, str]]:
    """``(name, arguments)`` of the final object's tool calls (not the service's own).

    The final object holds each call's input parsed, not the text that
    streamed; so the fold's ``arguments`` stand here exactly when they parse
    to that input (else the input's own JSON does, and the kit's comparison
    fails).
    """
    result = acc.result
    if result is None or isinstance(result, dict):
        return []
    if isinstance(result, ConverseResponse):
        calls = [
            (block.tool_use.name, block.tool_use.input)
            for block in result.output.message.content
            if block.tool_use is not UNSET and block.tool_use.type != "server_tool_use"
        ]
    else:
        calls = [(b.name, b.input) for b in result.content if b.type == "tool_use"]
    streamed = [call.arguments for call in acc.tool_calls]
    out = []
    for i, (name, value) in enumerate(calls):
        text = streamed[i] if i < len(streamed) else ""
        out.append((name, text if _same_input(text, value) else json.dumps(value)))
    return out


_OTEL = "opentelemetry-python-contrib"


def _calls(n: int, reason: str = "tool_use") -> Expect:
    return Expect("requires_action", reason, True, n)


CASE = Case(
    dialect="bedrock",
    recordings=files(RECORDINGS / "bedrock", "*.ndjson"),
    captures=files(REAL / "bedrock", "*.bin"),
    final_text=_bedrock_text,
    final_tool_calls=_bedrock_tool_calls,
    expect={
        "tool-use.ndjson": _calls(1),
        "invoke-anthropic.ndjson": _calls(2),
        "model-stream-error.ndjson": Expect("errored", "modelStreamErrorException", False, 0),
        "dd-trace-js_converse-stream-tool-use-only-claude3haiku_2026-04-23.bin": _calls(1),
        "dd-trace-js_invoke-stream-claude-sonnet4-max-tokens_2025-09-24.bin": Expect(
            "incomplete", "max_tokens", True, 0
        ),
        "dd-trace-js_invoke-stream-claude-v21-completion_2025-09-09.bin": Expect(
            "completed", "stop_sequence", True, 0
        ),
        "dd-trace-js_invoke-stream-cohere-command-r_2025-09-09.bin": Expect(
            "completed", "COMPLETE", True, 0
        ),
        "dd-trace-js_invoke-stream-mistral7b_2025-09-09.bin": Expect("completed", "stop", True, 0),
        "dd-trace-py_converse-stream-text-and-tool-use-claude3sonnet_2025-03-25.bin": _calls(1),
        "openinference_converse-stream-llama3-max-tokens_2025-08-20.bin": Expect(
            "incomplete", "max_tokens", True, 0
        ),
        "openinference_converse-stream-titan-max-tokens_2025-08-20.bin": Expect(
            "incomplete", "max_tokens", True, 0
        ),
        # InvokeAgent: traces and the answer text; no end the fold can see, no usage.
        "openinference_invoke-agent-inline-traces_2025-10-03.bin": Expect(
            "truncated", None, False, 0
        ),
        "openinference_invoke-stream-claude35sonnet-text-and-tool-use_2025-01-31.bin": _calls(2),
        "openinference_invoke-stream-llama3-length_2025-07-29.bin": Expect(
            "incomplete", "length", True, 0
        ),
        f"{_OTEL}_converse-stream-text-and-two-tool-uses-nova-micro_2025-02-26.bin": _calls(2),
        f"{_OTEL}_converse-stream-text-then-tool-use-claude3sonnet_2025-05-27.bin": _calls(1),
        "opentelemetry-python-contrib_invoke-stream-nova-micro-tool-use_2025-03-25.bin": _calls(2),
        # A server tool (nova_code_interpreter) and its result, then the caller's tool call.
        "pydantic-ai_converse-stream-code-interpreter-tool-result-nova2lite_2026-01-16.bin": (
            _calls(1)
        ),
        "pydantic-ai_converse-stream-text-then-tool-use-nova-micro_2025-03-07.bin": _calls(1),
        "ruby_llm_converse-stream-tool-use-empty-input-nova2lite_2026-08-19.bin": _calls(1),
    },
    default=Expect("completed", "end_turn", True, 0),
)
