"""Load and soak: 10,000 concurrent replayed streams in one process; 1 GB through the fold.

Three measurements:

1. Throughput: N streams (10,000; ``--quick`` 500) started at once in one anyio
   task group, on asyncio and on trio; each a bundled Assistants recording
   replayed at speed 0 (``Replayer.aiter_events``) into its own ``Accumulator``,
   and its result compared with a sequential fold.  Every stream first reads one
   event, then waits until all N are open, then runs to the end.  Reported: wall
   time, events/s and MB/s of SSE body over all streams.
2. Memory per open stream: the same run under tracemalloc, the memory allocated
   while all N streams are open (each holding its replay, decoder, pipeline,
   fold and first event), divided by N.
3. Soak: one stream of 100 MB and of 1 GB (``--quick``: 5 and 20 MB), generated
   lazily in 64 KiB chunks, through ``iter_events`` and the fold: throughput
   (without tracemalloc), and tracemalloc's peak in a second run (it must not
   grow with the length).  The stream repeats a 1 KB step delta whose function
   name replaces the previous one, so what the fold keeps stays the same size.
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import msgspec

import streamkit
from streamkit import assistants
from streamkit.recording import Replayer

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings" / "assistants"
#: The smaller bundled recordings (8-15 KB, 25-45 events each).
NAMES = (
    "text-answer",
    "error-event",
    "failed-run",
    "cut-off",
    "incomplete-message",
    "file-search-citations",
)
STREAMS, STREAMS_QUICK = 10_000, 500
SOAK = (100_000_000, 1_000_000_000)
SOAK_QUICK = (5_000_000, 20_000_000)
MB = 1e6


def digest(acc: assistants.Accumulator) -> bytes:
    """The whole result of a fold, as bytes to compare."""
    return msgspec.json.encode(
        [acc.thread, acc.run, acc.messages, acc.run_steps, acc.outcome, acc.warnings, acc.drift],
        enc_hook=repr,
    )


def expected(replayer: Replayer) -> tuple[bytes, int]:
    """The digest and event count of a sequential fold of *replayer*."""
    acc = assistants.Accumulator()
    n = 0
    for event in replayer.iter_events():
        acc.feed(event)
        n += 1
    return digest(acc), n


async def load(n: int, names: tuple[str, ...] = NAMES, *, trace: bool = False) -> dict[str, Any]:
    """Fold *n* concurrent replayed streams; all are held open after their first event.

    Returns ``elapsed`` (s), ``events`` (and ``expected_events``), ``bytes`` (SSE
    body), ``wrong`` (indexes of streams whose result differs from a sequential fold),
    ``done``, ``peak_open`` (streams open at once) and, with *trace*, ``held`` (bytes
    allocated while all were open).
    """
    replayers = [Replayer.open(RECORDINGS / f"{name}.ndjson") for name in names]
    wanted = [expected(replayer) for replayer in replayers]
    sizes = [sum(len(s.body) for s in replayer.streams) for replayer in replayers]
    state = {"opened": 0, "done": 0, "events": 0, "peak_open": 0, "held": 0}
    wrong: list[int] = []
    everyone_open = anyio.Event()
    before = tracemalloc.get_traced_memory()[0] if trace else 0

    async def one(i: int) -> None:
        which = i % len(replayers)
        acc = assistants.Accumulator()
        stream = replayers[which].aiter_events(speed=0)
        first = await anext(stream)
        state["opened"] += 1
        state["peak_open"] = max(state["peak_open"], state["opened"] - state["done"])
        if state["opened"] == n:
            if trace:
                gc.collect()
                state["held"] = tracemalloc.get_traced_memory()[0] - before
            everyone_open.set()
        await everyone_open.wait()
        acc.feed(first)
        count = 1
        async for event in stream:
            acc.feed(event)
            count += 1
        state["events"] += count
        state["done"] += 1
        if (digest(acc), count) != wanted[which]:
            wrong.append(i)

    start, cpu = time.perf_counter(), time.process_time()
    async with anyio.create_task_group() as tg:
        for i in range(n):
            tg.start_soon(one, i)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    total = sum(sizes[i % len(sizes)] for i in range(n))
    events = sum(wanted[i % len(wanted)][1] for i in range(n))
    return {
        **state,
        "elapsed": elapsed,
        "cpu": cpu,
        "bytes": total,
        "expected_events": events,
        "wrong": wrong,
    }


def throughput(job: dict[str, Any]) -> dict[str, Any]:
    """``load`` untraced on one backend, checked; in a child process for ``--rev``."""
    result = anyio.run(load, job["n"], backend=job["backend"])
    assert result["wrong"] == [], result["wrong"][:10]
    assert result["peak_open"] == job["n"]
    return result


def _row(label: str, result: dict[str, Any], held: str = "") -> str:
    seconds, events = result["elapsed"], result["events"]
    return (
        f"| {label} | {result['peak_open']:,} | {events:,} | {seconds:.1f}"
        f" | {events / seconds:,.0f} | {result['cpu'] / events * 1e6:.1f}"
        f" | {result['bytes'] / MB / seconds:.1f} | {held} |"
    )


def _against(rev: str, n: int) -> tuple[list[str], str]:
    """Rows of the throughput at *rev* and today, each in child processes, rounds alternating."""
    from ._revision import PURE, alternating, library_at

    rows, ratios = [], []
    with library_at(rev) as old:
        for backend in ("asyncio", "trio"):
            print(f"  {backend} against {rev}", file=sys.stderr)
            results = alternating(
                "benchmarks.bench_load:throughput",
                {"n": n, "backend": backend},
                {rev: (old, PURE), "today": (None, {})},
                3,
            )
            then, now = (min(results[who], key=lambda r: r["elapsed"]) for who in (rev, "today"))
            rows += [_row(f"{backend}, {rev}", then), _row(f"{backend}, today", now)]
            ratios.append(
                f"{backend} **{then['elapsed'] / now['elapsed']:.2f}x**"
                f" (CPU per event {then['cpu'] / now['cpu']:.2f}x less)"
            )
    said = (
        f"Today's events/s ÷ {rev}'s (the library at {rev}, on its pure-Python tokenizer,"
        f" and today's as installed, each the best of 3 alternating child processes):"
        f" {', '.join(ratios)}."
    )
    return rows, said


# -- soak ------------------------------------------------------------------------------

SOAK_MSG = "msg_soak"
SOAK_STEP = "step_soak"


def _event(name: str, data: Any) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + msgspec.json.encode(data) + b"\n\n"


def _text(value: str) -> bytes:
    content = [{"index": 0, "type": "text", "text": {"value": value}}]
    delta = {"id": SOAK_MSG, "object": "thread.message.delta", "delta": {"content": content}}
    return _event("thread.message.delta", delta)


def _call(function: dict[str, str]) -> bytes:
    call = {"index": 0, "type": "function", "id": "call_soak", "function": function}
    details = {"type": "tool_calls", "tool_calls": [call]}
    delta = {"id": SOAK_STEP, "object": "thread.run.step.delta", "delta": {"step_details": details}}
    return _event("thread.run.step.delta", delta)


def soak_chunks(total: int, chunk: int = 65536) -> Iterator[bytes]:
    """A valid Assistants stream of about *total* bytes, made lazily in *chunk*-byte pieces.

    One run, one message and one tool-calls step; then, until *total* is reached,
    step deltas that each replace the function's name (1 KB, different every time: a
    name is replaced, not concatenated, so the fold's state stays the same size) and,
    every 1,000 of them, a one-character text delta.  Then the message and run finish.
    """
    run = {
        "id": "run_soak",
        "object": "thread.run",
        "created_at": 0,
        "assistant_id": "asst",
        "thread_id": "thread",
        "status": "in_progress",
        "model": "m",
        "tools": [],
    }
    message = {
        "id": SOAK_MSG,
        "object": "thread.message",
        "created_at": 0,
        "thread_id": "thread",
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    step = {
        "id": SOAK_STEP,
        "object": "thread.run.step",
        "created_at": 0,
        "run_id": "run_soak",
        "assistant_id": "asst",
        "thread_id": "thread",
        "type": "tool_calls",
        "status": "in_progress",
        "step_details": {"type": "tool_calls", "tool_calls": []},
    }
    pending = bytearray(
        _event("thread.run.created", {**run, "status": "queued"})
        + _event("thread.run.in_progress", run)
        + _event("thread.message.created", message)
        + _event("thread.run.step.created", step)
        + _call({"name": "", "arguments": "{}"})
        + _text("x")
    )
    prefix, _, suffix = _call({"name": ""}).partition(b'"name":""')
    sent = i = 0
    while sent + len(pending) < total:
        pending += prefix + b'"name":"' + b"%08d" % i * 128 + b'"' + suffix
        i += 1
        if i % 1000 == 0:
            pending += _text("x")
        while len(pending) >= chunk:
            yield bytes(pending[:chunk])
            del pending[:chunk]
            sent += chunk
    part = {"type": "text", "text": {"value": "x" * (1 + i // 1000), "annotations": []}}
    completed = {**message, "status": "completed", "content": [part]}
    pending += _event("thread.message.completed", completed)
    pending += _event("thread.run.completed", {**run, "status": "completed"})
    yield bytes(pending + b"event: done\ndata: [DONE]\n\n")


def soak(total: int, *, trace: bool) -> dict[str, Any]:
    """Fold a *total*-byte soak stream: ``bytes``, ``events``, ``elapsed`` and (traced) ``peak``."""
    gc.collect()
    if trace:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0] if trace else 0
        size = 0

        def counted() -> Iterator[bytes]:
            nonlocal size
            for chunk in soak_chunks(total):
                size += len(chunk)
                yield chunk

        start = time.perf_counter()
        acc = assistants.Accumulator()
        n = 0
        for event in streamkit.iter_events(counted()):
            acc.feed(event)
            n += 1
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] - before if trace else 0
    finally:
        if trace:
            tracemalloc.stop()
    assert acc.outcome.kind == "completed", acc.outcome
    assert (acc.warnings, acc.drift) == ([], [])
    [call] = acc.run_steps[SOAK_STEP].step_details.tool_calls  # type: ignore[union-attr]
    assert len(call.function.name) == 1024  # type: ignore[union-attr]
    return {"bytes": size, "events": n, "elapsed": elapsed, "peak": peak}


# -- the benchmark ---------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--streams", type=int, help=f"concurrent streams (default {STREAMS:,})")
    parser.add_argument(
        "--rev",
        help="also run the throughput with the library at this git revision (in a child"
        " process, its pure-Python tokenizer), today's beside it in one too",
    )
    parser.add_argument("--no-soak", action="store_true", help="skip the 1 GB soak")


def main(args: argparse.Namespace) -> str:
    n = args.streams or (STREAMS_QUICK if args.quick else STREAMS)
    rows = []
    for backend in ("asyncio", "trio"):
        fast = anyio.run(load, n, backend=backend)
        tracemalloc.start()
        try:
            traced = anyio.run(lambda: load(n, trace=True), backend=backend)
        finally:
            tracemalloc.stop()
        for result in (fast, traced):
            assert result["wrong"] == [], result["wrong"][:10]
            assert result["peak_open"] == n
        rows.append(_row(backend, fast, f"{traced['held'] / n / 1024:.1f}"))
    said = ""
    if args.rev:
        against, said = _against(args.rev, n)
        rows += against
    out = [
        f"Streams: the bundled recordings {', '.join(NAMES)} in turn, each replayed at speed 0 "
        "through `Replayer.aiter_events` into its own `Accumulator`; all started at once in one "
        "task group and held open after their first event until every one is open. Every "
        "result equals a sequential fold of its recording. MB = 10⁶ bytes of SSE body.",
        "",
        "| backend | streams | events | wall s | events/s | CPU µs/event | MB/s"
        " | KiB per open stream |",
        "|:---|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
    ]
    if said:
        out += ["", said]
    if not args.no_soak:
        out += [
            "",
            "Soak: one stream through `iter_events` and the fold, generated lazily in 64 KiB "
            "chunks (1 KB step deltas replacing a function name). Peak = tracemalloc's, in a "
            "second, traced run.",
            "",
            "| stream | events | s | MB/s | events/s | peak traced memory |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for total in SOAK_QUICK if args.quick else SOAK:
            fast = soak(total, trace=False)
            traced = soak(total, trace=True)
            out.append(
                f"| {fast['bytes'] / MB:,.0f} MB | {fast['events']:,} | {fast['elapsed']:.1f} "
                f"| {fast['bytes'] / MB / fast['elapsed']:.1f} "
                f"| {fast['events'] / fast['elapsed']:,.0f} | {traced['peak'] / 1024:,.0f} KiB |"
            )
    return "\n".join(out)
