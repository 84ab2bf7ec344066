"""Bytes to typed events to final objects: streamkit's fold against openai-python's.

Three measurements, each in one run on the same bytes:

1. Throughput at 16 KiB chunks: ``streamkit.iter_events`` + ``Accumulator``
   against openai-python's typed ``Stream`` + ``AssistantEventHandler``
   (``client.beta.threads.runs.stream`` over an ``httpx.MockTransport``), and
   against the floor: a ``bytes.find`` boundary scan plus one
   ``msgspec.json.Decoder.decode`` per payload.
2. Per-delta cost for one message of 1,000 and of 50,000 text deltas (fold
   only, events decoded beforehand): flat for streamkit.
3. Peak traced memory (tracemalloc) while folding a ~50 MB stream, against
   the size of the final objects' JSON and against the floor of decoding the
   same bytes and keeping only the final objects; for text of each width.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
import warnings
from typing import TYPE_CHECKING, Any

import msgspec
import openai

import streamkit
from streamkit import assistants

from ._harness import best_of, event_count, interleaved, mock_openai, timing_rows, versions
from .streams import Script, chunked, generate

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

CHUNK = 16 * 1024
N_DELTAS, N_DELTAS_QUICK = 20_000, 2_000
REPEATS, REPEATS_QUICK = 5, 1
FLAT = (1_000, 50_000)
FLAT_QUICK = (500, 5_000)
MEMORY_DELTAS, MEMORY_DELTAS_QUICK = 250_000, 10_000


def fold_streamkit(chunks: list[bytes]) -> int:
    acc = assistants.Accumulator()
    feed = acc.feed
    n = 0
    for event in streamkit.iter_events(chunks):
        feed(event)
        n += 1
    assert acc.outcome.kind == "completed", acc.outcome
    acc.messages, acc.run_steps  # noqa: B018 - the final snapshots are part of the job
    return n


def fold_openai(chunks: list[bytes]) -> int:
    client = mock_openai(chunks)
    n = 0

    class Counter(openai.AssistantEventHandler):
        def on_event(self, event: Any) -> None:
            nonlocal n
            n += 1

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with client.beta.threads.runs.stream(
            thread_id="thread_bench", assistant_id="asst_bench", event_handler=Counter()
        ) as stream:
            stream.until_done()
            stream.get_final_messages()
            stream.get_final_run_steps()
    return n + 1  # openai-python does not pass the final `done` to on_event


def fold_floor(chunks: list[bytes]) -> int:
    """The floor: a ``bytes.find`` scan, one decode per payload but the final ``[DONE]``."""
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    find = buf.find
    n = pos = 0
    while (end := find(b"\n\n", pos)) >= 0:
        start = find(b"data: ", pos, end) + 6
        if view[start:end] != b"[DONE]":
            decode(view[start:end])
        n += 1
        pos = end + 2
    return n


CONTENDERS: dict[str, Callable[[list[bytes]], int]] = {
    "streamkit": fold_streamkit,
    "openai": fold_openai,
    "floor": fold_floor,
}


def throughput(n_deltas: int, seed: int, repeats: int) -> str:
    data = generate(n_deltas, seed=seed)
    chunks = chunked(data, CHUNK)
    n_events = event_count(CONTENDERS, chunks)
    print(f"fold: {len(data):,} bytes, {n_events:,} events", file=sys.stderr)
    best = interleaved(CONTENDERS, chunks, repeats)
    lines = [
        f"Input: `benchmarks.streams.generate({n_deltas}, seed={seed})`:"
        f" {len(data) / 1e6:.2f} MB, {n_events:,} events, {CHUNK // 1024} KiB chunks;"
        f" best of {repeats}, contenders interleaved, gc disabled while timing.",
        "",
        "| contender | best ms | events/s | streamkit speed ÷ this |",
        "|:---|---:|---:|---:|",
        *timing_rows(best, n_events),
    ]
    return "\n".join(lines)


def per_delta(seed: int, repeats: int, sizes: tuple[int, int] = FLAT) -> str:
    lines = [
        "Fold only (events decoded beforehand), one message; openai-python measured end to"
        " end (its fold cannot be run apart from its decoding).",
        "",
        "| text deltas | streamkit µs/delta | openai µs/delta |",
        "|---:|---:|---:|",
    ]
    costs: dict[str, list[float]] = {"streamkit": [], "openai": []}
    for n in sizes:
        data = generate(n, seed=seed, messages=1)
        events = list(streamkit.iter_events([data]))

        def fold(events: list[Any] = events) -> None:
            acc = assistants.Accumulator()
            for event in events:
                acc.feed(event)
            acc.messages  # noqa: B018

        costs["streamkit"].append(best_of(fold, repeats) / n * 1e6)
        chunks = chunked(data, CHUNK)
        costs["openai"].append(best_of(lambda c=chunks: fold_openai(c), 1) / n * 1e6)
        lines.append(f"| {n:,} | {costs['streamkit'][-1]:.3f} | {costs['openai'][-1]:.2f} |")
    growth = {name: values[-1] / values[0] for name, values in costs.items()}
    lines += [
        "",
        f"Per-delta cost at {sizes[-1]:,} ÷ at {sizes[0]:,}: streamkit"
        f" **{growth['streamkit']:.2f}×**, openai {growth['openai']:.2f}×.",
    ]
    return "\n".join(lines)


def _fold(chunks: list[bytes]) -> dict[str, Any]:
    acc = assistants.Accumulator()
    for event in streamkit.iter_events(iter(chunks)):
        acc.feed(event)
    return {"run": acc.run, "messages": acc.messages, "run_steps": acc.run_steps}


def _keep_finals(chunks: list[bytes]) -> dict[str, Any]:
    """The floor under any fold: decode every event, keep the latest object of each id."""
    latest: dict[str, Any] = {}
    kinds = (assistants.Run, assistants.RunStep, assistants.Message)
    for event in streamkit.iter_events(iter(chunks)):
        data = getattr(event, "data", None)
        if isinstance(data, kinds):
            latest[data.id] = data
    return latest


def _traced(job: Callable[[list[bytes]], Any], chunks: list[bytes]) -> tuple[Any, int, int]:
    """*job*'s result, the memory it still holds, and its peak, as tracemalloc sees them."""
    gc.collect()
    tracemalloc.start()
    try:
        result = job(chunks)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, kept, peak


