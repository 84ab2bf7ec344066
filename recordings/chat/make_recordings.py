"""Build the bundled Chat Completions recordings in ``recordings/chat/`` from real captured bodies.

Usage::

    python recordings/chat/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_CHAT_RECORDINGS``)
is the directory of real Chat Completions bodies described in
``shared/recordings-real/SOURCES.md``; it defaults to
``../shared/recordings-real/chat`` next to the repository.  Every source is
checked against its SHA-256 before use.  ``--out`` defaults to this directory.

The output is deterministic: running the script again writes the very same
bytes.  The bodies are used unchanged.  Each is split into chunks the way a
network would deliver them, by a ``random.Random`` seeded per scenario
(mostly tens to hundreds of bytes, sometimes a handful, sometimes over a
kilobyte, eight times that for the audio stream's big payloads, and three
boundaries forced between the two LFs that end an event); arrival times are
scripted the same way (first byte 0.3-0.8 s after the request, then 10-80 ms
apart, now and then a pause of 0.15-0.9 s) and
given to :class:`streamkit.Recorder` through its ``clock=``, so every line is
written by the Recorder itself; the header's ``started_at=`` comes from the
completion's ``created``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from itertools import pairwise
from pathlib import Path
from typing import Any

from streamkit.recording import Recorder

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE
DEFAULT_SOURCES = HERE.parents[2] / "shared" / "recordings-real" / "chat"
SOURCES_ENV = "STREAMKIT_REAL_CHAT_RECORDINGS"
GENERATOR = "recordings/chat/make_recordings.py"
URL = "https://api.openai.com/v1/chat/completions"


@dataclass(frozen=True)
class Source:
    """One real captured response body: where it came from, and its checksum."""

    file: str
    repo: str
    path: str
    commit: str
    sha256: str

    def read(self, directory: Path) -> bytes:
        path = directory / self.file
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise SystemExit(f"make_recordings: cannot read a source: {exc}") from None
        digest = hashlib.sha256(body).hexdigest()
        if digest != self.sha256:
            raise SystemExit(f"make_recordings: {path} is not the expected capture ({digest})")
        return body

    def meta(self) -> dict[str, str]:
        return {
            "file": self.file,
            "repo": self.repo,
            "path": self.path,
            "commit": self.commit,
            "sha256": self.sha256,
        }


_PYTHON_SNAPSHOTS = "3fc6b98354dfdeab6dc4b184dd4df9149712a325"


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    description: str
    source: Source
    scale: int = 1  # chunk sizes are multiplied by this (big payloads come in bigger chunks)


SCENARIOS = (
    Scenario(
        "text-usage",
        1,
        "A plain text answer (gpt-4o-mini) with obfuscation padding and the usage chunk.",
        Source(
            "pydantic-ai_text-usage_2026-07-02.sse",
            "pydantic/pydantic-ai",
            "tests/models/cassettes/test_openai/test_run_stream_sync_streams_real_model.yaml"
            " (interaction 1)",
            "77c820e245b4007657eb34b2f63109a405d57574",
            "508beff2d1990e576ef224b0fadc353c70d101351ad70adfbdcced08ead2d8d2",
        ),
    ),
    Scenario(
        "parallel-tool-calls",
        2,
        "Two parallel function tool calls (gpt-4o) whose arguments arrive in fragments.",
        Source(
            "openai-python_parallel-tool-calls_2024-09-26.sse",
            "openai/openai-python",
            ".inline-snapshot/external/"
            "f82268f2fefd5cfbc7eeb59c297688be2f6ca0849a6e4f17851b517310841d9b.bin"
            " (test_parse_multiple_pydantic_tools)",
            _PYTHON_SNAPSHOTS,
            "f82268f2fefd5cfbc7eeb59c297688be2f6ca0849a6e4f17851b517310841d9b",
        ),
    ),
    Scenario(
        "multiple-choices",
        3,
        "n=3: three choices (gpt-4o, structured output) whose deltas interleave.",
        Source(
            "openai-python_n3-multiple-choices_2024-09-26.sse",
            "openai/openai-python",
            ".inline-snapshot/external/"
            "a491adda08c3d4fde95f5b2ee3f60f7f745f1a56d82e62f58031cc2add502380.bin"
            " (test_parse_pydantic_model_multiple_choices)",
            _PYTHON_SNAPSHOTS,
            "a491adda08c3d4fde95f5b2ee3f60f7f745f1a56d82e62f58031cc2add502380",
        ),
    ),
    Scenario(
        "audio-output",
        4,
        "Audio output (gpt-audio-1.5): transcript and base64 data deltas, padding chunks"
        " without choices, a chunk after the usage chunk.",
        Source(
            "openai-dotnet_audio-output_2026-06-05.sse",
            "openai/openai-dotnet",
            "tests/SessionRecords/ChatTests/ChatWithBasicAudioOutput.json (Entries[0])",
            "ee0f27257507df7af338b036e598de1f03c22cc7",
            "1f4337e9cda6f8b5502d925e9fc77b17aac8df0f21fe9c71b462bd2d94969b9e",
        ),
        scale=8,
    ),
)


# -- network-like chunks and timing ------------------------------------------------


def chunk_sizes(rng: random.Random, total: int, scale: int = 1) -> set[int]:
    """Offsets of chunk boundaries: mostly 25-400 bytes apart, at times 1-24 or 401-1800.

    The sizes are multiplied by *scale*.
    """
    cuts: set[int] = set()
    offset = 0
    while True:
        roll = rng.randint(1, 100)
        if roll <= 15:
            offset += rng.randint(1, 24) * scale
        elif roll <= 80:
            offset += rng.randint(25, 400) * scale
        else:
            offset += rng.randint(401, 1800) * scale
        if offset >= total:
            return cuts
        cuts.add(offset)


def split(body: bytes, rng: random.Random, scale: int = 1) -> list[bytes]:
    """*body* in chunks as a network might deliver it (see the module docstring)."""
    cuts = chunk_sizes(rng, len(body), scale)
    # Between the two LFs that end an event: the decoder must wait for the second.
    ends = [i + 1 for i in range(len(body) - 1) if body[i : i + 2] == b"\n\n"]
    cuts.update(rng.sample(ends, min(3, len(ends))))
    return [body[a:b] for a, b in pairwise([0, *sorted(cuts), len(body)])]


def arrivals(rng: random.Random, count: int) -> list[int]:
    """Arrival times in microseconds (from the request) of *count* chunks."""
    t = rng.randint(300_000, 800_000)
    times = [t]
    for _ in range(count - 1):
        if rng.randint(1, 100) <= 4:
            t += rng.randint(150_000, 900_000)
        else:
            t += rng.randint(10_000, 80_000)
        times.append(t)
    return times


class ScriptedClock:
    """The Recorder's clock: whatever time (in microseconds) the script set last."""

    def __init__(self) -> None:
        self.us = 0

    def __call__(self) -> float:
        return self.us / 1_000_000


