"""Tokenizer: SSE bytes to events, streamkit against httpx-sse, openai-python and a floor."""

from __future__ import annotations

import gc
import subprocess
import sys
import time
import types
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx_sse
import openai._streaming

from benchmarks._harness import rotated, sse_response
from benchmarks.streams import chunked, generate

try:
    import streamkit
    import streamkit._sse
except ImportError:  # the tokenizer is not written yet
    streamkit = None  # type: ignore[assignment]

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    # A contender gets the chunks and the joined bytes and returns the timed
    # part, which returns the number of events it saw. Preparing is untimed.
    Runner = Callable[[], int]
    Prepare = Callable[[list[bytes], bytes], Runner]

REPO = Path(__file__).resolve().parent.parent

#: How the body is cut: ``EVENT`` is one event per chunk (the body split after each
#: blank line, as a live stream arrives), the numbers are fixed sizes in bytes.
EVENT = 0
CHUNKINGS = (EVENT, 64, 1024, 16 * 1024, 256 * 1024)
N_DELTAS, N_DELTAS_QUICK = 20_000, 5_000
REPEATS, REPEATS_QUICK = 7, 3

#: The keep-alive inputs: what each repeats, and how many bytes of it (in 16 KiB chunks).
FLOODS = {"blank lines": b"\n", "comments": b": keep-alive\n\n"}
FLOOD_BYTES, FLOOD_BYTES_QUICK = 1_000_000, 250_000
FLOOD_CHUNK = 16 * 1024

#: The decoder classes timed, by contender name (filled in by `main`).
DECODERS: dict[str, Any] = {}


def have_streamkit() -> bool:
    return streamkit is not None and hasattr(streamkit, "SSEDecoder")


def implementation(cls: Any) -> str:
    """``"c"`` or ``"python"``: which tokenizer *cls* is (a decoder without the attribute
    predates the compiled one, so it is the pure one)."""
    return str(getattr(cls, "implementation", "python"))


def by_events(data: bytes) -> list[bytes]:
    """*data* split after every blank line ``\\n\\n``: one event per chunk."""
    out, pos = [], 0
    while (end := data.find(b"\n\n", pos)) >= 0:
        out.append(data[pos : end + 2])
        pos = end + 2
    if pos < len(data):
        out.append(data[pos:])
    return out


def chunking(data: bytes, size: int) -> list[bytes]:
    return by_events(data) if size == EVENT else chunked(data, size)


def load_baseline(rev: str) -> Any:
    """The pure-Python decoder class as it was at git revision *rev*, loaded beside today's.

    Its module is made from ``streamkit/_sse_py.py`` at *rev*, or ``streamkit/_sse.py``
    where the split had not happened yet; it imports streamkit's other modules as they
    are now (only ``_errors``, which the tokenizer's behaviour does not depend on).
    """
    for path in ("streamkit/_sse_py.py", "streamkit/_sse.py"):
        shown = subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=REPO, capture_output=True, check=False
        )
        if shown.returncode == 0:
            break
    else:
        raise SystemExit(f"no streamkit/_sse.py at git revision {rev!r}")
    module = types.ModuleType(f"streamkit._sse_at_{rev}")
    module.__package__ = "streamkit"
    exec(compile(shown.stdout, f"{rev}:{path}", "exec"), module.__dict__)
    return module.SSEDecoder


# -- contenders -----------------------------------------------------------------


def _decoding(name: str) -> Prepare:
    def prepare(chunks: list[bytes], buf: bytes) -> Runner:
        cls = DECODERS[name]

        def run() -> int:
            dec = cls()
            n = 0
            for chunk in chunks:
                n += len(dec.feed(chunk))
            return n + len(dec.close())

        return run

    return prepare


def prepare_streamkit_data(chunks: list[bytes], buf: bytes) -> Runner:
    """streamkit, also reading each event's ``.data`` (until then it may be a view)."""
    cls = DECODERS["streamkit"]

    def run() -> int:
        dec = cls()
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


OTHERS: dict[str, Prepare] = {
    "httpx-sse": prepare_httpx_sse,
    "openai": prepare_openai,
    "floor": prepare_floor,
}


def contenders(baseline: str | None) -> dict[str, Prepare]:
    """Name -> preparer: streamkit's decoders (compiled and pure where both exist), the others.

    Fills `DECODERS`. ``streamkit`` is ``streamkit.SSEDecoder`` as imported (compiled
    where it could be built), ``streamkit-py`` the pure-Python one when that is a
    different class, ``streamkit-py@REV`` the pure one at git revision *baseline*.
    """
    out: dict[str, Prepare] = {}
    DECODERS.clear()
    if have_streamkit():
        DECODERS["streamkit"] = streamkit.SSEDecoder
        pure = getattr(streamkit._sse, "PySSEDecoder", streamkit.SSEDecoder)
        if pure is not streamkit.SSEDecoder:
            DECODERS["streamkit-py"] = pure
        if baseline:
            DECODERS[f"streamkit-py@{baseline}"] = load_baseline(baseline)
        out = {name: _decoding(name) for name in DECODERS}
        out["streamkit+data"] = prepare_streamkit_data
    return out | OTHERS


# -- checks -----------------------------------------------------------------------


