"""Build the bundled Chat Completions recordings in ``recordings/chat/`` from real captured bodies.

Usage::

    python recordings/chat/make_recordings.py [--out DIR] [--sources DIR]

``--sources`` (or the environment variable ``STREAMKIT_REAL_CHAT_RECORDINGS``)
is the directory of real Chat Completions bodies described in
``tests/data/real/SOURCES.md``; it defaults to
``tests/data/real/chat`` in the repository.  Every source is
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
completion's ``created``.  The helpers it shares with the other generators are
in ``recordings/_recordings_common.py``.
"""

from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(HERE.parent) not in sys.path:  # for _recordings_common: see there
    sys.path.insert(0, str(HERE.parent))
from _recordings_common import (  # noqa: E402
    Source,
    chunk_sizes,
    event_end_cuts,
    main as _main,
    openai_request,
    pieces,
    sources_dir,
    timing,
    write_one_stream,
)

DEFAULT_OUT = HERE
DEFAULT_SOURCES = REPO / "tests" / "data" / "real" / "chat"
SOURCES_ENV = "STREAMKIT_REAL_CHAT_RECORDINGS"
GENERATOR = "recordings/chat/make_recordings.py"
URL = "https://api.openai.com/v1/chat/completions"


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


def split(body: bytes, rng: random.Random, scale: int) -> list[bytes]:
    """*body* in chunks as a network might deliver it (see the module docstring).

    No boundary is forced inside a character: the bodies are ASCII.
    """
    cuts = chunk_sizes(rng, len(body), scale)
    cuts.update(event_end_cuts(body, rng))
    return pieces(body, cuts)


# -- recording ---------------------------------------------------------------------


def created(body: bytes) -> int:
    """The ``created`` of the first chunk with a non-empty ``id``."""
    for line in body.split(b"\n"):
        if line.startswith(b"data: {"):
            chunk = json.loads(line[6:])
            if chunk.get("id"):
                return int(chunk["created"])
    raise ValueError("no chunk with an id")


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
    head = response(rng, started_at.timestamp())  # this script draws it before the chunks
    chunks = split(body, rng, scenario.scale)
    times, end = timing(rng, len(chunks))
    return write_one_stream(
        out / f"{scenario.name}.ndjson",
        dialect="chat",
        meta=meta,
        request=openai_request(URL),
        response=head,
        started_at=started_at,
        chunks=chunks,
        times=times,
        end=end,
    )


def write_all(out: Path = DEFAULT_OUT, sources: Path | None = None) -> list[Path]:
    """Write every bundled recording into *out*; return the paths written."""
    sources = sources_dir(sources, SOURCES_ENV, DEFAULT_SOURCES)
    out.mkdir(parents=True, exist_ok=True)
    return [record(s, s.source.read(sources), out) for s in SCENARIOS]


def main(argv: list[str] | None = None) -> None:
    _main(__doc__, write_all, DEFAULT_OUT, SOURCES_ENV, argv)


if __name__ == "__main__":
    main()