def memory(n_deltas: int, seed: int, script: Script) -> str:
    data = generate(n_deltas, seed=seed, messages=4, script=script)
    chunks = chunked(data, CHUNK)
    del data
    _, _, floor = _traced(_keep_finals, chunks)
    result, kept, peak = _traced(_fold, chunks)
    finals = msgspec.json.encode(result)
    size = sum(map(len, chunks))
    bound = 3 * len(finals) + 2**20
    if peak <= bound:
        verdict = f"within, {(bound - peak) / 1e3:,.0f} KB to spare"
    else:
        verdict = f"OVER by {(peak - bound) / 1e3:,.0f} KB"
    return (
        f"| {script} | {size / 1e6:.1f} | {len(finals) / 1e6:.2f} | {kept / 1e6:.2f} |"
        f" {bound / 1e6:.2f} | {floor / 1e6:.2f} | {floor / bound:.2f} | {peak / 1e6:.2f} |"
        f" {peak / bound:.3f} | {verdict} |"
    )


def main(args: argparse.Namespace) -> str:
    quick = args.quick
    repeats = REPEATS_QUICK if quick else REPEATS
    memory_deltas = MEMORY_DELTAS_QUICK if quick else MEMORY_DELTAS
    parts = [
        versions("openai", "msgspec"),
        "",
        "### Throughput",
        "",
        throughput(N_DELTAS_QUICK if quick else N_DELTAS, args.seed, repeats),
        "",
        "### Per-delta cost as a message grows",
        "",
        per_delta(args.seed, repeats, FLAT_QUICK if quick else FLAT),
        "",
        "### Memory",
        "",
        f"Peak traced memory (tracemalloc) while folding a stream of {memory_deltas:,} text"
        " deltas in 4 messages (16 KiB chunks), against the bound of 3 × the final objects'"
        " JSON (run, messages, run steps) + 1 MiB. The streams differ only in how wide"
        " the message text's characters get: CPython stores a string at 1, 2 or 4 bytes a"
        " character by its widest one (PEP 393), while its JSON takes 1 to 4 bytes a"
        " character.",
        "",
        "*Final objects* is what the accumulator holds when the fold ends, as Python"
        " objects. *Floor* is the peak of the least any fold must do on the same bytes:"
        " decode every event and keep the latest object of each id, with nothing"
        " folded. Between the floor and the fold's peak lies the fold's own state: the"
        " message in flight, its annotations, and the drift records.",
        "",
        "| text | stream MB | final JSON MB | final objects MB | bound MB | floor MB"
        " | floor ÷ bound | peak MB | peak ÷ bound | verdict |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|---:|:---|",
        *(memory(memory_deltas, args.seed, script) for script in ("latin-1", "bmp", "astral")),
    ]
    return "\n".join(parts)
