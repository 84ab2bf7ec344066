"""Builders for synthetic Ollama streams, as the bytes of an NDJSON body.

Lines copy the shape of the real captures (gemma3:1b, Ollama of 2025, and
the tool call shape of late-2025 servers): compact JSON in Ollama's key
order, one object per line, LF line ends, ``created_at`` in nanoseconds
growing by a few milliseconds a line, the counts and durations on the
``done`` line.  :class:`Stream` writes lines one call at a time;
:func:`random_stream` makes a whole stream from a seed together with the
response the endpoint returns with ``"stream": false`` (as JSON builtins,
built independently of the fold), for property and differential tests.
"""

from __future__ import annotations

import datetime
import json
import random
from typing import Any, Literal

import streamkit
from streamkit.dialects import ollama

__all__ = ("MODEL", "Stream", "call", "fold", "line", "random_stream", "until_error")

JSON = dict[str, Any]
Endpoint = Literal["chat", "generate"]

MODEL = "gemma3:1b"
START_NS = 1_755_697_703_241_046_000  # 2025-08-20T13:48:23.241046Z, the real capture's


def line(obj: Any) -> bytes:
    """One NDJSON line: *obj* as compact JSON, non-ASCII kept (as Go writes it)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def stamp(ns: int) -> str:
    """An RFC 3339 time in UTC with nanoseconds, trailing zeros dropped (Go's format)."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    day = datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{day}.{digits}Z" if digits else f"{day}Z"


def call(name: str, arguments: Any, *, id: str | None = None, index: int | None = None) -> JSON:
    """A tool call as Ollama streams it: whole, ``id`` and ``function.index`` where given."""
    function: JSON = {}
    if index is not None:
        function["index"] = index
    function["name"] = name
    function["arguments"] = arguments
    out: JSON = {}
    if id is not None:
        out["id"] = id
    out["function"] = function
    return out


METRICS = {
    "total_duration": 313_801_125,
    "load_duration": 41_717_917,
    "prompt_eval_count": 15,
    "prompt_eval_duration": 27_758_541,
    "eval_count": 50,
    "eval_duration": 243_926_334,
}


class Stream:
    """An NDJSON body of one endpoint being written line by line."""

    def __init__(self, endpoint: Endpoint = "chat", *, model: str = MODEL) -> None:
        self.endpoint = endpoint
        self.model = model
        self.ns = START_NS
        self.parts: list[bytes] = []

    def head(self) -> JSON:
        self.ns += 4_960_000
        return {"model": self.model, "created_at": stamp(self.ns)}

    def emit(self, obj: Any) -> Stream:
        self.parts.append(obj if isinstance(obj, bytes) else line(obj))
        return self

    def piece(
        self,
        content: str = "",
        *,
        thinking: str | None = None,
        tool_calls: list[JSON] | None = None,
        done: bool = False,
        **fields: Any,
    ) -> Stream:
        """One line carrying *content* (and *thinking*, *tool_calls*), then *fields*."""
        obj = self.head()
        if self.endpoint == "chat":
            message: JSON = {"role": "assistant", "content": content}
            if thinking is not None:
                message["thinking"] = thinking
            if tool_calls is not None:
                message["tool_calls"] = tool_calls
            obj["message"] = message
            obj["done"] = done
        else:
            obj["response"] = content
            if thinking is not None:
                obj["thinking"] = thinking
            obj["done"] = done
            if tool_calls is not None:
                obj["tool_calls"] = tool_calls
        obj.update(fields)
        return self.emit(obj)

    def text(self, *pieces: str) -> Stream:
        for piece in pieces:
            self.piece(piece)
        return self

    def think(self, *pieces: str) -> Stream:
        for piece in pieces:
            self.piece("", thinking=piece)
        return self

    def tools(self, *calls: JSON) -> Stream:
        return self.piece("", tool_calls=list(calls))

    def done(self, reason: str | None = "stop", *, metrics: bool = True, **fields: Any) -> Stream:
        """The last line: ``done: true``, the reason (``None``: left out), counts and durations."""
        extra: JSON = {}
        if reason is not None:
            extra["done_reason"] = reason
        extra["done"] = True
        if self.endpoint == "generate":
            extra["context"] = [105, 2364, 107]
        if metrics:
            extra.update(METRICS)
        extra.update(fields)
        obj = self.head()
        if self.endpoint == "chat":
            obj["message"] = {"role": "assistant", "content": ""}
        else:
            obj["response"] = ""
        obj.update(extra)
        return self.emit(obj)

    def error(self, message: str = "an error was encountered while running the model") -> Stream:
        return self.emit({"error": message})

    def body(self) -> bytes:
        return b"".join(self.parts)

    def typed(self) -> list[Any]:
        return list(streamkit.iter_events([self.body()], dialect="ollama"))

    def fold(self, *, strict: bool = False) -> ollama.Accumulator:
        return fold(self.typed(), strict=strict)


def until_error(chunks: list[bytes]) -> tuple[list[Any], streamkit.StreamError | None]:
    """The events ``iter_events`` gives for *chunks*, and the error that ended them, if one did."""
    events: list[Any] = []
    try:
        for event in streamkit.iter_events(chunks, "ollama"):
            events.append(event)  # noqa: PERF402 - what came before the error is kept
    except streamkit.StreamError as exc:
        return events, exc
    return events, None


def fold(events: list[Any], *, strict: bool = False) -> ollama.Accumulator:
    acc = ollama.Accumulator(strict=strict)
    for event in events:
        acc.feed(event)
    return acc


# -- random streams --------------------------------------------------------------------

_WORDS = (
    "The", " sky", " is", " blue", " because", " of", " Rayleigh", " scattering", ",",
    " and", " 18", "°C", " in", " Köln", " 東京", " 🌧", " naïve", " café", ".", "\n\n",
    ' "quoted"', " back\\slash", "\t",
)  # fmt: skip


def _pieces(rng: random.Random, text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        step = rng.randint(1, 6)
        out.append(text[pos : pos + step])
        pos += step
    return out


def random_stream(seed: int, endpoint: Endpoint | None = None) -> tuple[bytes, JSON]:
    """A random stream of one endpoint and the response it folds to (the server's JSON).

    Thinking pieces, then answer pieces, then 0-3 tool calls spread over one
    or two lines, then the done line (``stop``, ``length``, or no reason);
    the response is built the way the server builds its ``"stream": false``
    answer, without streamkit.
    """
    rng = random.Random(seed)
    endpoint = endpoint or rng.choice(("chat", "generate"))
    stream = Stream(endpoint)
    thinking = "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 12)))
    text = "".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 30)))
    stream.think(*_pieces(rng, thinking))
    stream.text(*_pieces(rng, text))
    calls = []
    for number in range(rng.randint(0, 3)):
        arguments = {"city": rng.choice(("Paris", "Köln", "東京")), "days": rng.randint(1, 9)}
        with_ids = seed % 2 == 0
        calls.append(
            call(
                rng.choice(("get_weather", "get_time")),
                arguments,
                id=f"call_{seed % 1000:03d}{number:05d}" if with_ids else None,
                index=number if with_ids else None,
            )
        )
    if calls:
        split = rng.randint(0, len(calls))
        for part in (calls[:split], calls[split:]):
            if part:
                stream.tools(*part)
    reason = rng.choice(("stop", "stop", "length", None))
    stream.done(reason)
    last = json.loads(stream.parts[-1])
    response: JSON
    if endpoint == "chat":
        message: JSON = {"role": "assistant", "content": text}
        if thinking:
            message["thinking"] = thinking
        if calls:
            message["tool_calls"] = calls
        response = {"model": last["model"], "created_at": last["created_at"], "message": message}
        response.update(
            {k: v for k, v in last.items() if k not in ("model", "created_at", "message")}
        )
    else:
        response = {"model": last["model"], "created_at": last["created_at"], "response": text}
        if thinking:
            response["thinking"] = thinking
        response.update(
            {k: v for k, v in last.items() if k not in ("model", "created_at", "response")}
        )
        if calls:
            response["tool_calls"] = calls
    return stream.body(), response
