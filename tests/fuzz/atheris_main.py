"""Coverage-guided fuzzing of the targets with atheris (libFuzzer): the long campaign.

Not a test module (pytest does not collect it) and atheris is not a dependency::

    .venv/bin/pip install atheris
    .venv/bin/python -m tests.fuzz.atheris_main TARGET [CORPUS_DIR] [libFuzzer flags]

TARGET is ``sse``, ``sse-diff`` (the compiled tokenizer against the pure one:
the same trace of events, errors and state, call by call), ``eventstream``
(the AWS event stream decoder), ``ndjson``, ``jsonarray`` (Gemini's JSON
array), ``recording`` or ``dialect-NAME``
(typed decoding of every error policy in several chunkings, then the lenient
and strict folds).  The first bytes of each input choose the chunking (and for
``sse``, ``sse-diff``, ``eventstream``, ``ndjson`` and ``jsonarray`` a small
``max_event_size``), the rest is the body (``sse-diff`` needs the compiled
tokenizer in use).  With a
CORPUS_DIR that does not exist yet, it is created and seeded from the real
recordings.  Useful flags:
``-runs=N`` (inputs to run), ``-max_len=4096``, ``-timeout=20`` (seconds per
input: a hang), ``-rss_limit_mb=2048``, ``-artifact_prefix=DIR/``.
See ``docs/reliability.md`` for the campaign that was run.
"""

from __future__ import annotations

import os
import sys

import atheris

with atheris.instrument_imports(include=["streamkit"]):
    # Instrument streamkit, dialect packages included, before the targets use it.
    from . import targets, wire_targets

    targets.dialect_names()

# Byte-at-a-time decoding is the costliest check: keep it for small inputs here.
targets.BYTEWISE_SSE = 1024
targets.BYTEWISE_TYPED = 256
wire_targets.BYTEWISE = 1024


def seeds(target: str) -> list[bytes]:
    """Seed inputs: windows of real bodies (a few events each), or recording files."""
    if target in wire_targets.TARGETS:
        return wire_targets.seeds(target)
    if target == "recording":
        out = []
        for data in targets.recording_files():
            lines = data.split(b"\n")
            out += [
                b"\0" + b"\n".join([lines[0], *lines[start : start + 8]])
                for start in range(1, len(lines), 8)
            ]
        return out
    sse = target in ("sse", "sse-diff")
    names = [target.removeprefix("dialect-")] if not sse else targets.dialect_names()
    out = []
    for dialect in names:
        if sse and targets.framing(dialect) != "sse":
            continue
        for body in targets.real_bodies(dialect):
            frames = targets.real_frames(dialect, body)
            for start in range(0, len(frames), 5):
                window = b"".join(frames[start : start + 5])[:4000]
                out.append((b"\x40" if sse else b"") + b"\x00" + window)
    return out


def main() -> None:
    target, *args = sys.argv[1:]
    known = ("sse", "sse-diff", "recording", *wire_targets.TARGETS)
    if target not in known and not target.startswith("dialect-"):
        raise SystemExit(f"unknown target {target!r}: {', '.join(known)} or dialect-NAME")
    if target == "sse-diff" and targets._sse.CSSEDecoder is None:
        raise SystemExit("sse-diff: the compiled tokenizer is not in use")
    run = wire_targets.run_input if target in wire_targets.TARGETS else targets.run_input

    def fuzz(data: bytes) -> None:
        run(target, data)

    if args and not args[0].startswith("-") and not os.path.exists(args[0]):
        os.makedirs(args[0])
        for i, seed in enumerate(seeds(target)):
            with open(os.path.join(args[0], f"seed-{i:05d}"), "wb") as file:
                file.write(seed)
    atheris.Setup([sys.argv[0], *args], fuzz)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
