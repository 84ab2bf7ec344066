"""Responses API stream, bytes to typed events to final Response: streamkit against openai-python.

Two measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks: ``streamkit.iter_events(dialect="responses")``
   + ``responses.Accumulator`` against openai-python's own Responses streaming
   helper (``client.responses.stream(...)`` over an ``httpx.MockTransport``:
   its SSE parser, its typed events and its ``ResponseStreamState`` fold, up to
   ``get_final_response()``), and against the floor: a ``bytes.find`` boundary
   scan plus one ``msgspec.json.Decoder.decode`` per payload.
2. Per-delta cost for one message of 1,000 and of 50,000 text deltas (fold
   only, events decoded beforehand, the result read once at the end): flat
   for streamkit.

The stream (:func:`generate`) copies the shapes of the real captures in
``tests/data/real/responses/`` (gpt-5, late 2025): ``response.created``
and ``in_progress``; a reasoning item whose summary arrives in two parts of
``reasoning_summary_text.delta`` events; a function call whose arguments
arrive in ``function_call_arguments.delta`` events; a long message of
*n_deltas* ``output_text.delta`` events of a few words each (ASCII, accented,
CJK, emoji, JSON escapes) with a ``url_citation`` annotation every 2,000
deltas; every ``*.done`` event carrying the full value; ``response.completed``
with the whole output and usage.  Compact JSON, ``sequence_number`` from 0,
``obfuscation`` padding on deltas as the API sends it.
"""

from __future__ import annotations

import json
import random
import sys
from typing import TYPE_CHECKING, Any

import streamkit
from streamkit.dialects import responses

from ._harness import (
    best_of,
    event_count,
    floor,
    interleaved,
    mock_openai,
    timing_rows,
    versions,
)
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

X = "\N{MULTIPLICATION SIGN}"
CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 20_000, 2_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
SUMMARY_DELTAS = 300
ARGUMENT_DELTAS = 60
ANNOTATION_EVERY = 2_000

RESP_ID = "resp_68c42d1c8ba4819d9f4d1a0f3b2e7c5a08fbf9b1584184ff"
REASONING_ID = "rs_68c42d1d0878819d8266007cd3d1402c08fbf9b1584184ff"
CALL_ID = "fc_68c42d2a51bc819da8e0c6f7f45e7a3b08fbf9b1584184ff"
MESSAGE_ID = "msg_68c42d2b6d30819dbb5f8c1e2a0b7d4e08fbf9b1584184ff"
CREATED_AT = 1_757_687_068

_WORDS = (
    "the", "stream", "of", "events", "is", "parsed", "incrementally", "and", "each",
    "delta", "carries", "a", "few", "tokens", "model", "answer", "data", "table", "result",
    "shows", "that", "we", "can", "compute", "value", "for", "this", "with", "in", "to",
    "report", "quarter", "revenue", "growth", "users", "latency", "percent", "however",
)  # fmt: skip
_SPICE = ("café", "naïve", "Zürich", "東京", "データ", "🙂", '"quoted"', "a\\b", "x\ny")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _response(status: str, output: list[Any], usage: Any = None) -> dict[str, Any]:
    return {
        "id": RESP_ID,
        "object": "response",
        "created_at": CREATED_AT,
        "status": status,
        "background": False,
        "completed_at": CREATED_AT + 41 if status == "completed" else None,
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "max_output_tokens": None,
        "max_tool_calls": None,
        "model": "gpt-5-2025-08-07",
        "output": output,
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "prompt_cache_key": None,
        "reasoning": {"effort": "medium", "summary": "detailed"},
        "safety_identifier": None,
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [
            {
                "type": "function",
                "description": "Look up a city's weather.",
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {"city": {"type": "string"}},
                    "required": ["city"],
                    "additionalProperties": False,
                },
                "strict": True,
            }
        ],
        "top_logprobs": 0,
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": usage,
        "user": None,
        "metadata": {},
    }


