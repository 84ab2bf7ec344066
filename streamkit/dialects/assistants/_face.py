"""The Assistants events on the common face: their bytes again, their content, their lane.

The content of an Assistants stream is in its two delta events: the text of
a message (``thread.message.delta``, one ``"text"`` delta per text content
part, ``index`` the part's index) and the arguments of a function call or
the input of a code interpreter call (``thread.run.step.delta``, one
``"tool_arguments"`` delta per call, ``index`` and ``call`` both the call's
index in its step).  Every text delta is answer text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, get_args

import msgspec
from msgspec import UNSET

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta
from streamkit.dialects._unknowns import to_wire

from ._schema import (
    AssistantStreamEvent,
    CodeInterpreterToolCallDelta,
    Done,
    ErrorEvent,
    FunctionToolCallDelta,
    TextDeltaBlock,
    ThreadMessageDelta,
    ThreadRunStepDelta,
    ToolCallsStepDetails,
    ToolCallsStepDetailsDelta,
)

if TYPE_CHECKING:
    from streamkit.dialects._face import EventKind

__all__ = ("deltas", "encode", "kind")

_encode_json = msgspec.json.Encoder().encode
_EVENTS: Final = frozenset(get_args(AssistantStreamEvent))


def encode(event: Any) -> bytes:
    """The SSE bytes of *event*: ``event: <name>`` and its payload as ``data:``."""
    cls = type(event)
    if cls is Done:
        return encode_event(event=event.event, data=event.data)
    if cls in _EVENTS:
        return encode_event(event=event.event, data=_encode_json(to_wire(event.data)))
    if cls is UnknownEvent or cls is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    raise TypeError(f"not an event of the assistants dialect: {cls.__name__}")


def deltas(event: Any) -> list[Delta]:
    """The content an event carries: message text, function arguments, code interpreter input."""
    cls = type(event)
    if cls is ThreadMessageDelta:
        content = event.data.delta.content
        if not content:  # UNSET or []
            return []
        out = []
        for part in content:
            if type(part) is TextDeltaBlock:
                text = part.text
                if text is not UNSET:
                    value = text.value
                    if value:  # neither UNSET nor ""
                        out.append(Delta("text", part.index, value))
        return out
    if cls is ThreadRunStepDelta:
        details = event.data.delta.step_details
        if type(details) is not ToolCallsStepDetailsDelta or not details.tool_calls:
            return []
        out = []
        for call in details.tool_calls:
            if type(call) is FunctionToolCallDelta:
                function = call.function
                piece = UNSET if function is UNSET else function.arguments
            elif type(call) is CodeInterpreterToolCallDelta:
                code = call.code_interpreter
                piece = UNSET if code is UNSET else code.input
            else:
                continue
            if piece:  # neither UNSET nor ""
                out.append(Delta("tool_arguments", call.index, piece, call.index))
        return out
    return []


def kind(event: Any) -> EventKind:
    """The lane of *event*: content (message deltas), tool, lifecycle or error.

    Step deltas and the other events of a ``tool_calls`` run step are
    ``"tool"``; every other thread, run, step and message event, and
    ``done``, is ``"lifecycle"``.
    """
    cls = type(event)
    if cls is ThreadMessageDelta:
        return "content"
    if cls is ThreadRunStepDelta:
        return "tool"
    if cls is ErrorEvent:
        return "error"
    if cls in _EVENTS:
        if event.event.startswith("thread.run.step."):
            details = event.data.step_details
            if type(details) is ToolCallsStepDetails or event.data.type == "tool_calls":
                return "tool"
        return "lifecycle"
    return "other"
