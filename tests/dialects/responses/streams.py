"""Builders for synthetic Responses API event streams, as the bytes of an SSE body.

Objects copy the shapes of the real recordings (late 2025): compact JSON,
one ``event:`` and one ``data:`` line per event, LF line endings, the event
name equal to the payload's ``type``, ``sequence_number`` counting from 0.
:class:`Stream` writes events one call at a time; :func:`random_response`
makes a whole response from a seed, with the final object the server would
send, for property and differential tests.
"""

from __future__ import annotations

import json
import random
from typing import Any

import streamkit
from streamkit.dialects import responses

__all__ = (
    "CREATED_AT",
    "RESP_ID",
    "Stream",
    "code_interpreter_item",
    "custom_tool_item",
    "fold",
    "function_item",
    "message_item",
    "output_text",
    "random_response",
    "reasoning_item",
    "refusal",
    "response_obj",
    "sse",
    "typed",
)

JSON = dict[str, Any]

RESP_ID = "resp_0a5004ef5dc3564c0069845a9e0b5c8193a1c6b0c1e4f2d3a7"
CREATED_AT = 1_770_281_630


def sse(name: str, data: Any) -> bytes:
    """One SSE event: *data* as compact JSON (a ``str`` or ``bytes`` is sent as is)."""
    if isinstance(data, bytes):
        payload = data
    elif isinstance(data, str):
        payload = data.encode()
    else:
        payload = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return b"event: " + name.encode() + b"\ndata: " + payload + b"\n\n"


def typed(body: bytes) -> list[Any]:
    """The typed events of an SSE body."""
    return list(streamkit.iter_events([body], dialect="responses"))


def fold(events: list[Any], *, strict: bool = False) -> responses.Accumulator:
    """A fresh accumulator fed *events*."""
    acc = responses.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


def response_obj(
    status: str = "in_progress", output: list[JSON] | None = None, **changes: Any
) -> JSON:
    """A response object as the API sends it (gpt-4o-mini, no tools), with *changes*."""
    obj: JSON = {
        "id": RESP_ID,
        "object": "response",
        "created_at": CREATED_AT,
        "status": status,
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": "gpt-4o-mini-2024-07-18",
        "output": output or [],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "prompt_cache_key": None,
        "reasoning": {"effort": None, "summary": None},
        "safety_identifier": None,
        "service_tier": "auto",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": None,
        "user": None,
        "metadata": {},
    }
    if status == "completed":
        obj["usage"] = {
            "input_tokens": 31,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 12,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 43,
        }
    obj.update(changes)
    return obj


def output_text(text: str = "", annotations: list[JSON] | None = None) -> JSON:
    return {"type": "output_text", "annotations": annotations or [], "logprobs": [], "text": text}


def refusal(text: str = "") -> JSON:
    return {"type": "refusal", "refusal": text}


def message_item(id: str, status: str = "in_progress", content: list[JSON] | None = None) -> JSON:
    return {
        "id": id,
        "type": "message",
        "status": status,
        "content": content or [],
        "role": "assistant",
    }


def function_item(
    id: str, arguments: str = "", status: str = "in_progress", name: str = "get_weather"
) -> JSON:
    return {
        "id": id,
        "type": "function_call",
        "status": status,
        "arguments": arguments,
        "call_id": "call_" + id[3:27],
        "name": name,
    }


def custom_tool_item(id: str, input: str = "", status: str = "in_progress") -> JSON:
    return {
        "id": id,
        "type": "custom_tool_call",
        "status": status,
        "call_id": "call_" + id[4:28],
        "input": input,
        "name": "code_exec",
    }


def code_interpreter_item(
    id: str, code: str = "", status: str = "in_progress", outputs: list[JSON] | None = None
) -> JSON:
    return {
        "id": id,
        "type": "code_interpreter_call",
        "status": status,
        "code": code,
        "container_id": "cntr_68d5f2ff755081909108df3898ede7a50cf76b1756858cda",
        "outputs": outputs,
    }


def reasoning_item(id: str, summary: list[str] | None = None) -> JSON:
    return {
        "id": id,
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text} for text in summary or []],
    }


