"""Ollama /api/chat stream, bytes to typed lines to the final response: streamkit against ollama.

Two measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks and at one line per chunk (how Ollama flushes
   its stream): ``streamkit.iter_events(dialect="ollama")`` +
   ``ollama.Accumulator`` up to ``acc.result``, against the official
   ``ollama`` client's streaming path (``Client.chat(..., stream=True)`` over
   an ``httpx.MockTransport`` answering the bytes: httpx's ``iter_lines``,
   ``json.loads`` and a pydantic ``ChatResponse`` per line) with the fold its
   documentation gives users (join the parts' content and thinking, gather
   their tool calls, keep the last part), and against the floor: a
   ``bytes.find`` line scan plus one ``msgspec.json.Decoder.decode`` per
   line.  Before timing, both folds are checked to say the same.
2. Per-delta cost for an answer of 1,000 and of 50,000 content lines:
   streamkit's fold alone (lines decoded beforehand, the result read once at
   the end) and streamkit end to end (bytes at 16 KiB chunks to the final
   response), against the client end to end: flat for streamkit.

The stream (:func:`generate`) copies the shape of the real captures in
``tests/data/real/ollama/`` (gemma3:1b, Ollama of 2025) and of the tool calls
of late-2025 servers: compact JSON in Ollama's key order, ``created_at`` in
nanoseconds, *n_deltas* lines of ``message.content`` of a word or two each
(ASCII, accented, CJK, emoji, JSON escapes) after lines of
``message.thinking``, one line with two tool calls, the done line with
``done_reason``, durations and counts; LF line ends.
"""

from __future__ import annotations

import json
import random
import sys
import time
from typing import TYPE_CHECKING, Any

import httpx
import msgspec

import streamkit
from streamkit.dialects import ollama

from . import _harness
from ._harness import interleaved, timing_rows, versions
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Iterator

CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 20_000, 2_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
THINKING_DELTAS = 300
MODEL = "gemma3:1b"
START_NS = 1_755_697_675_580_951_000  # the created_at of a real capture's first line
CLOCK = time.process_time  # CPU time of this process: see `best_of`

# -- the stream ------------------------------------------------------------------------

_WORDS = (
    "the", "stream", "of", "lines", "is", "parsed", "incrementally", "and", "each",
    "piece", "carries", "a", "token", "model", "answer", "nautical", "mile", "feet",
    "result", "shows", "that", "we", "can", "compute", "value", "for", "this", "with",
)  # fmt: skip
_ODD = ("café", "naïve", "Zürich", "東京", "数据", "😊", "🚀", 'say "hi"', "a\\b", "\n\n", "**")


def _piece(rng: random.Random) -> str:
    if rng.random() < 0.05:
        return " " + rng.choice(_ODD)
    return " " + " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 2)))


def _stamp(ns: int) -> str:
    seconds, fraction = divmod(ns, 1_000_000_000)
    day = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{day}.{f'{fraction:09d}'.rstrip('0') or '0'}Z"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def generate(n_deltas: int, *, seed: int = 0, extras: bool = True) -> bytes:
    """One /api/chat stream with *n_deltas* content lines, as NDJSON bytes.

    With *extras* the thinking lines and the tool call line are there too.
    """
    rng = random.Random(seed)
    out: list[bytes] = []
    ns = START_NS

    def emit(message: dict[str, Any], **fields: Any) -> None:
        nonlocal ns
        ns += rng.randint(4_900_000, 5_600_000)
        line = {"model": MODEL, "created_at": _stamp(ns), "message": message, "done": False}
        line.update(fields)
        out.append(_dumps(line))

    if extras:
        for _ in range(THINKING_DELTAS):
            emit({"role": "assistant", "content": "", "thinking": _piece(rng)})
    for _ in range(n_deltas):
        emit({"role": "assistant", "content": _piece(rng)})
    if extras:
        calls = [
            {
                "id": f"call_{rng.getrandbits(40):010x}"[:13],
                "function": {
                    "index": index,
                    "name": "convert_units",
                    "arguments": {"value": index + 1, "from": "nautical_mile", "to": "foot"},
                },
            }
            for index in range(2)
        ]
        emit({"role": "assistant", "content": "", "tool_calls": calls})
    generated = n_deltas + (THINKING_DELTAS + 1 if extras else 0)
    eval_duration = generated * 5_100_000
    emit(
        {"role": "assistant", "content": ""},
        done_reason="stop",
        done=True,
        total_duration=37_169_917 + 5_328_708 + eval_duration,
        load_duration=37_169_917,
        prompt_eval_count=18,
        prompt_eval_duration=5_328_708,
        eval_count=generated,
        eval_duration=eval_duration,
    )
    return b"".join(out)