def generate(n_deltas: int, *, seed: int = 0, tools: bool = True) -> bytes:
    """A whole Responses stream with a message of *n_deltas* text deltas (see the docstring).

    Without *tools*, the stream holds the message alone (no reasoning, no function call).
    """
    rng = random.Random(seed)
    out: list[str] = []
    sequence = 0

    def emit(data: dict[str, Any]) -> None:
        nonlocal sequence
        data["sequence_number"] = sequence
        sequence += 1
        out.append(f"event: {data['type']}\ndata: {_dumps(data)}\n\n")

    def words() -> str:
        pieces = [" " + rng.choice(_WORDS) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.05:
            pieces.append(" " + rng.choice(_SPICE))
        return "".join(pieces)

    def pad() -> str:
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(8))

    emit({"type": "response.created", "response": _response("in_progress", [])})
    emit({"type": "response.in_progress", "response": _response("in_progress", [])})
    output: list[dict[str, Any]] = []
    if tools:
        output += _reasoning_and_call(rng, emit, words, pad)
    # The long message, with a few annotations.
    index = len(output)
    message: dict[str, Any] = {
        "id": MESSAGE_ID,
        "type": "message",
        "status": "in_progress",
        "content": [],
        "role": "assistant",
    }
    emit({"type": "response.output_item.added", "output_index": index, "item": message})
    base = {"item_id": MESSAGE_ID, "output_index": index, "content_index": 0}
    empty = {"type": "output_text", "annotations": [], "logprobs": [], "text": ""}
    emit({"type": "response.content_part.added", **base, "part": empty})
    pieces = []
    length = 0
    annotations = []
    for number in range(n_deltas):
        piece = words()
        pieces.append(piece)
        length += len(piece)
        emit(
            {
                "type": "response.output_text.delta",
                **base,
                "delta": piece,
                "logprobs": [],
                "obfuscation": pad(),
            }
        )
        if (number + 1) % ANNOTATION_EVERY == 0:
            annotation = {
                "type": "url_citation",
                "end_index": length,
                "start_index": length - len(piece),
                "title": f"Source {len(annotations) + 1}",
                "url": f"https://example.com/report/{len(annotations) + 1}?utm_source=openai",
            }
            emit(
                {
                    "type": "response.output_text.annotation.added",
                    **base,
                    "annotation_index": len(annotations),
                    "annotation": annotation,
                }
            )
            annotations.append(annotation)
    text = "".join(pieces)
    emit({"type": "response.output_text.done", **base, "logprobs": [], "text": text})
    part = {"type": "output_text", "annotations": annotations, "logprobs": [], "text": text}
    emit({"type": "response.content_part.done", **base, "part": part})
    message = {**message, "status": "completed", "content": [part]}
    emit({"type": "response.output_item.done", "output_index": index, "item": message})
    usage = {
        "input_tokens": 412,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 3 * n_deltas,
        "output_tokens_details": {"reasoning_tokens": 640 if tools else 0},
        "total_tokens": 412 + 3 * n_deltas,
    }
    final = _response("completed", [*output, message], usage)
    emit({"type": "response.completed", "response": final})
    return "".join(out).encode()


