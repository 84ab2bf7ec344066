"""Tokenizer: SSE bytes to events, streamkit against httpx-sse, openai-python and a floor."""

from __future__ import annotations

import gc
import sys
import time
from importlib.metadata import version
from typing import TYPE_CHECKING

import httpx_sse
import openai._streaming

from benchmarks._harness import rotated, sse_response
from benchmarks.streams import chunked, generate

try:
    import streamkit
except ImportError:  # the tokenizer is not written yet
    streamkit = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    # A contender gets the chunks and the joined bytes and returns the timed
    # part, which returns the number of events it saw. Preparing is untimed.
    Runner = Callable[[], int]
    Prepare = Callable[[list[bytes], bytes], Runner]

CHUNK_SIZES = (64, 1024, 16 * 1024, 256 * 1024)
N_DELTAS, N_DELTAS_QUICK = 20_000, 5_000
REPEATS, REPEATS_QUICK = 7, 3


def have_streamkit() -> bool:
    return streamkit is not None and hasattr(streamkit, "SSEDecoder")


# -- contenders -----------------------------------------------------------------


def prepare_streamkit(chunks: list[bytes], buf: bytes) -> Runner:
    def run() -> int:
        dec = streamkit.SSEDecoder()
        n = 0
        for chunk in chunks:
            n += len(dec.feed(chunk))
        return n + len(dec.close())

    return run


def prepare_streamkit_data(chunks: list[bytes], buf: bytes) -> Runner:
    """streamkit, also reading each event's ``.data`` (until then it may be a view)."""

    def run() -> int:
        dec = streamkit.SSEDecoder()
        n = size = 0
        for chunk in chunks:
            for event in dec.feed(chunk):
                size += len(event.data)
                n += 1
        for event in dec.close():
            size += len(event.data)
            n += 1
        return n

    return run


def _event_source(chunks: list[bytes]) -> httpx_sse.EventSource:
    return httpx_sse.EventSource(sse_response(chunks))


def prepare_httpx_sse(chunks: list[bytes], buf: bytes) -> Runner:
    source = _event_source(chunks)  # a response can be read once: one per run

    def run() -> int:
        return sum(1 for _ in source.iter_sse())

    return run


def prepare_openai(chunks: list[bytes], buf: bytes) -> Runner:
    def run() -> int:
        decoder = openai._streaming.SSEDecoder()
        return sum(1 for _ in decoder.iter_bytes(iter(chunks)))

    return run


def prepare_floor(chunks: list[bytes], buf: bytes) -> Runner:
    """Find every blank line in the joined buffer: no parsing, no chunking."""

    def run() -> int:
        n = 0
        pos = buf.find(b"\n\n")
        while pos != -1:
            n += 1
            pos = buf.find(b"\n\n", pos + 2)
        return n

    return run


CONTENDERS: dict[str, Prepare] = {
    "streamkit": prepare_streamkit,
    "streamkit+data": prepare_streamkit_data,
    "httpx-sse": prepare_httpx_sse,
    "openai": prepare_openai,
    "floor": prepare_floor,
}


# -- checks -----------------------------------------------------------------------


def parsed_events(name: str, chunks: list[bytes]) -> list[tuple[str, str]] | None:
    """(event, data) of every event parser ``name`` yields; None for the floor."""
    if name.startswith("streamkit"):
        dec = streamkit.SSEDecoder()
        events = [ev for chunk in chunks for ev in dec.feed(chunk)] + dec.close()
        return [(ev.event, ev.text) for ev in events]
    if name == "httpx-sse":
        return [(ev.event, ev.data) for ev in _event_source(chunks).iter_sse()]
    if name == "openai":
        decoder = openai._streaming.SSEDecoder()
        return [(ev.event or "message", ev.data) for ev in decoder.iter_bytes(iter(chunks))]
    return None


def check_same_events(names: list[str], chunks: list[bytes]) -> None:
    """Untimed: the parsers yield the same (event, data) sequence."""
    seen = {name: events for name in names if (events := parsed_events(name, chunks)) is not None}
    if not seen:
        return
    first_name, reference = next(iter(seen.items()))
    for name, events in seen.items():
        if events != reference:
            diff = next(
                (i for i, (a, b) in enumerate(zip(events, reference, strict=False)) if a != b),
                min(len(events), len(reference)),
            )
            raise AssertionError(f"{name} and {first_name} differ at event {diff}")


# -- the benchmark -----------------------------------------------------------------


