"""Bedrock ConverseStream, bytes to typed events to the final response: streamkit against boto3.

Two measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks: ``streamkit.iter_events(dialect="bedrock")``
   + ``bedrock.Accumulator`` up to ``acc.result``, against boto3's own
   streaming path (``client.converse_stream(...)`` over a stubbed HTTP
   response: botocore's ``EventStreamBuffer``, its shape-driven event parser,
   the dicts it yields) with the fold a boto3 user writes over those dicts
   (:func:`fold_boto3`: text and input pieces joined once, at the end), up to
   the same Converse-shaped response; and against the floor: the event
   stream framing read with ``struct`` and ``zlib.crc32`` plus one
   ``msgspec.json.Decoder.decode`` per payload.  Before timing, the two
   responses are checked to be equal.
2. Per-delta cost for one text block of 1,000 and of 50,000 text deltas:
   streamkit's fold alone (events decoded beforehand, the result read once at
   the end) and streamkit end to end, against boto3 end to end: flat for
   streamkit.

The stream (:func:`generate`) copies the shapes of the real captures in
``tests/data/real/bedrock/`` (2025-26): every payload compact JSON with its
keys sorted and the random-length ``p`` padding the service adds; the three
string headers in the service's order; ``messageStart``; a reasoning block
of ``reasoningContent.text`` deltas and its signature; a long text block of
*n_deltas* text deltas of a few words each (ASCII, accented, CJK, emoji, JSON
escapes); a ``toolUse`` block whose input arrives in fragments of a few
characters; ``messageStop`` with ``tool_use``; ``metadata`` with usage and
latency.
"""

from __future__ import annotations

import json
import random
import struct
import sys
import time
import zlib
from typing import TYPE_CHECKING, Any

import msgspec

import streamkit
from streamkit.dialects import bedrock

from . import _harness
from ._harness import interleaved, timing_rows, versions
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 20_000, 2_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
REASONING_DELTAS = 300
TOOL_FRAGMENTS = 400
MODEL = "us.anthropic.claude-sonnet-4-20250514-v1:0"
CLOCK = time.process_time  # CPU time of this process: see `best_of`

# -- the stream ------------------------------------------------------------------------

_WORDS = (
    "the", "stream", "of", "events", "is", "parsed", "incrementally", "and", "each",
    "delta", "carries", "a", "few", "tokens", "model", "answer", "data", "table", "result",
    "shows", "that", "we", "can", "compute", "value", "for", "this", "with", "in", "to",
    "report", "quarter", "revenue", "growth", "users", "latency", "percent", "however",
)  # fmt: skip
_ODD = ("café", "naïve", "Zürich", "東京", "数据", "😀", "🚀", 'say "hi"', "a\\b", "tab\there")
_PADDING = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _text(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(1, 4))]
    if rng.random() < 0.05:
        words.append(rng.choice(_ODD))
    return " " + " ".join(words)


def _message(rng: random.Random, name: str, payload: dict[str, Any]) -> bytes:
    payload = payload | {"p": _PADDING[: rng.randint(1, len(_PADDING))]}  # the service pads
    data = json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    headers = {":event-type": name, ":content-type": "application/json", ":message-type": "event"}
    return streamkit.encode_message(headers, data.encode())


