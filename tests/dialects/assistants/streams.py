"""Builders for synthetic Assistants event streams, as the bytes of an SSE body.

Objects copy the shapes of the real recordings (API v2): compact JSON, one
``event:`` and one ``data:`` line per event, LF line endings.  :class:`Stream`
writes events one call at a time; the part builders (:func:`text`,
:func:`function`, ...) make the items of a delta's ``content`` or
``tool_calls`` list, leaving out every field given as ``None``.
:func:`random_run` makes a whole run from a seed together with the server's
final objects, for differential and property tests.
"""

from __future__ import annotations

import json
import random
from typing import Any, TypedDict

import streamkit
from streamkit import assistants

__all__ = (
    "ASSISTANT_ID",
    "RUN_ID",
    "THREAD_ID",
    "Finals",
    "Stream",
    "citation",
    "code",
    "file_path",
    "file_search",
    "fold",
    "function",
    "image",
    "image_file",
    "logs",
    "message_creation",
    "message_obj",
    "random_run",
    "refusal",
    "run_obj",
    "sse",
    "step_obj",
    "text",
    "tool_calls",
)

JSON = dict[str, Any]

RUN_ID = "run_4fLkWc2pQ9xZr7TbN1sJm0Ha"
THREAD_ID = "thread_Qm3vP8sLx2KcT6nR9wYb1DfE"
ASSISTANT_ID = "asst_Hn5tR2wQx8LmV3kP7sYc0BgJ"
CREATED_AT = 1_758_061_629