def _reasoning_and_call(
    rng: random.Random,
    emit: Callable[[dict[str, Any]], None],
    words: Callable[[], str],
    pad: Callable[[], str],
) -> list[dict[str, Any]]:
    """Emit a reasoning item with a two-part summary and a function call; return both, final."""
    encrypted = "gAAAAABo" + "".join(rng.choice("ABCDEFabcdef0123456789_-") for _ in range(600))
    reasoning = {"id": REASONING_ID, "type": "reasoning", "summary": []}
    emit({"type": "response.output_item.added", "output_index": 0, "item": reasoning})
    summary = []
    for number in range(2):
        part = {"type": "summary_text", "text": ""}
        base = {"item_id": REASONING_ID, "output_index": 0, "summary_index": number}
        emit({"type": "response.reasoning_summary_part.added", **base, "part": part})
        pieces = [words() for _ in range(SUMMARY_DELTAS // 2)]
        for piece in pieces:
            emit(
                {
                    "type": "response.reasoning_summary_text.delta",
                    **base,
                    "delta": piece,
                    "obfuscation": pad(),
                }
            )
        text = "".join(pieces)
        emit({"type": "response.reasoning_summary_text.done", **base, "text": text})
        part = {"type": "summary_text", "text": text}
        emit({"type": "response.reasoning_summary_part.done", **base, "part": part})
        summary.append(part)
    reasoning = {**reasoning, "encrypted_content": encrypted, "summary": summary}
    emit({"type": "response.output_item.done", "output_index": 0, "item": reasoning})
    # A function call with its arguments in deltas.
    call = {
        "id": CALL_ID,
        "type": "function_call",
        "status": "in_progress",
        "arguments": "",
        "call_id": "call_kL0PCQV7M2WMoVX8V8OtYSAL",
        "name": "get_weather",
    }
    emit({"type": "response.output_item.added", "output_index": 1, "item": call})
    arguments = _dumps({"city": " ".join(words() for _ in range(ARGUMENT_DELTAS // 4))})
    step = max(1, len(arguments) // ARGUMENT_DELTAS)
    for start in range(0, len(arguments), step):
        emit(
            {
                "type": "response.function_call_arguments.delta",
                "item_id": CALL_ID,
                "output_index": 1,
                "delta": arguments[start : start + step],
                "obfuscation": pad(),
            }
        )
    done_args = {"item_id": CALL_ID, "output_index": 1, "arguments": arguments}
    emit({"type": "response.function_call_arguments.done", **done_args})
    call = {**call, "status": "completed", "arguments": arguments}
    emit({"type": "response.output_item.done", "output_index": 1, "item": call})
    return [reasoning, call]


# -- the contenders -------------------------------------------------------------------


def fold_streamkit(chunks: list[bytes]) -> int:
    acc = responses.Accumulator()
    feed = acc.feed
    n = 0
    for event in streamkit.iter_events(chunks, dialect="responses"):
        feed(event)
        n += 1
    assert acc.done
    assert acc.result is not None
    assert not acc.warnings
    return n


def fold_openai(chunks: list[bytes]) -> int:
    client = mock_openai(chunks)
    n = 0
    with client.responses.stream(model="gpt-5", input="Tell me about the weather.") as stream:
        for _ in stream:
            n += 1
        final = stream.get_final_response()
    assert final.id == RESP_ID
    client.close()
    return n


CONTENDERS: dict[str, Callable[[list[bytes]], int]] = {
    "streamkit": fold_streamkit,
    "openai": fold_openai,
    "floor": floor,  # a bytes.find scan and one msgspec decode per payload
}


def throughput(n_deltas: int, seed: int, repeats: int) -> str:
    data = generate(n_deltas, seed=seed)
    chunks = chunked(data, CHUNK)
    n_events = event_count(CONTENDERS, chunks)
    print(f"responses: {len(data):,} bytes, {n_events:,} events", file=sys.stderr)
    best = interleaved(CONTENDERS, chunks, repeats)
    lines = [
        f"Input: `benchmarks.bench_responses.generate({n_deltas}, seed={seed})`:"
        f" {len(data) / 1e6:.2f} MB, {n_events:,} events, {CHUNK // 1024} KiB chunks;"
        f" best of {repeats}, contenders interleaved, gc disabled while timing.",
        "",
        "| contender | best ms | events/s | this ÷ streamkit (time) |",
        "|:---|---:|---:|---:|",
        *timing_rows(best, n_events),
    ]
    speedup = best["openai"] / best["streamkit"]
    verdict = "met" if speedup >= 20 else "NOT met"
    lines += ["", f"streamkit is **{speedup:.1f}{X}** openai-python (target ≥ 20{X}: {verdict})."]
    return "\n".join(lines)


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> str:
    lines = [
        "Fold only (events decoded beforehand), the result read once at the end, of a"
        " stream holding one message of *n* text deltas (`generate(n, tools=False)`);"
        " openai-python measured end to end (its fold cannot be run apart from its decoding).",
        "",
        "| text deltas | streamkit µs/delta | openai µs/delta |",
        "|---:|---:|---:|",
    ]
    costs: dict[str, list[float]] = {"streamkit": [], "openai": []}
    for n in sizes:
        data = generate(n, seed=seed, tools=False)
        events = list(streamkit.iter_events([data], dialect="responses"))

        def fold(events: list[Any] = events) -> None:
            acc = responses.Accumulator()
            for event in events:
                acc.feed(event)
            acc.result  # noqa: B018 - the final object is part of the job

        costs["streamkit"].append(best_of(fold, repeats) / n * 1e6)
        chunks = chunked(data, CHUNK)
        costs["openai"].append(best_of(lambda c=chunks: fold_openai(c), 1) / n * 1e6)
        lines.append(f"| {n:,} | {costs['streamkit'][-1]:.3f} | {costs['openai'][-1]:.2f} |")
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    verdict = "met" if growth["streamkit"] <= 1.25 else "NOT met"
    lines += [
        "",
        f"Per-delta cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit"
        f" **{growth['streamkit']:.2f}{X}** (target ≤ 1.25{X}: {verdict}),"
        f" openai {growth['openai']:.2f}{X}.",
    ]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    parts = [
        versions("openai", "msgspec"),
        "",
        "### Throughput",
        "",
        throughput(N_DELTAS_QUICK if quick else N_DELTAS, args.seed, repeats),
        "",
        "### Per-delta cost as the message grows",
        "",
        per_delta(args.seed, repeats, FLAT_QUICK if quick else FLAT),
    ]
    return "\n".join(parts)