def generate(n_deltas: int, *, seed: int = 0, extras: bool = True) -> bytes:
    """One ConverseStream whose text block has *n_deltas* text deltas, as event stream bytes.

    With *extras* a reasoning block comes first and a tool use block last;
    without, the message holds the text block alone.
    """
    rng = random.Random(seed)
    out: list[bytes] = []

    def emit(name: str, payload: dict[str, Any]) -> None:
        out.append(_message(rng, name, payload))

    emit("messageStart", {"role": "assistant"})
    index = 0
    if extras:
        for _ in range(REASONING_DELTAS):
            emit(
                "contentBlockDelta",
                {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": _text(rng)}}},
            )
        signature = "".join(rng.choice("ABCDEFabcdef0123456789+/") for _ in range(600))
        reasoning = {"reasoningContent": {"signature": f"Eu0C{signature}="}}
        emit("contentBlockDelta", {"contentBlockIndex": 0, "delta": reasoning})
        emit("contentBlockStop", {"contentBlockIndex": 0})
        index = 1
    for _ in range(n_deltas):
        emit("contentBlockDelta", {"contentBlockIndex": index, "delta": {"text": _text(rng)}})
    emit("contentBlockStop", {"contentBlockIndex": index})
    stop_reason = "end_turn"
    if extras:
        index += 1
        stop_reason = "tool_use"
        tool = {
            "toolUse": {
                "name": "search_documents",
                "toolUseId": f"tooluse_{rng.getrandbits(96):024x}",
            }
        }
        emit("contentBlockStart", {"contentBlockIndex": index, "start": tool})
        arguments = json.dumps(
            {
                "query": " ".join(rng.choice(_WORDS) for _ in range(TOOL_FRAGMENTS // 2)),
                "filters": {"year": 2025, "tags": ["finance", "q3", "東京"]},
                "limit": 25,
            },
            ensure_ascii=False,
        )
        step = max(1, len(arguments) // TOOL_FRAGMENTS)
        for i in range(0, len(arguments), step):
            emit(
                "contentBlockDelta",
                {
                    "contentBlockIndex": index,
                    "delta": {"toolUse": {"input": arguments[i : i + step]}},
                },
            )
        emit("contentBlockStop", {"contentBlockIndex": index})
    emit("messageStop", {"stopReason": stop_reason})
    output_tokens = n_deltas * 2 + (REASONING_DELTAS * 2 + 200 if extras else 0)
    usage = {
        "inputTokens": 1_204,
        "outputTokens": output_tokens,
        "totalTokens": 1_204 + output_tokens,
    }
    emit("metadata", {"metrics": {"latencyMs": 4_210}, "usage": usage})
    return b"".join(out)


# -- the contenders ----------------------------------------------------------------------


def fold_streamkit(chunks: list[bytes]) -> Any:
    acc = bedrock.Accumulator()
    feed = acc.feed
    for event in streamkit.iter_events(chunks, dialect="bedrock"):
        feed(event)
    result = acc.result
    assert acc.done
    assert result is not None
    return result


class _Raw:
    """The raw HTTP body botocore reads an event stream from: exactly these chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        return iter(self.chunks)

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return b"".join(self.chunks)

    def close(self) -> None:
        pass


def boto3_client(body: list[list[bytes]]) -> Any:
    """A boto3 ``bedrock-runtime`` client whose every request is answered with ``body[0]``.

    A ``before-send`` hook returns the response (status 200,
    ``application/vnd.amazon.eventstream``, the chunks of ``body[0]`` at the
    time): nothing leaves the process, and everything after the HTTP layer is
    boto3's own.
    """
    import boto3
    from botocore.awsrequest import AWSResponse

    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-secret",
    )

    def send(request: Any, **kwargs: Any) -> Any:
        headers = {"content-type": "application/vnd.amazon.eventstream"}
        return AWSResponse(request.url, 200, headers, _Raw(body[0]))

    client.meta.events.register("before-send.bedrock-runtime.*", send)
    return client


_BODY: list[list[bytes]] = [[]]
_CLIENT: list[Any] = []  # made once: a boto3 user makes a client once, not per request


def fold_boto3_events(events: Any) -> dict[str, Any]:
    """The fold a boto3 user writes: the events' dicts into Converse's response shape.

    Text, reasoning and input pieces are kept in lists and joined once, at the
    end (linear); the input JSON is parsed then.  Returns builtins, as
    ``msgspec.to_builtins`` gives streamkit's result (blobs as ``bytes``).
    """
    blocks: dict[int, dict[str, Any]] = {}
    response: dict[str, Any] = {}
    role = "assistant"
    for event in events:
        if "contentBlockDelta" in event:
            body = event["contentBlockDelta"]
            block = blocks.setdefault(body["contentBlockIndex"], {})
            delta = body["delta"]
            if "text" in delta:
                block.setdefault("text", []).append(delta["text"])
            elif "toolUse" in delta:
                block.setdefault("input", []).append(delta["toolUse"]["input"])
            elif "reasoningContent" in delta:
                reasoning = delta["reasoningContent"]
                for key in ("text", "signature"):
                    if key in reasoning:
                        block.setdefault("reasoning_" + key, []).append(reasoning[key])
                if "redactedContent" in reasoning:
                    block.setdefault("redacted", []).append(reasoning["redactedContent"])
        elif "contentBlockStart" in event:
            body = event["contentBlockStart"]
            start = body["start"]
            if "toolUse" in start:
                blocks[body["contentBlockIndex"]] = {"tool": start["toolUse"]}
        elif "messageStart" in event:
            role = event["messageStart"]["role"]
        elif "messageStop" in event:
            response["stopReason"] = event["messageStop"]["stopReason"]
        elif "metadata" in event:
            for key in ("metrics", "usage", "trace", "performanceConfig", "serviceTier"):
                if key in event["metadata"]:
                    response[key] = event["metadata"][key]
    content = []
    for index in sorted(blocks):
        block = blocks[index]
        if "tool" in block:
            text = "".join(block.get("input", ()))
            content.append(
                {"toolUse": {**block["tool"], "input": json.loads(text) if text else {}}}
            )
        elif "reasoning_text" in block or "reasoning_signature" in block:
            reasoning_text = {"text": "".join(block.get("reasoning_text", ()))}
            if "reasoning_signature" in block:
                reasoning_text["signature"] = "".join(block["reasoning_signature"])
            content.append({"reasoningContent": {"reasoningText": reasoning_text}})
        elif "redacted" in block:
            content.append({"reasoningContent": {"redactedContent": b"".join(block["redacted"])}})
        else:
            content.append({"text": "".join(block.get("text", ()))})
    return {"output": {"message": {"content": content, "role": role}}, **response}


def fold_boto3(chunks: list[bytes]) -> dict[str, Any]:
    if not _CLIENT:
        _CLIENT.append(boto3_client(_BODY))
    _BODY[0] = chunks
    client = _CLIENT[0]
    response = client.converse_stream(
        modelId=MODEL, messages=[{"role": "user", "content": [{"text": "Hello"}]}]
    )
    return fold_boto3_events(response["stream"])


_prelude = struct.Struct(">III").unpack_from


def floor(chunks: list[bytes]) -> int:
    """The floor under any reader: each message's framing checked, its payload decoded.

    The prelude read with ``struct``, the message CRC with ``zlib.crc32``,
    the headers skipped, one ``msgspec.json.Decoder.decode`` per payload; no
    typing, no fold.  Returns the number of messages.
    """
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    n = pos = 0
    end = len(buf)
    while pos < end:
        total, hlen, _ = _prelude(buf, pos)
        stop = pos + total
        if zlib.crc32(view[pos : stop - 4]) != int.from_bytes(view[stop - 4 : stop], "big"):
            raise ValueError("bad CRC")
        decode(view[pos + 12 + hlen : stop - 4])
        n += 1
        pos = stop
    return n


CONTENDERS: dict[str, Callable[[list[bytes]], Any]] = {
    "streamkit": fold_streamkit,
    "boto3": fold_boto3,
    "floor": floor,
}


def check_same(chunks: list[bytes]) -> None:
    """streamkit and boto3 (with its user's fold) reach the same response."""
    ours = msgspec.to_builtins(fold_streamkit(chunks), builtin_types=(bytes,))
    theirs = fold_boto3(chunks)
    if ours != theirs:
        raise AssertionError("streamkit and boto3 folded to different responses")


def best_of(run: Callable[[], Any], repeats: int) -> float:
    """The least CPU time of this process *run* took in *repeats* runs (gc disabled)."""
    return _harness.best_of(run, repeats, clock=CLOCK)


def throughput(n_deltas: int, seed: int, repeats: int) -> str:
    data = generate(n_deltas, seed=seed)
    chunks = chunked(data, CHUNK)
    check_same(chunks)
    n_events = floor(chunks)
    print(f"bedrock: {len(data):,} bytes, {n_events:,} events", file=sys.stderr)
    best = interleaved(CONTENDERS, chunks, repeats, clock=CLOCK)
    lines = [
        f"Input: `benchmarks.bench_bedrock.generate({n_deltas}, seed={seed})`:"
        f" {len(data) / 1e6:.2f} MB, {n_events:,} event stream messages ({REASONING_DELTAS}"
        f" reasoning deltas, {n_deltas:,} text deltas, a toolUse of ~{TOOL_FRAGMENTS} input"
        f" deltas), {CHUNK // 1024} KiB chunks; CPU time of the process, best of {repeats},"
        " contenders interleaved, gc disabled while timing. The two final responses were"
        " checked equal first.",
        "",
        "| contender | best ms | events/s | this ÷ streamkit (time) |",
        "|:---|---:|---:|---:|",
        *timing_rows(best, n_events),
    ]
    speedup = best["boto3"] / best["streamkit"]
    verdict = "met" if speedup >= 10 else "NOT met"
    lines += [
        "",
        f"streamkit is **{speedup:.1f}x** boto3's `converse_stream` + its user's fold"
        f" (target 10x: {verdict}). The floor, which only checks each message's framing and"
        f" CRC32 and decodes its JSON untyped, is {best['boto3'] / best['floor']:.1f}x boto3;"
        f" streamkit takes {best['streamkit'] / best['floor']:.2f}x the floor's time.",
    ]
    return "\n".join(lines)


def _fold_only(streams: list[list[Any]]) -> Callable[[], None]:
    def run() -> None:
        for events in streams:
            acc = bedrock.Accumulator()
            feed = acc.feed
            for event in events:
                feed(event)
            acc.result  # noqa: B018 - the final response is part of the job

    return run


def _ends(bodies: list[list[bytes]]) -> None:
    for chunks in bodies:
        fold_streamkit(chunks)


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> str:
    lines = [
        "One text block (no reasoning or tool block). Fold only: events decoded beforehand, the"
        " result read once at the end. End to end: bytes at 16 KiB chunks to the final"
        f" response. Each timing runs at least {sizes[-1]:,} deltas: the small size as that"
        " many different streams (seeds), so that both sizes read as much memory, none of it"
        " still in a cache from the run before; CPU time of the process, best of the"
        " repetitions, sizes interleaved. boto3 is timed once per size (its client made"
        " beforehand).",
        "",
        "| text deltas | streamkit fold µs/delta | streamkit end to end µs/delta"
        " | boto3 end to end µs/delta |",
        "|---:|---:|---:|---:|",
    ]
    inputs = {}
    for n in sizes:
        times = max(1, sizes[-1] // n)
        bodies = [chunked(generate(n, seed=seed + i, extras=False), CHUNK) for i in range(times)]
        streams = [list(streamkit.iter_events(chunks, dialect="bedrock")) for chunks in bodies]
        inputs[n] = (bodies, streams, times)
    fold_boto3(inputs[sizes[0]][0][0])  # the client, made once
    best = {n: {"fold": float("inf"), "end": float("inf")} for n in sizes}
    for rep in range(max(repeats, 5) * 3):
        print(f"  per-delta repetition {rep + 1}", file=sys.stderr)
        for n in sizes if rep % 2 else sizes[::-1]:
            bodies, streams, times = inputs[n]
            fold = best_of(_fold_only(streams), 1) / times / n
            end = best_of(lambda b=bodies: _ends(b), 1) / times / n
            best[n]["fold"] = min(best[n]["fold"], fold)
            best[n]["end"] = min(best[n]["end"], end)
    costs: dict[str, list[float]] = {"fold": [], "end": [], "boto3": []}
    for n in sizes:
        chunks = inputs[n][0][0]
        costs["fold"].append(best[n]["fold"] * 1e6)
        costs["end"].append(best[n]["end"] * 1e6)
        costs["boto3"].append(best_of(lambda c=chunks: fold_boto3(c), 1) / n * 1e6)
        lines.append(
            f"| {n:,} | {costs['fold'][-1]:.3f} | {costs['end'][-1]:.3f}"
            f" | {costs['boto3'][-1]:.2f} |"
        )
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    verdict = "met" if max(growth["fold"], growth["end"]) <= 1.25 else "NOT met"
    lines += [
        "",
        f"Per-delta cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit fold"
        f" **{growth['fold']:.2f}x**, streamkit end to end **{growth['end']:.2f}x**"
        f" (target within 1.25x: {verdict}); boto3 {growth['boto3']:.2f}x.",
    ]
    return "\n".join(lines)


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    parts = [
        versions("boto3", "botocore", "msgspec"),
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
