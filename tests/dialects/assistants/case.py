"""The assistants dialect's entry in the conformance kit (``tests/conformance``).

The final objects of an Assistants stream are its messages and run steps
(the fold's ``result`` is the run, which holds neither): the text is read
from the messages, the tool calls from the ``tool_calls`` run steps.
"""

from __future__ import annotations

from typing import Any

from streamkit.dialects.assistants import (
    FunctionToolCall,
    TextContentBlock,
    ToolCallsStepDetails,
)
from tests.conformance.kit import REAL, RECORDINGS, Case, Expect, files


def _assistants_text(acc: Any) -> str:
    return "".join(
        part.text.value
        for message in acc.messages.values()
        for part in message.content
        if isinstance(part, TextContentBlock)
    )


def _assistants_tool_calls(acc: Any) -> list[tuple[str, str]]:
    return [
        (call.function.name, call.function.arguments)
        for step in acc.run_steps.values()
        if isinstance(step.step_details, ToolCallsStepDetails)
        for call in step.step_details.tool_calls
        if isinstance(call, FunctionToolCall)
    ]


_DAYS = ("2025-09-16a", "2025-09-16b", "2025-10-30a", "2025-10-30b")

CASE = Case(
    dialect="assistants",
    recordings=files(RECORDINGS / "assistants", "*.ndjson"),
    captures=files(REAL / "assistants", "*.sse"),
    final_text=_assistants_text,
    final_tool_calls=_assistants_tool_calls,
    expect={
        "cut-off.ndjson": Expect("truncated", None, False, 0),
        "error-event.ndjson": Expect("errored", None, False, 0),
        "failed-run.ndjson": Expect("failed", "server_error", True, 0),
        "function-call-session.ndjson": Expect("completed", None, True, 1),
        "incomplete-message.ndjson": Expect("incomplete", "max_prompt_tokens", True, 0),
        # A run that stops for tool outputs reports no usage yet.
        **{
            f"openai-dotnet_function-requires-action_{day}.sse": Expect(
                "requires_action", None, False, 1
            )
            for day in _DAYS
        },
        # The continuation alone: its first event is the end of a step it never saw
        # created, and its run is first seen queued.
        **{
            f"openai-dotnet_submit-tool-outputs_{day}.sse": Expect(
                "completed", None, True, 1, warnings=("transition", "unknown-id")
            )
            for day in _DAYS
        },
        # The v2 run ends incomplete (thread.run.completed carrying status "incomplete");
        # the v1 run completed though its message did not.
        "ruby-openai_message-incomplete-max-tokens-v2_2024-04-29.sse": Expect(
            "incomplete", "max_prompt_tokens", True, 0
        ),
    },
    default=Expect("completed", None, True, 0),
)
