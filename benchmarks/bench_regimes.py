"""Regimes: one event per chunk, the async path, every dialect: bytes to the final object.

A live stream arrives about one event per network read, and a backend reads
it asynchronously, usually with an idle timeout. This benchmark measures
that regime beside the fixed chunk sizes, for every dialect, on the same
bytes in one run:

1. **Chunkings** (sync): each dialect's generated stream (its own benchmark's
   ``generate``) split at event boundaries (``1 event``), and in 64 B, 1 KiB
   and 16 KiB chunks, through ``iter_events`` into the dialect's
   ``Accumulator`` and its final object, against the floor: one
   ``bytes.find`` scan of the joined body and one ``msgspec`` decode of each
   event's payload, no typing, no fold. Reported: events/s, and streamkit's
   speed ÷ the floor's.
2. **Async** (one event per chunk): ``aiter_events`` over an async generator
   of the same chunks, on asyncio and trio, without and with
   ``idle_timeout=30``, into the same fold, against the sync ``iter_events``.
   Each timed from inside the event loop (the loop's start-up is not
   counted); rounds interleaved.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import anyio
import msgspec

import streamkit
from streamkit import dialects

from . import bench_anthropic, bench_chat, bench_responses, streams
from ._harness import best_of, rotated
from .streams import chunked

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

N_DELTAS, N_DELTAS_QUICK = 20_000, 1_000
REPEATS, REPEATS_QUICK = 5, 1
SIZES = (64, 1024, 16 * 1024)
IDLE = 30.0

#: Each dialect's stream generator, ``generate(n_deltas, seed=...) -> bytes``.
GENERATORS: dict[str, Callable[..., bytes]] = {
    "assistants": streams.generate,
    "chat": bench_chat.generate,
    "responses": bench_responses.generate,
    "anthropic": bench_anthropic.generate,
}


def per_event(body: bytes) -> list[bytes]:
    """*body* split after each SSE event's blank line: one event per chunk."""
    out = []
    pos = 0
    while (end := body.find(b"\n\n", pos)) >= 0:
        out.append(body[pos : end + 2])
        pos = end + 2
    if pos < len(body):
        out.append(body[pos:])
    return out


def floor(chunks: list[bytes]) -> int:
    """The scan + msgspec floor: find each event, decode its JSON payload; nothing more."""
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    find = buf.find
    n = pos = 0
    while (end := find(b"\n\n", pos)) >= 0:
        start = find(b"data: ", pos, end) + 6
        if view[start : start + 6] != b"[DONE]":
            decode(view[start:end])
        n += 1
        pos = end + 2
    return n


def finish(acc: Any) -> None:
    """Read the final objects, as a consumer would at the end (part of the timed job)."""
    if hasattr(acc, "messages"):  # the Assistants fold: its messages and run steps
        acc.messages, acc.run_steps  # noqa: B018
    else:
        acc.result  # noqa: B018


def fold_sync(dialect: str) -> Callable[[list[bytes]], int]:
    record = dialects.get(dialect)
    make = record.accumulator

    def run(chunks: list[bytes]) -> int:
        acc = make()
        feed = acc.feed
        n = 0
        for event in streamkit.iter_events(chunks, record):
            feed(event)
            n += 1
        finish(acc)
        return n

    return run


async def _fold_async(dialect: str, chunks: list[bytes], idle: float | None) -> tuple[float, int]:
    record = dialects.get(dialect)
    acc = record.accumulator()
    feed = acc.feed

    async def source() -> Any:
        for chunk in chunks:
            yield chunk

    n = 0
    start = time.perf_counter()
    async for event in streamkit.aiter_events(source(), record, idle_timeout=idle):
        feed(event)
        n += 1
    finish(acc)
    return time.perf_counter() - start, n


def fold_async(dialect: str, backend: str, idle: float | None) -> Callable[[], tuple[float, int]]:
    def run(chunks: list[bytes]) -> tuple[float, int]:
        return anyio.run(_fold_async, dialect, chunks, idle, backend=backend)

    return run  # type: ignore[return-value]