def lines(data: bytes) -> list[bytes]:
    """One chunk per line: how Ollama writes and flushes its stream."""
    return data.splitlines(keepends=True)


# -- the contenders ----------------------------------------------------------------------


def fold_streamkit(chunks: list[bytes]) -> Any:
    acc = ollama.Accumulator()
    feed = acc.feed
    for event in streamkit.iter_events(chunks, dialect="ollama"):
        feed(event)
    result = acc.result
    assert acc.done
    assert result is not None
    return result


class _Body(httpx.SyncByteStream):
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)


def _client(chunks: list[bytes]) -> Any:
    import ollama as ollama_client

    def respond(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/x-ndjson"}
        return httpx.Response(200, headers=headers, stream=_Body(chunks))

    return ollama_client.Client(host="http://bench.invalid", transport=httpx.MockTransport(respond))


def fold_client(chunks: list[bytes]) -> dict[str, Any]:
    """The client's stream, folded as its documentation shows: join, gather, keep the last."""
    client = _client(chunks)
    content: list[str] = []
    thinking: list[str] = []
    calls: list[Any] = []
    last = None
    for part in client.chat(model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=True):
        message = part.message
        if message.content:
            content.append(message.content)
        if message.thinking:
            thinking.append(message.thinking)
        if message.tool_calls:
            calls += message.tool_calls
        last = part
    assert last is not None
    return {
        "content": "".join(content),
        "thinking": "".join(thinking),
        "calls": calls,
        "last": last,
    }


def floor(chunks: list[bytes]) -> int:
    """The floor under any reader: find each line end with ``bytes.find``, decode the line."""
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    find = buf.find
    n = pos = 0
    while (end := find(b"\n", pos)) >= 0:
        decode(view[pos:end])
        n += 1
        pos = end + 1
    return n


CONTENDERS: dict[str, Callable[[list[bytes]], Any]] = {
    "streamkit": fold_streamkit,
    "ollama client": fold_client,
    "floor": floor,  # a bytes.find scan and one msgspec decode per line
}
_METRICS = ("total_duration", "load_duration", "prompt_eval_count", "eval_count", "eval_duration")


def check_same(chunks: list[bytes]) -> None:
    """streamkit and the client's fold say the same: text, thinking, tool calls, the last line."""
    ours = fold_streamkit(chunks)
    theirs = fold_client(chunks)
    last = theirs["last"]
    same = (
        ours.message.content == theirs["content"]
        and (ours.message.thinking or "") == theirs["thinking"]
        and [(c.function.name, c.function.arguments) for c in ours.message.tool_calls or ()]
        == [(c.function.name, dict(c.function.arguments)) for c in theirs["calls"]]
        and (ours.done, ours.done_reason, ours.created_at)
        == (True, last.done_reason, last.created_at)
        and all(getattr(ours, name) == getattr(last, name) for name in _METRICS)
    )
    if not same:
        raise AssertionError("streamkit and the ollama client folded to different responses")


def best_of(run: Callable[[], Any], repeats: int) -> float:
    """The least CPU time of this process (``time.process_time``) *run* took in *repeats* runs.

    CPU time, not wall time: what other processes on a shared machine take
    does not count.  Everything timed runs in this process and thread (the
    client's mock transport is synchronous).  gc is disabled while timing.
    """
    return _harness.best_of(run, repeats, clock=CLOCK)


def throughput(n_deltas: int, seed: int, repeats: int) -> str:
    data = generate(n_deltas, seed=seed)
    n_lines = data.count(b"\n")
    print(f"ollama: {len(data):,} bytes, {n_lines:,} lines", file=sys.stderr)
    lines_out = [
        f"Input: `benchmarks.bench_ollama.generate({n_deltas}, seed={seed})`:"
        f" {len(data) / 1e6:.2f} MB, {n_lines:,} lines ({THINKING_DELTAS} thinking lines,"
        f" {n_deltas:,} content lines, a line of two tool calls, the done line); CPU time of"
        f" the process, best of {repeats}, contenders interleaved, gc disabled while timing."
        " The two folds were checked to say the same first.",
    ]
    speedups = {}
    for label, chunks in (
        ("16 KiB chunks", chunked(data, CHUNK)),
        ("one line per chunk", lines(data)),
    ):
        check_same(chunks)
        best = interleaved(CONTENDERS, chunks, repeats, clock=CLOCK)
        speedups[label] = best["ollama client"] / best["streamkit"]
        lines_out += [
            "",
            f"{label}:",
            "",
            "| contender | best ms | lines/s | this ÷ streamkit (time) |",
            "|:---|---:|---:|---:|",
            *timing_rows(best, n_lines),
        ]
    verdict = "met" if min(speedups.values()) >= 10 else "NOT met"
    shown = ", ".join(f"**{value:.1f}x** at {label}" for label, value in speedups.items())
    lines_out += ["", f"streamkit is {shown} the ollama client (target 10x: {verdict})."]
    return "\n".join(lines_out)


def _fold_only(events: list[Any], times: int) -> Callable[[], None]:
    def run() -> None:
        for _ in range(times):
            acc = ollama.Accumulator()
            feed = acc.feed
            for event in events:
                feed(event)
            acc.result  # noqa: B018 - the final response is part of the job

    return run


def _ends(chunks: list[bytes], times: int) -> None:
    for _ in range(times):
        fold_streamkit(chunks)


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> str:
    lines_out = [
        "Content lines only (no thinking or tool call line). Fold only: lines decoded"
        " beforehand, the result read once at the end. End to end: bytes at 16 KiB chunks to"
        f" the final response. Each timing runs at least {sizes[-1]:,} deltas (the small input"
        " several times over); CPU time of the process, best of the repetitions, sizes"
        " interleaved. The client is timed once per size.",
        "",
        "| content lines | streamkit fold µs/delta | streamkit end to end µs/delta"
        " | ollama client end to end µs/delta |",
        "|---:|---:|---:|---:|",
    ]
    inputs = {}
    for n in sizes:
        chunks = chunked(generate(n, seed=seed, extras=False), CHUNK)
        events = list(streamkit.iter_events(chunks, dialect="ollama"))
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
    costs: dict[str, list[float]] = {"fold": [], "end": [], "client": []}
    for n in sizes:
        chunks = inputs[n][0]
        costs["fold"].append(best[n]["fold"] * 1e6)
        costs["end"].append(best[n]["end"] * 1e6)
        costs["client"].append(best_of(lambda c=chunks: fold_client(c), 1) / n * 1e6)
        lines_out.append(
            f"| {n:,} | {costs['fold'][-1]:.3f} | {costs['end'][-1]:.3f}"
            f" | {costs['client'][-1]:.2f} |"
        )
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    verdict = "met" if max(growth["fold"], growth["end"]) <= 1.25 else "NOT met"
    lines_out += [
        "",
        f"Per-delta cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit fold"
        f" **{growth['fold']:.2f}x**, streamkit end to end **{growth['end']:.2f}x**"
        f" (target within 1.25x: {verdict}); ollama client {growth['client']:.2f}x.",
    ]
    return "\n".join(lines_out)


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    parts = [
        versions("ollama", "httpx", "pydantic", "msgspec"),
        "",
        "### Throughput",
        "",
        throughput(N_DELTAS_QUICK if quick else N_DELTAS, args.seed, repeats),
        "",
        "### Per-delta cost as the answer grows",
        "",
        per_delta(args.seed, repeats, FLAT_QUICK if quick else FLAT),
    ]
    return "\n".join(parts)