def sse(name: str, data: Any) -> bytes:
    """One SSE event: *data* as compact JSON (a ``str`` is sent as is)."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"event: {name}\ndata: {payload}\n\n".encode()


def _present(**fields: Any) -> JSON:
    return {key: value for key, value in fields.items() if value is not None}


# -- whole objects ---------------------------------------------------------------


def run_obj(status: str = "queued", *, run_id: str = RUN_ID, **fields: Any) -> JSON:
    """A run object as the API sends it."""
    obj: JSON = {
        "id": run_id,
        "object": "thread.run",
        "created_at": CREATED_AT,
        "assistant_id": ASSISTANT_ID,
        "thread_id": THREAD_ID,
        "status": status,
        "started_at": None,
        "expires_at": CREATED_AT + 600,
        "cancelled_at": None,
        "failed_at": None,
        "completed_at": None,
        "required_action": None,
        "last_error": None,
        "model": "gpt-4o-mini",
        "instructions": None,
        "tools": [],
        "tool_resources": {},
        "metadata": {},
        "temperature": 1.0,
        "top_p": 1.0,
        "max_completion_tokens": None,
        "max_prompt_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "incomplete_details": None,
        "usage": None,
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    obj.update(fields)
    return obj


def message_creation(msg_id: str) -> JSON:
    """The ``step_details`` of a step that creates message *msg_id*."""
    return {"type": "message_creation", "message_creation": {"message_id": msg_id}}


def tool_calls(*calls: JSON) -> JSON:
    """The ``step_details`` of a tool calls step (final tool call objects, no ``index``)."""
    return {"type": "tool_calls", "tool_calls": list(calls)}


def step_obj(
    step_id: str,
    details: JSON | None = None,
    *,
    status: str = "in_progress",
    run_id: str = RUN_ID,
    **fields: Any,
) -> JSON:
    """A run step object; *details* defaults to an empty tool calls step."""
    details = tool_calls() if details is None else details
    obj: JSON = {
        "id": step_id,
        "object": "thread.run.step",
        "created_at": CREATED_AT + 2,
        "run_id": run_id,
        "assistant_id": ASSISTANT_ID,
        "thread_id": THREAD_ID,
        "type": details["type"],
        "status": status,
        "cancelled_at": None,
        "completed_at": None,
        "expires_at": CREATED_AT + 600,
        "failed_at": None,
        "last_error": None,
        "step_details": details,
        "usage": None,
    }
    obj.update(fields)
    return obj


def message_obj(
    msg_id: str, content: list[JSON] | None = None, *, status: str = "in_progress", **fields: Any
) -> JSON:
    """A message object (assistant role, empty content unless given)."""
    obj: JSON = {
        "id": msg_id,
        "object": "thread.message",
        "created_at": CREATED_AT + 3,
        "assistant_id": ASSISTANT_ID,
        "thread_id": THREAD_ID,
        "run_id": RUN_ID,
        "status": status,
        "incomplete_details": None,
        "incomplete_at": None,
        "completed_at": None,
        "role": "assistant",
        "content": [] if content is None else content,
        "attachments": [],
        "metadata": {},
    }
    obj.update(fields)
    return obj


# -- the items of a delta ----------------------------------------------------------


def text(index: int, value: str | None = None, annotations: list[JSON] | None = None) -> JSON:
    """A text content part of a message delta."""
    return {"index": index, "type": "text", "text": _present(value=value, annotations=annotations)}


def citation(
    index: int,
    text: str | None = None,
    start: int | None = None,
    end: int | None = None,
    file_id: str | None = None,
    quote: str | None = None,
) -> JSON:
    """A ``file_citation`` annotation of a text delta."""
    cited = None if file_id is None and quote is None else _present(file_id=file_id, quote=quote)
    return {
        "index": index,
        "type": "file_citation",
        **_present(text=text, start_index=start, end_index=end, file_citation=cited),
    }


def file_path(index: int, text: str, start: int, end: int, file_id: str) -> JSON:
    """A ``file_path`` annotation of a text delta."""
    return {
        "index": index,
        "type": "file_path",
        "text": text,
        "start_index": start,
        "end_index": end,
        "file_path": {"file_id": file_id},
    }


def refusal(index: int, value: str) -> JSON:
    """A refusal content part of a message delta."""
    return {"index": index, "type": "refusal", "refusal": value}


def image_file(index: int, file_id: str) -> JSON:
    """An image file content part of a message delta."""
    return {"index": index, "type": "image_file", "image_file": {"file_id": file_id}}


_OUTPUT_ABSENT: Any = object()


def function(
    index: int,
    id: str | None = None,
    name: str | None = None,
    arguments: str | None = None,
    output: Any = _OUTPUT_ABSENT,
) -> JSON:
    """A function tool call of a step delta (``output`` is sent, even as null, when given)."""
    fn = _present(name=name, arguments=arguments)
    if output is not _OUTPUT_ABSENT:
        fn["output"] = output
    return {"index": index, **_present(id=id), "type": "function", "function": fn}


def code(
    index: int, id: str | None = None, input: str | None = None, outputs: list[JSON] | None = None
) -> JSON:
    """A code interpreter tool call of a step delta."""
    return {
        "index": index,
        **_present(id=id),
        "type": "code_interpreter",
        "code_interpreter": _present(input=input, outputs=outputs),
    }


def logs(index: int, value: str | None) -> JSON:
    """A ``logs`` output of a code interpreter delta (``None`` sends ``null``)."""
    return {"index": index, "type": "logs", "logs": value}


def image(index: int, file_id: str) -> JSON:
    """An ``image`` output of a code interpreter delta."""
    return {"index": index, "type": "image", "image": {"file_id": file_id}}


def file_search(index: int, id: str | None = None, search: JSON | None = None) -> JSON:
    """A file search tool call of a step delta."""
    return {"index": index, **_present(id=id), "type": "file_search", "file_search": search or {}}


# -- streams -----------------------------------------------------------------------


class Stream:
    """An Assistants stream written one event at a time."""

    def __init__(self, run_id: str = RUN_ID) -> None:
        self.run_id = run_id
        self.events: list[tuple[str, Any]] = []

    def emit(self, name: str, data: Any) -> Stream:
        """Any event, *data* as JSON builtins."""
        self.events.append((name, data))
        return self

    def run(self, state: str, **fields: Any) -> Stream:
        """``thread.run.<state>`` carrying the run with a matching status."""
        fields.setdefault("run_id", self.run_id)
        status = fields.pop("status", state)
        return self.emit(f"thread.run.{state}", run_obj(status, **fields))

    def step(self, state: str, step_id: str, details: JSON | None = None, **fields: Any) -> Stream:
        """``thread.run.step.<state>`` carrying the step (status *state* unless it is created)."""
        status = "in_progress" if state in ("created", "in_progress") else state
        fields.setdefault("status", status)
        fields.setdefault("run_id", self.run_id)
        return self.emit(f"thread.run.step.{state}", step_obj(step_id, details, **fields))

    def message(
        self, state: str, msg_id: str, content: list[JSON] | None = None, **fields: Any
    ) -> Stream:
        """``thread.message.<state>`` carrying the message."""
        status = "in_progress" if state in ("created", "in_progress") else state
        fields.setdefault("status", status)
        return self.emit(f"thread.message.{state}", message_obj(msg_id, content, **fields))

    def message_delta(self, msg_id: str, *content: JSON, **delta: Any) -> Stream:
        """``thread.message.delta`` with these content parts (and any other delta fields)."""
        if content:
            delta["content"] = list(content)
        data = {"id": msg_id, "object": "thread.message.delta", "delta": delta}
        return self.emit("thread.message.delta", data)

    def step_delta(self, step_id: str, *calls: JSON, details: JSON | None = None) -> Stream:
        """``thread.run.step.delta`` with these tool calls (or the given ``step_details``)."""
        if details is None:
            details = {"type": "tool_calls", "tool_calls": list(calls)}
        data = {
            "id": step_id,
            "object": "thread.run.step.delta",
            "delta": {"step_details": details},
        }
        return self.emit("thread.run.step.delta", data)

    def error(self, message: str, code: str | None = "server_error") -> Stream:
        """An ``error`` event."""
        return self.emit("error", {"message": message, "type": "server_error", "code": code})

    def done(self) -> Stream:
        """``event: done`` / ``data: [DONE]``."""
        return self.emit("done", "[DONE]")

    def body(self) -> bytes:
        """The SSE body."""
        return b"".join(sse(name, data) for name, data in self.events)

    def typed(self) -> list[Any]:
        """The typed events of the body, through the public decoder."""
        return list(streamkit.iter_events([self.body()]))

    def fold(self, *, strict: bool = False) -> assistants.Accumulator:
        """An accumulator fed every event of the body."""
        return fold(self.typed(), strict=strict)


def fold(events: list[Any], *, strict: bool = False) -> assistants.Accumulator:
    """An accumulator fed *events* in order."""
    acc = assistants.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


# -- random runs -------------------------------------------------------------------


class Finals(TypedDict):
    """The server's final objects of a run, by id in creation order (JSON builtins)."""

    messages: dict[str, JSON]
    run_steps: dict[str, JSON]
    run: JSON