def chunkings_table(repeats: int, n_deltas: int, seed: int) -> tuple[str, dict[str, float]]:
    lines = [
        "| dialect | events | chunks | streamkit events/s | floor events/s | streamkit ÷ floor |",
        "|:---|---:|:---|---:|---:|---:|",
    ]
    one_event: dict[str, float] = {}
    for dialect, generate in GENERATORS.items():
        body = generate(n_deltas, seed=seed)
        run = fold_sync(dialect)
        shapes = {"1 event": per_event(body)} | {
            (f"{size} B" if size < 1024 else f"{size // 1024} KiB"): chunked(body, size)
            for size in SIZES
        }
        n = run(shapes["1 event"])
        assert floor(shapes["1 event"]) == n, dialect
        best = dict.fromkeys([*shapes, "floor"], float("inf"))
        for rep in range(repeats):
            print(f"  {dialect}: repetition {rep + 1}/{repeats}", file=sys.stderr)
            for name in rotated(list(best), rep):
                chunks = shapes["1 event"] if name == "floor" else shapes[name]
                work = floor if name == "floor" else run
                best[name] = min(best[name], best_of(lambda c=chunks, w=work: w(c), 1))
        for name, chunks in shapes.items():
            ratio = best["floor"] / best[name]
            if name == "1 event":
                one_event[dialect] = ratio
            lines.append(
                f"| {dialect} | {n:,} | {name} ({len(chunks):,}) | {n / best[name]:,.0f}"
                f" | {n / best['floor']:,.0f} | {ratio:.2f} |"
            )
    return "\n".join(lines), one_event


def async_table(repeats: int, n_deltas: int, seed: int) -> tuple[str, dict[str, float]]:
    lines = [
        "| dialect | events | path | events/s | ÷ sync |",
        "|:---|---:|:---|---:|---:|",
    ]
    worst: dict[str, float] = {}
    for dialect, generate in GENERATORS.items():
        chunks = per_event(generate(n_deltas, seed=seed))
        sync = fold_sync(dialect)
        paths: dict[str, Callable[[list[bytes]], Any]] = {"iter_events (sync)": sync}
        for backend in ("asyncio", "trio"):
            paths[f"aiter_events, {backend}"] = fold_async(dialect, backend, None)
            paths[f"aiter_events, {backend}, idle_timeout={IDLE:g}"] = fold_async(
                dialect, backend, IDLE
            )
        n = sync(chunks)
        best = dict.fromkeys(paths, float("inf"))
        for rep in range(repeats):
            print(f"  {dialect} async: repetition {rep + 1}/{repeats}", file=sys.stderr)
            for name in rotated(list(paths), rep):
                if name.startswith("aiter"):
                    elapsed, count = paths[name](chunks)
                    assert count == n, (name, count, n)
                else:
                    elapsed = best_of(lambda s=sync, c=chunks: s(c), 1)
                best[name] = min(best[name], elapsed)
        base = best["iter_events (sync)"]
        for name, t in best.items():
            lines.append(f"| {dialect} | {n:,} | {name} | {n / t:,.0f} | {base / t:.2f} |")
            if "idle" in name:
                worst[f"{dialect} {name}"] = base / t
    return "\n".join(lines), worst


def main(args: argparse.Namespace) -> str:
    repeats = REPEATS_QUICK if args.quick else REPEATS
    n_deltas = N_DELTAS_QUICK if args.quick else N_DELTAS
    chunk_rows, one_event = chunkings_table(repeats, n_deltas, args.seed)
    async_rows, idle = async_table(repeats, n_deltas, args.seed)
    assistants, lowest = one_event["assistants"], min(one_event.values())
    worst_idle = min(idle.values())
    return "\n".join(
        [
            f"Inputs: each dialect's `generate({n_deltas}, seed={args.seed})` (from its own"
            " benchmark; the Assistants one is `benchmarks.streams.generate`). Best of"
            f" {repeats} interleaved rounds, gc disabled while timing. streamkit's"
            f" tokenizer: `{streamkit.SSEDecoder.implementation}`.",
            "",
            "### Chunkings, sync",
            "",
            chunk_rows,
            "",
            f"One event per chunk: the Assistants fold at **{assistants:.2f}×** the floor"
            f" (target ≥ 0.6×), every dialect at ≥ **{lowest:.2f}×** (target ≥ 0.5×).",
            "",
            "### Async, one event per chunk",
            "",
            async_rows,
            "",
            f"With `idle_timeout`, the slowest async path is at **{worst_idle:.2f}×** the"
            " sync one (target ≥ 0.85×).",
        ]
    )
