"""Gemini streamGenerateContent, bytes to typed events to the final response: streamkit vs the SDK.

Two measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks: ``streamkit.iter_events(dialect="gemini")``
   + ``gemini.Accumulator`` up to ``acc.result``, on the ``alt=sse`` body and
   on the same chunks as one JSON array (no ``alt=sse``), against
   google-genai's own streaming path (``client.models.generate_content_stream``
   over an ``httpx.MockTransport``: its SSE reader, its response converter and
   its pydantic ``GenerateContentResponse`` per chunk; the SDK has no fold,
   so its contender also gathers candidate 0's text and function calls as it
   goes), and against the floor: a ``bytes.find`` boundary scan plus one
   ``msgspec.json.Decoder.decode`` per payload.  Before timing, streamkit's
   text and calls are checked to be the SDK's.
2. Per-delta cost for 1,000 and 50,000 text chunks: streamkit's fold alone
   (events decoded beforehand, the result read once at the end) and
   streamkit end to end (bytes at 16 KiB chunks to the final response),
   against the SDK end to end: flat for streamkit.

The stream (:func:`generate`) copies the shapes of the real captures in
``tests/data/real/gemini/`` (gemini-2.5-flash, 2025-26): thought summary
chunks (``thought: true``), then *n_deltas* chunks of one text part of a few
words each (ASCII, accented, CJK, emoji, JSON escapes), the first with a
``thoughtSignature``, ``usageMetadata`` (growing), ``modelVersion`` and
``responseId`` on every chunk, a chunk with two parallel ``functionCall``
parts, and the last chunk with ``finishReason`` and the final usage.  The
layout is the API's: ``data: {json}`` with ``": "`` after keys, CRLF line
ends; the JSON-array form puts the same objects in ``[``, ``,\\r\\n``, ``]``.
"""

from __future__ import annotations

import gc
import importlib
import json
import random
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

import streamkit
from streamkit.dialects import gemini

from . import _harness
from ._harness import interleaved, timing_rows, versions
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 10_000, 1_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
THOUGHTS = 40
MODEL = "gemini-2.5-flash"
RESPONSE_ID = "G5nyaJuGE-yrqtsPmJHUoAs"
CLOCK = time.process_time  # CPU time of this process: see `best_of`

# -- the stream ------------------------------------------------------------------------

_WORDS = (
    "the", "stream", "of", "events", "is", "parsed", "incrementally", "and", "each",
    "delta", "carries", "a", "few", "tokens", "model", "answer", "data", "table", "result",
    "shows", "that", "we", "can", "compute", "value", "for", "this", "with", "in", "to",
    "report", "quarter", "revenue", "growth", "users", "latency", "percent", "however",
)  # fmt: skip
_ODD = ("café", "naïve", "Zürich", "東京", "数据", "😀", "🚀", 'say "hi"', "a\\b", "tab\there")