_WORDS = ("the", "stream", "café", "数据", "🚀", "delta", "\n", '"q"', "\\", "sum", "x=1")
_CODE_WORDS = ("import", " pandas", "\n", "print(", "x", ")", " # é", "\t", "{", "}")


def _pieces(rng: random.Random, words: tuple[str, ...], low: int = 1, high: int = 6) -> list[str]:
    return ["".join(rng.choices(words, k=rng.randint(1, 3))) for _ in range(rng.randint(low, high))]


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self, prefix: str) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return prefix + "".join(self.rng.choices(alphabet, k=24))


def _tool_call_step(rng: random.Random, stream: Stream, ids: _Ids, finals: Finals) -> None:
    step_id = ids("step_")
    stream.step("created", step_id).step("in_progress", step_id)
    calls: list[JSON] = []
    pending: list[list[JSON]] = []  # per call: its deltas after the first
    for index in range(rng.randint(1, 3)):
        call_id = ids("call_")
        if rng.random() < 0.5:
            name = rng.choice(("get_weather", "lookup", "f"))
            args = _pieces(rng, ('{"city"', ':"', "Paris", "é", '"}', " "))
            first = function(index, call_id, name, "", output=None)
            rest = [function(index, arguments=a) for a in args]
            final_fn = {"name": name, "arguments": "".join(args), "output": None}
            calls.append({"id": call_id, "type": "function", "function": final_fn})
        else:
            source = _pieces(rng, _CODE_WORDS)
            first = code(index, call_id, "", [])
            rest = [code(index, input=s) for s in source]
            outputs: list[JSON] = []
            for out_index in range(rng.randint(0, 2)):
                if rng.random() < 0.6:
                    text_pieces = _pieces(rng, ("1", "2\n", "ok", " é"), 1, 3)
                    rest += [code(index, outputs=[logs(out_index, t)]) for t in text_pieces]
                    outputs.append({"type": "logs", "logs": "".join(text_pieces)})
                else:
                    file_id = ids("file-")
                    rest.append(code(index, outputs=[image(out_index, file_id)]))
                    outputs.append({"type": "image", "image": {"file_id": file_id}})
            final_ci = {"input": "".join(source), "outputs": outputs}
            calls.append({"id": call_id, "type": "code_interpreter", "code_interpreter": final_ci})
        stream.step_delta(step_id, first)
        pending.append(rest)
    # The rest of the calls' deltas, interleaved but each call's in order.
    while any(pending):
        queue = rng.choice([p for p in pending if p])
        stream.step_delta(step_id, queue.pop(0))
    finals["run_steps"][step_id] = step_obj(
        step_id, tool_calls(*calls), status="completed", completed_at=CREATED_AT + 9
    )


