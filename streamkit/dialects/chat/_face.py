"""The Chat Completions events on the common face: their bytes again, their content, their lane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from msgspec import UNSET

from streamkit._sse import encode_event
from streamkit.dialects._events import InvalidEvent, UnknownEvent
from streamkit.dialects._face import Delta
from streamkit.dialects._unknowns import to_wire

from ._schema import _NO_DELTA, UNKNOWN_FIELDS, ChatCompletionChunkEvent, Done, ErrorEvent

if TYPE_CHECKING:
    from streamkit.dialects._face import EventKind

    from ._schema import ChoiceDelta, ChunkChoice

__all__ = ("deltas", "encode", "is_answer", "kind", "reasoning_of")

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
    """The content a chunk carries, choice by choice: text, refusal, tool arguments, reasoning.

    ``index`` is the choice; ``call`` the tool call's ``index``, or for a
    part sent without one, its position in the chunk's ``tool_calls``.
    Reasoning is a delta's ``reasoning_content``, else its ``reasoning``,
    else the text of its ``reasoning_details``, and the text of Mistral's
    ``thinking`` content parts (whose ``text`` parts are text).
    """
    if type(event) is not ChatCompletionChunkEvent:
        return []
    choices = event.data.choices
    if not choices:
        return []
    out: list[Delta] = []
    for choice in choices:
        delta = choice.delta
        if delta is _NO_DELTA:
            delta = _delta_of(choice)
        index = choice.index
        content = delta.content
        if type(content) is str:
            if content:
                out.append(Delta("text", index, content))
        elif type(content) is list:
            _part_deltas(content, index, out)
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
            for position, call in enumerate(calls):
                body = call.function
                piece = None if body is UNSET or body is None else body.arguments
                if piece is None or piece is UNSET:
                    custom = call.custom
                    piece = None if custom is UNSET or custom is None else custom.input
                if type(piece) is str and piece:
                    number = call.index
                    number = position if number is UNSET else number
                    out.append(Delta("tool_arguments", index, piece, number))
        if (
            delta.reasoning_content is not UNSET
            or delta.reasoning is not UNSET
            or delta.reasoning_details is not UNSET
        ):
            piece = reasoning_of(delta)
            if piece:
                out.append(Delta("reasoning", index, piece))
    return out


def reasoning_of(delta: ChoiceDelta) -> str:
    """The reasoning a delta carries in a field of its own ("" where none).

    Its ``reasoning_content``, else its ``reasoning``, else the ``text`` (or
    ``summary``) of its ``reasoning_details`` items: OpenRouter sends the
    same text as ``reasoning`` and in ``reasoning_details``, so one of them
    is read, never both.
    """
    piece = delta.reasoning_content
    if type(piece) is str and piece:
        return piece
    piece = delta.reasoning
    if type(piece) is str and piece:
        return piece
    details = delta.reasoning_details
    if not details:
        return ""
    texts = []
    for item in details:
        text = item.get("text")
        if type(text) is not str:
            text = item.get("summary")
        if type(text) is str:
            texts.append(text)
    return "".join(texts)


def _delta_of(choice: ChunkChoice) -> ChoiceDelta:
    """A choice's delta, or the whole ``message`` a server sent in its place."""
    delta = choice.delta
    if delta is _NO_DELTA and choice.message is not UNSET:
        return choice.message
    return delta


def _part_deltas(parts: list[Any], index: int, out: list[Delta]) -> None:
    """Mistral's ``content`` parts: ``text`` parts are text, ``thinking`` parts reasoning."""
    for part in parts:
        kind = part.get("type")
        if kind == "text":
            text = part.get("text")
            if type(text) is str and text:
                out.append(Delta("text", index, text))
        elif kind == "thinking":
            thinking = part.get("thinking")
            if type(thinking) is str:
                if thinking:
                    out.append(Delta("reasoning", index, thinking))
            elif type(thinking) is list:
                for item in thinking:
                    if type(item) is dict and item.get("type") == "text":
                        text = item.get("text")
                        if type(text) is str and text:
                            out.append(Delta("reasoning", index, text))


def is_answer(delta: Delta) -> bool:
    """The answer is choice 0's text (as the fold's ``text``)."""
    return delta.kind == "text" and delta.index == 0


def kind(event: Any) -> EventKind:
    """The lane of *event*: tool, content, reasoning, lifecycle (role, finish, usage) or error.

    A chunk carrying an ``error`` (OpenRouter's) is in the error lane; else
    tool call parts make a chunk a tool chunk, content (text, refusal, audio)
    a content chunk, reasoning alone a reasoning chunk.
    """
    cls = type(event)
    if cls is ChatCompletionChunkEvent:
        chunk = event.data
        if chunk.error:
            return "error"
        lane: EventKind = "lifecycle"
        for choice in chunk.choices or ():
            delta = _delta_of(choice)
            if delta.tool_calls or delta.function_call:
                return "tool"
            content = delta.content
            if type(content) is list:
                for part in content:
                    if part.get("type") != "thinking":
                        lane = "content"
                    elif lane == "lifecycle":
                        lane = "reasoning"
            if (type(content) is str and content) or delta.refusal or delta.audio:
                lane = "content"
            elif lane == "lifecycle" and (
                delta.reasoning_content or delta.reasoning or delta.reasoning_details
            ):
                lane = "reasoning"
        return lane
    if cls is Done:
        return "lifecycle"
    if cls is ErrorEvent:
        return "error"
    return "other"