# -- recording ---------------------------------------------------------------------


def created(body: bytes) -> int:
    """The ``created`` of the first chunk with a non-empty ``id``."""
    for line in body.split(b"\n"):
        if line.startswith(b"data: {"):
            chunk = json.loads(line[6:])
            if chunk.get("id"):
                return int(chunk["created"])
    raise ValueError("no chunk with an id")


def request() -> dict[str, Any]:
    return {
        "method": "POST",
        "url": URL,
        "headers": {
            "Authorization": "Bearer sk-not-a-real-key",
            "Content-Type": "application/json",
            "Accept": "text/event-stream",
        },
    }


def response(rng: random.Random, date: float) -> dict[str, Any]:
    return {
        "status": 200,
        "headers": {
            "date": formatdate(date, usegmt=True),
            "content-type": "text/event-stream; charset=utf-8",
            "transfer-encoding": "chunked",
            "connection": "keep-alive",
            "access-control-expose-headers": "X-Request-ID",
            "openai-processing-ms": str(rng.randint(120, 900)),
            "openai-version": "2020-10-01",
            "x-request-id": f"req_{rng.getrandbits(128):032x}",
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
            "set-cookie": "__cf_bm=not-a-real-cookie; path=/; domain=.api.openai.com; HttpOnly",
            "server": "cloudflare",
        },
    }


def record(scenario: Scenario, body: bytes, out: Path) -> Path:
    """Write the recording of *scenario* into *out*; return its path."""
    rng = random.Random(scenario.seed)
    started_at = datetime.fromtimestamp(created(body), UTC) + timedelta(
        microseconds=rng.randint(0, 600_000)
    )
    meta = {
        "scenario": scenario.name,
        "description": scenario.description,
        "source": scenario.source.meta(),
        "generator": GENERATOR,
        "seed": scenario.seed,
    }
    path = out / f"{scenario.name}.ndjson"
    clock = ScriptedClock()
    with Recorder.open(
        path,
        dialect="chat",
        meta=meta,
        request=request(),
        response=response(rng, started_at.timestamp()),
        clock=clock,
        started_at=started_at,
    ) as recorder:
        chunks = split(body, rng, scenario.scale)
        times = arrivals(rng, len(chunks))
        for _ in recorder.tap(_deliver(clock, chunks, times, times[-1] + rng.randint(200, 3_000))):
            pass
    return path


def _deliver(clock: ScriptedClock, chunks: list[bytes], times: list[int], end: int) -> Any:
    for t, chunk in zip(times, chunks, strict=True):
        clock.us = t
        yield chunk
    clock.us = end


def write_all(out: Path = DEFAULT_OUT, sources: Path | None = None) -> list[Path]:
    """Write every bundled recording into *out*; return the paths written."""
    if sources is None:
        sources = Path(os.environ.get(SOURCES_ENV) or DEFAULT_SOURCES)
    out.mkdir(parents=True, exist_ok=True)
    return [record(s, s.source.read(sources), out) for s in SCENARIOS]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").partition("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--sources", type=Path, help=f"real bodies (default: ${SOURCES_ENV})")
    args = parser.parse_args(argv)
    for path in write_all(args.out, args.sources):
        print(f"{path} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
