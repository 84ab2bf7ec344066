"""Builders for synthetic Chat Completions streams, as the bytes of an SSE body.

Chunks copy the shape of the real recordings (gpt-4o-mini, 2026): compact
JSON on one ``data:`` line, LF line endings, ``[DONE]`` at the end.
:class:`Stream` writes chunks one call at a time; :func:`random_completion`
makes a whole stream from a seed together with the ``ChatCompletion`` the
non-streaming API would have returned for it (as JSON builtins, built
independently of the fold), for property and differential tests.
"""

from __future__ import annotations

import json
import random
from typing import Any

import streamkit
from streamkit.dialects import chat

__all__ = (
    "CREATED",
    "ID",
    "MODEL",
    "Stream",
    "call",
    "chunk",
    "fold",
    "random_completion",
    "sse",
    "token",
    "without",
)

JSON = dict[str, Any]

ID = "chatcmpl-Dx0Xq5Xx9rHB2ehcHZCRDsnuymUXc"
CREATED = 1_782_955_818
MODEL = "gpt-4o-mini-2024-07-18"
FINGERPRINT = "fp_d0469e1700"


def sse(data: Any) -> bytes:
    """One ``data:`` event: *data* as compact JSON (a ``str`` is sent as is)."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {payload}\n\n".encode()


def chunk(choices: list[JSON] | None = None, *, id: str = ID, **fields: Any) -> JSON:
    """A chunk as the API sends it (``choices=None`` leaves the key out)."""
    obj: JSON = {
        "id": id,
        "object": "chat.completion.chunk",
        "created": CREATED,
        "model": MODEL,
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
    }
    if choices is not None:
        obj["choices"] = choices
    obj["usage"] = None
    obj.update(fields)
    return obj


def without(obj: JSON, *keys: str) -> JSON:
    """*obj* without *keys*: a chunk as a server that leaves fields out sends it."""
    return {key: value for key, value in obj.items() if key not in keys}


def call(
    index: int,
    arguments: str | None = None,
    *,
    id: str | None = None,
    name: str | None = None,
    type: str | None = None,
) -> JSON:
    """A ``tool_calls`` item: the first part (with ``id``/``name``) or an arguments part."""
    item: JSON = {"index": index}
    if id is not None:
        item["id"] = id
        item["type"] = type or "function"
    elif type is not None:
        item["type"] = type
    function: JSON = {}
    if name is not None:
        function["name"] = name
    if arguments is not None:
        function["arguments"] = arguments
    if function or name is not None:
        item["function"] = function
    return item


def token(text: str, logprob: float = -0.5) -> JSON:
    """A token with its log probability, as ``logprobs.content`` items are sent."""
    return {
        "token": text,
        "logprob": logprob,
        "bytes": list(text.encode()),
        "top_logprobs": [],
    }


class Stream:
    """An SSE body being written chunk by chunk."""

    def __init__(self, *, id: str = ID) -> None:
        self.id = id
        self.parts: list[bytes] = []

    def emit(self, data: Any) -> Stream:
        self.parts.append(sse(data))
        return self

    def chunk(self, *choices: JSON, **fields: Any) -> Stream:
        return self.emit(chunk(list(choices), id=self.id, **fields))

    def delta(
        self,
        index: int = 0,
        *,
        logprobs: Any = "absent",
        finish_reason: Any = None,
        **delta: Any,
    ) -> Stream:
        """One chunk with one choice carrying *delta*."""
        choice: JSON = {"index": index, "delta": delta}
        if logprobs != "absent":
            choice["logprobs"] = logprobs
        choice["finish_reason"] = finish_reason
        return self.chunk(choice)

    def start(self, index: int = 0, **delta: Any) -> Stream:
        """The first chunk of a choice: role, empty content, null refusal."""
        return self.delta(index, **{"role": "assistant", "content": "", "refusal": None, **delta})

    def text(self, *pieces: str, index: int = 0) -> Stream:
        for piece in pieces:
            self.delta(index, content=piece)
        return self

    def finish(self, reason: str = "stop", index: int = 0) -> Stream:
        return self.delta(index, finish_reason=reason)

    def usage(self, prompt: int = 10, completion: int = 5) -> Stream:
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        }
        return self.emit(chunk([], id=self.id, usage=usage))

    def error(self, message: str = "The server had an error.", **fields: Any) -> Stream:
        return self.emit({"error": {"message": message, "type": "server_error", **fields}})

    def done(self) -> Stream:
        return self.emit("[DONE]")

    def body(self) -> bytes:
        return b"".join(self.parts)

    def typed(self) -> list[Any]:
        return list(streamkit.iter_events([self.body()], dialect="chat"))

    def fold(self, *, strict: bool = False) -> chat.Accumulator:
        return fold(self.typed(), strict=strict)


def fold(events: list[Any], *, strict: bool = False) -> chat.Accumulator:
    acc = chat.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


# -- random completions ------------------------------------------------------------

_WORDS = (
    "the", " weather", " in", " Paris", " is", " mild", ",", " 18", "°C", " with",
    " light", " rain", ".", " Bring", " an", " umbrella", "!", " 🌧", " naïve", " café",
)  # fmt: skip


def _pieces(rng: random.Random, text: str) -> list[str]:
    """*text* cut at random places into 1-6 character pieces."""
    out = []
    pos = 0
    while pos < len(text):
        step = rng.randint(1, 6)
        out.append(text[pos : pos + step])
        pos += step
    return out


def random_completion(seed: int, *, usage: bool = True, ordered: bool = True) -> tuple[bytes, JSON]:
    """A random stream and the completion it folds to (as the API's JSON).

    1-3 choices, interleaved; each answers with text (maybe with logprobs), a
    refusal, or 1-3 parallel function calls; then the finish chunks, the usage
    chunk when *usage*, and ``[DONE]``.  Every role and id is sent once, as
    OpenAI does.  With *ordered*, choice ``i`` starts only after choice
    ``i - 1`` started (openai-python's fold needs that); else in any order.
    """
    rng = random.Random(seed)
    n = rng.randint(1, 3)
    plans: list[list[JSON]] = []
    finals: list[JSON] = []
    for index in range(n):
        kind = rng.choice(("text", "text", "refusal", "tools"))
        with_logprobs = kind == "text" and rng.random() < 0.5
        steps: list[JSON] = []
        first: JSON = {"role": "assistant", "content": "" if kind != "tools" else None}
        if kind != "tools":
            first["refusal"] = None
        message: JSON = dict(first)
        choice: JSON = {"index": index, "delta": first}
        if with_logprobs:
            choice["logprobs"] = {"content": [], "refusal": None}
        steps.append(choice)
        logprobs: JSON | None = {"content": [], "refusal": None} if with_logprobs else None
        if kind == "text":
            text = "".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 30)))
            for piece in _pieces(rng, text):
                step: JSON = {"index": index, "delta": {"content": piece}}
                if logprobs is not None:
                    tokens = [token(piece, -rng.random())]
                    step["logprobs"] = {"content": tokens, "refusal": None}
                    logprobs["content"] += tokens
                steps.append(step)
            message["content"] = text
        elif kind == "refusal":
            text = "I'm sorry, but I can't help with that."
            steps += ({"index": index, "delta": {"refusal": p}} for p in _pieces(rng, text))
            message["refusal"] = text
        else:
            calls = []
            for number in range(rng.randint(1, 3)):
                call_id = f"call_{seed:08x}{index}{number}ABCDEFGHIJKL"
                name = rng.choice(("get_weather", "get_time", "lookup"))
                arguments = json.dumps({"city": rng.choice(("Paris", "Köln", "東京"))})
                steps.append(
                    {
                        "index": index,
                        "delta": {"tool_calls": [call(number, "", id=call_id, name=name)]},
                    }
                )
                steps += (
                    {"index": index, "delta": {"tool_calls": [call(number, piece)]}}
                    for piece in _pieces(rng, arguments)
                )
                calls.append(
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                )
            message["tool_calls"] = calls
        finish = {"text": "stop", "refusal": "stop", "tools": "tool_calls"}[kind]
        steps.append({"index": index, "delta": {}, "finish_reason": finish})
        plans.append(steps)
        final: JSON = {"index": index, "message": message, "finish_reason": finish}
        if logprobs is not None:
            final["logprobs"] = logprobs
        finals.append(final)
    # Interleave the choices: each keeps its own order.
    body = []
    cursors = [0] * n
    while any(cursor < len(plan) for cursor, plan in zip(cursors, plans, strict=True)):
        ready = [
            i
            for i in range(n)
            if cursors[i] < len(plans[i]) and (not ordered or i == 0 or cursors[i - 1] > 0)
        ]
        index = rng.choice(ready)
        step = dict(plans[index][cursors[index]])
        step.setdefault("finish_reason", None)
        cursors[index] += 1
        body.append(sse(chunk([step])))
    completion: JSON = {
        "id": ID,
        "object": "chat.completion",
        "created": CREATED,
        "model": MODEL,
        "choices": finals,
        "service_tier": "default",
        "system_fingerprint": FINGERPRINT,
    }
    if usage:
        counts = {"prompt_tokens": 21, "completion_tokens": 34, "total_tokens": 55}
        body.append(sse(chunk([], usage=counts)))
        completion["usage"] = counts
    else:
        completion["usage"] = None
    body.append(sse("[DONE]"))
    return b"".join(body), completion
