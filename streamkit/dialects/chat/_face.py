"""The Chat Completions events on the common face: their bytes again, their content, their lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta
from streamkit.dialects._unknowns import to_wire

from ._schema import UNKNOWN_FIELDS, ChatCompletionChunkEvent, Done, ErrorEvent

if TYPE_CHECKING:
    from streamkit.dialects._face import EventKind

__all__ = ("deltas", "encode", "is_answer", "kind")

_encode_json = msgspec.json.Encoder().encode


def encode(event: Any) -> bytes:
    """The SSE bytes of *event*: ``data: {chunk}``, ``data: [DONE]``, an error object."""
    kind = type(event)
    if kind is ChatCompletionChunkEvent:
        chunk = to_wire(event.data)
        for choice in chunk.get("choices") or ():
            for call in choice.get("delta", {}).get("tool_calls") or ():
                extra = call.pop(UNKNOWN_FIELDS, None)
                if extra:
                    call.update(extra)
        return encode_event(data=_encode_json(chunk))
    if kind is Done:
        return encode_event(data=event.data)
    if kind is ErrorEvent:
        return encode_event(event=event.event, data=_encode_json({"error": to_wire(event.data)}))
    if kind is UnknownEvent or kind is InvalidEvent:
        return encode_event(event=event.event, data=event.data)
    raise TypeError(f"not an event of the chat dialect: {kind.__name__}")


def deltas(event: Any) -> list[Delta]:
    """The content a chunk carries, choice by choice: text, refusal, tool arguments."""
    if type(event) is not ChatCompletionChunkEvent:
        return []
    choices = event.data.choices
    if not choices:
        return []
    out = []
    for choice in choices:
        delta = choice.delta
        index = choice.index
        content = delta.content
        if type(content) is str and content:
            out.append(Delta("text", index, content))
        refusal = delta.refusal
        if type(refusal) is str and refusal:
            out.append(Delta("refusal", index, refusal))
        audio = delta.audio
        if audio is not UNSET and audio is not None:
            transcript = audio.transcript
            if type(transcript) is str and transcript:
                out.append(Delta("text", index, transcript))
        legacy = delta.function_call
        if legacy is not UNSET and legacy is not None:
            arguments = legacy.arguments
            if type(arguments) is str and arguments:
                out.append(Delta("tool_arguments", index, arguments, 0))
        calls = delta.tool_calls
        if calls:
            for call in calls:
                body = call.function
                piece = None if body is UNSET or body is None else body.arguments
                if piece is None or piece is UNSET:
                    custom = call.custom
                    piece = None if custom is UNSET or custom is None else custom.input
                if type(piece) is str and piece:
                    out.append(Delta("tool_arguments", index, piece, call.index))
    return out


def is_answer(delta: Delta) -> bool:
    """The answer is choice 0's text (as the fold's ``text``)."""
    return delta.kind == "text" and delta.index == 0


def kind(event: Any) -> EventKind:
    """The lane of *event*: content, tool, lifecycle (role, finish, usage) or error."""
    cls = type(event)
    if cls is ChatCompletionChunkEvent:
        choices = event.data.choices
        lane: EventKind = "lifecycle"
        for choice in choices or ():
            delta = choice.delta
            if delta.tool_calls or delta.function_call:
                return "tool"
            if delta.content or delta.refusal or delta.audio:
                lane = "content"
        return lane
    if cls is Done:
        return "lifecycle"
    if cls is ErrorEvent:
        return "error"
    return "other"
