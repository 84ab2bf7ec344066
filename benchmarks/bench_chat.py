"""Chat Completions: bytes to typed events to a ChatCompletion, streamkit against openai-python.

The input is a generated, deterministic stream shaped like the real 2025-26
captures in ``tests/data/real/chat/`` (gpt-4o-mini): compact
``data: {chunk}`` lines with ``service_tier``, ``system_fingerprint``,
``usage: null`` and an ``obfuscation`` padding field on every chunk, a role
chunk per choice, thousands of one-token content deltas (the choices'
deltas interleaved), two parallel function tool calls whose arguments arrive
in fragments, the finish chunks, the usage chunk (``choices: []``) and
``[DONE]``.

Measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks, bytes to final object:
   ``streamkit.iter_events(dialect="chat")`` + ``chat.Accumulator().result``
   against openai-python's own helper, ``client.chat.completions.stream(...)``
   over an ``httpx.MockTransport`` (its SSE decoder, typed chunks and
   ``ChatCompletionStreamState``, then ``get_final_completion()``); against
   ``openai-state``, the cheapest way to use openai-python's fold (its
   ``SSEDecoder``, ``construct_type`` into ``ChatCompletionChunk`` as its
   ``Stream`` does, ``ChatCompletionStreamState.handle_chunk``); and against
   the floor (a ``bytes.find`` scan plus one ``msgspec.json.Decoder.decode``
   per payload, no typing, no fold).
2. Per-delta cost from 1,000 to 50,000 content deltas (one choice): the
   whole path at 16 KiB chunks, and the fold alone (events decoded
   beforehand), for streamkit; openai-python end to end.

Before timing, the final objects of streamkit and openai-python are compared
(content, tool calls, finish reasons, usage); the run stops if they differ.
"""

from __future__ import annotations

import json
import random
import sys
from typing import TYPE_CHECKING, Any

import msgspec
from openai._models import construct_type
from openai._streaming import SSEDecoder
from openai.lib.streaming.chat import ChatCompletionStreamState
from openai.types.chat import ChatCompletionChunk

import streamkit
from streamkit.dialects import chat

from ._harness import best_of, interleaved, mock_openai, versions
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 20_000, 2_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
FLAT_BOUND = 1.25
TARGET = 20.0
X = "\u00d7"  # the multiplication sign, for the Markdown

# -- the stream -------------------------------------------------------------------------

_ID = "chatcmpl-Bx7Qm2LkT9vRw4ZpN8sYc1HdEfGa"
_CREATED = 1_782_955_818
_MODEL = "gpt-4o-mini-2024-07-18"
_ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_WORDS = (
    " the", " stream", " of", " events", " is", " parsed", " incrementally", " and", " each",
    " delta", " carries", " a", " token", ".", ",", " model", " answer", " data", " table",
    " résumé", " naïve", " café", " 東京", " データ", " 🙂", " \"quoted\"", "\n\n", " -",
    " value", " for", " this", " with", " in", " to", " latency", " percent", " however",
)  # fmt: skip
_CITIES = ("Paris", "Edinburgh", "San Francisco", "Köln", "東京", "São Paulo")


