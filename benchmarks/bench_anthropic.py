"""Anthropic Messages stream, bytes to typed events to final Message: streamkit against the SDK.

Two measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks: ``streamkit.iter_events(dialect="anthropic")``
   + ``anthropic.Accumulator`` up to ``acc.result``, against the anthropic
   SDK's own streaming helper (``client.messages.stream(...)`` over a mock
   transport: its SSE parser, its typed events and its ``accumulate_event``
   fold, up to ``get_final_message()``), and against the floor: a
   ``bytes.find`` boundary scan plus one ``msgspec.json.Decoder.decode`` per
   payload.  Before timing, both final messages are checked to be equal.
2. Per-delta cost for one text block of 1,000 and of 50,000 text deltas:
   streamkit's fold alone (events decoded beforehand, the result read once at
   the end) and streamkit end to end (bytes at 16 KiB chunks to the final
   message), against the SDK end to end: flat for streamkit.

The stream (:func:`generate`) copies the shapes of the real captures in
``tests/data/real/anthropic/`` (claude-sonnet-4, 2025-26):
``message_start`` with cache usage fields; a ``thinking`` block of
``thinking_delta`` events and its ``signature_delta``; a long ``text`` block
of *n_deltas* ``text_delta`` events of a few words each (ASCII, accented,
CJK, emoji, JSON escapes); a ``tool_use`` block whose input arrives in
``input_json_delta`` fragments of a few characters; ``ping`` after the first
block start and every 1,000 events; ``message_delta`` with the stop reason
and cumulative usage; ``message_stop``.  Compact JSON padded with the trailing
spaces the API sends, LF line endings.
"""

from __future__ import annotations

import json
import random
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any

import msgspec

import streamkit
from streamkit.dialects import anthropic

from . import _harness
from ._harness import floor, interleaved, timing_rows, versions
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 20_000, 2_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
THINKING_DELTAS = 300
TOOL_FRAGMENTS = 400
MODEL = "claude-sonnet-4-20250514"
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


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _event(rng: random.Random, payload: dict[str, Any]) -> str:
    pad = " " * rng.randint(0, 16)  # the API pads its data lines with spaces
    return f"event: {payload['type']}\ndata: {_dumps(payload)}{pad}\n\n"


