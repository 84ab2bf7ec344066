"""What the benchmarks share: timing, interleaving, the floor, a mock SSE response.

Not a benchmark itself (``python -m benchmarks`` runs only ``bench_*`` modules).
Each benchmark still says in its own module what it measures, on which input
and how it reports it; the helpers here are the parts that were the same in
all of them.
"""

from __future__ import annotations

import gc
import sys
import time
from importlib.metadata import version
from typing import TYPE_CHECKING

import httpx
import msgspec
import openai

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    #: A contender takes the stream's chunks and returns what it made of them.
    Contender = Callable[[list[bytes]], object]

__all__ = (
    "Chunks",
    "best_of",
    "event_count",
    "floor",
    "interleaved",
    "mock_openai",
    "rotated",
    "sse_response",
    "timing_rows",
    "versions",
)


def best_of(
    run: Callable[[], object], repeats: int, *, clock: Callable[[], float] = time.perf_counter
) -> float:
    """The least time *run* took in *repeats* runs, by *clock*, gc disabled while timing.

    A collection runs before each run, so none is left pending from the last one.
    """
    best = float("inf")
    gc.disable()
    try:
        for _ in range(repeats):
            gc.collect()
            start = clock()
            run()
            best = min(best, clock() - start)
    finally:
        gc.enable()
    return best


def rotated(names: list[str], shift: int) -> list[str]:
    """*names* rotated left by *shift* (modulo its length): who goes first changes each round."""
    shift %= len(names)
    return names[shift:] + names[:shift]


def interleaved(
    contenders: Mapping[str, Contender],
    chunks: list[bytes],
    repeats: int,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """Each contender's best time on *chunks* over *repeats* rounds, in the contenders' order.

    Every round runs each contender once (`best_of` with one run), in the
    order of *contenders* rotated by the round's number, so that none always
    runs first or after the same other; progress goes to stderr.
    """
    best = dict.fromkeys(contenders, float("inf"))
    for rep in range(repeats):
        print(f"  repetition {rep + 1}/{repeats}", file=sys.stderr)
        for name in rotated(list(contenders), rep):

            def run(n: str = name) -> object:
                return contenders[n](chunks)

            best[name] = min(best[name], best_of(run, 1, clock=clock))
    return best


def event_count(contenders: Mapping[str, Callable[[list[bytes]], int]], chunks: list[bytes]) -> int:
    """Run each contender once, untimed, and return the number of events they all saw.

    Raises `AssertionError` if they did not all see the same number.
    """
    counts = {name: run(chunks) for name, run in contenders.items()}
    if len(set(counts.values())) != 1:
        raise AssertionError(f"contenders saw different event counts: {counts}")
    return next(iter(counts.values()))


def floor(chunks: list[bytes]) -> int:
    """The floor under any parser: find each event's end with ``bytes.find``, decode its data.

    One ``msgspec.json.Decoder.decode`` per payload (the ``data:`` line of
    every event; each must be JSON), no typing, no fold. Returns the number of
    events.
    """
    decode = msgspec.json.Decoder().decode
    buf = b"".join(chunks)
    view = memoryview(buf)
    find = buf.find
    n = pos = 0
    while (end := find(b"\n\n", pos)) >= 0:
        start = find(b"data: ", pos, end) + 6
        decode(view[start:end])
        n += 1
        pos = end + 2
    return n


def timing_rows(best: Mapping[str, float], n_events: int) -> list[str]:
    """Markdown rows ``| contender | best ms | events/s | time ÷ streamkit's |``, one each."""
    rows = []
    for name, t in best.items():
        ratio = t / best["streamkit"]
        rows.append(f"| {name} | {t * 1e3:.1f} | {n_events / t:,.0f} | {ratio:.2f} |")
    return rows


def versions(*packages: str) -> str:
    """``streamkit (working tree), <package> <version>, ...``, a sentence for the report."""
    installed = ", ".join(f"{package} {version(package)}" for package in packages)
    return f"streamkit (working tree), {installed}."


class Chunks(httpx.SyncByteStream):
    """A response body that arrives in exactly these chunks."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)


def sse_response(chunks: list[bytes]) -> httpx.Response:
    """A 200 ``text/event-stream`` response whose body is *chunks*."""
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=Chunks(chunks))


def mock_openai(chunks: list[bytes]) -> openai.OpenAI:
    """An openai-python client whose every request gets *chunks* back as an SSE body.

    It talks to an ``httpx.MockTransport``: nothing leaves the process.
    """

    def respond(request: httpx.Request) -> httpx.Response:
        return sse_response(chunks)

    return openai.OpenAI(
        api_key="sk-bench",
        base_url="http://bench.invalid/v1",
        # openai-python annotates its own httpx fork's client; httpx's works the same.
        http_client=httpx.Client(transport=httpx.MockTransport(respond)),  # type: ignore[arg-type]
    )