def measure(
    names: list[str], data: bytes, sizes: tuple[int, ...], repeats: int, expected: int
) -> dict[tuple[str, int], float]:
    """Best time of each (contender, chunk size), interleaved, gc disabled while timing."""
    chunkings = {size: chunked(data, size) for size in sizes}
    best: dict[tuple[str, int], float] = {}
    gc.disable()
    try:
        for rep in range(repeats):
            print(f"  repetition {rep + 1}/{repeats}", file=sys.stderr)
            for i, size in enumerate(sizes):
                for name in rotated(names, rep + i):  # rotate the order each time
                    run = CONTENDERS[name](chunkings[size], data)
                    gc.collect()
                    start = time.perf_counter()
                    n = run()
                    elapsed = time.perf_counter() - start
                    if n != expected:
                        raise AssertionError(
                            f"{name} saw {n} events at {size} B chunks, expected {expected}"
                        )
                    best[name, size] = min(best.get((name, size), elapsed), elapsed)
    finally:
        gc.enable()
    return best


def _size(n: int) -> str:
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} B"


def report(
    best: dict[tuple[str, int], float],
    names: list[str],
    sizes: tuple[int, ...],
    n_bytes: int,
    n_events: int,
) -> str:
    lines = [
        "| chunk | contender | best ms | MB/s | Mevents/s |",
        "|---:|:---|---:|---:|---:|",
    ]
    for size in sizes:
        for name in names:
            t = best[name, size]
            lines.append(
                f"| {_size(size)} | {name} | {t * 1e3:.1f} | {n_bytes / t / 1e6:.1f}"
                f" | {n_events / t / 1e6:.3f} |"
            )
    ours = [name for name in names if name.startswith("streamkit")]
    others = [name for name in names if not name.startswith("streamkit")]
    if ours and others:
        lines += [
            "",
            "Speed ratios, streamkit / other (the other's time ÷ streamkit's; > 1: streamkit"
            " is faster):",
            "",
            "| chunk | streamkit | " + " | ".join(f"/ {other}" for other in others) + " |",
            "|---:|:---|" + "---:|" * len(others),
        ]
        for size in sizes:
            for name in ours:
                ratios = [f"{best[other, size] / best[name, size]:.2f}" for other in others]
                lines.append(f"| {_size(size)} | {name} | {' | '.join(ratios)} |")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help=f"comma-separated contenders to run (default: all of {', '.join(CONTENDERS)})",
    )


def main(args: argparse.Namespace) -> str:
    names = args.only.split(",") if args.only else list(CONTENDERS)
    if unknown := set(names) - set(CONTENDERS):
        raise SystemExit(f"unknown contenders: {', '.join(sorted(unknown))}")
    if not have_streamkit():
        names = [name for name in names if not name.startswith("streamkit")]
    n_deltas = N_DELTAS_QUICK if args.quick else N_DELTAS
    repeats = REPEATS_QUICK if args.quick else REPEATS
    data = generate(n_deltas, seed=args.seed)
    expected = prepare_floor([], data)()
    print(f"tokenize: {len(data):,} bytes, {expected:,} events", file=sys.stderr)
    check_same_events(names, chunked(data, CHUNK_SIZES[0]))
    best = measure(names, data, CHUNK_SIZES, repeats, expected)

    versions = f"httpx-sse {version('httpx-sse')}, openai {version('openai')}"
    if not have_streamkit():
        versions += "; streamkit.SSEDecoder was not importable, so it is left out"
    elif any(name.startswith("streamkit") for name in names):
        versions = f"streamkit (working tree), {versions}"
    header = [
        f"Input: `benchmarks.streams.generate({n_deltas}, seed={args.seed})`, one Assistants"
        f" run with 4 messages: {len(data) / 1e6:.2f} MB, {expected:,} events.",
        f"Best of {repeats} repetitions; contenders interleaved (rotating order) in one"
        " process; chunks pre-split outside the timed region; gc disabled during timed runs;"
        " each run's event count checked, and the parsers' (event, data) sequences compared"
        " once, untimed, at 64 B chunks. MB = 10⁶ bytes.",
        f"Versions: {versions}.",
        "",
        "- `floor`: counts the blank lines of the joined buffer with `bytes.find`; no parsing.",
        "- `streamkit+data`: also reads every event's `.data` (httpx-sse and openai build a"
        " `str` per event; streamkit keeps a view of the chunk until asked).",
        "",
    ]
    return "\n".join(header) + "\n" + report(best, names, CHUNK_SIZES, len(data), expected)