def _line(rng: random.Random, choices: list[Any], usage: Any = None) -> bytes:
    obfuscation = "".join(rng.choices(_ALNUM, k=rng.randint(2, 15)))
    payload = json.dumps(
        {
            "id": _ID,
            "object": "chat.completion.chunk",
            "created": _CREATED,
            "model": _MODEL,
            "service_tier": "default",
            "system_fingerprint": "fp_d0469e1700",
            "choices": choices,
            "usage": usage,
            "obfuscation": obfuscation,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return b"data: " + payload.encode() + b"\n\n"


def generate(n_deltas: int, *, seed: int = 0, choices: int = 2, tool_calls: int = 2) -> bytes:
    """A stream of *n_deltas* content deltas over *choices* choices, then *tool_calls* calls.

    The content deltas of the choices interleave at random; the last choice
    ends with *tool_calls* parallel function calls, each with ~40 argument
    fragments (``finish_reason: tool_calls``), the others with ``stop``.
    """
    rng = random.Random(seed)
    out = []
    for index in range(choices):
        delta = {"role": "assistant", "content": "", "refusal": None}
        out.append(_line(rng, [_choice(index, delta)]))
    for _ in range(n_deltas):
        index = rng.randrange(choices)
        out.append(_line(rng, [_choice(index, {"content": rng.choice(_WORDS)})]))
    last = choices - 1
    for number in range(tool_calls):
        call_id = "call_" + "".join(rng.choices(_ALNUM, k=24))
        first = {
            "index": number,
            "id": call_id,
            "type": "function",
            "function": {"name": f"get_weather_{number}", "arguments": ""},
        }
        out.append(_line(rng, [_choice(last, {"tool_calls": [first]})]))
        arguments = json.dumps(
            {"city": rng.choice(_CITIES), "units": "c", "days": [1, 2, 3], "note": "x" * 60},
            ensure_ascii=False,
        )
        pos = 0
        while pos < len(arguments):
            step = rng.randint(1, 6)
            part = {"index": number, "function": {"arguments": arguments[pos : pos + step]}}
            out.append(_line(rng, [_choice(last, {"tool_calls": [part]})]))
            pos += step
    for index in range(choices):
        reason = "tool_calls" if tool_calls and index == last else "stop"
        out.append(_line(rng, [_choice(index, {}, reason)]))
    usage = {
        "prompt_tokens": 1_234,
        "completion_tokens": n_deltas,
        "total_tokens": 1_234 + n_deltas,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }
    out.append(_line(rng, [], usage))
    out.append(b"data: [DONE]\n\n")
    return b"".join(out)


def _choice(index: int, delta: Any, finish_reason: str | None = None) -> Any:
    return {"index": index, "delta": delta, "logprobs": None, "finish_reason": finish_reason}


# -- contenders ---------------------------------------------------------------------------


def run_streamkit(chunks: list[bytes]) -> Any:
    acc = chat.Accumulator()
    feed = acc.feed
    for event in streamkit.iter_events(chunks, dialect="chat"):
        feed(event)
    assert acc.done
    return acc.result


def run_openai_stream(chunks: list[bytes]) -> Any:
    client = mock_openai(chunks)
    with client.chat.completions.stream(
        model=_MODEL, messages=[{"role": "user", "content": "Hi"}]
    ) as stream:
        for _ in stream:
            pass
        return stream.get_final_completion()


def run_openai_state(chunks: list[bytes]) -> Any:
    state: ChatCompletionStreamState[Any] = ChatCompletionStreamState()
    for sse in SSEDecoder().iter_bytes(iter(chunks)):
        if sse.data.startswith("[DONE]"):
            break
        chunk = construct_type(type_=ChatCompletionChunk, value=json.loads(sse.data))
        state.handle_chunk(chunk)  # type: ignore[arg-type]
    return state.get_final_completion()


def run_floor(chunks: list[bytes]) -> int:
    """The floor: a ``bytes.find`` scan, one decode per payload but the final ``[DONE]``.

    Every event here is a single ``data: `` line, so its payload starts 6
    bytes after its start.
    """
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    find = buf.find
    n = pos = 0
    while (end := find(b"\n\n", pos)) >= 0:
        start = pos + 6
        if view[start:end] != b"[DONE]":
            decode(view[start:end])
        n += 1
        pos = end + 2
    return n


CONTENDERS: dict[str, Callable[[list[bytes]], Any]] = {
    "streamkit": run_streamkit,
    "openai-stream": run_openai_stream,
    "openai-state": run_openai_state,
    "floor": run_floor,
}


def _view(completion: Any) -> Any:
    """Content, tool calls, finish reasons and usage of a completion (builtins)."""
    if not isinstance(completion, dict):
        completion = completion.model_dump(mode="json", exclude_none=True)
    choices = []
    for choice in completion["choices"]:
        message = choice["message"]
        calls = [
            (c["id"], c["function"]["name"], c["function"]["arguments"])
            for c in message.get("tool_calls") or []
        ]
        choices.append((choice["index"], message.get("content"), calls, choice["finish_reason"]))
    return choices, completion["usage"]


def check(chunks: list[bytes]) -> None:
    """Stop unless streamkit and openai-python reach the same final object."""
    mine = _view(msgspec.to_builtins(run_streamkit(chunks)))
    for name in ("openai-stream", "openai-state"):
        theirs = _view(CONTENDERS[name](chunks))
        if theirs != mine:
            raise AssertionError(f"streamkit and {name} disagree on the final completion")


# -- measuring ---------------------------------------------------------------------------


def throughput(n_deltas: int, seed: int, repeats: int) -> tuple[str, float]:
    data = generate(n_deltas, seed=seed)
    chunks = chunked(data, CHUNK)
    check(chunks)
    n_events = run_floor(chunks)
    print(f"chat: {len(data):,} bytes, {n_events:,} events", file=sys.stderr)
    best = interleaved(CONTENDERS, chunks, repeats)
    mb = len(data) / 1e6
    lines = [
        f"Input: `benchmarks.bench_chat.generate({n_deltas}, seed={seed})`: 2 choices,"
        f" {n_deltas:,} content deltas, 2 tool calls with argument fragments, usage chunk;"
        f" {mb:.2f} MB, {n_events:,} events, {CHUNK // 1024} KiB chunks; best of {repeats},"
        " contenders interleaved, gc disabled while timing. The final objects of streamkit"
        " and both openai-python paths were checked equal before timing.",
        "",
        "| contender | best ms | MB/s | events/s | this ÷ streamkit (time) |",
        "|:---|---:|---:|---:|---:|",
    ]
    for name, t in best.items():
        lines.append(
            f"| {name} | {t * 1e3:.1f} | {mb / t:.1f} | {n_events / t:,.0f} |"
            f" {t / best['streamkit']:.2f} |"
        )
    ratio = best["openai-stream"] / best["streamkit"]
    state_ratio = best["openai-state"] / best["streamkit"]
    verdict = "met" if ratio >= TARGET else "NOT met"
    lines += [
        "",
        f"streamkit is **{ratio:.1f}{X}** as fast as `client.chat.completions.stream()` and"
        f" {state_ratio:.1f}{X} as fast as openai-python's bare state fold"
        f" (target ≥ {TARGET:.0f}{X}: {verdict}).",
    ]
    return "\n".join(lines), ratio


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> tuple[str, float]:
    """µs per content delta at each of *sizes* (:data:`FLAT`), streamkit end to end and fold only.

    The sizes are measured in interleaved rounds, each size run for about the
    same time per round (a 1,000-delta run is 50 times shorter, so it runs 50
    times), and each keeps its best run: a burst of load on the machine then
    spoils one round of every size alike instead of one size.
    """
    lines = [
        "One choice, no tool calls; µs per content delta, best run over"
        f" {repeats} interleaved rounds. `end to end`: bytes at 16 KiB chunks to the final"
        " object; `fold only`: the typed events decoded beforehand. openai-python end to end"
        " (`client.chat.completions.stream()`), one run.",
        "",
        "| content deltas | streamkit end to end | streamkit fold only | openai-stream |",
        "|---:|---:|---:|---:|",
    ]
    inputs = {}
    for n in sizes:
        chunks = chunked(generate(n, seed=seed, choices=1, tool_calls=0), CHUNK)
        inputs[n] = (chunks, list(streamkit.iter_events(chunks, dialect="chat")))

    def fold(events: list[Any]) -> None:
        acc = chat.Accumulator()
        feed = acc.feed
        for event in events:
            feed(event)
        acc.result  # noqa: B018 - the final object is part of the job

    best = {(kind, n): float("inf") for kind in ("end", "fold") for n in sizes}
    for _ in range(repeats):
        for n, (chunks, events) in inputs.items():
            runs = max(1, sizes[-1] // n)
            end = best_of(lambda c=chunks: run_streamkit(c), runs)
            best["end", n] = min(best["end", n], end)
            only = best_of(lambda e=events: fold(e), runs)
            best["fold", n] = min(best["fold", n], only)
    costs: dict[str, list[float]] = {"end": [], "fold": [], "openai": []}
    for n, (chunks, _) in inputs.items():
        costs["end"].append(best["end", n] / n * 1e6)
        costs["fold"].append(best["fold", n] / n * 1e6)
        costs["openai"].append(best_of(lambda c=chunks: run_openai_stream(c), 1) / n * 1e6)
        lines.append(
            f"| {n:,} | {costs['end'][-1]:.3f} | {costs['fold'][-1]:.3f} |"
            f" {costs['openai'][-1]:.2f} |"
        )
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    worst = max(growth["end"], growth["fold"])
    verdict = "met" if worst <= FLAT_BOUND else "NOT met"
    lines += [
        "",
        f"Per-delta cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit end to end"
        f" **{growth['end']:.2f}{X}**, fold only **{growth['fold']:.2f}{X}**"
        f" (target ≤ {FLAT_BOUND}{X}: {verdict}); openai-python {growth['openai']:.2f}{X}.",
    ]
    return "\n".join(lines), worst


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    table, _ = throughput(N_DELTAS_QUICK if quick else N_DELTAS, args.seed, repeats)
    flat, _ = per_delta(args.seed, repeats, FLAT_QUICK if quick else FLAT)
    return "\n".join(
        [
            versions("openai", "msgspec"),
            "",
            "### Throughput",
            "",
            table,
            "",
            "### Per-delta cost as the answer grows",
            "",
            flat,
        ]
    )