class Stream:
    """An SSE body being written, one event per call; each method returns the stream.

    ``sequence_number`` counts up from 0 unless ``sequence=False`` (the 2025-03 format).
    """

    def __init__(self, *, sequence: bool = True) -> None:
        self.parts: list[bytes] = []
        self.sequence = 0 if sequence else None

    def event(self, name: str, **fields: Any) -> Stream:
        """Any event: ``type`` is *name*, then *fields*, then ``sequence_number``."""
        data: JSON = {"type": name, **fields}
        if self.sequence is not None:
            data["sequence_number"] = self.sequence
            self.sequence += 1
        self.parts.append(sse(name, data))
        return self

    def raw(self, name: str, data: Any) -> Stream:
        """An event written exactly as given (no sequence number added)."""
        self.parts.append(sse(name, data))
        return self

    def lifecycle(self, state: str, **changes: Any) -> Stream:
        status = "in_progress" if state == "created" else state
        return self.event(f"response.{state}", response=response_obj(status, **changes))

    def added(self, index: int, item: JSON) -> Stream:
        return self.event("response.output_item.added", output_index=index, item=item)

    def done(self, index: int, item: JSON) -> Stream:
        return self.event("response.output_item.done", output_index=index, item=item)

    def part_added(self, index: int, item_id: str, content: int, part: JSON) -> Stream:
        return self.event(
            "response.content_part.added",
            item_id=item_id,
            output_index=index,
            content_index=content,
            part=part,
        )

    def part_done(self, index: int, item_id: str, content: int, part: JSON) -> Stream:
        return self.event(
            "response.content_part.done",
            item_id=item_id,
            output_index=index,
            content_index=content,
            part=part,
        )

    def text(self, index: int, item_id: str, content: int, delta: str) -> Stream:
        return self.event(
            "response.output_text.delta",
            content_index=content,
            delta=delta,
            item_id=item_id,
            logprobs=[],
            output_index=index,
        )

    def text_done(self, index: int, item_id: str, content: int, text: str) -> Stream:
        return self.event(
            "response.output_text.done",
            content_index=content,
            item_id=item_id,
            logprobs=[],
            output_index=index,
            text=text,
        )

    def annotation(
        self, index: int, item_id: str, content: int, number: int, annotation: JSON
    ) -> Stream:
        return self.event(
            "response.output_text.annotation.added",
            annotation=annotation,
            annotation_index=number,
            content_index=content,
            item_id=item_id,
            output_index=index,
        )

    def item_event(self, name: str, index: int, item_id: str, **fields: Any) -> Stream:
        """An event addressing an item by ``item_id`` and ``output_index``, with *fields*."""
        return self.event(name, item_id=item_id, output_index=index, **fields)

    def body(self) -> bytes:
        return b"".join(self.parts)

    def typed(self) -> list[Any]:
        return typed(self.body())


# -- whole random responses ------------------------------------------------------------

_WORDS = (
    "the", "stream", "of", "events", "is", "parsed", "incrementally", "and", "each",
    "delta", "carries", "a", "few", "tokens", "café", "naïve", "東京", "データ", "🙂",
    "\"quoted\"", "back\\slash", "tab\there", "line\nbreak", "{json}", "über",
)  # fmt: skip


def _pieces(rng: random.Random, count: int) -> list[str]:
    return [
        "".join(" " + rng.choice(_WORDS) for _ in range(rng.randint(1, 3))) for _ in range(count)
    ]


def _id(rng: random.Random, prefix: str) -> str:
    return prefix + "".join(rng.choice("0123456789abcdef") for _ in range(48))