def parsed_events(name: str, chunks: list[bytes]) -> list[tuple[str, str]] | None:
    """(event, data) of every event parser ``name`` yields; None for the floor."""
    if name.startswith("streamkit"):
        dec = DECODERS[name if name in DECODERS else "streamkit"]()
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
    prepares: dict[str, Prepare],
    inputs: dict[Any, tuple[list[bytes], bytes]],
    repeats: int,
    expected: dict[Any, int | None],
) -> dict[tuple[str, Any], float]:
    """Best time of each (contender, input), interleaved, gc disabled while timing.

    *expected* is each input's event count (``None``: only streamkit's is checked, to be 0).
    """
    names = list(prepares)
    best: dict[tuple[str, Any], float] = {}
    gc.disable()
    try:
        for rep in range(repeats):
            print(f"  repetition {rep + 1}/{repeats}", file=sys.stderr)
            for i, (key, (chunks, data)) in enumerate(inputs.items()):
                for name in rotated(names, rep + i):  # rotate the order each time
                    run = prepares[name](chunks, data)
                    gc.collect()
                    start = time.perf_counter()
                    n = run()
                    elapsed = time.perf_counter() - start
                    want = expected[key]
                    if want is None:
                        want = 0 if name.startswith("streamkit") else n
                    if n != want:
                        raise AssertionError(f"{name} saw {n} events on {key!r}, expected {want}")
                    best[name, key] = min(best.get((name, key), elapsed), elapsed)
    finally:
        gc.enable()
    return best


def _size(n: int) -> str:
    if n == EVENT:
        return "1 event"
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} B"


def _label(name: str) -> str:
    """A contender's name in the tables, with the implementation of streamkit's decoders."""
    cls = DECODERS.get(name)
    return f"{name} ({implementation(cls)})" if cls is not None else name


def report(
    best: dict[tuple[str, Any], float],
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
                f"| {_size(size)} | {_label(name)} | {t * 1e3:.1f} | {n_bytes / t / 1e6:.1f}"
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
                lines.append(f"| {_size(size)} | {_label(name)} | {' | '.join(ratios)} |")
    return "\n".join(lines)


def report_floods(
    best: dict[tuple[str, Any], float], names: list[str], sizes: dict[str, int]
) -> str:
    header = "| contender | " + " | ".join(f"{flood} MB/s" for flood in FLOODS) + " |"
    lines = [header, "|:---|" + "---:|" * len(FLOODS)]
    for name in names:
        cells = [f"{sizes[flood] / best[name, flood] / 1e6:.1f}" for flood in FLOODS]
        lines.append(f"| {_label(name)} | {' | '.join(cells)} |")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--only",
        metavar="NAMES",
        help="comma-separated contenders to run (default: all; streamkit, streamkit-py,"
        " streamkit+data, httpx-sse, openai, floor, and streamkit-py@REV with --baseline)",
    )
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="also time the pure-Python decoder as it was at this git revision",
    )


def main(args: argparse.Namespace) -> str:
    prepares = contenders(args.baseline)
    if args.only:
        wanted = args.only.split(",")
        if unknown := set(wanted) - set(prepares):
            raise SystemExit(f"unknown contenders: {', '.join(sorted(unknown))}")
        prepares = {name: prepares[name] for name in wanted}
    names = list(prepares)
    n_deltas = N_DELTAS_QUICK if args.quick else N_DELTAS
    repeats = REPEATS_QUICK if args.quick else REPEATS
    data = generate(n_deltas, seed=args.seed)
    expected = prepare_floor([], data)()
    print(f"tokenize: {len(data):,} bytes, {expected:,} events", file=sys.stderr)
    check_same_events(names, chunked(data, CHUNKINGS[1]))
    check_same_events(names, by_events(data))
    inputs = {size: (chunking(data, size), data) for size in CHUNKINGS}
    best = measure(prepares, inputs, repeats, dict.fromkeys(CHUNKINGS, expected))

    # The keep-alive floods: no event at all, only lines to skip. The floor means
    # nothing here (it counts blank lines), so it is left out.
    flood_bytes = FLOOD_BYTES_QUICK if args.quick else FLOOD_BYTES
    flood_names = [name for name in names if name not in ("floor", "streamkit+data")]
    floods = {}
    for flood, unit in FLOODS.items():
        body = unit * (flood_bytes // len(unit))
        floods[flood] = (chunked(body, FLOOD_CHUNK), body)
    flood_best = measure(
        {name: prepares[name] for name in flood_names},
        floods,
        max(3, repeats // 2),
        dict.fromkeys(FLOODS),
    )

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
        " once, untimed, at 64 B chunks and one event per chunk. MB = 10⁶ bytes.",
        f"Versions: {versions}.",
        "",
        "- `1 event`: one event per chunk (the body cut after every blank line), as a live"
        " stream arrives: one event per network read.",
        "- `streamkit` is `streamkit.SSEDecoder` as installed (`c`: the compiled tokenizer);"
        " `streamkit-py` the pure-Python one (`streamkit._sse.PySSEDecoder`);"
        " `streamkit-py@REV` the pure-Python one as it was at git revision REV.",
        "- `floor`: counts the blank lines of the joined buffer with `bytes.find`; no parsing.",
        "- `streamkit+data`: `streamkit`, also reading every event's `.data` (httpx-sse and"
        " openai build a `str` per event; streamkit keeps a view of the chunk until asked).",
        "",
    ]
    flood_text = [
        "",
        "### Keep-alives: blank lines and comments",
        "",
        f"{flood_bytes / 1e6:.2f} MB of `\\n`, and of `: keep-alive\\n\\n`, in"
        f" {FLOOD_CHUNK // 1024} KiB chunks: no event, only lines to skip. Best of"
        f" {max(3, repeats // 2)}, interleaved.",
        "",
        report_floods(flood_best, flood_names, {f: len(b) for f, (_, b) in floods.items()}),
    ]
    return (
        "\n".join(header)
        + "\n"
        + report(best, names, CHUNKINGS, len(data), expected)
        + "\n"
        + "\n".join(flood_text)
    )
