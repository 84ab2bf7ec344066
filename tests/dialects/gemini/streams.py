"""Builders for synthetic Gemini streams, in both forms: SSE bodies and JSON-array bodies.

Chunks copy the shape of the real captures (gemini-2.5-flash, 2025-26):
``candidates`` with the new parts, ``usageMetadata`` on every chunk,
``modelVersion`` and ``responseId``; the SSE form is ``data: {json}`` with
CRLF line ends and no ``[DONE]``, the array form ``[{...}``, ``,\\r\\n{...}``,
``]``.  :func:`random_stream` makes a whole stream from a seed together with
what its fold must give (built independently of the fold), for property
tests.
"""

from __future__ import annotations

import json
import random
from typing import Any

import streamkit
from streamkit.dialects import gemini

__all__ = (
    "MODEL",
    "RESPONSE_ID",
    "array",
    "call",
    "candidate",
    "chunk",
    "events",
    "fold",
    "random_stream",
    "sse",
    "text",
    "usage",
)

JSON = dict[str, Any]

MODEL = "gemini-2.5-flash"
RESPONSE_ID = "G5nyaJuGE-yrqtsPmJHUoAs"
SIGNATURE = "CikB0e2Kbw5tJ9dwYB9m1I9W28H1Pvbhg7iFnlQJMZT9ndxhy/OJBT3V9Qpt"


def text(value: str, *, thought: bool = False, signature: str | None = None) -> JSON:
    """A text part (a thought with *thought*), with a ``thoughtSignature`` if given."""
    part: JSON = {"text": value}
    if thought:
        part["thought"] = True
    if signature is not None:
        part["thoughtSignature"] = signature
    return part


def call(name: str, args: JSON | None = None, *, id: str | None = None) -> JSON:
    """A ``functionCall`` part (``args`` left out when None)."""
    body: JSON = {"name": name}
    if args is not None:
        body["args"] = args
    if id is not None:
        body["id"] = id
    return {"functionCall": body}


def candidate(parts: list[JSON] | None = None, *, index: int | None = 0, **fields: Any) -> JSON:
    """A candidate of a chunk: its new *parts* (None: no content) and metadata in *fields*."""
    out: JSON = {}
    if parts is not None:
        out["content"] = {"parts": parts, "role": "model"}
    out.update(fields)
    if index is not None:
        out["index"] = index
    return out


def usage(prompt: int = 9, output: int | None = None, thoughts: int | None = None) -> JSON:
    """A ``usageMetadata`` (counts left out where None, as the API leaves out zeros)."""
    out: JSON = {"promptTokenCount": prompt}
    if output is not None:
        out["candidatesTokenCount"] = output
    out["totalTokenCount"] = prompt + (output or 0) + (thoughts or 0)
    out["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    if thoughts is not None:
        out["thoughtsTokenCount"] = thoughts
    return out


def chunk(
    candidates: list[JSON] | None = None,
    *,
    usage_metadata: JSON | None = None,
    response_id: str | None = RESPONSE_ID,
    **fields: Any,
) -> JSON:
    """A ``GenerateContentResponse`` chunk (``candidates=None`` leaves the key out)."""
    out: JSON = {}
    if candidates is not None:
        out["candidates"] = candidates
    out["usageMetadata"] = usage_metadata if usage_metadata is not None else usage()
    out["modelVersion"] = MODEL
    if response_id is not None:
        out["responseId"] = response_id
    out.update(fields)
    return out


def sse(*chunks: JSON | str) -> bytes:
    """The ``alt=sse`` body of *chunks* (a ``str`` is sent as it is)."""
    return b"".join(
        b"data: " + (c if isinstance(c, str) else json.dumps(c)).encode() + b"\r\n\r\n"
        for c in chunks
    )


def array(*chunks: JSON | str) -> bytes:
    """The JSON-array body of *chunks*, laid out as the server lays it out."""
    items = [c if isinstance(c, str) else json.dumps(c, indent=2) for c in chunks]
    return ("[" + "\n,\r\n".join(items) + "\n]").encode()


def events(*chunks: JSON | str) -> list[Any]:
    """The typed events of the SSE body of *chunks*."""
    return list(streamkit.iter_events([sse(*chunks)], "gemini"))


def fold(items: Any, *, strict: bool = False) -> gemini.Accumulator:
    """An accumulator fed *items* (events, or chunks to decode first)."""
    acc = gemini.Accumulator(strict=strict)
    items = list(items)
    if items and isinstance(items[0], dict):
        items = events(*items)
    for event in items:
        acc.feed(event)
    return acc


_WORDS = ("the", "stream", "é", "東京", "😀", 'say "hi"', "a\\b", "[x]", "{y}", "\n")


def random_stream(seed: int) -> tuple[list[JSON], JSON]:
    """A random stream's chunks, and what its fold must give.

    Thoughts, then text, then (sometimes) function calls, spread over chunks
    of one to three parts; a signature on the first text part; the finish
    reason on the last chunk.  The expectation holds ``text``, ``reasoning``,
    ``calls`` (name, JSON args) and ``parts`` (the folded parts, as JSON).
    """
    rng = random.Random(seed)
    parts = [
        text(" ".join(rng.choices(_WORDS, k=rng.randint(1, 3))), thought=True)
        for _ in range(rng.randint(0, 4))
    ]
    for i in range(rng.randint(0, 8)):
        signature = SIGNATURE if i == 0 and rng.random() < 0.5 else None
        parts.append(text(" ".join(rng.choices(_WORDS, k=rng.randint(0, 3))), signature=signature))
    calls = []
    for i in range(rng.choice([0, 0, 1, 2, 3])):
        args = {"city": rng.choice(_WORDS), "n": i, "deep": {"list": [1, None, True]}}
        calls.append(call(f"tool_{i}", args, id=f"call_{i}" if rng.random() < 0.5 else None))
    items = parts + calls
    chunks: list[JSON] = []
    pos = 0
    while pos < len(items) or not chunks:
        size = rng.randint(1, 3)
        chunks.append(chunk([candidate(items[pos : pos + size])], usage_metadata=usage(9)))
        pos += size
    chunks[-1]["candidates"][0]["finishReason"] = "STOP"
    chunks[-1]["usageMetadata"] = usage(9, 40, 12)
    # What the fold gives: text parts of a kind joined, one signature at most on each.
    folded: list[JSON] = []
    for part in items:
        last = folded[-1] if folded else None
        if (
            "text" in part
            and last is not None
            and "text" in last
            and last.get("thought", False) == part.get("thought", False)
            and not ("thoughtSignature" in last and "thoughtSignature" in part)
        ):
            last["text"] += part["text"]
            if "thoughtSignature" in part:
                last["thoughtSignature"] = part["thoughtSignature"]
        else:
            folded.append(dict(part))
    expected = {
        "text": "".join(p["text"] for p in items if "text" in p and not p.get("thought")),
        "reasoning": "".join(p["text"] for p in items if p.get("thought")),
        "calls": [
            (
                c["functionCall"]["name"],
                json.dumps(c["functionCall"]["args"], separators=(",", ":"), ensure_ascii=False),
            )
            for c in calls
        ],
        "parts": folded,
    }
    return chunks, expected