def random_response(seed: int) -> tuple[bytes, JSON]:
    """A random complete response: its SSE body, and the final response object it ends with.

    Output items, in random order: reasoning with summary parts, messages
    with one or two ``output_text`` parts (text deltas, url citations) or a
    refusal, function calls and custom tool calls with argument / input
    deltas, code interpreter calls with code deltas.  Every ``*.done`` event
    and the final response carry exactly what the deltas built.
    """
    rng = random.Random(seed)
    stream = Stream(sequence=rng.random() > 0.1)
    stream.lifecycle("created").lifecycle("in_progress")
    final_items: list[JSON] = []
    kinds = [rng.choice(("reasoning", "message", "function", "custom", "code", "message"))]
    kinds += [rng.choice(("message", "function", "reasoning")) for _ in range(rng.randint(0, 3))]
    for index, kind in enumerate(kinds):
        if kind == "reasoning":
            item_id = _id(rng, "rs_")
            stream.added(index, reasoning_item(item_id))
            summary = []
            for number in range(rng.randint(0, 2)):
                part = {"type": "summary_text", "text": ""}
                stream.item_event(
                    "response.reasoning_summary_part.added", index, item_id,
                    summary_index=number, part=part,
                )  # fmt: skip
                pieces = _pieces(rng, rng.randint(1, 12))
                for piece in pieces:
                    stream.item_event(
                        "response.reasoning_summary_text.delta", index, item_id,
                        summary_index=number, delta=piece, obfuscation="x",
                    )  # fmt: skip
                text = "".join(pieces)
                stream.item_event(
                    "response.reasoning_summary_text.done", index, item_id,
                    summary_index=number, text=text,
                )  # fmt: skip
                stream.item_event(
                    "response.reasoning_summary_part.done", index, item_id,
                    summary_index=number, part={"type": "summary_text", "text": text},
                )  # fmt: skip
                summary.append(text)
            item = reasoning_item(item_id, summary)
        elif kind == "message":
            item_id = _id(rng, "msg_")
            stream.added(index, message_item(item_id))
            content = []
            parts = ["refusal"] if rng.random() < 0.15 else ["text"] * rng.randint(1, 2)
            for number, part_kind in enumerate(parts):
                pieces = _pieces(rng, rng.randint(0, 30))
                text = "".join(pieces)
                if part_kind == "refusal":
                    stream.part_added(index, item_id, number, refusal())
                    for piece in pieces:
                        stream.item_event(
                            "response.refusal.delta", index, item_id,
                            content_index=number, delta=piece,
                        )  # fmt: skip
                    stream.item_event(
                        "response.refusal.done", index, item_id, content_index=number, refusal=text
                    )
                    part = refusal(text)
                else:
                    stream.part_added(index, item_id, number, output_text())
                    annotations = []
                    for piece in pieces:
                        stream.text(index, item_id, number, piece)
                        if rng.random() < 0.1:
                            end = len(text)
                            annotation = {
                                "type": "url_citation",
                                "end_index": end,
                                "start_index": max(0, end - 10),
                                "title": "Example",
                                "url": f"https://example.com/{len(annotations)}",
                            }
                            stream.annotation(index, item_id, number, len(annotations), annotation)
                            annotations.append(annotation)
                    stream.text_done(index, item_id, number, text)
                    part = output_text(text, annotations)
                stream.part_done(index, item_id, number, part)
                content.append(part)
            item = message_item(item_id, "completed", content)
        elif kind in ("function", "custom", "code"):
            prefix, field, name = {
                "function": ("fc_", "arguments", "response.function_call_arguments"),
                "custom": ("ctc_", "input", "response.custom_tool_call_input"),
                "code": ("ci_", "code", "response.code_interpreter_call_code"),
            }[kind]
            item_id = _id(rng, prefix)
            maker = {
                "function": function_item,
                "custom": custom_tool_item,
                "code": code_interpreter_item,
            }[kind]
            stream.added(index, maker(item_id))
            if kind == "code":
                stream.item_event("response.code_interpreter_call.in_progress", index, item_id)
            pieces = ['{"city": ', '"Par', 'is", "unit"', ': "c"}'] if kind == "function" else []
            pieces += _pieces(rng, rng.randint(0, 8)) if kind != "function" else []
            for piece in pieces:
                stream.item_event(f"{name}.delta", index, item_id, delta=piece, obfuscation="ab")
            value = "".join(pieces)
            stream.item_event(f"{name}.done", index, item_id, **{field: value})
            if kind == "code":
                stream.item_event("response.code_interpreter_call.interpreting", index, item_id)
                stream.item_event("response.code_interpreter_call.completed", index, item_id)
                item = code_interpreter_item(item_id, value, "completed", [])
            else:
                item = maker(item_id, value, "completed")
        stream.done(index, item)
        final_items.append(item)
    final = response_obj("completed", final_items, completed_at=CREATED_AT + 3)
    stream.event("response.completed", response=final)
    return stream.body(), final