def _message(rng: random.Random, stream: Stream, ids: _Ids, finals: Finals) -> None:
    msg_id, step_id = ids("msg_"), ids("step_")
    stream.step("created", step_id, message_creation(msg_id))
    stream.step("in_progress", step_id, message_creation(msg_id))
    stream.message("created", msg_id).message("in_progress", msg_id)
    content: list[JSON] = []
    for index in range(rng.randint(1, 3)):
        kind = rng.random()
        if kind < 0.7:
            pieces = _pieces(rng, _WORDS, 1, 12)
            annotations: list[JSON] = []
            value = ""
            for i, piece in enumerate(pieces):
                anns: list[JSON] | None = [] if i == 0 else None
                if i > 0 and rng.random() < 0.25:
                    marker = f"【{len(annotations)}†source】"
                    start = len(value)
                    file_id = ids("file-")
                    if rng.random() < 0.5:
                        ann = citation(
                            len(annotations), marker, start, start + len(marker), file_id
                        )
                        final_ann = {k: v for k, v in ann.items() if k != "index"}
                    else:
                        ann = file_path(
                            len(annotations), marker, start, start + len(marker), file_id
                        )
                        final_ann = {k: v for k, v in ann.items() if k != "index"}
                    annotations.append(final_ann)
                    anns = [ann]
                    piece = marker
                stream.message_delta(msg_id, text(index, piece, anns))
                value += piece
            content.append({"type": "text", "text": {"value": value, "annotations": annotations}})
        elif kind < 0.85:
            file_id = ids("file-")
            stream.message_delta(msg_id, image_file(index, file_id))
            content.append({"type": "image_file", "image_file": {"file_id": file_id}})
        else:
            pieces = _pieces(rng, ("I", " can't", " help", " with that", "."), 1, 4)
            for piece in pieces:
                stream.message_delta(msg_id, refusal(index, piece))
            content.append({"type": "refusal", "refusal": "".join(pieces)})
    completed = {"status": "completed", "completed_at": CREATED_AT + 9}
    finals["messages"][msg_id] = message_obj(msg_id, content, **completed)
    finals["run_steps"][step_id] = step_obj(step_id, message_creation(msg_id), **completed)


def random_run(seed: int, *, finals: bool = True) -> tuple[bytes, Finals]:
    """A whole run made from *seed*: tool call steps, then messages, one after another.

    Returns the SSE body and the server's final objects.  With ``finals=False``
    the body leaves out the events carrying final messages and steps
    (``thread.message.completed``, ``thread.run.step.completed``), so the
    objects can only be had by folding the deltas.
    """
    rng = random.Random(seed)
    ids = _Ids(rng)
    stream = Stream()
    out: Finals = {"messages": {}, "run_steps": {}, "run": run_obj("completed")}
    stream.run("created").run("queued").run("in_progress")
    for _ in range(rng.randint(0, 2)):
        _tool_call_step(rng, stream, ids, out)
    for _ in range(rng.randint(1, 2)):
        _message(rng, stream, ids, out)
    if finals:
        # Each object's final event goes right after its last delta.
        last: dict[str, int] = {}
        for position, (_, data) in enumerate(stream.events):
            if isinstance(data, dict) and data.get("id") in {**out["messages"], **out["run_steps"]}:
                last[data["id"]] = position
        events = list(stream.events)
        for obj_id, position in sorted(last.items(), key=lambda item: -item[1]):
            if obj_id in out["messages"]:
                event = ("thread.message.completed", out["messages"][obj_id])
            else:
                event = ("thread.run.step.completed", out["run_steps"][obj_id])
            events.insert(position + 1, event)
        stream.events = events
    stream.emit("thread.run.completed", out["run"]).done()
    return stream.body(), out