def _text(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.05:
        words.append(rng.choice(_ODD))
    return " " + " ".join(words)


def _usage(prompt: int, output: int, thoughts: int) -> dict[str, Any]:
    usage: dict[str, Any] = {"promptTokenCount": prompt}
    if output:
        usage["candidatesTokenCount"] = output
    usage["totalTokenCount"] = prompt + output + thoughts
    usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    usage["thoughtsTokenCount"] = thoughts
    return usage


def objects(n_deltas: int, *, seed: int = 0, extras: bool = True) -> list[dict[str, Any]]:
    """The chunks of one stream with *n_deltas* text chunks (and, with *extras*, the rest)."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    thoughts = 0

    def emit(parts: list[dict[str, Any]], output: int, **candidate: Any) -> None:
        out.append(
            {
                "candidates": [
                    {"content": {"parts": parts, "role": "model"}, **candidate, "index": 0}
                ],
                "usageMetadata": _usage(84, output, thoughts),
                "modelVersion": MODEL,
                "responseId": RESPONSE_ID,
            }
        )

    if extras:
        for _ in range(THOUGHTS):
            thoughts += 12
            emit([{"text": _text(rng) * 3, "thought": True}], 0)
    signature = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/") for _ in range(600)
    )
    for i in range(n_deltas):
        part: dict[str, Any] = {"text": _text(rng)}
        if i == 0:
            part["thoughtSignature"] = signature
        emit([part], 2 * (i + 1))
    if extras:
        calls = [
            {
                "functionCall": {
                    "name": "search_documents",
                    "args": {"query": _text(rng), "limit": 25},
                }
            },
            {"functionCall": {"name": "get_weather", "args": {"city": "東京", "unit": "celsius"}}},
        ]
        emit(calls, 2 * n_deltas + 30)
    emit([{"text": ""}], 2 * n_deltas + 31, finishReason="STOP")
    return out


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ": "), ensure_ascii=False)


def generate(n_deltas: int, *, seed: int = 0, extras: bool = True) -> bytes:
    """The ``alt=sse`` body of :func:`objects`."""
    return "".join(
        f"data: {_dumps(o)}\r\n\r\n" for o in objects(n_deltas, seed=seed, extras=extras)
    ).encode()


def generate_array(n_deltas: int, *, seed: int = 0, extras: bool = True) -> bytes:
    """The JSON-array body of :func:`objects`, laid out as the API lays it out."""
    items = [
        json.dumps(o, indent=2, ensure_ascii=False)
        for o in objects(n_deltas, seed=seed, extras=extras)
    ]
    return ("[" + "\n,\r\n".join(items) + "\n]").encode()


# -- the contenders ----------------------------------------------------------------------


def fold_streamkit(chunks: list[bytes]) -> Any:
    acc = gemini.Accumulator()
    feed = acc.feed
    for event in streamkit.iter_events(chunks, dialect="gemini"):
        feed(event)
    result = acc.result
    assert acc.done
    assert result is not None
    return acc


def _sdk_client(chunks: list[bytes]) -> Any:
    from google import genai
    from google.genai import types

    def respond(request: Any) -> Any:
        return httpx.Response(
            200, headers={"content-type": "text/event-stream"}, stream=_harness.Chunks(chunks)
        )

    options = types.HttpOptions(httpx_client=httpx.Client(transport=httpx.MockTransport(respond)))
    return genai.Client(api_key="bench", http_options=options)


def fold_sdk(chunks: list[bytes]) -> tuple[str, list[tuple[str, Any]]]:
    """The SDK's stream read as a user would: candidate 0's text and function calls gathered."""
    client = _sdk_client(chunks)
    text: list[str] = []
    calls: list[tuple[str, Any]] = []
    for chunk in client.models.generate_content_stream(model=MODEL, contents="Hello"):
        candidates = chunk.candidates
        if not candidates or candidates[0].content is None:
            continue
        for part in candidates[0].content.parts or ():
            if part.function_call is not None:
                calls.append((part.function_call.name, part.function_call.args))
            elif part.text and not part.thought:
                text.append(part.text)
    return "".join(text), calls


def floor(chunks: list[bytes]) -> int:
    """A ``bytes.find`` scan for each ``\\r\\n\\r\\n``, one ``msgspec.json`` decode a payload."""
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    find = buf.find
    n = pos = 0
    while (end := find(b"\r\n\r\n", pos)) >= 0:
        decode(view[pos + 6 : end])
        n += 1
        pos = end + 4
    return n


def check_same(chunks: list[bytes], array: list[bytes]) -> None:
    """streamkit (both forms) and the SDK see the same text and function calls."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        text, calls = fold_sdk(chunks)
    for body in (chunks, array):
        acc = fold_streamkit(body)
        if acc.text != text:
            raise AssertionError("streamkit and google-genai read different text")
        if [(c.name, json.loads(c.arguments)) for c in acc.tool_calls] != calls:
            raise AssertionError("streamkit and google-genai read different function calls")


def best_of(run: Callable[[], Any], repeats: int) -> float:
    """The least CPU time of this process *run* took in *repeats* runs (gc disabled)."""
    return _harness.best_of(run, repeats, clock=CLOCK)


def throughput(n_deltas: int, seed: int, repeats: int) -> str:
    data = generate(n_deltas, seed=seed)
    chunks = chunked(data, CHUNK)
    array_data = generate_array(n_deltas, seed=seed)
    array = chunked(array_data, CHUNK)
    check_same(chunks, array)
    n_events = floor(chunks)
    print(f"gemini: {len(data):,} bytes, {n_events:,} events", file=sys.stderr)
    contenders: dict[str, Callable[[list[bytes]], Any]] = {
        "streamkit": fold_streamkit,
        "streamkit, JSON-array form": lambda _: fold_streamkit(array),
        "google-genai SDK": fold_sdk,
        "floor": floor,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = interleaved(contenders, chunks, repeats, clock=CLOCK)
    lines = [
        f"Input: `benchmarks.bench_gemini.generate({n_deltas}, seed={seed})`:"
        f" {len(data) / 1e6:.2f} MB, {n_events:,} chunks ({THOUGHTS} thought chunks,"
        f" {n_deltas:,} text chunks, two parallel function calls), {CHUNK // 1024} KiB chunks;"
        f" the JSON-array form of the same objects is {len(array_data) / 1e6:.2f} MB"
        " (pretty-printed, as the API sends it). CPU time of the process, best of"
        f" {repeats}, contenders interleaved, gc disabled while timing. Text and calls were"
        " checked equal first.",
        "",
        "| contender | best ms | events/s | this ÷ streamkit (time) |",
        "|:---|---:|---:|---:|",
        *timing_rows(best, n_events),
    ]
    speedup = best["google-genai SDK"] / best["streamkit"]
    array_speedup = best["google-genai SDK"] / best["streamkit, JSON-array form"]
    verdict = "met" if speedup >= 10 else "NOT met"
    lines += [
        "",
        f"streamkit is **{speedup:.1f}x** the google-genai SDK on the SSE form (target 10x:"
        f" {verdict}), **{array_speedup:.1f}x** on the JSON-array form (which the SDK does not"
        " read).",
    ]
    return "\n".join(lines)


def _fold_only(events: list[Any], times: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            acc = gemini.Accumulator()
            feed = acc.feed
            for event in events:
                feed(event)
            acc.result  # noqa: B018 - the final response is part of the job

    return run


def _ends(chunks: list[bytes], times: int) -> None:
    for _ in range(times):
        fold_streamkit(chunks)


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> str:
    lines = [
        "Text chunks only (no thoughts or calls). Fold only: events decoded beforehand, the"
        " result read once at the end. End to end: bytes at 16 KiB chunks to the final"
        f" response. Each timing runs at least {sizes[-1]:,} chunks (the small input several"
        " times over); CPU time of the process, best of the repetitions, sizes interleaved."
        " The SDK is timed once per size.",
        "",
        "| text chunks | streamkit fold µs/chunk | streamkit end to end µs/chunk"
        " | google-genai end to end µs/chunk |",
        "|---:|---:|---:|---:|",
    ]
    inputs = {}
    for n in sizes:
        chunks = chunked(generate(n, seed=seed, extras=False), CHUNK)
        events = list(streamkit.iter_events(chunks, dialect="gemini"))
        inputs[n] = (chunks, events, max(1, sizes[-1] // n))
    gc.freeze()  # the inputs are kept throughout: no collection need walk them again
    best = {n: {"fold": float("inf"), "end": float("inf")} for n in sizes}
    for rep in range(max(repeats, 5) * 3):
        print(f"  per-delta repetition {rep + 1}", file=sys.stderr)
        for n in sizes if rep % 2 else sizes[::-1]:
            chunks, events, times = inputs[n]
            fold = best_of(_fold_only(events, times), 1) / times / n
            end = best_of(lambda c=chunks, t=times: _ends(c, t), 1) / times / n
            best[n]["fold"] = min(best[n]["fold"], fold)
            best[n]["end"] = min(best[n]["end"], end)
    costs: dict[str, list[float]] = {"fold": [], "end": [], "sdk": []}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in sizes:
            chunks = inputs[n][0]
            costs["fold"].append(best[n]["fold"] * 1e6)
            costs["end"].append(best[n]["end"] * 1e6)
            costs["sdk"].append(best_of(lambda c=chunks: fold_sdk(c), 1) / n * 1e6)
            lines.append(
                f"| {n:,} | {costs['fold'][-1]:.3f} | {costs['end'][-1]:.3f}"
                f" | {costs['sdk'][-1]:.2f} |"
            )
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    verdict = "met" if max(growth["fold"], growth["end"]) <= 1.25 else "NOT met"
    lines += [
        "",
        f"Per-chunk cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit fold"
        f" **{growth['fold']:.2f}x**, streamkit end to end **{growth['end']:.2f}x**"
        f" (target within 1.25x: {verdict}); google-genai {growth['sdk']:.2f}x.",
    ]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    # google-genai's import leaves a large heap (pydantic schemas) that every
    # gc.collect() before a timing would walk again: set it aside.
    importlib.import_module("google.genai")
    gc.freeze()
    parts = [
        versions("google-genai", "pydantic", "msgspec"),
        "",
        "### Throughput",
        "",
        throughput(N_DELTAS_QUICK if quick else N_DELTAS, args.seed, repeats),
        "",
        "### Per-delta cost as the answer grows",
        "",
        per_delta(args.seed, repeats, FLAT_QUICK if quick else FLAT),
    ]
    gc.unfreeze()
    return "\n".join(parts)