def generate(n_deltas: int, *, seed: int = 0, extras: bool = True) -> bytes:
    """One Messages stream whose text block has *n_deltas* text deltas, as SSE bytes.

    With *extras* the thinking and tool_use blocks are there too; without, the
    message holds the text block alone.
    """
    rng = random.Random(seed)
    out: list[str] = []
    count = 0

    def emit(payload: dict[str, Any]) -> None:
        nonlocal count
        out.append(_event(rng, payload))
        count += 1
        if count % 1_000 == 0:
            out.append(_event(rng, {"type": "ping"}))

    usage = {
        "input_tokens": 1_204,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 2_048,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 3,
        "service_tier": "standard",
    }
    message = {
        "id": f"msg_01{rng.getrandbits(120):030x}"[:30],
        "type": "message",
        "role": "assistant",
        "model": MODEL,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    emit({"type": "message_start", "message": message})
    index = 0
    if extras:
        block = {"type": "thinking", "thinking": "", "signature": ""}
        emit({"type": "content_block_start", "index": index, "content_block": block})
        out.append(_event(rng, {"type": "ping"}))
        for _ in range(THINKING_DELTAS):
            delta = {"type": "thinking_delta", "thinking": _text(rng)}
            emit({"type": "content_block_delta", "index": index, "delta": delta})
        signature = "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef0123456789+/") for _ in range(600)
        )
        delta = {"type": "signature_delta", "signature": f"Eq{signature}="}
        emit({"type": "content_block_delta", "index": index, "delta": delta})
        emit({"type": "content_block_stop", "index": index})
        index += 1
    emit(
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "text", "text": ""},
        }
    )
    if not extras:
        out.append(_event(rng, {"type": "ping"}))
    for _ in range(n_deltas):
        delta = {"type": "text_delta", "text": _text(rng)}
        emit({"type": "content_block_delta", "index": index, "delta": delta})
    emit({"type": "content_block_stop", "index": index})
    stop_reason = "end_turn"
    if extras:
        index += 1
        stop_reason = "tool_use"
        tool = {
            "type": "tool_use",
            "id": f"toolu_01{rng.getrandbits(96):024x}",
            "name": "search_documents",
            "input": {},
        }
        emit({"type": "content_block_start", "index": index, "content_block": tool})
        arguments = _dumps(
            {
                "query": " ".join(rng.choice(_WORDS) for _ in range(TOOL_FRAGMENTS // 2)),
                "filters": {"year": 2025, "tags": ["finance", "q3", "東京"]},
                "limit": 25,
            }
        )
        step = max(1, len(arguments) // TOOL_FRAGMENTS)
        fragments = [""] + [arguments[i : i + step] for i in range(0, len(arguments), step)]
        for fragment in fragments:
            delta = {"type": "input_json_delta", "partial_json": fragment}
            emit({"type": "content_block_delta", "index": index, "delta": delta})
        emit({"type": "content_block_stop", "index": index})
    final_usage = {
        "input_tokens": 1_204,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 2_048,
        "output_tokens": n_deltas * 2 + (THINKING_DELTAS * 2 + 200 if extras else 0),
    }
    emit(
        {
            "type": "message_delta",
            "delta": {"stop_reason": stop_reason, "stop_sequence": None},
            "usage": final_usage,
        }
    )
    emit({"type": "message_stop"})
    return "".join(out).encode()


# -- the contenders ----------------------------------------------------------------------


def fold_streamkit(chunks: list[bytes]) -> Any:
    acc = anthropic.Accumulator()
    feed = acc.feed
    for event in streamkit.iter_events(chunks, dialect="anthropic"):
        feed(event)
    result = acc.result
    assert acc.done
    assert result is not None
    return result


def _sdk_client(chunks: list[bytes]) -> Any:
    import anthropic as anthropic_sdk
    from anthropic import _base_client

    http: Any = getattr(_base_client, "httpx2", None) or _base_client.httpx

    class Body(http.SyncByteStream):  # type: ignore[misc,name-defined]
        def __iter__(self) -> Any:
            return iter(chunks)

    def respond(request: Any) -> Any:
        return http.Response(200, headers={"content-type": "text/event-stream"}, stream=Body())

    return anthropic_sdk.Anthropic(
        api_key="sk-ant-bench",
        base_url="http://bench.invalid",
        http_client=http.Client(transport=http.MockTransport(respond)),
        max_retries=0,
    )


def fold_sdk(chunks: list[bytes]) -> Any:
    client = _sdk_client(chunks)
    with client.messages.stream(
        model=MODEL, max_tokens=64_000, messages=[{"role": "user", "content": "Hello"}]
    ) as stream:
        return stream.get_final_message()


CONTENDERS: dict[str, Callable[[list[bytes]], Any]] = {
    "streamkit": fold_streamkit,
    "anthropic SDK": fold_sdk,
    "floor": floor,  # a bytes.find scan and one msgspec decode per payload
}


def check_same(chunks: list[bytes]) -> None:
    """streamkit and the SDK reach the same message (as JSON, less the SDK's added nulls)."""
    ours = msgspec.to_builtins(fold_streamkit(chunks))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = fold_sdk(chunks).to_dict(mode="json")
    if theirs.get("stop_details", 0) is None and "stop_details" not in ours:
        del theirs["stop_details"]  # the SDK sets it from message_delta, which lacks it
    if ours != theirs:
        raise AssertionError("streamkit and the anthropic SDK folded to different messages")


def best_of(run: Callable[[], Any], repeats: int) -> float:
    """The least CPU time of this process (``time.process_time``) *run* took in *repeats* runs.

    CPU time, not wall time: what other processes on a shared machine take
    does not count.  Everything timed runs in this process and thread (the
    SDK's mock transport is synchronous).  gc is disabled while timing.
    """
    return _harness.best_of(run, repeats, clock=CLOCK)


def throughput(n_deltas: int, seed: int, repeats: int) -> str:
    data = generate(n_deltas, seed=seed)
    chunks = chunked(data, CHUNK)
    check_same(chunks)
    n_events = floor(chunks)
    print(f"anthropic: {len(data):,} bytes, {n_events:,} events", file=sys.stderr)
    best = interleaved(CONTENDERS, chunks, repeats, clock=CLOCK)
    lines = [
        f"Input: `benchmarks.bench_anthropic.generate({n_deltas}, seed={seed})`:"
        f" {len(data) / 1e6:.2f} MB, {n_events:,} events ({THINKING_DELTAS} thinking deltas,"
        f" {n_deltas:,} text deltas, a tool_use of ~{TOOL_FRAGMENTS} input_json deltas, pings),"
        f" {CHUNK // 1024} KiB chunks; CPU time of the process, best of {repeats}, contenders"
        " interleaved, gc disabled while timing. The two final messages were checked equal"
        " first.",
        "",
        "| contender | best ms | events/s | this ÷ streamkit (time) |",
        "|:---|---:|---:|---:|",
        *timing_rows(best, n_events),
    ]
    speedup = best["anthropic SDK"] / best["streamkit"]
    verdict = "met" if speedup >= 20 else "NOT met"
    lines += ["", f"streamkit is **{speedup:.1f}x** the anthropic SDK (target 20x: {verdict})."]
    return "\n".join(lines)


def _fold_only(events: list[Any], times: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            acc = anthropic.Accumulator()
            feed = acc.feed
            for event in events:
                feed(event)
            acc.result  # noqa: B018 - the final message is part of the job

    return run


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> str:
    lines = [
        "One text block (no thinking or tool block). Fold only: events decoded beforehand, the"
        " result read once at the end. End to end: bytes at 16 KiB chunks to the final"
        f" message. Each timing runs at least {sizes[-1]:,} deltas (the small input several"
        " times over); CPU time of the process, best of the repetitions, sizes interleaved."
        " The SDK is timed once per size.",
        "",
        "| text deltas | streamkit fold µs/delta | streamkit end to end µs/delta"
        " | anthropic SDK end to end µs/delta |",
        "|---:|---:|---:|---:|",
    ]
    inputs = {}
    for n in sizes:
        chunks = chunked(generate(n, seed=seed, extras=False), CHUNK)
        events = list(streamkit.iter_events(chunks, dialect="anthropic"))
        inputs[n] = (chunks, events, max(1, sizes[-1] // n))
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
    for n in sizes:
        chunks = inputs[n][0]
        costs["fold"].append(best[n]["fold"] * 1e6)
        costs["end"].append(best[n]["end"] * 1e6)
        costs["sdk"].append(best_of(lambda c=chunks: fold_sdk(c), 1) / n * 1e6)
        lines.append(
            f"| {n:,} | {costs['fold'][-1]:.3f} | {costs['end'][-1]:.3f} | {costs['sdk'][-1]:.2f} |"
        )
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    verdict = "met" if max(growth["fold"], growth["end"]) <= 1.25 else "NOT met"
    lines += [
        "",
        f"Per-delta cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit fold"
        f" **{growth['fold']:.2f}x**, streamkit end to end **{growth['end']:.2f}x**"
        f" (target within 1.25x: {verdict}); anthropic SDK {growth['sdk']:.2f}x.",
    ]
    return "\n".join(lines)


def _ends(chunks: list[bytes], times: int) -> None:
    for _ in range(times):
        fold_streamkit(chunks)


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    parts = [
        versions("anthropic", "msgspec"),
        "",
        "### Throughput",
        "",
        throughput(N_DELTAS_QUICK if quick else N_DELTAS, args.seed, repeats),
        "",
        "### Per-delta cost as the text block grows",
        "",
        per_delta(args.seed, repeats, FLAT_QUICK if quick else FLAT),
    ]
    return "\n".join(parts)
