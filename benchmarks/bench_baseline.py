"""Today against a git revision: bytes to the final object, every dialect, the same bytes.

What a change costs the hot path, measured rather than remembered from an
older table. The library at ``--rev`` (``git archive`` of ``streamkit/``; it
has no compiled tokenizer, so it runs its pure-Python one) and today's, both
pure-Python (``STREAMKIT_PURE_PYTHON=1``) and as installed, each fold the same
generated streams (each dialect's own benchmark's ``generate``, written once
to files) through ``iter_events`` into the dialect's ``Accumulator`` and read
its final objects, one event per chunk and in 64 B and 16 KiB chunks. Each
library runs in its own child process, with today's benchmark code; rounds
alternate the three, and each figure is the best CPU time (``process_time``)
over every round. Only the dialects the revision has are compared.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._revision import PURE, REPO, alternating, library_at
from .bench_regimes import GENERATORS, finish, per_event
from .streams import chunked

if TYPE_CHECKING:
    import argparse

N_DELTAS, N_DELTAS_QUICK = 20_000, 500
ROUNDS, ROUNDS_QUICK = 3, 1
REPEATS, REPEATS_QUICK = 5, 1
SIZES = (0, 64, 16 * 1024)  # 0: one event per chunk
DEFAULT_REV = (
    "b8083bc"  # the tree before the common face, the compiled tokenizer and the new dialects
)


def _label(size: int) -> str:
    return "1 event" if size == 0 else f"{size} B" if size < 1024 else f"{size // 1024} KiB"


def known(rev: str) -> bool:
    """Whether this clone has the commit *rev*."""
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


def measure(job: dict[str, Any]) -> dict[str, float | None]:
    """In a child: the best CPU seconds per ``"dialect size"`` (``None``: no such dialect)."""
    import gc

    from streamkit import iter_events

    out: dict[str, float | None] = {}
    for name in job["dialects"]:
        try:
            accumulator = importlib.import_module(f"streamkit.dialects.{name}").Accumulator
        except ImportError:
            out.update({f"{name} {size}": None for size in job["sizes"]})
            continue
        body = Path(job["folder"], f"{name}.sse").read_bytes()
        for size in job["sizes"]:
            chunks = per_event(body) if size == 0 else chunked(body, size)
            best = float("inf")
            for _ in range(job["repeats"]):
                gc.collect()
                gc.disable()
                start = time.process_time()
                acc = accumulator()
                feed = acc.feed
                for event in iter_events(chunks, name):
                    feed(event)
                finish(acc)
                best = min(best, time.process_time() - start)
                gc.enable()
            out[f"{name} {size}"] = best
    return out


def main(args: argparse.Namespace) -> str:
    n = N_DELTAS_QUICK if args.quick else N_DELTAS
    rounds = ROUNDS_QUICK if args.quick else ROUNDS
    repeats = REPEATS_QUICK if args.quick else REPEATS
    names = list(GENERATORS)
    if args.quick and not known(args.rev):  # a shallow clone: the smoke run still runs
        print(f"  {args.rev} is not in this clone: comparing with HEAD", file=sys.stderr)
        args.rev = "HEAD"
    with (
        tempfile.TemporaryDirectory(prefix="streamkit-bench-") as folder,
        library_at(args.rev) as old,
    ):
        sizes_of = {}
        for name in names:
            body = GENERATORS[name](n, seed=args.seed)
            Path(folder, f"{name}.sse").write_bytes(body)
            sizes_of[name] = len(body)
        job = {"dialects": names, "sizes": list(SIZES), "repeats": repeats, "folder": folder}
        runs = {
            args.rev: (old, PURE),
            "today, pure-Python": (None, PURE),
            "today, as installed": (None, {}),
        }
        results = alternating("benchmarks.bench_baseline:measure", job, runs, rounds)
    best = {  # a key is None in every round (no such dialect) or a time in every one
        who: {key: None if got[0][key] is None else min(r[key] for r in got) for key in got[0]}
        for who, got in results.items()
    }
    then, pure, built = (best[who] for who in runs)
    out = [
        f"Streams: each dialect's benchmark stream of {n:,} deltas (seed {args.seed}): "
        + ", ".join(f"{name} {sizes_of[name] / 1e6:.2f} MB" for name in names)
        + f". Best CPU time of {repeats} runs × {rounds} alternating rounds, per library.",
        "",
        f"| dialect | chunks | {args.rev} ms | today pure-Python ms | today as installed ms"
        f" | pure-Python ÷ {args.rev} (speed) | as installed ÷ {args.rev} (speed) |",
        "|:---|---:|---:|---:|---:|---:|---:|",
    ]
    slowest = float("inf")
    for name in names:
        for size in SIZES:
            key = f"{name} {size}"
            a, b, c = then[key], pure[key], built[key]
            if a is None or b is None or c is None:
                continue
            slowest = min(slowest, a / b)
            out.append(
                f"| {name} | {_label(size)} | {a * 1e3:.1f} | {b * 1e3:.1f} | {c * 1e3:.1f}"
                f" | {a / b:.2f}x | {a / c:.2f}x |"
            )
    out += [
        "",
        f"Today's pure-Python path at its slowest against {args.rev}: **{slowest:.2f}x**"
        " its speed (1.00x: the same; the target was at least 0.95x).",
    ]
    return "\n".join(out)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rev",
        default=DEFAULT_REV,
        help=f"the git revision to compare with (default {DEFAULT_REV})",
    )
