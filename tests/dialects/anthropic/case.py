"""The anthropic dialect's entry in the conformance kit (``tests/conformance``)."""

from __future__ import annotations

import json
from typing import Any

from streamkit.dialects.anthropic import TextBlock, ToolUseBlock
from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files


def _anthropic_text(acc: Any) -> str:
    result = acc.result
    if result is None:
        return ""
    return "".join(block.text for block in result.content if type(block) is TextBlock)


def _anthropic_tool_calls(acc: Any) -> list[tuple[str, str]]:
    """``(name, arguments)`` of the final message's ``tool_use`` blocks.

    The message holds each call's ``input`` parsed, not the text that
    streamed; so the fold's ``arguments`` stand here exactly when they parse
    to that ``input`` (else the input's own JSON does, and the kit's
    comparison fails).
    """
    result = acc.result
    if result is None:
        return []
    blocks = [block for block in result.content if type(block) is ToolUseBlock]
    streamed = [call.arguments for call in acc.tool_calls]
    out = []
    for i, block in enumerate(blocks):
        text = streamed[i] if i < len(streamed) else ""
        try:
            same = json.loads(text) == block.input
        except ValueError:
            same = False
        out.append((block.name, text if same else json.dumps(block.input)))
    return out


CASE = Case(
    dialect="anthropic",
    recordings=files(RECORDINGS / "anthropic", "*.ndjson"),
    captures=files(REAL / "anthropic", "*.sse"),
    final_text=_anthropic_text,
    final_tool_calls=_anthropic_tool_calls,
    expect={
        "overloaded-error.ndjson": Expect("errored", None, True, 0),
        "tool-use.ndjson": Expect("requires_action", "tool_use", True, 2),
        "openllmetry_tool-use_2025-07-29.sse": Expect("requires_action", "tool_use", True, 2),
        "pydantic-ai_pause-turn-web-search_2026-07-14.sse": Expect(
            "incomplete", "pause_turn", True, 0
        ),
    },
    default=Expect("completed", "end_turn", True, 0),
)
