"""The Gemini events on the common face: their bytes again, their content, their lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta
from streamkit.dialects._unknowns import to_wire

from ._decode import unwrap_parts
from ._fold import arguments_of
from ._schema import ErrorEvent, GenerateContentResponseEvent

if TYPE_CHECKING:
    from streamkit.dialects._face import EventKind

__all__ = ("DeltaReader", "deltas", "encode", "is_answer", "kind")

_encode_json = msgspec.json.Encoder().encode


def encode(event: Any) -> bytes:
    """The SSE bytes of *event* (the ``alt=sse`` form): ``data: {response}``, ``data: {"error"}``.

    An event read from the JSON-array form is written in the SSE form too: the
    payload is the same, and decoding it gives an equal event.
    """
    kind = type(event)
    if kind is GenerateContentResponseEvent:
        return encode_event(data=_encode_json(unwrap_parts(to_wire(event.data))))
    if kind is ErrorEvent:
        return encode_event(data=_encode_json({"error": to_wire(event.data)}))
    if kind is UnknownEvent or kind is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    raise TypeError(f"not an event of the gemini dialect: {kind.__name__}")


def deltas(event: Any) -> list[Delta]:
    """The content a chunk carries, candidate by candidate: text, thoughts, function calls.

    A ``functionCall`` part arrives whole: its delta is the JSON of its
    ``args`` (``call`` is ``None``: one chunk cannot know how many calls came
    before it; :class:`DeltaReader`, which reads a whole stream, can).
    """
    return _deltas(event, None)


class DeltaReader:
    """:func:`deltas` of one stream's chunks, each function call's delta numbered (``call``).

    The number is the call's place among the candidate's function calls so
    far, the :attr:`~streamkit.ToolCall.index` the fold gives it, so that
    parallel calls stay apart.
    """

    __slots__ = ("calls",)

    def __init__(self) -> None:
        self.calls: dict[int, int] = {}  # candidate index -> function calls seen

    def __call__(self, event: Any) -> list[Delta]:
        return _deltas(event, self.calls)


def _deltas(event: Any, calls: dict[int, int] | None) -> list[Delta]:
    if type(event) is not GenerateContentResponseEvent:
        return []
    candidates = event.data.candidates
    if not candidates:
        return []
    out = []
    for candidate in candidates:
        content = candidate.content
        if content is UNSET:
            continue
        parts = content.parts
        if not parts:
            continue
        index = candidate.index
        if index is UNSET:
            index = 0
        for part in parts:
            text = part.text
            if text is not UNSET:
                if text:
                    out.append(Delta("reasoning" if part.thought is True else "text", index, text))
                continue
            call = part.function_call
            if call is not UNSET:
                number = None
                if calls is not None:
                    number = calls.get(index, 0)
                    calls[index] = number + 1
                out.append(Delta("tool_arguments", index, arguments_of(call.args), number))
    return out


def is_answer(delta: Delta) -> bool:
    """The answer is candidate 0's text (as the fold's ``text``)."""
    return delta.kind == "text" and delta.index == 0


_TOOL_PARTS = (
    "function_call",
    "executable_code",
    "code_execution_result",
    "tool_call",
    "tool_response",
    "function_response",
)


def kind(event: Any) -> EventKind:
    """The lane of *event*: tool (a call or code), content, reasoning, lifecycle, or error."""
    cls = type(event)
    if cls is GenerateContentResponseEvent:
        lane: EventKind = "lifecycle"
        for candidate in event.data.candidates or ():
            content = candidate.content
            if content is UNSET:
                continue
            for part in content.parts or ():
                text = part.text
                if text is not UNSET:
                    if part.thought is True:
                        if lane == "lifecycle":
                            lane = "reasoning"
                    elif text:
                        lane = "content"
                elif any(getattr(part, name) is not UNSET for name in _TOOL_PARTS):
                    return "tool"
                elif lane == "lifecycle":
                    lane = "content"  # inline data, files, parts of unknown kinds
        return lane
    if cls is ErrorEvent:
        return "error"
    return "other"
